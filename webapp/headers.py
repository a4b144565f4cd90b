"""Security headers on every response (flask-talisman) and the client address behind trusted proxies (ProxyFix).

- Content-Security-Policy: scripts, styles, images and requests from this site only. No inline script or style
  anywhere (not even with a nonce: kept pages are served to many requests, so a per-request nonce can't be in
  them), so an injected `<script>` or `onclick=` never runs. htmx is told not to inject its indicator `<style>`
  (`includeIndicatorStyles: false` in the htmx-config meta tag) and not to evaluate attributes as code.
- Framing: `frame-ancestors 'none'` and `X-Frame-Options: DENY` (older browsers), so no page (the one-click
  *Accept*, the refund button) can be clickjacked.
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` (order and wallet URLs stay on this site),
  a Permissions-Policy that turns off every powerful feature the site never uses.
- Production only: HSTS and a redirect of plain http to https. Tests and the demo run on http.
- `TRUSTED_PROXIES`: how many proxies stand in front of the app; their X-Forwarded-For and X-Forwarded-Proto are
  believed, so rate limits key on the real client rather than on the proxy (one bucket for everyone).

The headers are the same on every response but for HSTS (sent over https only), so `SecurityHeaders` works them out
once for each and copies them onto each response: flask-talisman parses the policies again on every response, about
a tenth of what a bare endpoint costs.
"""
import flask_talisman
from flask import Flask, current_app, request
from werkzeug.datastructures import Headers
from werkzeug.middleware.proxy_fix import ProxyFix

SELF = "'self'"
STRIPE_CHECKOUT = "https://checkout.stripe.com"


def content_security_policy(app: Flask) -> dict[str, str]:
    form_targets = [SELF]
    if app.config.get("STRIPE_SECRET_KEY"):
        # The top-up form's answer is a redirect to Stripe's payment page; browsers check form-action on it too.
        form_targets.append(STRIPE_CHECKOUT)
    return {
        "default-src": SELF,
        "script-src": SELF,
        "style-src": SELF,
        "img-src": SELF,
        "font-src": SELF,
        "connect-src": SELF,
        "form-action": " ".join(form_targets),
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "object-src": "'none'",
    }


PERMISSIONS_POLICY = {
    feature: "()"
    for feature in ("accelerometer", "autoplay", "browsing-topics", "camera", "display-capture", "geolocation",
                    "gyroscope", "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
                    "screen-wake-lock", "serial", "usb", "xr-spatial-tracking")
}  # fmt: skip


class SecurityHeaders(flask_talisman.Talisman):
    """flask-talisman, with the headers of a response worked out once per kind of request (over https or not)
    rather than for each response. A view that carries options of its own (`@talisman(...)`) and a policy with a
    per-request nonce – neither of which the app has – are left to flask-talisman each time."""

    def init_app(self, app, **options):
        super().init_app(app, **options)
        self._fixed: dict[bool, list[tuple[str, str]]] = {}  # over https → the headers every such response gets

    def _set_response_headers(self, response):
        view = current_app.view_functions.get(request.endpoint)
        if self.content_security_policy_nonce_in or hasattr(view, "talisman_view_options"):
            return super()._set_response_headers(response)
        secure = request.is_secure or request.headers.get("X-Forwarded-Proto", "http") == "https"  # as talisman's HSTS
        fixed = self._fixed.get(secure)
        if fixed is None:
            worked_out = _HeadersOnly()
            super()._set_response_headers(worked_out)
            fixed = self._fixed[secure] = list(worked_out.headers.items())
        headers = response.headers
        for name, value in fixed:
            headers[name] = value  # set, not added: as talisman does
        return response


class _HeadersOnly:
    """What flask-talisman's header setters touch of a response."""

    def __init__(self):
        self.headers = Headers()


def register(app: Flask) -> None:
    production = app.config.get("ENVIRONMENT") == "production"
    if proxies := app.config.get("TRUSTED_PROXIES", 0):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    SecurityHeaders(
        app,
        force_https=production,
        strict_transport_security=production,
        strict_transport_security_max_age=365 * 24 * 3600,
        strict_transport_security_include_subdomains=False,  # other hosts under the domain are not ours to decide
        content_security_policy=content_security_policy(app),
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy=PERMISSIONS_POLICY,
        # Cookie flags stay the config's own (Secure in production only; the demo runs on http).
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    )
