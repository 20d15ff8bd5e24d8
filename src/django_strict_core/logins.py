"""Failed logins spend a budget per client address; a spent budget refuses logins.

Every password check that fails counts against the client's ``login`` rate
(``DJANGO_THROTTLE_LOGIN_RATE``), in :class:`FailedLoginThrottle`, one of the atomic
throttles of :mod:`django_strict_core.throttling`. Django's ``authenticate()``
sends ``user_login_failed`` for the admin's login form, Django's ``LoginView``,
DRF's ``BasicAuthentication`` and any view of the project's own that checks a
password. Once a client has failed that many times in the
window, its next attempts are refused with 429 and ``Retry-After`` before any
password is checked, the right one included:

- by :class:`LoginThrottleMiddleware` for ``POST`` requests to a login view: every
  ``AdminSite``'s login, Django's ``LoginView`` and DRF's ``ObtainAuthToken``
  (and their subclasses);
- by DRF, for views that list ``FailedLoginThrottle`` in ``throttle_classes``.

The middleware also tells the counting which client a check belongs to when
``authenticate()`` is called without the request (a service function).

Failed DRF authentication (a made-up token) is throttled like the anonymous request
it becomes, by the exception handler (see
:meth:`~django_strict_core.exceptions.ExceptionHandler.throttle_failed_authentication`).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, JsonResponse
from rest_framework import exceptions
from rest_framework.settings import api_settings

from django_strict_core.exceptions.payloads import CLIENT_ERROR, single_error
from django_strict_core.throttling import (
    COUNT_SUFFIX,
    AtomicRateThrottle,
    fail_open_state,
)
from django_strict_core.views import is_api_request

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from django.http import HttpRequest
    from django.http.response import HttpResponseBase
    from rest_framework.request import Request
    from rest_framework.views import APIView

__all__ = [
    "FailedLoginThrottle",
    "LoginThrottleMiddleware",
    "count_failed_login",
    "is_login_view",
]

current_request: ContextVar[HttpRequest | None] = ContextVar(
    "django_strict_core_login_request", default=None
)
"""The request :class:`LoginThrottleMiddleware` is serving, for the counting."""

# Recognised by name, in a view's class hierarchy: importing them would need their
# applications (admin, auth, DRF's authtoken) installed.
_ADMIN_SITES = frozenset({("django.contrib.admin.sites", "AdminSite")})
_LOGIN_VIEWS = frozenset(
    {
        ("django.contrib.auth.views", "LoginView"),
        ("rest_framework.authtoken.views", "ObtainAuthToken"),
    }
)


class FailedLoginThrottle(AtomicRateThrottle):
    """Refuse a client whose failed password checks spent the ``login`` rate.

    It does not count the requests it lets through: failures are counted where
    they happen, with :meth:`record_failure` (:func:`count_failed_login`, for
    every failed ``authenticate()``). A client, by address, may fail ``N`` times
    per window; its next attempt is refused until the window ends, even with the
    right password.

    Put it in the ``throttle_classes`` of a DRF view that checks passwords; the
    login views of Django and its admin get it from
    :class:`LoginThrottleMiddleware`. Without a ``login`` rate in
    ``DEFAULT_THROTTLE_RATES`` it does nothing.
    """

    scope = "login"

    def get_rate(self) -> str | None:
        """Return the ``login`` rate, or ``None`` (no throttling) when none is set.

        Returns:
            The rate, e.g. ``10/hour``.
        """
        try:
            return super().get_rate()
        except ImproperlyConfigured:  # DRF's answer to a scope without a rate
            return None

    def get_cache_key(self, request: Request, view: APIView | None) -> str:  # noqa: ARG002
        """Identify the client by its address, authenticated or not.

        Returns:
            The key of the client's failures.
        """
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }

    def allow_request(self, request: Request, view: APIView | None) -> bool:
        """Refuse the request when the client's failures reached the rate.

        Returns:
            Whether the client may try its credentials.
        """
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        failures = self._cached(self.key + COUNT_SUFFIX)
        if failures is not None and int(failures) >= self.num_requests:
            return self.throttle_failure()
        return True

    def record_failure(self, request: Request) -> int | None:
        """Count one failed password check for the request's client.

        Returns:
            The client's failures in the window, this one included, or ``None``
            when no rate is set or the cache is being skipped.
        """
        if self.rate is None:
            return None
        self.key = self.get_cache_key(request, None)
        state = fail_open_state.get()
        if state.skipping():
            return None
        try:
            return self.count(self.key)
        except Exception as exc:  # any cache backend error, as in allow_request
            if not state.enabled:
                raise
            state.skip_after(exc)
            return None

    def _cached(self, key: str) -> Any:
        state = fail_open_state.get()
        if state.skipping():
            return None
        try:
            return self.cache.get(key)
        except Exception as exc:  # any cache backend error, as in allow_request
            if not state.enabled:
                raise
            state.skip_after(exc)
            return None


def count_failed_login(*, request: Any = None, **_kwargs: Any) -> None:
    """Count a failed password check against its client (``user_login_failed``).

    Connected by the app's ``ready()``. The client is the request ``authenticate()``
    was given (a DRF request is unwrapped), else the one
    :class:`LoginThrottleMiddleware` is serving; without either nothing is counted.

    Args:
        request: The request of the failed check, if ``authenticate()`` had one.
    """
    django_request = getattr(request, "_request", request) or current_request.get()
    if django_request is not None:
        FailedLoginThrottle().record_failure(cast("Request", django_request))


def is_login_view(view: Callable[..., Any]) -> bool:
    """Return whether a view checks passwords: an admin login or a login view class.

    Args:
        view: The view function Django resolved.

    Returns:
        ``True`` for an ``AdminSite``'s ``login``, and for views of
        ``django.contrib.auth.views.LoginView``, DRF's ``ObtainAuthToken`` and
        their subclasses.
    """
    owner = getattr(view, "__self__", None)
    if owner is not None and _inherits(type(owner), _ADMIN_SITES):
        return getattr(view, "__name__", "") == "login"
    view_class = getattr(view, "view_class", None)
    return isinstance(view_class, type) and _inherits(view_class, _LOGIN_VIEWS)


def _inherits(cls: type, names: frozenset[tuple[str, str]]) -> bool:
    return any((base.__module__, base.__qualname__) in names for base in cls.__mro__)


class LoginThrottleMiddleware:
    """Refuse logins from a client whose failed password checks spent its budget.

    Add it to ``MIDDLEWARE`` (anywhere after ``SecurityMiddleware``). A ``POST`` to
    a login view (:func:`is_login_view`) from a client that has failed the
    ``login`` rate's number of times in the window is answered 429 with
    ``Retry-After``, before the password is checked: the error envelope under the
    API prefixes, a short text elsewhere. It works under ASGI and WSGI.

    Raises:
        ImproperlyConfigured: When ``DEFAULT_THROTTLE_RATES`` has no ``login``
            rate (``build_settings`` sets it from ``DJANGO_THROTTLE_LOGIN_RATE``).
    """

    sync_capable = True
    async_capable = True

    def __init__(
        self,
        get_response: Callable[[HttpRequest], HttpResponseBase]
        | Callable[[HttpRequest], Awaitable[HttpResponseBase]],
    ) -> None:
        """Wrap the next handler, in the same (sync or async) mode."""
        if FailedLoginThrottle.scope not in api_settings.DEFAULT_THROTTLE_RATES:
            raise ImproperlyConfigured(
                "LoginThrottleMiddleware needs a 'login' rate in "
                "REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] (build_settings sets it "
                "from DJANGO_THROTTLE_LOGIN_RATE)."
            )
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(
        self, request: HttpRequest
    ) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        """Serve a request with its client known to the counting."""
        if self.async_mode:
            return self.__acall__(request)
        token = current_request.set(request)
        try:
            response: Any = self.get_response(request)
        finally:
            current_request.reset(token)
        return cast("HttpResponseBase", response)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        """Serve a request asynchronously, with its client known to the counting."""
        token = current_request.set(request)
        try:
            response: Any = await self.get_response(request)  # type: ignore[misc]
        finally:
            current_request.reset(token)
        return cast("HttpResponseBase", response)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],  # noqa: ARG002 - Django's signature
        view_kwargs: dict[str, Any],  # noqa: ARG002
    ) -> HttpResponse | None:
        """Refuse a login attempt when the client's budget is spent.

        Returns:
            The 429 answer, or ``None`` to let the view check the password.
        """
        if request.method != "POST" or not is_login_view(view_func):
            return None
        throttle = FailedLoginThrottle()
        if throttle.allow_request(cast("Request", request), None):
            return None
        return refused(request, throttle.wait())


def refused(request: HttpRequest, wait: float | None) -> HttpResponse:
    """Return the 429 answer of a refused login attempt.

    Returns:
        The ``throttled`` envelope under the API prefixes, a plain-text page
        elsewhere; both with ``Retry-After``.
    """
    throttled = exceptions.Throttled(wait)
    response: HttpResponse
    if is_api_request(request):
        response = JsonResponse(
            single_error(
                CLIENT_ERROR, str(throttled.default_code), str(throttled.detail)
            ),
            status=throttled.status_code,
        )
    else:
        response = HttpResponse(
            f"Too many failed logins. {throttled.detail}\n",
            status=throttled.status_code,
            content_type="text/plain; charset=utf-8",
        )
    if wait:
        response["Retry-After"] = str(int(wait))
    return response
