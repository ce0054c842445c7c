"""GraphQL layer of core.officials."""
