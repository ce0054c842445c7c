"""GraphQL layer of core.people."""
