"""辍学风险预警: each child's risk level (NONE / WATCH / HIGH) from the county's versioned,
transparent rules, with the rules that fired and their numbers.

:mod:`core.risk.evaluation` decides a level from a child's values (pure logic);
:mod:`core.risk.signals` writes the SQL that measures each rule's value for every child at
once; :mod:`core.risk.services` answers the API: one child's explanation, a list of children at
risk in the caller's scope, and the children at high risk whom nobody is following up.
"""
