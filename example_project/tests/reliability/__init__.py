"""The reliability suite: the example project under load, backend faults and bad input.

Run it with ``python -m tests.reliability`` (``--quick`` for the bounded CI form).
"""
