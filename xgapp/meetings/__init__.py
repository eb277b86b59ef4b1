"""Meetings with families (handbook 第2篇 §八–九): pre-class briefings and first-lesson feedback."""
