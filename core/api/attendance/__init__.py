"""GraphQL surface of attendance (考勤) and its early warning (考勤预警)."""
