"""`rq cron jobs/cron.py`: the periodic sweep that makes up for lost jobs (timers, and the outbox's rows), and the
daily recomputation of seller levels."""
from rq import cron

from jobs.levels import recompute_levels
from jobs.sweep import sweep

LEVELS_CRON = "30 3 * * *"  # every day at 03:30 UTC, a quiet hour; `flask levels` runs it by hand

cron.register(sweep, queue_name="default", interval=20)
cron.register(recompute_levels, queue_name="default", cron=LEVELS_CRON)
