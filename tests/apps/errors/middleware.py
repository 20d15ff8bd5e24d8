"""A middleware that fails on demand, for errors raised outside any view."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

MIDDLEWARE_SECRET = "middleware secret 55aa"


class ExplodingMiddleware:
    """Raise before the view when the request carries ``X-Explode``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Raise for ``X-Explode``, else pass the request on."""
        if "x-explode" in request.headers:
            raise RuntimeError(MIDDLEWARE_SECRET)
        return self.get_response(request)
