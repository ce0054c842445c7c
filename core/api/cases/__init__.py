"""GraphQL layer of core.cases."""
