"""The project bench/baseline.py serves: one list endpoint, two stacks, one process.

* ``/api/ours/articles/``: the baseline as ``build_settings`` configures it;
* ``/api/theirs/articles/``: the same endpoint under the stack a team assembles by
  hand: DRF, drf-standardized-errors, django-health-check, django-environ and
  python-json-logger.

:mod:`baseline_site.settings` says what each stack is made of.
"""
