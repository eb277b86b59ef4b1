"""xgapp — 学管师工作台, the campus study-management workbench."""

__version__ = "0.1.0"


def create_app(test_config=None):
    """Build the Flask application (see xgapp.app for the wiring)."""
    from xgapp.app import create_app as _create_app

    return _create_app(test_config)
