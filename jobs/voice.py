from webapp.clock import now

from . import app_context


def place_code_call(code_id: int) -> None:
    with app_context():
        from webapp.queue import get_queue
        from webapp.services import voice_codes

        code = voice_codes.place_call(code_id, now())
        if code is not None and code.expires_at is not None:
            get_queue().enqueue_at(code.expires_at, expire_code, code.id, job_id=f"voice-expire-{code.id}")


def expire_code(code_id: int) -> None:
    with app_context():
        from webapp.services import voice_codes

        voice_codes.expire(code_id, now())
