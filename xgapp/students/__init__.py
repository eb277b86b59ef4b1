"""Student files (models, rules in `domain`, pages in `views`)."""
