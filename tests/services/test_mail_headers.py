"""Header values are stripped of control characters: a display name with CR/LF can't add a header (Bcc:) to mail."""
from datetime import datetime, timezone
from email import message_from_string

import pytest

from webapp.adapters import mail
from webapp.extensions import db
from webapp.models import SandboxMail

from .test_timers import run_worker

HOSTILE = "Eve\r\nBcc: victim@example.com\u2028X-Evil: 1\x1b\t"


@pytest.mark.parametrize("text, expected", [
    ("Plain subject", "Plain subject"),
    ("Eve\r\nBcc: victim@example.com", "Eve Bcc: victim@example.com"),
    ("line\nbreak\rand\x0bvtab\x1bescape", "line break and vtab escape"),
    ("unicode\u2028line\u2029paragraph\x85next", "unicode line paragraph next"),
    ("  Сообщение\tот  Евы  ", "Сообщение от Евы"),
])  # fmt: skip
def test_header_value_turns_control_characters_into_spaces(text, expected):
    assert mail.header_value(text) == expected


def test_a_built_message_has_only_its_own_headers(ctx):
    message = mail.build_message("Gigsmith <no-reply@example.com>", "seller@example.com\r\nCc: x@example.com",
                                 f"Gigsmith: {HOSTILE} ordered", "Body\r\nwith lines")  # fmt: skip
    parsed = message_from_string(message.as_string())
    assert sorted(parsed.keys()) == ["Content-Transfer-Encoding", "Content-Type", "From", "MIME-Version", "Subject", "To"]
    assert "\n" not in parsed["Subject"] and "\r" not in parsed["Subject"]
    assert parsed["Subject"].startswith("Gigsmith: Eve Bcc: victim@example.com X-Evil: 1")
    assert parsed.get("Bcc") is None and parsed.get("X-Evil") is None and parsed.get("Cc") is None


def test_a_buyers_display_name_with_line_breaks_reaches_the_subject_on_one_line(make_user, make_order):
    eve = make_user(HOSTILE)
    order = make_order("new", buyer=eve, now=datetime(2026, 11, 24, 10, tzinfo=timezone.utc))
    run_worker()
    sent = db.session.query(SandboxMail).filter_by(to=order.seller.email).all()
    subjects = [m.subject for m in sent]
    assert any("ordered" in subject for subject in subjects), subjects
    for subject in subjects:
        assert not any(ch in subject for ch in "\r\n\x1b\u2028"), subject
        assert mail.build_message("a@example.com", order.seller.email, subject, "x")["Subject"] == subject
