"""Entry point for gunicorn (`gunicorn wsgi:app`) and the flask CLI (`flask --app wsgi …`)."""
import sys

import click

from webapp import create_app
from webapp.config import ConfigurationError

try:
    # The flask CLI (`flask --app wsgi db upgrade`, `flask --app wsgi demo`) loads this module from inside its click
    # command; gunicorn does not. Only the CLI migrates, so only it loads Flask-Migrate and Alembic, which would
    # otherwise take about 12 MB of every web worker's memory.
    app = create_app(migrations=click.get_current_context(silent=True) is not None)
except ConfigurationError as error:
    # One line that says what to set, not a traceback. Exit status 4 is gunicorn's "App failed to load": its
    # master stops with that reason instead of booting workers that fail the same way, again and again.
    print(f"Gigsmith: {error}", file=sys.stderr)
    sys.exit(4)
