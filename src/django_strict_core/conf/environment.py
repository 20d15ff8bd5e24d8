"""``StrictSettings``: the project's typed settings, read from the environment.

Values come from, in order of precedence: keyword arguments, environment variables,
``<VARIABLE>_FILE`` files, and a ``.env`` file in the working directory. Defaults
depend on the ``DJANGO_ENV`` profile; a deployed profile (``staging``, ``production``)
requires what a local one may default.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, ClassVar, get_args

import dj_database_url
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    SettingsConfigDict,
    SettingsError as SourceError,
)

from django_strict_core.app_settings import DEPLOYED_PROFILES
from django_strict_core.conf import naming
from django_strict_core.conf.errors import SettingsError
from django_strict_core.conf.files import FileVariableSource
from django_strict_core.conf.sources import Construction, construction, reporting
from django_strict_core.conf.types import (
    DatabaseURL,
    Fields,
    Format,
    Hosts,
    Level,
    LoggerLevels,
    Origins,
    Profile,
    Rate,
    RedisURL,
)

if TYPE_CHECKING:
    from pydantic import ValidationInfo, ValidatorFunctionWrapHandler
    from pydantic_settings import PydanticBaseSettingsSource

    from django_strict_core.conf.types import LogFormat, LogLevel

LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
DEFAULT_LOG_LEVELS: dict[str, LogLevel] = {
    "local": "DEBUG",
    "test": "INFO",
    "staging": "INFO",
    "production": "WARNING",
}
# A fixed key so local and test runs work without configuration. It is refused in
# the deployed profiles, which must provide their own.
DEVELOPMENT_SECRET_KEY = "django-insecure-strict-core-local-development-only-key"  # noqa: S105
_MIN_SECRET_KEY_LENGTH = 50
_MIN_SECRET_KEY_UNIQUE = 5


def _profile(info: ValidationInfo) -> str:
    """Return the validated profile, or ``local`` when ``DJANGO_ENV`` was invalid.

    An invalid profile is reported on its own; the other fields then validate with
    local defaults so that the error lists every other problem as well.
    """
    return str(info.data.get("env", "local"))


class StrictSettings(BaseSettings):
    """Typed project settings read from the environment.

    Subclass it to add a project's own fields; a field ``stripe_api_key`` is read from
    ``STRIPE_API_KEY`` (or ``STRIPE_API_KEY_FILE``). Construction fails with a single
    :class:`~django_strict_core.conf.errors.SettingsError` that names every invalid
    variable and never echoes a value.

    Attributes:
        env: The ``DJANGO_ENV`` profile.
        debug: Django's ``DEBUG``; defaults to true only in ``local``.
        secret_key: Django's ``SECRET_KEY``; a fixed development key in local/test.
        allowed_hosts: ``ALLOWED_HOSTS``; localhost names in local/test.
        csrf_trusted_origins: ``CSRF_TRUSTED_ORIGINS``, each with its scheme.
        database_url: The default database; SQLite under ``base_dir`` when unset.
        database_conn_max_age: ``CONN_MAX_AGE``; 0 (no persistent connections, the
            safe choice under ASGI) by default.
        database_pool: Use psycopg's connection pool (PostgreSQL only).
        database_connect_timeout: Seconds to wait for a PostgreSQL connection.
        redis_url: Redis for cache, sessions and throttling; local memory when unset.
        redis_socket_timeout: Seconds a Redis command may take.
        redis_connect_timeout: Seconds to wait for a Redis connection.
        cache_key_prefix: Prefix of every cache key, for services sharing one Redis.
        log_level: Root log level; DEBUG local, INFO test/staging, WARNING production.
        log_format: ``json`` (default outside local) or ``console``.
        log_fields: Field names of JSON lines: ``standard`` or ``ecs`` (Elastic
            Common Schema).
        log_levels: Levels of individual loggers, e.g. ``django.db.backends``.
        throttle_anon_rate: DRF's ``anon`` throttle rate.
        throttle_user_rate: DRF's ``user`` throttle rate.
        throttle_login_rate: Failed password checks a client address may make
            (the ``login`` rate of ``FailedLoginThrottle``).
        num_proxies: Reverse proxies in front of the application (DRF's
            ``NUM_PROXIES``); throttling identifies clients by the address the
            outermost trusted proxy saw. 0 trusts no ``X-Forwarded-For`` at all.
        secure_ssl_redirect: ``SECURE_SSL_REDIRECT`` in the deployed profiles.
        secure_hsts_seconds: ``SECURE_HSTS_SECONDS`` in the deployed profiles.
        service_name: The service's name, used in logs and the API schema title.
        service_version: The deployed version, used in logs and the API schema.
    """

    model_config: ClassVar[SettingsConfigDict] = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    env: Profile = Field("local", validation_alias="DJANGO_ENV")
    debug: bool = Field(None, validation_alias="DJANGO_DEBUG", validate_default=True)
    secret_key: SecretStr = Field(
        None, validation_alias="DJANGO_SECRET_KEY", validate_default=True
    )
    allowed_hosts: Hosts = Field(
        None, validation_alias="DJANGO_ALLOWED_HOSTS", validate_default=True
    )
    csrf_trusted_origins: Origins = Field(
        default_factory=list, validation_alias="DJANGO_CSRF_TRUSTED_ORIGINS"
    )
    database_url: DatabaseURL | None = Field(None, validation_alias="DATABASE_URL")
    database_conn_max_age: int = Field(
        0, ge=0, validation_alias="DATABASE_CONN_MAX_AGE"
    )
    database_pool: bool = Field(default=False, validation_alias="DATABASE_POOL")
    database_connect_timeout: int = Field(
        5, ge=1, validation_alias="DATABASE_CONNECT_TIMEOUT"
    )
    redis_url: RedisURL | None = Field(None, validation_alias="REDIS_URL")
    redis_socket_timeout: float = Field(
        2.0, gt=0, validation_alias="REDIS_SOCKET_TIMEOUT"
    )
    redis_connect_timeout: float = Field(
        1.0, gt=0, validation_alias="REDIS_CONNECT_TIMEOUT"
    )
    cache_key_prefix: str = Field("", validation_alias="DJANGO_CACHE_KEY_PREFIX")
    log_level: Level = Field(
        None, validation_alias="DJANGO_LOG_LEVEL", validate_default=True
    )
    log_format: Format = Field(
        None, validation_alias="DJANGO_LOG_FORMAT", validate_default=True
    )
    log_fields: Fields = Field("standard", validation_alias="DJANGO_LOG_FIELDS")
    log_levels: LoggerLevels = Field(
        default_factory=dict, validation_alias="DJANGO_LOG_LEVELS"
    )
    throttle_anon_rate: Rate = Field(
        "100/hour", validation_alias="DJANGO_THROTTLE_ANON_RATE"
    )
    throttle_user_rate: Rate = Field(
        "1000/hour", validation_alias="DJANGO_THROTTLE_USER_RATE"
    )
    throttle_login_rate: Rate = Field(
        "10/hour", validation_alias="DJANGO_THROTTLE_LOGIN_RATE"
    )
    num_proxies: int = Field(0, ge=0, validation_alias="DJANGO_NUM_PROXIES")
    secure_ssl_redirect: bool = Field(
        None, validation_alias="DJANGO_SECURE_SSL_REDIRECT", validate_default=True
    )
    secure_hsts_seconds: int = Field(
        31_536_000, ge=0, validation_alias="DJANGO_SECURE_HSTS_SECONDS"
    )
    service_name: str = Field(
        "django", min_length=1, validation_alias="DJANGO_SERVICE_NAME"
    )
    service_version: str = Field(
        "0.0.0", min_length=1, validation_alias="DJANGO_SERVICE_VERSION"
    )

    def __init__(self, **values: Any) -> None:
        """Read and validate the settings.

        Args:
            **values: Explicit values by field name; they win over the environment.

        Raises:
            SettingsError: Listing every invalid variable, without their values.
        """
        values = _by_alias(type(self), values)
        collected = Construction()
        token = construction.set(collected)
        try:
            try:
                super().__init__(**values)
            except (ValidationError, SourceError) as exc:
                problems = naming.problems_for(
                    exc, type(self), collected, StrictSettings.model_fields
                )
                if problems is None:
                    raise  # a source misconfigured in code, not a variable
                raise SettingsError(
                    problems, profile=_requested_profile(values)
                ) from None
            if collected.problems:
                raise SettingsError(collected.problems, profile=self.env)
        finally:
            construction.reset(token)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Insert the ``_FILE`` source between the environment and ``.env``.

        The environment and ``.env`` sources are pydantic-settings' own, made to
        report an undecodable variable by name (:mod:`.sources`).

        Args:
            settings_cls: The settings class being built.
            init_settings: Keyword arguments.
            env_settings: Environment variables.
            dotenv_settings: The ``.env`` file.
            file_secret_settings: pydantic-settings' ``secrets_dir`` source.

        Returns:
            The sources, highest precedence first.
        """
        files = FileVariableSource.beside(settings_cls, env_settings)
        return (
            init_settings,
            files.hide_from(reporting(env_settings)),
            files,
            reporting(dotenv_settings),
            file_secret_settings,
        )

    @model_validator(mode="before")
    @classmethod
    def _keep_input(cls, data: Any) -> Any:
        """Keep the input for naming the variables of any error in it."""
        current = construction.get()
        if current is not None and current.data is None and isinstance(data, dict):
            current.data = data
        return data

    @property
    def is_deployed(self) -> bool:
        """Whether the profile is ``staging`` or ``production``."""
        return self.env in DEPLOYED_PROFILES

    @field_validator("debug", mode="wrap")
    @classmethod
    def _resolve_debug(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> bool:
        profile = _profile(info)
        if value is None:
            return profile == "local"
        debug = bool(handler(value))
        if debug and profile == "production":
            raise ValueError("must be false when DJANGO_ENV is production")
        return debug

    @field_validator("secret_key", mode="wrap")
    @classmethod
    def _resolve_secret_key(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> SecretStr:
        deployed = _profile(info) in DEPLOYED_PROFILES
        if value is None or (isinstance(value, str) and not value.strip()):
            if deployed:
                raise ValueError(
                    "is required when DJANGO_ENV is staging or production "
                    "(set DJANGO_SECRET_KEY or DJANGO_SECRET_KEY_FILE)"
                )
            return SecretStr(DEVELOPMENT_SECRET_KEY)
        secret: SecretStr = handler(value)
        raw = secret.get_secret_value()
        weak = (
            len(raw) < _MIN_SECRET_KEY_LENGTH
            or len(set(raw)) < _MIN_SECRET_KEY_UNIQUE
            or raw.startswith("django-insecure-")
        )
        if deployed and weak:
            raise ValueError(
                f"expected a random key of at least {_MIN_SECRET_KEY_LENGTH} characters "
                f"with {_MIN_SECRET_KEY_UNIQUE}+ distinct ones, not prefixed "
                "'django-insecure-' (generate one with "
                "django.core.management.utils.get_random_secret_key)"
            )
        return secret

    @field_validator("allowed_hosts", mode="wrap")
    @classmethod
    def _resolve_allowed_hosts(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> list[str]:
        profile = _profile(info)
        hosts: list[str] = [] if value is None else handler(value)
        if profile in DEPLOYED_PROFILES:
            if not hosts:
                raise ValueError(
                    "is required when DJANGO_ENV is staging or production: a "
                    "comma-separated or JSON list of the site's host names"
                )
            if profile == "production" and "*" in hosts:
                raise ValueError("must list real host names in production, not '*'")
            return hosts
        return hosts or list(LOCAL_HOSTS)

    @field_validator("database_pool")
    @classmethod
    def _check_pool(cls, value: bool, info: ValidationInfo) -> bool:  # noqa: FBT001
        if not value:
            return value
        url = info.data.get("database_url")
        engine = dj_database_url.parse(url.get_secret_value())["ENGINE"] if url else ""
        if "postgresql" not in engine:
            raise ValueError("requires a PostgreSQL DATABASE_URL (psycopg's pool)")
        if info.data.get("database_conn_max_age", 0) > 0:
            raise ValueError(
                "cannot be combined with DATABASE_CONN_MAX_AGE > 0; a pool replaces "
                "persistent connections"
            )
        return value

    @field_validator("log_level", mode="wrap")
    @classmethod
    def _resolve_log_level(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> LogLevel:
        if value is None:
            return DEFAULT_LOG_LEVELS[_profile(info)]
        level: LogLevel = handler(value)
        return level

    @field_validator("log_format", mode="wrap")
    @classmethod
    def _resolve_log_format(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> LogFormat:
        if value is None:
            return "console" if _profile(info) == "local" else "json"
        log_format: LogFormat = handler(value)
        return log_format

    @field_validator("secure_ssl_redirect", mode="wrap")
    @classmethod
    def _resolve_ssl_redirect(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> bool:
        if value is None:
            return _profile(info) in DEPLOYED_PROFILES
        redirect: bool = handler(value)
        return redirect


def _by_alias(cls: type[StrictSettings], values: dict[str, Any]) -> dict[str, Any]:
    """Key this class's own fields by variable, so ``Settings(debug=False)`` works.

    ``populate_by_name`` would do it for keyword arguments, but would also make
    pydantic-settings read ``DEBUG`` and ``ENV`` from the environment, and read a
    project's aliased fields by their names as well.
    """
    aliased = dict(values)
    for name, own in StrictSettings.model_fields.items():
        alias = own.validation_alias
        field = cls.model_fields.get(name)
        if (
            field is not None
            and field.validation_alias == alias
            and isinstance(alias, str)
            and name in aliased
            and alias not in aliased
        ):
            aliased[alias] = aliased.pop(name)
    return aliased


def _requested_profile(values: dict[str, Any]) -> str | None:
    """Return the profile asked for, if valid, to name it in an error message."""
    profile = values.get("DJANGO_ENV", os.environ.get("DJANGO_ENV", "local"))
    return profile if profile in get_args(Profile) else None
