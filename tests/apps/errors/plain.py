"""Plain Django views: errors that reach Django's handler400/403/404/500."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponse, HttpResponseNotFound
from django.views.decorators.http import require_POST

from tests.apps.errors.views import use_backend

if TYPE_CHECKING:
    from django.http import HttpRequest

PLAIN_SECRET = "plain view secret 91c2"


def fail(request: HttpRequest, kind: str) -> HttpResponse:
    """Raise the failure named ``kind`` outside DRF (``gone``: answer a 404 itself)."""
    if kind == "forbidden":
        raise PermissionDenied(PLAIN_SECRET)
    if kind == "suspicious":
        raise SuspiciousOperation(PLAIN_SECRET)
    if kind == "missing":
        raise Http404(PLAIN_SECRET)
    if kind == "gone":
        return HttpResponseNotFound("gone, by the view's own choice")
    raise RuntimeError(PLAIN_SECRET)


def backend(request: HttpRequest, kind: str, alias: str) -> HttpResponse:
    """Use a database or cache alias outside DRF."""
    use_backend(kind, alias)
    return HttpResponse("used")


def remember(request: HttpRequest) -> HttpResponse:
    """Write to the session, which the session middleware then saves."""
    request.session["seen"] = True
    return HttpResponse("remembered")


@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    """A CSRF-protected form endpoint."""
    return HttpResponse("submitted")
