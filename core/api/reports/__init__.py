"""GraphQL layer of core.reports: stored reports, their tables and their submission."""
