"""GraphQL layer of core.jurisdictions."""
