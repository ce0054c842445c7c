"""GraphQL layer of core.schools."""
