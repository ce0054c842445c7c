"""Attendance (考勤) and early warning (考勤预警): class registers, absences, same-day follow-up,
school closures and the absence rules that open suspected-dropout cases."""
