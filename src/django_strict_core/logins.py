"""Failed logins spend a budget per client address; a spent budget refuses logins.

Every password check that fails counts against the client's ``login`` rate
(``DJANGO_THROTTLE_LOGIN_RATE``, :class:`~django_strict_core.throttling.FailedLoginThrottle`):
Django's ``authenticate()`` sends ``user_login_failed`` for the admin's login form,
Django's ``LoginView``, DRF's ``BasicAuthentication`` and any view of the project's
own that checks a password. Once a client has failed that many times in the
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
from django_strict_core.throttling import FailedLoginThrottle
from django_strict_core.views import is_api_request

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from django.http import HttpRequest
    from django.http.response import HttpResponseBase
    from rest_framework.request import Request

__all__ = ["LoginThrottleMiddleware", "count_failed_login", "is_login_view"]

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
