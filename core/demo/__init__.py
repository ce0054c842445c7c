"""Deterministic demo data (``baoxue demo``): a synthetic county to explore the API with.

* :mod:`core.demo.generator` — :func:`~core.demo.generator.generate_demo`, the generator;
* :mod:`core.demo.organisation` — the fictional default county, 示范县 (369901);
* :mod:`core.demo.credentials` — demo staff accounts and an agency API key;
* :mod:`core.demo.command` — ``run_demo``, what the CLI calls (migrate, reset, generate, print).

None of the data describes real people; names, ID numbers and phone numbers are invented.
"""
