"""Printed forms: the catalog of A4 forms, print preview, batch printing and signed copies received."""
