"""Student changes (学员异动): leave, suspension, moving one lesson, transfer, leaving a class, course end."""
