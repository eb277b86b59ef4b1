"""Contracts, payments and refunds (models, rules in `domain`, pages in `views`)."""
