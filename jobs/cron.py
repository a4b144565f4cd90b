"""`rq cron jobs/cron.py`: the periodic sweep that fires timers whose scheduled job was lost."""
from rq import cron

from jobs.timers import sweep_due_timers

cron.register(sweep_due_timers, queue_name="default", interval=60)
