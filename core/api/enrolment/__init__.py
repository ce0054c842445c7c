"""GraphQL layer of core.enrolment."""
