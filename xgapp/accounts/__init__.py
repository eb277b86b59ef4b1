"""Staff accounts (models, rules in `domain`, pages in `views`)."""
