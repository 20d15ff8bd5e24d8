"""Settings that break the strict rules: default user, weak REST_FRAMEWORK, bad order."""

SECRET_KEY = "checks-project-" + "x" * 50
DEBUG = False
ALLOWED_HOSTS = ["localhost"]
STRICT_CORE_ENV = "production"
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
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
# strict_core.W001: a process-local cache in production.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# strict_core.E011 (no HealthCheckMiddleware) and E012 (RequestIDMiddleware not first).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_strict_core.middleware.RequestIDMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
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
USE_TZ = True
