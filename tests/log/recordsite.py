"""Views that make the library, Django and a caller write every kind of record.

Served through the test project's real middleware stack and ``LOGGING`` by
``tests/log/test_real_records.py``; each view is named after what it logs.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.urls import path
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

if TYPE_CHECKING:
    from django.http import HttpRequest
    from rest_framework.request import Request

logger = logging.getLogger("tests.log.records")

# A caller's extra fields named like fields the library writes, or like ECS fields
# of another type.
COLLIDING_EXTRA = {
    "status": "captured",
    "status_code": "teapot",
    "version": 3,
    "path": ["a", "b"],
    "method": {"name": "card"},
    "service": "billing",
    "environment": 7,
    "duration_ms": "slow",
    "user_id": 42,
    "query": None,
    "level": 5,
    "logger": False,
    "timestamp": "yesterday",
    "error": "boom",
    "exception": 1,
    "stack": ["frame"],
    "log": {"level": 1},
    "event": {"kind": "x"},
    "url.path": 1,
    "http.response.status_code": "x",
    "ecs.version": 2,
    "labels_count": 1,
}
LABELS = {
    "tenant.id": "acme",
    "a*b": 1,
    "back\\slash": True,
    "plan": None,
    "limits": {"rpm": 60},
    "ratio": 0.5,
}


def ok(request: HttpRequest) -> HttpResponse:
    """Log one plain line with an extra field of the caller's own."""
    logger.info("order %s paid", 42, extra={"order_id": 42})
    return HttpResponse("ok")


def colliding_extra(request: HttpRequest) -> HttpResponse:
    """Log extra fields whose names the line or ECS already uses."""
    logger.info("captured payment", extra=COLLIDING_EXTRA)
    return HttpResponse("ok")


def labels(request: HttpRequest) -> HttpResponse:
    """Log ``labels`` whose keys need sanitizing and whose values are not strings."""
    logger.info("labelled", extra={"labels": LABELS})
    logger.info("labels that are not a mapping", extra={"labels": "plain"})
    return HttpResponse("ok")


def dict_message(request: HttpRequest) -> HttpResponse:
    """Log a dict as the message."""
    logger.info({"event": "paid", "status": "ok", "amount": 12})
    return HttpResponse("ok")


def caught(request: HttpRequest) -> HttpResponse:
    """Log a caught exception, once with a stack as well."""
    try:
        int("not a number")
    except ValueError:
        logger.exception("could not parse the amount")
        logger.warning("retrying", exc_info=True, stack_info=True)
    return HttpResponse("ok")


def stack(request: HttpRequest) -> HttpResponse:
    """Log the current stack."""
    logger.warning("slow path taken", stack_info=True)
    return HttpResponse("ok")


def fails(request: HttpRequest) -> HttpResponse:
    """Fail with an unhandled exception (Django's 500)."""
    raise RuntimeError("view failed")


class Orders(APIView):
    """A DRF view: GET only, POST fails validation."""

    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = ()

    def get(self, request: Request) -> Response:
        return Response({"orders": []})

    def put(self, request: Request) -> Response:
        raise ValidationError({"email": ["This field is required."]})


class FailingOrders(APIView):
    """A DRF view whose unhandled exception the library's handler answers (500)."""

    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = ()

    def get(self, request: Request) -> Response:
        raise KeyError("order")


def whoami(request: HttpRequest) -> HttpResponse:
    """Resolve the user, so that the access record names it."""
    return HttpResponse(str(request.user.is_authenticated))


urlpatterns = [
    path("ok/", ok),
    path("colliding-extra/", colliding_extra),
    path("labels/", labels),
    path("dict-message/", dict_message),
    path("caught/", caught),
    path("stack/", stack),
    path("fails/", fails),
    path("whoami/", whoami),
    path("api/orders/", Orders.as_view()),
    path("api/failing/", FailingOrders.as_view()),
]
