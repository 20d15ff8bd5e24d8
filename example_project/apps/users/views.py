"""HTTP layer of the users app: permissions, parsing and responses only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django_strict_core.logins import FailedLoginThrottle
from django_strict_core.throttling import AnonRateThrottle, UserRateThrottle
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.users import services
from apps.users.permissions import IsAnonymous
from apps.users.serializers import (
    ProfileSerializer,
    RegistrationSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserSerializer,
)

if TYPE_CHECKING:
    from rest_framework.request import Request

    from apps.users.models import User


class RegistrationView(APIView):
    """Create an account."""

    # Token first: DRF answers 401 with its WWW-Authenticate challenge.
    authentication_classes = (TokenAuthentication, SessionAuthentication)
    permission_classes = (IsAnonymous,)

    @extend_schema(request=RegistrationSerializer, responses={201: UserSerializer})
    def post(self, request: Request) -> Response:
        """Register a new user.

        Args:
            request: Carries username, email, password and an optional display name.

        Returns:
            The created user, with status 201.
        """
        serializer = RegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.register_user(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(APIView):
    """Exchange credentials for an API token."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    # The baseline's budgets, and none left once the client's failed logins spent
    # DJANGO_THROTTLE_LOGIN_RATE.
    throttle_classes = (AnonRateThrottle, UserRateThrottle, FailedLoginThrottle)

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request: Request) -> Response:
        """Return the token for valid credentials.

        Args:
            request: Carries username and password.

        Returns:
            ``{"token": "..."}``.
        """
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = services.issue_token(**serializer.validated_data)
        return Response(TokenSerializer({"token": token.key}).data)


class MeView(APIView):
    """The signed-in user's own profile."""

    authentication_classes = (TokenAuthentication, SessionAuthentication)
    permission_classes = (IsAuthenticated,)

    @extend_schema(responses={200: UserSerializer})
    def get(self, request: Request) -> Response:
        """Return the signed-in user.

        Args:
            request: An authenticated request.

        Returns:
            The user's profile.
        """
        user: User = request.user  # type: ignore[assignment]
        return Response(UserSerializer(user).data)

    @extend_schema(request=ProfileSerializer, responses={200: UserSerializer})
    def patch(self, request: Request) -> Response:
        """Update the signed-in user's display name; omitted fields keep their value.

        Args:
            request: May carry a new display name.

        Returns:
            The updated profile.
        """
        serializer = ProfileSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        services.update_profile(user, **serializer.validated_data)
        return Response(UserSerializer(user).data)
