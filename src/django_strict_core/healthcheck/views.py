"""The probe endpoints: readiness (``health/``, ``health/ready/``) and liveness.

Plain async Django views, not DRF views: no authentication, no permissions, no
throttling, no content negotiation. ``GET`` and ``HEAD`` only; other methods get 405
with ``Allow`` and the error envelope, like every other API answer.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.utils.log import log_response
from rest_framework.exceptions import MethodNotAllowed

from django_strict_core.exceptions.payloads import CLIENT_ERROR, single_error
from django_strict_core.healthcheck.routes import PROBE_ATTRIBUTE
from django_strict_core.healthcheck.runner import run_checks

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from django.http import HttpRequest

View = TypeVar("View", bound="Callable[..., Any]")
ProbeView = TypeVar("ProbeView", bound="Callable[..., Awaitable[HttpResponse]]")

ALLOWED_METHODS = ("GET", "HEAD")


class _EveryAlias(frozenset[str]):
    """A set that contains every database alias.

    Django wraps views in a transaction per alias under ``ATOMIC_REQUESTS`` and
    refuses async views there, except for the aliases a view opts out of; a probe
    runs no transaction on any alias.
    """

    def __contains__(self, item: object) -> bool:
        return True


def _outside_transactions(view: View) -> View:
    """Exempt a view from ``ATOMIC_REQUESTS`` on every database alias."""
    view._non_atomic_requests = _EveryAlias()  # type: ignore[attr-defined]
    return view


def _probe(view: View) -> View:
    """Mark a view as a probe, for the middleware that answers and logs requests."""
    setattr(view, PROBE_ATTRIBUTE, True)
    return view


def _get_and_head_only(view: ProbeView) -> ProbeView:
    """Answer other methods with 405, ``Allow: GET, HEAD`` and the envelope."""

    @functools.wraps(view)
    async def probe_view(
        request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        if request.method not in ALLOWED_METHODS:
            return method_not_allowed(request)
        return await view(request, *args, **kwargs)

    return probe_view  # type: ignore[return-value]


def method_not_allowed(request: HttpRequest) -> HttpResponse:
    """Return the 405 answer of a probe route, logged as Django logs its own.

    Returns:
        405 with ``Allow: GET, HEAD`` and the ``method_not_allowed`` envelope.
    """
    refused = MethodNotAllowed(str(request.method))
    response = JsonResponse(
        single_error(CLIENT_ERROR, str(refused.default_code), str(refused.detail)),
        status=refused.status_code,
    )
    response["Allow"] = ", ".join(ALLOWED_METHODS)
    log_response(
        "Method Not Allowed (%s): %s",
        request.method,
        request.path,
        response=response,
        request=request,
    )
    return response


@_probe
@_outside_transactions
@login_not_required
@_get_and_head_only
async def health(request: HttpRequest) -> HttpResponse:
    """Answer a readiness probe: run every check concurrently.

    Returns:
        200 ``{"status": "healthy", "db": "ok", "cache": "ok", ...}`` when every
        critical check passes, else 503 ``{"status": "unhealthy", "db": "error:
        timeout", ...}``, which Django does not log again: the checks' changes
        are logged instead.
    """
    report = await run_checks()
    response = probe_response(
        request,
        report.as_dict(debug=settings.DEBUG),
        status=200 if report.healthy else 503,
    )
    if not report.healthy:
        # The runner logs each check when it starts failing and when it passes
        # again; Django would log every unhealthy answer as an error (and mail it
        # to ADMINS), once per probe for as long as the outage lasts.
        log_response(
            "%s: %s",
            response.reason_phrase,
            request.path,
            response=response,
            request=request,
            level="debug",
        )
    return response


@_probe
@_outside_transactions
@login_not_required
@_get_and_head_only
async def live(request: HttpRequest) -> HttpResponse:
    """Answer a liveness probe: the process serves requests; no backend is touched.

    Returns:
        200 ``{"status": "healthy"}``.
    """
    return probe_response(request, {"status": "healthy"}, status=200)


def probe_response(
    request: HttpRequest, body: dict[str, str], *, status: int
) -> HttpResponse:
    """Return a JSON probe answer that nothing may cache.

    Returns:
        The response, with ``Cache-Control: no-store`` and its ``Content-Length``.
    """
    content = json.dumps(body).encode()
    response = HttpResponse(
        b"" if request.method == "HEAD" else content,
        content_type="application/json",
        status=status,
    )
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
