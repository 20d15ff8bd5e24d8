"""``HealthCheckMiddleware``: answer probes before the security middleware.

Kubernetes and Docker probe the pod over plain HTTP with its IP address as ``Host``.
Further down the stack, ``SecurityMiddleware`` would redirect such a request to
HTTPS (``SECURE_SSL_REDIRECT``) and ``CommonMiddleware`` would reject its host
(``ALLOWED_HOSTS``). Placed above both, this middleware hands the health routes to
their views directly; every other request passes through untouched.

A request is a probe when its path ends like a route of ``django_strict_core.urls``
and resolves to one of the health views, so the routes work wherever the project
mounts them (``api/``, ``ops/`` or the root). Resolving happens only for paths with
those endings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asgiref.sync import async_to_sync, iscoroutinefunction, markcoroutinefunction
from django.urls import Resolver404, resolve

from django_strict_core.healthcheck.routes import PROBE_ATTRIBUTE, ROUTES

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from django.http import HttpRequest, HttpResponseBase
    from django.urls import ResolverMatch


class HealthCheckMiddleware:
    """Serve the health routes before any other middleware below it.

    Put it first in ``MIDDLEWARE`` (after a request-id middleware, if any), above
    ``SecurityMiddleware`` and ``CommonMiddleware``; ``build_settings`` does. It works
    under ASGI and WSGI.
    """

    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase]
        | Callable[[HttpRequest], Awaitable[HttpResponseBase]],
    ) -> None:
        """Wrap the rest of the stack."""
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(
        self, request: HttpRequest
    ) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        """Answer a probe, or pass the request on."""
        if self.async_mode:
            return self.__acall__(request)
        match = probe_match(request)
        if match is None:
            return self.get_response(request)
        response: HttpResponseBase = async_to_sync(match.func)(
            request, *match.args, **match.kwargs
        )
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        """Answer a probe, or pass the request on (ASGI)."""
        match = probe_match(request)
        if match is None:
            return await self.get_response(request)  # type: ignore[misc,no-any-return]
        response: HttpResponseBase = await match.func(
            request, *match.args, **match.kwargs
        )
        return response


def probe_match(request: HttpRequest) -> ResolverMatch | None:
    """Return the resolved health route of a request, or ``None`` for other paths.

    Returns:
        The match when the path resolves to :func:`~.views.health` or
        :func:`~.views.live` in the request's URLconf.
    """
    path = request.path_info
    if not path.endswith(ROUTES):
        return None
    try:
        match = resolve(path, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    if not getattr(match.func, PROBE_ATTRIBUTE, False):
        return None
    request.resolver_match = match
    return match
