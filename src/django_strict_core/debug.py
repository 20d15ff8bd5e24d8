"""``DebugEnvelopeMiddleware``: the error envelope under the API prefixes with ``DEBUG`` on.

While ``DEBUG`` is off, Django answers the errors it catches with the project's
``handler400/403/404/500``, which :mod:`django_strict_core.views` provides. While it
is on, Django skips ``handler404``, ``handler400`` and ``handler500`` and answers with
its technical pages instead: HTML for a browser, plain text for anything else, a
traceback and the settings in both. Under the API prefixes this middleware answers
with the views' envelope instead; everywhere else the technical pages stay.

Only the response changes. Django still does all the rest, as it would without the
middleware: the exception is logged once with its traceback, sent through
``got_request_exception`` (error trackers, the test client), and re-raised under
``DEBUG_PROPAGATE_EXCEPTIONS``.

How a technical page is recognised, without reading its body:

- Django renders its 500 page, and the 400 page of ``BadRequest`` and
  ``SuspiciousOperation``, with the request's ``exception_reporter_class``, a
  documented per-request attribute
  (https://docs.djangoproject.com/en/stable/ref/request-response/#django.http.HttpRequest.exception_reporter_class).
  For API requests the middleware sets it to :class:`EnvelopeReporter`, which
  records the exception on the request and renders the envelope instead of the
  traceback, so the page is never built.
- An exception a view raises reaches :meth:`DebugEnvelopeMiddleware.process_exception`,
  which records it too: that covers ``Http404``, whose page takes no reporter.
- An unknown route is a 404 for a request that no URL pattern resolved
  (``request.resolver_match`` is unset).

A recorded exception, or an unresolved 404, gets the error view
:func:`~django_strict_core.views.error_view_for` chooses, unless the response is
JSON already (a project's own handler answered it). ``Http404`` raised by another
middleware after the URL was resolved is the one case left to Django's page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.views.debug import ExceptionReporter

from django_strict_core.views import error_view_for, is_api_request, page_not_found

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from types import TracebackType

    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

__all__ = ["DebugEnvelopeMiddleware", "EnvelopeReporter"]

# The request attribute holding the exception Django caught while serving it.
CAUGHT = "strict_core_caught_exception"
NOT_FOUND = 404
# What django.utils.log.log_response sets on a response it has logged.
LOGGED = "_has_been_logged"
JSON = "application/json"


class EnvelopeReporter(ExceptionReporter):
    """An exception reporter that records the exception and renders the envelope.

    :class:`DebugEnvelopeMiddleware` sets it as ``request.exception_reporter_class``
    for API requests. Django instantiates it for its technical 500 (and 400) page;
    the middleware then replaces that page with the envelope response. The
    rendering methods return the envelope's body rather than the traceback, so
    that even a page the middleware cannot replace (an error raised by a
    middleware listed before it) holds no traceback.
    """

    def __init__(
        self,
        request: HttpRequest | None,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
        is_email: bool = False,  # noqa: FBT001, FBT002 (Django's signature)
    ) -> None:
        """Record the exception on the request, then initialise as Django's does."""
        super().__init__(request, exc_type, exc_value, tb, is_email)
        if request is not None and exc_value is not None:
            setattr(request, CAUGHT, exc_value)

    def get_traceback_html(self) -> SafeString:
        """Return the envelope's JSON text, escaped, instead of the HTML traceback."""
        return escape(self._envelope_text())

    def get_traceback_text(self) -> SafeString:
        """Return the envelope's JSON text instead of the plain-text traceback.

        Django sends it as ``text/plain``, so nothing in it is markup.
        """
        return SafeString(self._envelope_text())

    def _envelope_text(self) -> str:
        if self.request is None or not isinstance(self.exc_value, Exception):
            return ""
        response = error_view_for(self.exc_value)(self.request, self.exc_value)
        return response.content.decode()


class DebugEnvelopeMiddleware:
    """Answer API paths with the error envelope while ``DEBUG`` is on.

    ``build_settings`` puts it third in ``MIDDLEWARE``, after
    ``RequestIDMiddleware`` and ``HealthCheckMiddleware``, so that it sees the
    errors of every middleware after it. With ``DEBUG`` off, Django leaves it out
    of the chain at start-up (``MiddlewareNotUsed``): it costs nothing in
    production, where the error handlers answer. Sync and async capable.
    """

    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase]
        | Callable[[HttpRequest], Awaitable[HttpResponseBase]],
    ) -> None:
        """Wrap the next handler, in the same mode; unused while ``DEBUG`` is off.

        Raises:
            MiddlewareNotUsed: When ``DEBUG`` is off.
        """
        if not settings.DEBUG:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(
        self, request: HttpRequest
    ) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        """Serve a request synchronously, or return the coroutine in async mode."""
        if self.async_mode:
            return self.__acall__(request)
        if not is_api_request(request):
            return self.get_response(request)
        request.exception_reporter_class = EnvelopeReporter
        response: Any = self.get_response(request)
        return self.envelope(request, response)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        """Serve a request asynchronously."""
        if not is_api_request(request):
            return await self.get_response(request)  # type: ignore[no-any-return,misc]
        request.exception_reporter_class = EnvelopeReporter
        response: Any = await self.get_response(request)  # type: ignore[misc]
        return self.envelope(request, response)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """Record an exception a view raised; Django goes on handling it.

        Args:
            request: The request being served.
            exception: What the view raised.
        """
        if is_api_request(request):
            setattr(request, CAUGHT, exception)

    def envelope(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        """Replace Django's technical error page with the envelope response.

        Args:
            request: The API request.
            response: What the rest of the chain answered.

        Returns:
            The envelope response for a caught exception or an unknown route;
            otherwise ``response`` unchanged.
        """
        if response.get("Content-Type", "").startswith(JSON):
            return response
        caught = getattr(request, CAUGHT, None)
        if isinstance(caught, Exception):
            replacement = error_view_for(caught)(request, caught)
        elif response.status_code == NOT_FOUND and request.resolver_match is None:
            replacement = page_not_found(request)
        else:
            return response
        # Django marks the response it logged so as not to log it twice; the mark
        # moves to the response sent in its place.
        if getattr(response, LOGGED, False):
            setattr(replacement, LOGGED, True)
        return replacement
