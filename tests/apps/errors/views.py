"""DRF views failing in every way the error envelope covers.

Every view sets its authentication, permission and throttle classes explicitly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.core.cache import caches
from django.core.exceptions import (
    BadRequest,
    PermissionDenied as DjangoPermissionDenied,
    SuspiciousOperation,
    ValidationError as DjangoValidationError,
)
from django.db import connections
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView, exception_handler as drf_exception_handler

from django_strict_core.pagination import StandardPagination
from django_strict_core.parsers import JSONParser
from django_strict_core.permissions import IsStaff, ReadOnly
from tests.apps.errors.models import Widget
from tests.apps.errors.serializers import (
    EchoSerializer,
    ItemSerializer,
    MessageSerializer,
    OrderSerializer,
    RaiseSerializer,
    WidgetInputSerializer,
    WidgetSerializer,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.models import QuerySet
    from rest_framework.request import Request

LEAKY_MESSAGE = "secret token 7f3a in /srv/app/settings.py"


class MaintenanceError(exceptions.APIException):
    """A deliberate 503 with a code of its own."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The shop is closed for maintenance."
    default_code = "maintenance"


class PaymentRequired(exceptions.APIException):
    """A deliberate 402 with a code of its own."""

    status_code = status.HTTP_402_PAYMENT_REQUIRED
    default_detail = "A paid plan is required."
    default_code = "payment_required"


def _raise_service_validation() -> None:
    raise DjangoValidationError("The stock is too low.", code="low_stock")


def _raise_model_validation() -> None:
    Widget(name="reserved", quantity=-1).full_clean()


def _raise_unhandled() -> None:
    raise RuntimeError(LEAKY_MESSAGE)


def _raise(exc: Exception) -> Callable[[], None]:
    def raiser() -> None:
        raise exc

    return raiser


FAILURES: dict[str, Callable[[], None]] = {
    "http404": _raise(Http404("No Widget matches the given query.")),
    "django-permission": _raise(DjangoPermissionDenied("staff only: ops-team")),
    "drf-permission": _raise(exceptions.PermissionDenied()),
    "suspicious": _raise(SuspiciousOperation("Invalid HTTP_HOST header: evil.example")),
    "bad-request": _raise(BadRequest("Malformed parameter q=1")),
    "service-validation": _raise_service_validation,
    "model-validation": _raise_model_validation,
    "list-validation": _raise(serializers.ValidationError("Not today.")),
    "maintenance": _raise(MaintenanceError()),
    "payment": _raise(PaymentRequired()),
    "unhandled": _raise_unhandled,
}


class FailView(APIView):
    """``GET /fail/<kind>/`` raises the failure named ``kind``."""

    authentication_classes: ClassVar[list[type[Any]]] = []
    permission_classes: ClassVar[list[type[Any]]] = [AllowAny]
    throttle_classes: ClassVar[list[type[Any]]] = []
    serializer_class = MessageSerializer

    def get(self, request: Request, kind: str) -> Response:
        """Raise the named failure."""
        FAILURES[kind]()
        return Response({"kind": kind})


def use_backend(kind: str, alias: str) -> None:
    """Connect to the database alias, or read from the cache alias, named."""
    if kind == "database":
        connections[alias].ensure_connection()
    else:
        caches[alias].get("strict-core-tests-probe")


class BackendView(APIView):
    """``GET /backend/<kind>/<alias>/`` uses a database or cache alias."""

    authentication_classes: ClassVar[list[type[Any]]] = []
    permission_classes: ClassVar[list[type[Any]]] = [AllowAny]
    throttle_classes: ClassVar[list[type[Any]]] = []
    serializer_class = MessageSerializer

    def get(self, request: Request, kind: str, alias: str) -> Response:
        """Use the backend; answer what it said."""
        use_backend(kind, alias)
        return Response({"kind": kind})


class OrderView(APIView):
    """``POST /orders/``: validates an order; ``GET`` answers an empty list."""

    authentication_classes: ClassVar[list[type[Any]]] = []
    permission_classes: ClassVar[list[type[Any]]] = [AllowAny]
    throttle_classes: ClassVar[list[type[Any]]] = []
    serializer_class = OrderSerializer

    def get(self, request: Request) -> Response:
        """Answer an empty list."""
        return Response([])

    def post(self, request: Request) -> Response:
        """Validate the order."""
        serializer = OrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data, status=status.HTTP_201_CREATED)


class BulkItemView(APIView):
    """``POST /items/bulk/``: a top-level list serializer."""

    authentication_classes: ClassVar[list[type[Any]]] = []
    permission_classes: ClassVar[list[type[Any]]] = [AllowAny]
    throttle_classes: ClassVar[list[type[Any]]] = []
    serializer_class = ItemSerializer

    @extend_schema(
        request=ItemSerializer(many=True), responses={201: ItemSerializer(many=True)}
    )
    def post(self, request: Request) -> Response:
        """Validate a list of items."""
        serializer = ItemSerializer(data=request.data, many=True)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data, status=status.HTTP_201_CREATED)


class WidgetPagination(PageNumberPagination):
    """Ten widgets a page."""

    page_size = 10


class PagedWidgetView(generics.ListAPIView[Widget]):
    """``GET /paged/``: the package's pagination and a validated filter; public reads."""

    authentication_classes: ClassVar[list[type[Any]]] = [TokenAuthentication]
    permission_classes: ClassVar[list[Any]] = [IsStaff | ReadOnly]
    throttle_classes: ClassVar[list[type[Any]]] = []
    pagination_class = StandardPagination
    serializer_class = WidgetSerializer

    def get_queryset(self) -> QuerySet[Widget]:
        """Every widget; ``?colour=`` must be one of the known colours."""
        colour = self.request.query_params.get("colour")
        if colour is not None and colour not in {"red", "blue"}:
            raise serializers.ValidationError(
                {"colour": ["Unknown colour."]}, code="invalid"
            )
        return Widget.objects.order_by("pk")

    @extend_schema(parameters=[OpenApiParameter("colour", str)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List widgets."""
        return super().get(request, *args, **kwargs)


class WidgetListView(generics.ListAPIView[Widget]):
    """``GET /widgets/`` pages widgets; ``POST`` saves one, then may fail."""

    authentication_classes: ClassVar[list[type[Any]]] = []
    permission_classes: ClassVar[list[type[Any]]] = [AllowAny]
    throttle_classes: ClassVar[list[type[Any]]] = []
    pagination_class = WidgetPagination
    serializer_class = WidgetSerializer
    queryset = Widget.objects.order_by("pk")

    @extend_schema(request=WidgetInputSerializer, responses={201: WidgetSerializer})
    def post(self, request: Request) -> Response:
        """Create a widget with ``full_clean()``, then fail if asked to."""
        data = WidgetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        widget = Widget(name=data.validated_data["name"])
        widget.quantity = data.validated_data["quantity"]
        widget.full_clean()
        widget.save()
        if data.validated_data["then"] == "invalid":
            raise serializers.ValidationError({"name": ["Rejected after saving."]})
        if data.validated_data["then"] == "crash":
            raise RuntimeError(LEAKY_MESSAGE)
        return Response(WidgetSerializer(widget).data, status=status.HTTP_201_CREATED)


class WidgetDetailView(APIView):
    """``GET /widgets/<pk>/``: a real ``get_object_or_404``."""

    authentication_classes: ClassVar[list[type[Any]]] = []
    permission_classes: ClassVar[list[type[Any]]] = [AllowAny]
    throttle_classes: ClassVar[list[type[Any]]] = []
    serializer_class = WidgetSerializer

    def get(self, request: Request, pk: int) -> Response:
        """Answer the widget's name."""
        return Response({"name": get_object_or_404(Widget, pk=pk).name})


class TokenProtectedView(APIView):
    """Token authentication first: unauthenticated requests get 401."""

    authentication_classes: ClassVar[list[type[Any]]] = [TokenAuthentication]
    permission_classes: ClassVar[list[type[Any]]] = [IsAuthenticated]
    throttle_classes: ClassVar[list[type[Any]]] = []
    serializer_class = MessageSerializer

    def get(self, request: Request) -> Response:
        """Answer the user's name."""
        return Response({"user": request.user.get_username()})


class SessionProtectedView(APIView):
    """Session authentication first: unauthenticated requests get 403."""

    authentication_classes: ClassVar[list[type[Any]]] = [SessionAuthentication]
    permission_classes: ClassVar[list[type[Any]]] = [IsAuthenticated]
    throttle_classes: ClassVar[list[type[Any]]] = []
    serializer_class = MessageSerializer

    def get(self, request: Request) -> Response:
        """Answer the user's name."""
        return Response({"user": request.user.get_username()})

    def post(self, request: Request) -> Response:
        """Accept an empty body (CSRF is checked for session users)."""
        return Response({"user": request.user.get_username()})


class ClientRateThrottle(SimpleRateThrottle):
    """Two requests a minute per ``client`` query parameter."""

    rate = "2/minute"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        """Key on the client named in the query string."""
        return f"errors-throttle-{request.query_params.get('client', '')}"


class ThrottledView(APIView):
    """A view with a real throttle."""

    authentication_classes: ClassVar[list[type[Any]]] = []
    permission_classes: ClassVar[list[type[Any]]] = [AllowAny]
    throttle_classes: ClassVar[list[type[Any]]] = [ClientRateThrottle]
    serializer_class = MessageSerializer

    def get(self, request: Request) -> Response:
        """Answer OK."""
        return Response({"ok": True})


EXCEPTION_CLASSES: dict[str, type[Exception]] = {
    "ValueError": ValueError,
    "KeyError": KeyError,
    "RuntimeError": RuntimeError,
    "OSError": OSError,
    "ZeroDivisionError": ZeroDivisionError,
    "LookupError": LookupError,
    "AssertionError": AssertionError,
}


class RaiseView(APIView):
    """``POST /raise/`` raises the exception described in the body (fuzzing)."""

    authentication_classes: ClassVar[list[type[Any]]] = []
    permission_classes: ClassVar[list[type[Any]]] = [AllowAny]
    throttle_classes: ClassVar[list[type[Any]]] = []
    serializer_class = RaiseSerializer

    def post(self, request: Request) -> Response:
        """Raise what the body describes.

        ``{"kind", "message"}`` raises a plain exception, ``{"status", "code",
        "message"}`` an ``APIException``, ``{"detail"}`` a ``ValidationError``.
        """
        if "status" in request.data:
            api_error = type(
                "FuzzedError",
                (exceptions.APIException,),
                {"status_code": request.data["status"]},
            )
            raise api_error(request.data["message"], request.data["code"])
        if "detail" in request.data:
            raise serializers.ValidationError(request.data["detail"])
        raise EXCEPTION_CLASSES[request.data["kind"]](request.data["message"])


class DefaultHandlerView(APIView):
    """A view that keeps DRF's default exception handler (no envelope)."""

    authentication_classes: ClassVar[list[type[Any]]] = []
    permission_classes: ClassVar[list[type[Any]]] = [AllowAny]
    throttle_classes: ClassVar[list[type[Any]]] = []
    serializer_class = MessageSerializer

    def get_exception_handler(self) -> Callable[..., Response | None]:
        """Return DRF's own handler."""
        return drf_exception_handler

    def get(self, request: Request) -> Response:
        """Fail the DRF way."""
        raise exceptions.NotFound()


class UploadView(APIView):
    """``POST /upload/``: a view that opts into form and multipart bodies besides JSON."""

    authentication_classes: ClassVar[list[type[Any]]] = []
    permission_classes: ClassVar[list[type[Any]]] = [AllowAny]
    throttle_classes: ClassVar[list[type[Any]]] = []
    parser_classes: ClassVar[list[type[Any]]] = [
        JSONParser,
        FormParser,
        MultiPartParser,
    ]
    serializer_class = EchoSerializer

    def post(self, request: Request) -> Response:
        """Echo the validated message."""
        serializer = EchoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class SignedOut(BasePermission):
    """A project's own permission: anonymous requests only, and it says so."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        """Allow requests without a signed-in user."""
        return not request.user.is_authenticated

    def allows_anonymous(self, method: str) -> bool:
        """Tell the schema that anonymous requests get through."""
        return True


class SignedOutView(APIView):
    """``POST /signed-out/``: for anonymous clients; a token is refused."""

    authentication_classes: ClassVar[list[type[Any]]] = [TokenAuthentication]
    permission_classes: ClassVar[list[type[Any]]] = [SignedOut]
    throttle_classes: ClassVar[list[type[Any]]] = []
    serializer_class = EchoSerializer

    def post(self, request: Request) -> Response:
        """Echo the validated message."""
        serializer = EchoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)
