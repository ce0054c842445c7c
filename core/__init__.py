"""Baoxue (保学): a GraphQL API for 控辍保学.

The importable application. Subpackages hold one domain each (jurisdictions, schools,
people, enrolment, cases, assistance, visits, officials); ``core.api`` is the GraphQL layer,
``core.server`` the ASGI application and ``core.cli`` the ``baoxue`` command.
"""

__version__ = "0.1.0"
