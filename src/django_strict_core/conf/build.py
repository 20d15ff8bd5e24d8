"""``build_settings``: turn validated ``StrictSettings`` into Django settings."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dj_database_url

from django_strict_core.app_settings import EXCEPTION_HANDLER
from django_strict_core.conf.fingerprint import with_fingerprint
from django_strict_core.healthcheck.routes import MOUNT_POINT, ROUTES
from django_strict_core.log import build_logging

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django_strict_core.conf.environment import StrictSettings

PASSWORD_VALIDATORS = (
    "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
    "django.contrib.auth.password_validation.MinimumLengthValidator",
    "django.contrib.auth.password_validation.CommonPasswordValidator",
    "django.contrib.auth.password_validation.NumericPasswordValidator",
)

MIDDLEWARE = (
    "django_strict_core.middleware.RequestIDMiddleware",
    # Answers container probes before SecurityMiddleware (SSL redirect) and
    # CommonMiddleware (ALLOWED_HOSTS) can turn a plain-HTTP pod-IP request away.
    "django_strict_core.healthcheck.HealthCheckMiddleware",
    # With DEBUG on, the envelope instead of Django's technical pages under the API
    # prefixes, for errors of every middleware after it; unused with DEBUG off.
    "django_strict_core.debug.DebugEnvelopeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)

# The health routes at the documented mount point; HealthCheckMiddleware answers them
# at any mount point before the redirect could happen.
HEALTH_REDIRECT_EXEMPT = (
    rf"^{re.escape(MOUNT_POINT)}(?:{'|'.join(map(re.escape, ROUTES))})$",
)


def build_settings(
    settings: StrictSettings,
    *,
    base_dir: Path | str,
    merge: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the Django settings that the strict baseline prescribes.

    Use it once in ``settings.py``. In a new project, call it first and override
    single keys after it::

        SETTINGS = Settings()
        globals().update(build_settings(SETTINGS, base_dir=BASE_DIR))

    In an existing project, call it last with ``merge=globals()``: the project's
    middleware, apps and DRF keys are combined with the baseline
    (:mod:`django_strict_core.conf.merge`). The result carries a fingerprint that
    the system checks use to report either wrong order
    (:mod:`django_strict_core.conf.fingerprint`).

    Args:
        settings: The validated environment.
        base_dir: The project directory; the default SQLite database and
            ``STATIC_ROOT`` live under it.
        merge: A project's existing settings (upper-case names) to combine with
            the baseline; usually ``globals()`` of ``settings.py``.

    Returns:
        A dict of upper-case Django setting names to values.
    """
    base = Path(base_dir)
    result: dict[str, Any] = {
        "STRICT_CORE_ENV": settings.env,
        "SECRET_KEY": settings.secret_key.get_secret_value(),
        "DEBUG": settings.debug,
        "ALLOWED_HOSTS": list(settings.allowed_hosts),
        "CSRF_TRUSTED_ORIGINS": list(settings.csrf_trusted_origins),
        # JSON envelope for CSRF failures under the API prefixes, Django's page elsewhere.
        "CSRF_FAILURE_VIEW": "django_strict_core.views.csrf_failure",
        "DATABASES": {"default": database_config(settings, base)},
        "CACHES": {"default": cache_config(settings)},
        "MIDDLEWARE": list(MIDDLEWARE),
        "AUTH_PASSWORD_VALIDATORS": [{"NAME": name} for name in PASSWORD_VALIDATORS],
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "USE_TZ": True,
        "STATIC_URL": "static/",
        "STATIC_ROOT": base / "staticfiles",
        "REST_FRAMEWORK": rest_framework_config(settings),
        "SPECTACULAR_SETTINGS": {
            "TITLE": f"{settings.service_name} API",
            "VERSION": settings.service_version,
            "SERVE_INCLUDE_SCHEMA": False,
            "COMPONENT_SPLIT_REQUEST": True,
        },
        "LOGGING": logging_config(settings),
        **session_config(settings),
        **security_config(settings),
    }
    if settings.env == "test":
        # Hashing with the default PBKDF2 iterations dominates test suites.
        result["PASSWORD_HASHERS"] = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    frame = inspect.currentframe()
    caller = frame.f_back.f_globals if frame is not None and frame.f_back else {}
    return with_fingerprint(result, settings, merge=merge, caller=caller)


def logging_config(
    settings: StrictSettings, *, mail_admins: bool = True
) -> dict[str, Any]:
    """Return the ``LOGGING`` dict for the environment's level, format and fields.

    The gunicorn configuration module uses it too, so the server's own lines and
    the application's come out alike.

    Args:
        settings: The validated environment.
        mail_admins: Keep Django's ``mail_admins`` handler; see
            :func:`~django_strict_core.log.build_logging`.

    Returns:
        A dict for :func:`logging.config.dictConfig`.
    """
    return build_logging(
        level=settings.log_level,
        log_format=settings.log_format,
        fields=settings.log_fields,
        service=settings.service_name,
        environment=settings.env,
        version=settings.service_version,
        levels=settings.log_levels,
        mail_admins=mail_admins,
    )


def database_config(settings: StrictSettings, base_dir: Path) -> dict[str, Any]:
    """Return the ``default`` database from ``DATABASE_URL`` or SQLite.

    Persistent connections are off unless asked for: under ASGI each request may run
    in a different thread, and a pool (``DATABASE_POOL``) is the safe way to reuse
    PostgreSQL connections.

    Returns:
        One entry of Django's ``DATABASES``.
    """
    url = (
        settings.database_url.get_secret_value()
        if settings.database_url
        else f"sqlite:///{base_dir / 'db.sqlite3'}"
    )
    config: dict[str, Any] = dict(
        dj_database_url.parse(
            url,
            conn_max_age=settings.database_conn_max_age,
            conn_health_checks=settings.database_conn_max_age > 0,
        )
    )
    if "postgresql" in config["ENGINE"]:
        options = config.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", settings.database_connect_timeout)
        if settings.database_pool:
            options["pool"] = True
    return config


def cache_config(settings: StrictSettings) -> dict[str, Any]:
    """Return the ``default`` cache: django-redis for ``REDIS_URL``, else local memory.

    Returns:
        One entry of Django's ``CACHES``.
    """
    if settings.redis_url is None:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": settings.cache_key_prefix,
        }
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "KEY_PREFIX": settings.cache_key_prefix,
        "LOCATION": settings.redis_url.get_secret_value(),
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": settings.redis_connect_timeout,
            "SOCKET_TIMEOUT": settings.redis_socket_timeout,
        },
    }


def session_config(settings: StrictSettings) -> dict[str, Any]:
    """Return session settings: cached in Redis and backed by the database."""
    engine = (
        "django.contrib.sessions.backends.cached_db"
        if settings.redis_url is not None
        else "django.contrib.sessions.backends.db"
    )
    return {
        "SESSION_ENGINE": engine,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
    }


def security_config(settings: StrictSettings) -> dict[str, Any]:
    """Return the security settings; the strict ones apply in staging and production."""
    common: dict[str, Any] = {
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "SECURE_REDIRECT_EXEMPT": list(HEALTH_REDIRECT_EXEMPT),
    }
    if not settings.is_deployed:
        return {**common, "SECURE_SSL_REDIRECT": False}
    return {
        **common,
        "SECURE_HSTS_SECONDS": settings.secure_hsts_seconds,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_SSL_REDIRECT": settings.secure_ssl_redirect,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def rest_framework_config(settings: StrictSettings) -> dict[str, Any]:
    """Return the ``REST_FRAMEWORK`` baseline (docs/rules.md)."""
    return {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "rest_framework.authentication.SessionAuthentication",
            "rest_framework.authentication.TokenAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        "DEFAULT_PAGINATION_CLASS": "django_strict_core.pagination.StandardPagination",
        "PAGE_SIZE": 20,
        # This package's throttles: DRF's scopes, counted atomically, so the budget
        # holds across processes.
        "DEFAULT_THROTTLE_CLASSES": [
            "django_strict_core.throttling.AnonRateThrottle",
            "django_strict_core.throttling.UserRateThrottle",
        ],
        "DEFAULT_THROTTLE_RATES": {
            "anon": settings.throttle_anon_rate,
            "user": settings.throttle_user_rate,
            # Failed password checks per client (django_strict_core.logins).
            "login": settings.throttle_login_rate,
        },
        # Without it DRF identifies a client by the whole X-Forwarded-For header,
        # which any client can vary to escape its throttle.
        "NUM_PROXIES": settings.num_proxies,
        "DEFAULT_SCHEMA_CLASS": "django_strict_core.openapi.AutoSchema",
        "EXCEPTION_HANDLER": EXCEPTION_HANDLER,
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        # A JSON API: this package's JSON parser (bounded in size and depth) only, so
        # the schema documents one request media type and any other is a 415. A view
        # that takes forms or uploads sets its own parser_classes.
        "DEFAULT_PARSER_CLASSES": ["django_strict_core.parsers.JSONParser"],
        # APIClient and APIRequestFactory send JSON unless a test asks otherwise.
        "TEST_REQUEST_DEFAULT_FORMAT": "json",
    }
