"""Classes (班级): rooms, holidays, the class itself and who is enrolled."""
