"""Follow-ups (回访): the log of every contact with a family, and the tasks the handbook's rules generate."""
