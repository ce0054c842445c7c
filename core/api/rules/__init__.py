"""GraphQL layer of the county rules (core.rules, from the county plugins) and of the
responsibility chain built from them (core.officials.responsibility)."""
