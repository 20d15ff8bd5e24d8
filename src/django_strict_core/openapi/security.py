"""Which permissions let an anonymous request through, for the security requirements."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions

from django_strict_core import permissions as strict_permissions

# Permissions that let anonymous clients through: always, or for safe methods only.
ANONYMOUS_ALWAYS: tuple[type[permissions.BasePermission], ...] = (permissions.AllowAny,)
ANONYMOUS_READS: tuple[type[permissions.BasePermission], ...] = (
    permissions.IsAuthenticatedOrReadOnly,
    strict_permissions.ReadOnly,
    strict_permissions.IsStaffOrReadOnly,
)


def allows_anonymous(permission: object, method: str) -> bool:
    """Tell whether a permission certainly lets an anonymous request through.

    Known permissions are DRF's ``AllowAny`` and ``IsAuthenticatedOrReadOnly`` and
    this package's ``ReadOnly`` and ``IsStaffOrReadOnly`` (and their subclasses);
    ``|`` and ``&`` compositions of them are followed. Anything else counts as
    refusing.

    Args:
        permission: A permission instance (or a composition of them).
        method: The HTTP method.

    Returns:
        Whether the request needs no authentication.
    """
    if isinstance(permission, ANONYMOUS_ALWAYS):
        return True
    if isinstance(permission, ANONYMOUS_READS):
        return method in permissions.SAFE_METHODS
    # The stubs do not declare the operands of a composition.
    composed: Any = permission
    if isinstance(permission, permissions.OR):
        return allows_anonymous(composed.op1, method) or allows_anonymous(
            composed.op2, method
        )
    if isinstance(permission, permissions.AND):
        return allows_anonymous(composed.op1, method) and allows_anonymous(
            composed.op2, method
        )
    return False
