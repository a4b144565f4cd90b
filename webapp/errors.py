"""Error pages: the same layout as every page, so a lost user still has navigation."""
from flask import Flask
from flask_wtf.csrf import CSRFError

from .htmx import render
from .texts import gettext as _


def register(app: Flask) -> None:
    def page(status: int, title: str, message: str):
        return render("errors/error.html", status=status, code=status, title=title, message=message)

    app.register_error_handler(
        400, lambda e: page(400, _("Sorry, there is a problem with this request"), _("Go back, reload the page and try again."))
    )
    app.register_error_handler(404, lambda e: page(404, _("Page not found"), _("If you typed the address, check it is correct.")))
    app.register_error_handler(403, lambda e: page(403, _("You can’t do that"), _("This action is not available to your account.")))
    app.register_error_handler(
        405, lambda e: page(405, _("This address can’t be opened that way"), _("Go back and use the links and buttons on the page."))
    )
    app.register_error_handler(
        413, lambda e: page(413, _("That file is too large"), _("Go back and choose a file smaller than 5 MB."))
    )
    app.register_error_handler(
        429, lambda e: page(429, _("Too many attempts"), _("Wait a minute, then try again."))
    )
    app.register_error_handler(
        CSRFError,
        lambda e: page(400, _("This form has expired"), _("Go back, reload the page and submit the form again.")),
    )
    app.register_error_handler(
        500, lambda e: page(500, _("Sorry, something went wrong"), _("Try again in a few minutes."))
    )
