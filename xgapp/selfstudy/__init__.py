"""Self-study room (自习室): sign-in and sign-out at the front desk, the live board, Q&A records."""
