"""GraphQL layer of core.access: sessions, keys, audit."""
