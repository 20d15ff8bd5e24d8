"""Permissions of the users app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class IsAnonymous(BasePermission):
    """Allow only requests that are not authenticated (e.g. registration)."""

    message = "You are already signed in."

    def has_permission(self, request: Request, view: APIView) -> bool:  # noqa: ARG002
        """Return whether the request comes from an anonymous user.

        Args:
            request: The incoming request.
            view: The view being accessed.

        Returns:
            ``True`` for anonymous requests.
        """
        return not (request.user and request.user.is_authenticated)

    def allows_anonymous(self, method: str) -> bool:  # noqa: ARG002
        """Tell the OpenAPI schema that anonymous requests get through.

        Args:
            method: The operation's HTTP method.

        Returns:
            ``True``: authentication is optional for the schema's clients (and an
            authenticated request is refused with 403).
        """
        return True
