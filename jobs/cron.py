"""`rq cron jobs/cron.py`: the periodic sweep that makes up for lost jobs (timers, and the outbox's rows), hourly
housekeeping (ended sessions), a daily sweep of orphaned uploads and the daily recomputation of seller levels."""
from rq import cron

from jobs.housekeeping import housekeeping, orphaned_uploads
from jobs.levels import recompute_levels
from jobs.sweep import sweep

LEVELS_CRON = "30 3 * * *"  # every day at 03:30 UTC, a quiet hour; `flask levels` runs it by hand

cron.register(sweep, queue_name="default", interval=20)
cron.register(housekeeping, queue_name="default", interval=3600)
cron.register(orphaned_uploads, queue_name="default", interval=24 * 3600)
cron.register(recompute_levels, queue_name="default", cron=LEVELS_CRON)
