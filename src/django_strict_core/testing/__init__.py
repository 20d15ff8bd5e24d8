"""Real network faults for tests: a loopback proxy that forwards, hangs or refuses.

A project tests how it behaves when PostgreSQL or Redis hangs or goes away (its own
health checks, timeouts, fallbacks) by pointing its settings at a
:class:`FaultProxy` in front of the real server and breaking the path mid-test.
:class:`ProxyProcess` runs the proxies in a process of their own, for load tests.
Only the standard library is used.
"""

from django_strict_core.testing.process import ProxyProcess
from django_strict_core.testing.proxy import MODES, FaultProxy, Mode, closed_port

__all__ = ["MODES", "FaultProxy", "Mode", "ProxyProcess", "closed_port"]
