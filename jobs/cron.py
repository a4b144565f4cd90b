"""`rq cron jobs/cron.py`: the periodic sweep that makes up for lost jobs (timers, and the outbox's rows), and hourly
housekeeping (ended sessions) and a daily sweep of orphaned uploads."""
from rq import cron

from jobs.housekeeping import housekeeping, orphaned_uploads
from jobs.sweep import sweep

cron.register(sweep, queue_name="default", interval=20)
cron.register(housekeeping, queue_name="default", interval=3600)
cron.register(orphaned_uploads, queue_name="default", interval=24 * 3600)
