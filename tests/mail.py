"""The mail a test caused: run the queued mail jobs through a real RQ worker, read the sandbox mailbox, follow links."""
import re

from rq import SimpleWorker

from webapp.extensions import db
from webapp.models import SandboxMail
from webapp.queue import QUEUE_NAMES, get_queue

BASE = "http://127.0.0.1:5000"  # PUBLIC_BASE_URL in the test config


class BurstWorker(SimpleWorker):
    """RQ's worker in the test's process, without the pubsub thread on which a long-running worker takes commands
    (`rq.command.send_shutdown_command`...): a burst ends by itself and no test sends it one. Tearing that thread
    down joins it with a timeout, which under `faketime` (libfaketime 0.9.10 does not wrap the `sem_clockwait`
    behind Python's timed waits) never ends."""

    def subscribe(self):
        pass


def deliver():
    """One burst of a real worker over every queue: the e-mails queued after commits are written and sent."""
    queues = [get_queue(name) for name in QUEUE_NAMES]
    BurstWorker(queues, connection=queues[0].connection).work(burst=True)
    db.session.expire_all()


def mails_to(address: str) -> list[SandboxMail]:
    return list(db.session.query(SandboxMail).filter_by(to=address).order_by(SandboxMail.id))


def link_in(mail: SandboxMail, prefix: str) -> str:
    """The site path of the first link in the mail that starts with `prefix` (e.g. "/auth/reset-password/")."""
    found = re.search(re.escape(BASE + prefix) + r"\S+", mail.body)
    assert found, f"no {prefix} link in {mail.body!r}"
    return found.group().removeprefix(BASE)
