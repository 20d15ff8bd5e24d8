"""Settings that break the strict rules, as an existing project adopting it badly would.

``build_settings`` is called first and the project's old definitions are left below
it, so they replace what the environment configured and what the baseline set.
"""

from pathlib import Path

from django_strict_core.conf import StrictSettings, build_settings

BASE_DIR = Path(__file__).resolve().parent

SETTINGS = StrictSettings(
    env="production",
    secret_key="checks-project-" + "x" * 50,
    allowed_hosts="api.example.com",
    database_url="postgres://app@db.internal:5432/app",
)
# strict_core.W001: no REDIS_URL, so a process-local cache in production.
globals().update(build_settings(SETTINGS, base_dir=BASE_DIR))

# The project's old definitions, below the call.
# strict_core.E015: both replace what DATABASE_URL and DJANGO_ALLOWED_HOSTS gave.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
ALLOWED_HOSTS = ["localhost"]
# strict_core.E020: no "drf_spectacular".
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "rest_framework.authtoken",
    "django_strict_core",
    "tests.projects.checks.badapp",
]
# strict_core.E005: the default user model.
AUTH_USER_MODEL = "auth.User"
# strict_core.E011 (no HealthCheckMiddleware), E012 (RequestIDMiddleware not first)
# and E016 (the baseline's CSRF, messages and clickjacking middleware are gone).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_strict_core.middleware.RequestIDMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
# strict_core.E017: a new dict drops the baseline's other keys.
REST_FRAMEWORK = {
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # strict_core.E007: no rate for the "user" scope.
    "DEFAULT_THROTTLE_RATES": {"anon": "100/hour"},
    # strict_core.E008: DRF's own handler; strict_core.E009: unbounded pagination.
    "EXCEPTION_HANDLER": "rest_framework.views.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
}
ROOT_URLCONF = "tests.projects.checks.urls"
# Exempted explicitly: not reported.
STRICT_CORE_CHECKS_EXEMPT = ["tests.projects.checks.views.legacy_report"]
