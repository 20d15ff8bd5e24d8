"""Which permissions let an anonymous request through, for the security requirements."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from rest_framework import permissions

# DRF's permissions that let anonymous clients through: always, or for safe methods
# only. Other classes say so themselves (AllowsAnonymous).
ANONYMOUS_ALWAYS: tuple[type[permissions.BasePermission], ...] = (permissions.AllowAny,)
ANONYMOUS_READS: tuple[type[permissions.BasePermission], ...] = (
    permissions.IsAuthenticatedOrReadOnly,
)


@runtime_checkable
class AllowsAnonymous(Protocol):
    """A permission that tells the schema which anonymous requests it lets through.

    Any permission class may define the method; the schema then lists ``{}`` among
    the operation's security requirements (authentication optional) for the methods
    where it returns ``True``. This package's ``ReadOnly`` and ``IsStaffOrReadOnly``
    define it; a project's own does the same::

        class IsAnonymous(BasePermission):
            def has_permission(self, request, view):
                return not request.user.is_authenticated

            def allows_anonymous(self, method: str) -> bool:
                return True
    """

    def allows_anonymous(self, method: str) -> bool:
        """Return whether an anonymous request with this HTTP method gets through."""
        ...  # pragma: no cover - a protocol's signature


def allows_anonymous(permission: object, method: str) -> bool:
    """Tell whether a permission certainly lets an anonymous request through.

    A permission that defines ``allows_anonymous(method)`` (see
    :class:`AllowsAnonymous`) answers for itself; DRF's ``AllowAny`` and
    ``IsAuthenticatedOrReadOnly`` (and their subclasses) are known; ``|`` and ``&``
    compositions are followed. Anything else counts as refusing.

    Args:
        permission: A permission instance (or a composition of them).
        method: The HTTP method.

    Returns:
        Whether the request needs no authentication.
    """
    if isinstance(permission, AllowsAnonymous):
        return bool(permission.allows_anonymous(method))
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
