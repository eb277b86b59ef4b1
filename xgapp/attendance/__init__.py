"""Attendance (点名): the roll call that consumes lesson hours through the ledger."""
