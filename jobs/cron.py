"""`rq cron jobs/cron.py`: the periodic sweep that makes up for lost jobs (timers, and the outbox's rows)."""
from rq import cron

from jobs.sweep import sweep

cron.register(sweep, queue_name="default", interval=20)
