"""Routes of the project bench/server.py serves (settings: bench/server_site.py).

* ``GET /api/ping/``: a DRF view answering a small JSON object;
* ``POST /api/echo/``: a DRF view parsing a JSON body and answering its size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

if TYPE_CHECKING:
    from rest_framework.request import Request


class PingView(APIView):
    """A small JSON answer."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get(self, request: Request) -> Response:  # noqa: ARG002
        """Answer ``{"pong": true}``."""
        return Response({"pong": True})


class EchoView(APIView):
    """Parse a JSON body and answer how many items it had."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def post(self, request: Request) -> Response:
        """Answer the number of top-level items."""
        return Response({"items": len(request.data)})


urlpatterns = [
    path("api/ping/", PingView.as_view()),
    path("api/echo/", EchoView.as_view()),
]
