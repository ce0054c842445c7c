"""GraphQL layer of core.visits."""
