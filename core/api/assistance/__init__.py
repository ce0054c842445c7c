"""GraphQL layer of core.assistance."""
