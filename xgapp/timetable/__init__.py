"""The timetable (课表): lessons generated from a weekly pattern, conflict checks, week views."""
