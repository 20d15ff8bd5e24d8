"""DRF views built on the project's extensions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db import IntegrityError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from django_strict_core.parsers import JSONParser
from tests.apps.extended.extensions import (
    BurstThrottle,
    IsAuthorOrStaff,
    LargePages,
    ProjectJSONParser,
    PublicReads,
)

if TYPE_CHECKING:
    from rest_framework.request import Request

ROWS = list(range(600))


class NumberSerializer(serializers.Serializer[Any]):
    """One row."""

    value = serializers.IntegerField()


class NoteInputSerializer(serializers.Serializer[Any]):
    """A note to store."""

    text = serializers.CharField(max_length=20)


class NumberList(generics.ListAPIView[Any]):
    """600 rows in large pages; anyone may read them."""

    authentication_classes: ClassVar[list[type[Any]]] = [TokenAuthentication]
    permission_classes: ClassVar[list[type[Any]]] = [PublicReads]
    throttle_classes: ClassVar[list[type[Any]]] = []
    pagination_class = LargePages
    serializer_class = NumberSerializer

    def get_queryset(self) -> Any:
        """The rows, as dicts."""
        return [{"value": row} for row in ROWS]


class NoteWrite(APIView):
    """Stores a note; a duplicate is an integrity error; calls an upstream."""

    authentication_classes: ClassVar[list[type[Any]]] = [TokenAuthentication]
    permission_classes: ClassVar[list[type[Any]]] = [AllowAny]
    throttle_classes: ClassVar[list[type[Any]]] = [BurstThrottle]
    parser_classes: ClassVar[list[type[Any]]] = [ProjectJSONParser, JSONParser]
    serializer_class = NoteInputSerializer
    has_upstream = True

    @extend_schema(responses={201: NoteInputSerializer})
    def post(self, request: Request) -> Response:
        """Validate the note; ``taken`` collides with a stored one."""
        serializer = NoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["text"] == "taken":
            raise IntegrityError("duplicate key value violates unique constraint")
        return Response(serializer.validated_data, status=201)


class NoteDetail(APIView):
    """One note, for its author or staff."""

    authentication_classes: ClassVar[list[type[Any]]] = [TokenAuthentication]
    permission_classes: ClassVar[list[type[Any]]] = [IsAuthorOrStaff]
    throttle_classes: ClassVar[list[type[Any]]] = []
    serializer_class = NoteInputSerializer

    def get(self, request: Request, pk: int) -> Response:
        """Answer the note."""
        return Response({"text": str(pk)})
