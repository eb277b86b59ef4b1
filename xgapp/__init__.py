"""xgapp — 学管师工作台, the campus study-management workbench. The application is built by xgapp.app.create_app."""

__version__ = "0.1.0"
