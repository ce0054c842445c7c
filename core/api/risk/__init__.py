"""GraphQL of the risk rules: ``Child.risk``, ``childrenAtRisk`` and the unattended list."""
