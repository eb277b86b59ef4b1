"""Leads: inquiries and the sales funnel (models, rules in `domain`, pages in `views`)."""
