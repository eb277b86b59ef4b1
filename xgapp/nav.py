"""The navigation: each module registers its entries; each user sees only what their roles allow."""

from dataclasses import dataclass

from xgapp.policy import can


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    permission: str | None = None
    order: int = 100


_ITEMS = []


def register(endpoint, label, permission=None, order=100):
    """Add a navigation entry (called once by each module)."""
    if not any(item.endpoint == endpoint for item in _ITEMS):
        _ITEMS.append(NavItem(endpoint, label, permission, order))


def items_for(user):
    """The entries `user` may open, in order."""
    return [item for item in sorted(_ITEMS, key=lambda i: i.order)
            if user is not None and (item.permission is None or can(user, item.permission))]


def current(endpoint):
    """The nav entry to highlight for `endpoint`: an exact match, else its blueprint's index."""
    if endpoint is None:
        return None
    endpoints = {item.endpoint for item in _ITEMS}
    if endpoint in endpoints:
        return endpoint
    index = endpoint.split(".")[0] + ".index"
    return index if index in endpoints else None
