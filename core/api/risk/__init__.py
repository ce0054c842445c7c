"""GraphQL of the risk rules: ``Child.risk``, ``childrenAtRisk`` and ``unattendedHighRiskChildren``."""
