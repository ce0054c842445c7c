"""The GraphQL layer: types, queries and mutations per domain, composed in ``core.api.schema``.

Resolvers here hold no business rules: they parse arguments, call a service and shape the
result. Services (``core.<domain>.services``/``queries``) hold the rules and talk to models.
"""
