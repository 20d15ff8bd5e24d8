"""Settings of the example project: one typed settings class and the library's helper.

Every value comes from the environment (or ``.env``); with nothing set the project runs
locally on SQLite with a local-memory cache.
"""

from pathlib import Path

from django_strict_core.conf import StrictSettings, build_settings
from pydantic import Field

BASE_DIR = Path(__file__).resolve().parent.parent


class Settings(StrictSettings):
    """The example project's settings: the library's fields plus the project's own.

    A field ``stripe_api_key: SecretStr`` is read from ``STRIPE_API_KEY`` (or the file
    ``STRIPE_API_KEY_FILE`` names) and validated at start-up with the library's fields.

    Attributes:
        articles_max_per_author: How many articles one author may publish
            (``ARTICLES_MAX_PER_AUTHOR``).
    """

    articles_max_per_author: int = Field(
        1000, ge=1, validation_alias="ARTICLES_MAX_PER_AUTHOR"
    )


SETTINGS = Settings()
globals().update(build_settings(SETTINGS, base_dir=BASE_DIR))
# Failed logins spend the client's budget (DJANGO_THROTTLE_LOGIN_RATE); the admin's
# login refuses a client that spent it, even with the right password.
globals()["MIDDLEWARE"].append("django_strict_core.logins.LoginThrottleMiddleware")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_strict_core",
    "apps.core",
    "apps.users",
    "apps.articles",
]

AUTH_USER_MODEL = "users.User"
ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
