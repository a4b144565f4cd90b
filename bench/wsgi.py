"""The app as the benchmark serves it with gunicorn, plus the ceiling: a Flask endpoint with no database and no
template, so every page's throughput can be read as a share of what Flask itself manages on this machine.

It lives here rather than in the app: production has no use for it, and every real endpoint must be guarded.
"""
from webapp import create_app

app = create_app()
app.add_url_rule("/healthz", "healthz", lambda: "ok")
