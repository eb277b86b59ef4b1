"""Every HX-* header name lives here."""

from flask import make_response, request


def is_request():
    """True when htmx sent the request (and it is not a history restore, which needs a full page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def target():
    """The id of the element htmx will swap, if any."""
    return request.headers.get("HX-Target")


def redirect(url, status=200):
    """Tell htmx to load `url` as a full page."""
    response = make_response("", status)
    response.headers["HX-Redirect"] = url
    return response


def trigger(response, event):
    """Ask htmx to fire a client-side event after the swap."""
    response.headers["HX-Trigger"] = event
    return response


def add_vary(response):
    """Pages and fragments share URLs: caches must key on HX-Request."""
    response.vary.add("HX-Request")
    return response


def refresh(response):
    """Ask htmx to reload the whole page."""
    response.headers["HX-Refresh"] = "true"
    return response
