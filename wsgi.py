"""Entry point for gunicorn (`gunicorn wsgi:app`) and the flask CLI (`flask --app wsgi …`)."""
import sys

from webapp import create_app
from webapp.config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as error:
    # One line that says what to set, not a traceback. Exit status 4 is gunicorn's "App failed to load": its
    # master stops with that reason instead of booting workers that fail the same way, again and again.
    print(f"Gigsmith: {error}", file=sys.stderr)
    sys.exit(4)
