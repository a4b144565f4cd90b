"""Site paths for services that link to a page (notifications, e-mails) without a request to build URLs from.

`url_for` needs a request or SERVER_NAME; RQ jobs and timers have neither, so paths come from the URL map.
"""
from flask import current_app


def path(endpoint: str, **values) -> str:
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build(endpoint, values)


def paths(endpoint: str, name: str, values: list) -> dict:
    """`path(endpoint, name=value)` for each of many values (a timer batch's order links), the URL map bound once."""
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return {value: adapter.build(endpoint, {name: value}) for value in values}
