"""Stage tests (阶段性测试 / 月测) of a class and each student's score with a short analysis for the parent."""
