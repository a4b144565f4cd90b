"""What a new password must be (NIST SP 800-63B, section 3.1.1.2): long enough, and not one people commonly pick.

No composition rules (a digit, a capital) and no expiry: length and a blocklist are what resist guessing. The
blocklist is the 30,000 most common passwords that `zxcvbn` ships (Dropbox's estimator, maintained on PyPI as
`zxcvbn`); its estimate also refuses what is easy to guess without being on a list: repeats (`aaaaaaaaaa`),
sequences (`1234567890`), keyboard rows (`qwertyuiop`), dictionary words with digits, and the user's own name or
e-mail address. Everything runs offline: no password leaves the server.
"""
from functools import cache

from ..texts import lazy_gettext as _l

MIN_LENGTH = 10
MAX_LENGTH = 200  # NIST asks for at least 64; the estimator's work grows with the length, so it reads only so much
ESTIMATED_LENGTH = 100
# zxcvbn's score 2 means "at least about a million guesses": beyond what the login rate limit lets anyone try.
MIN_SCORE = 2



@cache
def _common() -> frozenset[str]:
    """zxcvbn's list, loaded when a password is first checked: its dictionaries take about 12 MB, which a web
    worker that never sees a password form should not carry."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def problems(password: str, personal: tuple[str, ...] = ()) -> list:
    """Why `password` may not be chosen (empty when it may). `personal`: words the user's own details give away,
    such as their e-mail address and display name."""
    if len(password) < MIN_LENGTH:
        return [_l("Password must be at least %(min)s characters", min=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_l("Password must be %(max)s characters or fewer", max=MAX_LENGTH)]
    if password.lower() in _common():
        return [_l("This password is on a list of commonly used passwords: choose another one")]
    # The whole e-mail address and name, and each part of them ("anna", "petrova", "example").
    values = [value.strip().lower() for value in personal if value and value.strip()]
    words = values + [part for value in values for part in value.replace("@", " ").replace(".", " ").split()]
    from zxcvbn import zxcvbn

    if zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=words)["score"] < MIN_SCORE:
        return [_l("This password is easy to guess: avoid repeated letters, sequences and your own name. A few unrelated words make a strong password.")]
    return []
