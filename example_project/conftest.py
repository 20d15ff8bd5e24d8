"""Make the project-wide fixtures of tests/conftest.py available to every app's tests.

pytest applies a conftest.py only to its own directory; the apps' tests live beside
their code, so the global fixtures are re-exported from the project root.
"""

from tests.conftest import (
    _fast_password_hashing,
    _isolated_cache,
    api_client,
    auth_client,
    user,
)

__all__ = [
    "_fast_password_hashing",
    "_isolated_cache",
    "api_client",
    "auth_client",
    "user",
]
