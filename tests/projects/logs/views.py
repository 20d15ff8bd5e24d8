"""Views that log, for the logging tests and the served ASGI project."""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.http import (
    FileResponse,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from django.db.models import QuerySet
    from django.http import HttpRequest
    from rest_framework.request import Request
    from rest_framework.response import Response

logger = logging.getLogger("tests.projects.logs")


def sync_view(request: HttpRequest) -> HttpResponse:
    """Log once from a sync view."""
    logger.info("sync view %s", request.GET.get("marker", "-"))
    return HttpResponse("sync")


async def async_view(request: HttpRequest) -> HttpResponse:
    """Log before and after yielding to the event loop."""
    marker = request.GET.get("marker", "-")
    logger.info("async view start %s", marker)
    await asyncio.sleep(0.01)
    logger.info("async view end %s", marker)
    return HttpResponse("async")


def _count_users(marker: str) -> int:
    """Log from the ORM thread, then run a query there."""
    logger.info(
        "orm thread %s", marker, extra={"orm_thread": threading.current_thread().name}
    )
    return get_user_model().objects.count()


async def orm_view(request: HttpRequest) -> JsonResponse:
    """Query the database from a ``sync_to_async`` thread."""
    marker = request.GET.get("marker", "-")
    logger.info(
        "orm view %s", marker, extra={"view_thread": threading.current_thread().name}
    )
    count = await sync_to_async(_count_users)(marker)
    return JsonResponse({"users": count})


def user_view(request: HttpRequest) -> HttpResponse:
    """Resolve the user, as most authenticated views do."""
    return HttpResponse(str(request.user.is_authenticated))


async def async_user_view(request: HttpRequest) -> HttpResponse:
    """Resolve the user the async way."""
    user = await request.auser()
    return HttpResponse(str(user.is_authenticated))


def file_view(request: HttpRequest) -> FileResponse:
    """Hand a file-like object to the server."""
    return FileResponse(io.BytesIO(b"file body"), content_type="text/plain")


def sync_stream_view(request: HttpRequest) -> StreamingHttpResponse:
    """Stream from a sync generator that logs per chunk."""

    def chunks() -> Iterator[bytes]:
        for number in range(3):
            logger.info("sync chunk %d", number)
            yield b"chunk "

    return StreamingHttpResponse(chunks())


async def async_stream_view(request: HttpRequest) -> StreamingHttpResponse:
    """Stream from an async generator that logs per chunk."""

    async def chunks() -> AsyncIterator[bytes]:
        for number in range(3):
            logger.info("async chunk %d", number)
            await asyncio.sleep(0)
            yield b"chunk "

    return StreamingHttpResponse(chunks())


def error_view(request: HttpRequest) -> HttpResponse:
    """Fail with an unhandled exception."""
    logger.info("about to fail")
    raise RuntimeError("view failed")


def hostile_message_view(request: HttpRequest) -> HttpResponse:
    """Log text and objects that are awkward for JSON."""
    logger.warning(
        'line one\nline two "quoted" \\ {"key": "value"}',
        extra={"unencodable": object(), "raw": b"\x00\xff", "nan": float("nan")},
    )
    return HttpResponse("logged")


def health_view(request: HttpRequest) -> HttpResponse:
    """Stand in for a health probe route."""
    return HttpResponse("alive")


class FailingAPIView(APIView):
    """A DRF view whose handler raises an unexpected exception."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get(self, request: Request) -> Response:
        """Fail."""
        logger.info("api view about to fail")
        raise RuntimeError("api view failed")


class UsernameSerializer(serializers.ModelSerializer[Any]):
    """A user's name only."""

    class Meta:
        """Serializer options."""

        model = get_user_model()
        fields = ("username",)


class UnorderedUserListView(generics.ListAPIView[Any]):
    """Pages over a queryset built per request without an ordering.

    The queryset is only known at request time, so no system check can see it:
    Django's paginator warns (``UnorderedObjectListWarning``) when it is used.
    """

    authentication_classes = ()
    permission_classes = (AllowAny,)
    serializer_class = UsernameSerializer

    def get_queryset(self) -> QuerySet[Any]:
        """Every user, in no particular order."""
        return get_user_model().objects.all()
