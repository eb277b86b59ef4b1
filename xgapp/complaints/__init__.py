"""Complaints (投诉): received from a family, owned and handled by a dated record of steps, closed only with a
resolution and the family's answer; deadlines by severity from the campus rules."""
