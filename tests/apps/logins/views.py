"""Views that check credentials, as a project writes them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth import authenticate
from rest_framework import exceptions, serializers
from rest_framework.authentication import BasicAuthentication, TokenAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from django_strict_core.logins import FailedLoginThrottle
from django_strict_core.throttling import AnonRateThrottle

if TYPE_CHECKING:
    from rest_framework.request import Request


class CredentialsSerializer(serializers.Serializer[dict[str, str]]):
    username = serializers.CharField()
    password = serializers.CharField()


def sign_in(*, username: str, password: str) -> str:
    """A service function: checks the password without the request."""
    user = authenticate(username=username, password=password)
    if user is None:
        raise exceptions.ValidationError("Unable to sign in.", code="authorization")
    return str(user.pk)


class SignInView(APIView):
    """``POST /api/sign-in/``: a project's own login endpoint."""

    authentication_classes: ClassVar[list[type[Any]]] = []
    permission_classes: ClassVar[list[type[Any]]] = [AllowAny]
    throttle_classes: ClassVar[list[type[Any]]] = [FailedLoginThrottle]

    def post(self, request: Request) -> Response:
        """Sign in with a username and a password."""
        serializer = CredentialsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"user": sign_in(**serializer.validated_data)})


class ProtectedView(APIView):
    """``GET /api/me/``: token or basic authentication, the anonymous budget."""

    authentication_classes: ClassVar[list[type[Any]]] = [
        TokenAuthentication,
        BasicAuthentication,
    ]
    permission_classes: ClassVar[list[type[Any]]] = [IsAuthenticated]
    throttle_classes: ClassVar[list[type[Any]]] = [AnonRateThrottle]

    def get(self, request: Request) -> Response:
        """Answer the signed-in user."""
        return Response({"user": request.user.pk})


class UnthrottledView(ProtectedView):
    """``GET /api/open/``: the same, with no throttles."""

    throttle_classes: ClassVar[list[type[Any]]] = []
