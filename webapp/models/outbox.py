from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class OutboxJob(db.Model):
    """A background job that must happen (an e-mail, a withdrawal's settlement, a code call), written in the same
    transaction as the change that asks for it. RQ only carries it out: the row is done when the job says so, and the
    sweep hands a row whose job was lost (Redis flushed or down at the commit, a worker killed) to RQ again."""

    __tablename__ = "outbox_jobs"
    __table_args__ = (Index("ix_outbox_jobs_waiting", "done_at", "enqueued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    func: Mapped[str] = mapped_column(String(100))  # an RQ entry point under jobs/, e.g. "jobs.mail.send_notification_email"
    args: Mapped[list] = mapped_column(JSON, default=list)
    queue: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=1)  # how many times it was handed to RQ; the RQ job id ends with it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gave_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")

    @staticmethod
    def job_id_for(row_id: int, attempts: int) -> str:
        """The RQ job of the row's `attempts`-th hand-over (a new id each time, so a lost job's leftovers never
        stop the next one)."""
        return f"outbox-{row_id}-{attempts}"

    @property
    def rq_job_id(self) -> str:
        return self.job_id_for(self.id, self.attempts)
