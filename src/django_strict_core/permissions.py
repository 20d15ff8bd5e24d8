"""Permission classes a strict project needs beside DRF's own.

DRF already ships ``AllowAny``, ``IsAuthenticated``, ``IsAuthenticatedOrReadOnly``
(read-only for anonymous users) and ``IsAdminUser``. This module adds:

- :class:`ReadOnly`: safe methods only, for composing (``IsStaff | ReadOnly``);
- :class:`IsStaff`: active, authenticated staff users only;
- :class:`IsStaffOrReadOnly`: everyone reads, staff writes;
- :class:`IsOwnerOrStaff`: object-level access for the object's owner or staff, with a
  configurable owner field.

All of them combine with DRF's ``&``, ``|`` and ``~`` operators. ``ReadOnly`` and
``IsStaffOrReadOnly`` tell the OpenAPI schema that anonymous reads get through
(``allows_anonymous``, see :class:`~django_strict_core.openapi.AllowsAnonymous`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import (
    FieldDoesNotExist,
    ImproperlyConfigured,
    ObjectDoesNotExist,
)
from django.db.models import ForeignKey, Model
from rest_framework.permissions import SAFE_METHODS, BasePermission

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

__all__ = ["IsOwnerOrStaff", "IsStaff", "IsStaffOrReadOnly", "ReadOnly", "owner_key"]


def is_active_staff(request: Request) -> bool:
    """Whether the request's user is an authenticated, active staff member.

    Returns:
        True for staff users.
    """
    user = request.user
    return bool(
        user
        and user.is_authenticated
        and getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
    )


class ReadOnly(BasePermission):
    """Allow safe methods (``GET``, ``HEAD``, ``OPTIONS``) to everyone, nothing else.

    Meant for composition: ``permission_classes = [IsStaff | ReadOnly]``.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:  # noqa: ARG002
        """Allow safe methods only.

        Returns:
            True for ``GET``, ``HEAD`` and ``OPTIONS``.
        """
        return request.method in SAFE_METHODS

    def allows_anonymous(self, method: str) -> bool:
        """Tell the schema that anonymous clients may read.

        Returns:
            True for safe methods.
        """
        return method in SAFE_METHODS


class IsStaff(BasePermission):
    """Allow active, authenticated staff users only.

    Like DRF's ``IsAdminUser`` (which also tests ``is_staff``), with a name that says
    what it checks and a refusal of inactive users even when an authentication
    backend lets them through.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:  # noqa: ARG002
        """Allow staff users.

        Returns:
            True when the user is active staff.
        """
        return is_active_staff(request)


class IsStaffOrReadOnly(BasePermission):
    """Allow safe methods to everyone and every method to active staff users.

    Add ``IsAuthenticated`` in front (``[IsAuthenticated, IsStaffOrReadOnly]``) when
    anonymous users must not read either.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:  # noqa: ARG002
        """Allow reading to everyone and writing to staff.

        Returns:
            True for safe methods or staff users.
        """
        return request.method in SAFE_METHODS or is_active_staff(request)

    def allows_anonymous(self, method: str) -> bool:
        """Tell the schema that anonymous clients may read.

        Returns:
            True for safe methods.
        """
        return method in SAFE_METHODS


class IsOwnerOrStaff(BasePermission):
    """Allow an object's owner and staff users; refuse anonymous users outright.

    View-level: the user must be authenticated (so a list or create endpoint accepts
    any signed-in user). Object-level: the user must be active staff or the owner,
    found by following :attr:`owner_field` from the object.

    The owner field defaults to ``owner``. Choose another with a subclass or with
    :meth:`with_owner_field`::

        permission_classes = [IsOwnerOrStaff.with_owner_field("author")]
        permission_classes = [IsOwnerOrStaff.with_owner_field("project__owner")]

    A foreign key at the end of the path is compared by its ``_id`` column, so the
    owner is never fetched; relations before it are followed (use
    ``select_related`` in the view's queryset).

    Attributes:
        owner_field: Path from the object to its owner, ``__``-separated.
    """

    owner_field: ClassVar[str] = "owner"

    @classmethod
    def with_owner_field(cls, owner_field: str) -> type[IsOwnerOrStaff]:
        """Return a subclass whose owner is found through ``owner_field``.

        Args:
            owner_field: Path from the object to its owner, e.g. ``author`` or
                ``project__owner``.

        Returns:
            A permission class for ``permission_classes``.
        """
        return type(cls.__name__, (cls,), {"owner_field": owner_field})

    def has_permission(self, request: Request, view: APIView) -> bool:  # noqa: ARG002
        """Allow authenticated users to reach the view.

        Returns:
            True when the user is authenticated.
        """
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(
        self,
        request: Request,
        view: APIView,  # noqa: ARG002
        obj: Any,
    ) -> bool:
        """Allow the object's owner and staff users.

        Returns:
            True for staff users and for the owner.
        """
        if is_active_staff(request):
            return True
        owner = owner_key(obj, self.owner_field)
        return owner is not None and owner == request.user.pk


def owner_key(obj: Any, owner_field: str) -> Any:
    """Return the primary key of the owner found by following ``owner_field``.

    Args:
        obj: A model instance (or any object with the attributes).
        owner_field: Path to the owner, ``__``-separated.

    Returns:
        The owner's primary key, or ``None`` when a step of the path is empty.

    Raises:
        ImproperlyConfigured: A step of the path does not exist on the object.
    """
    *relations, last = owner_field.split("__")
    for name in relations:
        obj = _attribute(obj, name, owner_field)
        if obj is None:
            return None
    if isinstance(obj, Model):
        try:
            field = obj._meta.get_field(last)
        except FieldDoesNotExist:
            field = None
        if isinstance(field, ForeignKey):
            return getattr(obj, field.attname)
    value = _attribute(obj, last, owner_field)
    return value.pk if isinstance(value, Model) else value


def _attribute(obj: Any, name: str, owner_field: str) -> Any:
    """Read one step of an owner path, naming the path when it is wrong."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:  # a missing one-to-one target: nobody owns it
        return None
    except AttributeError:
        msg = f"owner_field {owner_field!r}: {type(obj).__name__} has no attribute {name!r}"
        raise ImproperlyConfigured(msg) from None
