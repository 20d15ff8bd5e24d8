"""Views that show what the server handed to Django: the client and the body."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from django_strict_core.throttling import AnonRateThrottle

if TYPE_CHECKING:
    from django.http import HttpRequest
    from rest_framework.request import Request


class ClientView(APIView):
    """Who the client is, for uvicorn (``REMOTE_ADDR``) and the throttle."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (AnonRateThrottle,)

    def get(self, request: Request) -> Response:
        """Answer the client address as each layer sees it."""
        return Response(
            {
                "remote_addr": request.META.get("REMOTE_ADDR"),
                "throttle_ident": AnonRateThrottle().get_ident(request),
            }
        )


class EchoView(APIView):
    """Parse a JSON body and answer its size."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = ()

    def post(self, request: Request) -> Response:
        """Answer how many top-level items the body had."""
        return Response({"items": len(request.data)})


@csrf_exempt
def echo(request: HttpRequest) -> JsonResponse:
    """Read the raw body outside the API and answer its length."""
    return JsonResponse({"length": len(request.body)})
