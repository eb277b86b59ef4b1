"""The first screen after login (its panels are domain reads in `panels`, who gets which in `policy.home_panels`)
and the health check."""
