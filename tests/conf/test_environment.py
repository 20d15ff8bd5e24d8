"""StrictSettings: reading, defaulting and validating the environment."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from pydantic import Field, SecretStr, ValidationError

from django_strict_core.conf import SettingsError, StrictSettings
from django_strict_core.conf.environment import DEVELOPMENT_SECRET_KEY

if TYPE_CHECKING:
    from pathlib import Path

STRONG_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"


@pytest.fixture
def production(clean_environ: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment holding exactly the variables production requires."""
    clean_environ.setenv("DJANGO_ENV", "production")
    clean_environ.setenv("DJANGO_SECRET_KEY", STRONG_KEY)
    clean_environ.setenv("DJANGO_ALLOWED_HOSTS", "api.example.com")
    return clean_environ


def error_of(**values: object) -> SettingsError:
    """Construct settings expecting failure and return the error."""
    with pytest.raises(SettingsError) as caught:
        StrictSettings(**values)
    return caught.value


class TestProfiles:
    def test_local_defaults_need_no_environment(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        settings = StrictSettings()

        assert settings.env == "local"
        assert settings.debug is True
        assert settings.secret_key.get_secret_value() == DEVELOPMENT_SECRET_KEY
        assert settings.allowed_hosts == ["localhost", "127.0.0.1", "[::1]"]
        assert settings.log_level == "DEBUG"
        assert settings.log_format == "console"
        assert settings.secure_ssl_redirect is False
        assert settings.is_deployed is False

    def test_test_profile_is_not_debug_and_logs_json(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DJANGO_ENV", "test")

        settings = StrictSettings()

        assert (settings.debug, settings.log_level, settings.log_format) == (
            False,
            "INFO",
            "json",
        )

    def test_staging_logs_info(self, production: pytest.MonkeyPatch) -> None:
        production.setenv("DJANGO_ENV", "staging")

        settings = StrictSettings()

        assert (settings.log_level, settings.is_deployed) == ("INFO", True)

    def test_production_with_required_variables(
        self, production: pytest.MonkeyPatch
    ) -> None:
        settings = StrictSettings()

        assert settings.debug is False
        assert settings.secure_ssl_redirect is True
        assert settings.log_level == "WARNING"
        assert settings.log_format == "json"
        assert settings.allowed_hosts == ["api.example.com"]
        assert settings.secret_key.get_secret_value() == STRONG_KEY

    def test_explicit_values_override_profile_defaults(
        self, production: pytest.MonkeyPatch
    ) -> None:
        production.setenv("DJANGO_LOG_LEVEL", "error")
        production.setenv("DJANGO_LOG_FORMAT", "CONSOLE")
        production.setenv("DJANGO_SECURE_SSL_REDIRECT", "off")

        settings = StrictSettings()

        assert (settings.log_level, settings.log_format) == ("ERROR", "console")
        assert settings.secure_ssl_redirect is False

    def test_keyword_arguments_win_over_environment(
        self, production: pytest.MonkeyPatch
    ) -> None:
        settings = StrictSettings(env="local", debug=False)

        assert (settings.env, settings.debug) == ("local", False)

    def test_generic_variable_names_are_not_read(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("ENV", "bogus")
        clean_environ.setenv("DEBUG", "nonsense")
        clean_environ.setenv("LOG_LEVEL", "ERROR")
        clean_environ.setenv("SECRET_KEY", "not-this-one")

        settings = StrictSettings()

        assert (settings.env, settings.debug, settings.log_level) == (
            "local",
            True,
            "DEBUG",
        )
        assert settings.secret_key.get_secret_value() == DEVELOPMENT_SECRET_KEY

    def test_settings_are_immutable(self, clean_environ: pytest.MonkeyPatch) -> None:
        settings = StrictSettings()

        with pytest.raises(ValidationError):
            settings.debug = False  # type: ignore[misc]


class TestLists:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("a.example.com,b.example.com", ["a.example.com", "b.example.com"]),
            (" a.example.com , b.example.com ,", ["a.example.com", "b.example.com"]),
            ('["a.example.com", "b.example.com"]', ["a.example.com", "b.example.com"]),
            (".example.com", [".example.com"]),
        ],
    )
    def test_allowed_hosts_accept_comma_separated_and_json(
        self, production: pytest.MonkeyPatch, raw: str, expected: list[str]
    ) -> None:
        production.setenv("DJANGO_ALLOWED_HOSTS", raw)

        assert StrictSettings().allowed_hosts == expected

    def test_csrf_trusted_origins_parse(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv(
            "DJANGO_CSRF_TRUSTED_ORIGINS",
            "https://a.example.com, http://localhost:8000",
        )

        assert StrictSettings().csrf_trusted_origins == [
            "https://a.example.com",
            "http://localhost:8000",
        ]

    def test_csrf_trusted_origins_need_a_scheme(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DJANGO_CSRF_TRUSTED_ORIGINS", "a.example.com")

        error = error_of()

        assert [p.variable for p in error.problems] == ["DJANGO_CSRF_TRUSTED_ORIGINS"]
        assert "scheme" in error.problems[0].expected

    def test_broken_json_list_is_reported(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DJANGO_ALLOWED_HOSTS", '["a.example.com",')

        error = error_of()

        assert [p.variable for p in error.problems] == ["DJANGO_ALLOWED_HOSTS"]

    def test_json_list_of_non_strings_is_reported(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DJANGO_ALLOWED_HOSTS", json.dumps([1, {"x": 2}]))

        assert "DJANGO_ALLOWED_HOSTS" in str(error_of())


class TestBadEnvironment:
    def test_every_problem_is_reported_in_one_error(
        self, production: pytest.MonkeyPatch
    ) -> None:
        production.delenv("DJANGO_SECRET_KEY")
        production.setenv("DJANGO_ALLOWED_HOSTS", "")
        production.setenv("DJANGO_DEBUG", "true")
        production.setenv(
            "DATABASE_URL", "nosuchdb://admin:hunter2-secret@db.internal/app"
        )
        production.setenv("REDIS_URL", "http://cache.internal")
        production.setenv("DJANGO_THROTTLE_ANON_RATE", "lots")

        error = error_of()
        message = str(error)

        assert {p.variable for p in error.problems} == {
            "DJANGO_SECRET_KEY",
            "DJANGO_ALLOWED_HOSTS",
            "DJANGO_DEBUG",
            "DATABASE_URL",
            "REDIS_URL",
            "DJANGO_THROTTLE_ANON_RATE",
        }
        assert message.startswith(
            "Invalid environment (DJANGO_ENV=production): 6 variable(s)"
        )
        assert "hunter2" not in message
        assert "db.internal" not in message
        assert error.__cause__ is None
        assert error.__suppress_context__ is True

    def test_unknown_profile_is_named_and_other_problems_still_reported(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DJANGO_ENV", "prod")
        clean_environ.setenv("DJANGO_DEBUG", "maybe")

        error = error_of()

        assert [p.variable for p in error.problems] == ["DJANGO_ENV", "DJANGO_DEBUG"]
        assert (
            "'local', 'test', 'staging' or 'production'" in error.problems[0].expected
        )
        assert "boolean" in error.problems[1].expected
        assert "maybe" not in str(error)
        assert str(error).startswith("Invalid environment: 2 variable(s)")

    def test_debug_is_refused_in_production(
        self, production: pytest.MonkeyPatch
    ) -> None:
        production.setenv("DJANGO_DEBUG", "1")

        error = error_of()

        assert error.problems[0].variable == "DJANGO_DEBUG"
        assert "false" in error.problems[0].expected

    def test_debug_is_allowed_in_staging(self, production: pytest.MonkeyPatch) -> None:
        production.setenv("DJANGO_ENV", "staging")
        production.setenv("DJANGO_DEBUG", "yes")

        assert StrictSettings().debug is True

    @pytest.mark.parametrize(
        "key", ["short-key", "a" * 60, "django-insecure-" + "x1y2z3w4v5" * 5]
    )
    def test_weak_secret_key_is_refused_when_deployed_without_echo(
        self, production: pytest.MonkeyPatch, key: str
    ) -> None:
        production.setenv("DJANGO_SECRET_KEY", key)

        error = error_of()

        assert [p.variable for p in error.problems] == ["DJANGO_SECRET_KEY"]
        assert key not in str(error)

    def test_any_secret_key_is_accepted_locally(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DJANGO_SECRET_KEY", "short")

        assert StrictSettings().secret_key.get_secret_value() == "short"

    def test_wildcard_host_is_refused_in_production(
        self, production: pytest.MonkeyPatch
    ) -> None:
        production.setenv("DJANGO_ALLOWED_HOSTS", "*")

        assert [p.variable for p in error_of().problems] == ["DJANGO_ALLOWED_HOSTS"]

    def test_host_with_space_is_refused(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DJANGO_ALLOWED_HOSTS", '["a b"]')

        assert [p.variable for p in error_of().problems] == ["DJANGO_ALLOWED_HOSTS"]

    @pytest.mark.parametrize(
        "host", ["*.example.com", "api.*.example.com", "*example.com"]
    )
    def test_a_wildcard_inside_a_host_is_refused_with_the_leading_dot_form(
        self, clean_environ: pytest.MonkeyPatch, host: str
    ) -> None:
        clean_environ.setenv("DJANGO_ALLOWED_HOSTS", f"localhost,{host}")

        (problem,) = error_of().problems

        assert problem.variable == "DJANGO_ALLOWED_HOSTS"
        assert "leading dot" in problem.expected
        assert ".example.com matches example.com" in problem.expected

    @pytest.mark.parametrize(
        ("host", "words"),
        [
            ("example.com:8000", "without a port"),
            ("::1", "without a port"),
            ("https://example.com", "without a scheme or path"),
            ("example.com/api", "without a scheme or path"),
        ],
    )
    def test_hosts_django_would_never_match_are_refused(
        self, clean_environ: pytest.MonkeyPatch, host: str, words: str
    ) -> None:
        clean_environ.setenv("DJANGO_ALLOWED_HOSTS", host)

        (problem,) = error_of().problems

        assert problem.variable == "DJANGO_ALLOWED_HOSTS"
        assert words in problem.expected

    def test_subdomain_patterns_wildcard_and_bracketed_ipv6_are_accepted(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DJANGO_ALLOWED_HOSTS", '[".example.com", "*", "[::1]"]')

        assert StrictSettings().allowed_hosts == [".example.com", "*", "[::1]"]

    @pytest.mark.parametrize(
        ("variable", "url"),
        [
            ("REDIS_URL", "redis://:a@Secr3tPart#c@127.0.0.1:6379/0"),
            ("REDIS_URL", "redis://:pass@Secr3tPart@127.0.0.1:6379/0"),
            ("DATABASE_URL", "postgres://app:p@Secr3tPart#w@127.0.0.1:5432/app"),
            ("DATABASE_URL", "postgres://app:Secr3tPart#w@127.0.0.1:5432/app"),
            ("DATABASE_URL", "postgres://app:12/Secr3tPart@127.0.0.1:5432/app"),
            ("DATABASE_URL", "postgres://app:Secr3tPart?x@127.0.0.1:5432/app"),
        ],
    )
    def test_urls_whose_password_would_be_read_as_a_host_are_refused(
        self, clean_environ: pytest.MonkeyPatch, variable: str, url: str
    ) -> None:
        clean_environ.setenv(variable, url)

        error = error_of()

        assert [p.variable for p in error.problems] == [variable]
        assert "percent-encode" in str(error)
        assert "Secr3tPart" not in str(error)

    def test_percent_encoded_passwords_are_accepted(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DATABASE_URL", "postgres://app:p%40ss%23w@db:5432/app")
        clean_environ.setenv("REDIS_URL", "redis://:p%40ss%23w@cache:6379/0")

        settings = StrictSettings()

        assert settings.database_url is not None
        assert settings.redis_url is not None

    @pytest.mark.parametrize(
        "url", ["postgres://app@127.0.0.1:5432", "postgres://app@db/", "mysql://u@db"]
    )
    def test_a_server_database_url_without_a_name_is_refused(
        self, clean_environ: pytest.MonkeyPatch, url: str
    ) -> None:
        clean_environ.setenv("DATABASE_URL", url)

        (problem,) = error_of().problems

        assert problem.variable == "DATABASE_URL"
        assert "database name" in problem.expected

    def test_a_postgres_service_needs_no_name(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DATABASE_URL", "postgres://app@db?service=app")

        assert StrictSettings().database_url is not None

    @pytest.mark.parametrize(
        "url", ["redis://", "redis://host:notaport/0", "memcached://host", "not a url"]
    )
    def test_bad_redis_url(self, clean_environ: pytest.MonkeyPatch, url: str) -> None:
        clean_environ.setenv("REDIS_URL", url)

        error = error_of()

        assert [p.variable for p in error.problems] == ["REDIS_URL"]

    @pytest.mark.parametrize(
        "url", ["", "nosuch://x/y", "postgres://u:p@host:badport/db", "justtext"]
    )
    def test_bad_database_url(
        self, clean_environ: pytest.MonkeyPatch, url: str
    ) -> None:
        clean_environ.setenv("DATABASE_URL", url)

        assert [p.variable for p in error_of().problems] == ["DATABASE_URL"]

    def test_bad_numbers_are_named(self, clean_environ: pytest.MonkeyPatch) -> None:
        clean_environ.setenv("DJANGO_SECURE_HSTS_SECONDS", "-1")
        clean_environ.setenv("DATABASE_CONN_MAX_AGE", "ten")
        clean_environ.setenv("REDIS_SOCKET_TIMEOUT", "0")

        assert {p.variable for p in error_of().problems} == {
            "DJANGO_SECURE_HSTS_SECONDS",
            "DATABASE_CONN_MAX_AGE",
            "REDIS_SOCKET_TIMEOUT",
        }

    def test_unknown_log_level(self, clean_environ: pytest.MonkeyPatch) -> None:
        clean_environ.setenv("DJANGO_LOG_LEVEL", "verbose")

        assert [p.variable for p in error_of().problems] == ["DJANGO_LOG_LEVEL"]

    def test_pool_requires_postgres(self, clean_environ: pytest.MonkeyPatch) -> None:
        clean_environ.setenv("DATABASE_URL", "sqlite:////tmp/x.sqlite3")
        clean_environ.setenv("DATABASE_POOL", "true")

        assert "PostgreSQL" in error_of().problems[0].expected

    def test_pool_excludes_persistent_connections(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DATABASE_URL", "postgres://u@localhost/db")
        clean_environ.setenv("DATABASE_POOL", "true")
        clean_environ.setenv("DATABASE_CONN_MAX_AGE", "60")

        error = error_of()

        assert [p.variable for p in error.problems] == ["DATABASE_POOL"]

    def test_secret_fields_hide_their_values_in_repr(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DATABASE_URL", "postgres://u:hunter2@localhost/db")
        clean_environ.setenv("REDIS_URL", "redis://:hunter3@localhost:6379/0")

        text = repr(StrictSettings())

        assert "hunter2" not in text
        assert "hunter3" not in text


class TestSources:
    def test_dotenv_file_is_read(
        self, clean_environ: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        (tmp_path / ".env").write_text(
            "DJANGO_LOG_LEVEL=ERROR\nDJANGO_SERVICE_NAME=shop\n"
        )

        settings = StrictSettings()

        assert (settings.log_level, settings.service_name) == ("ERROR", "shop")

    def test_real_environment_wins_over_dotenv(
        self, clean_environ: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        (tmp_path / ".env").write_text("DJANGO_LOG_LEVEL=ERROR\n")
        clean_environ.setenv("DJANGO_LOG_LEVEL", "INFO")

        assert StrictSettings().log_level == "INFO"

    def test_file_variant_supplies_a_secret(
        self, production: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        production.delenv("DJANGO_SECRET_KEY")
        secret_file = tmp_path / "secret_key"
        secret_file.write_text(STRONG_KEY + "\n")
        production.setenv("DJANGO_SECRET_KEY_FILE", str(secret_file))

        assert StrictSettings().secret_key.get_secret_value() == STRONG_KEY

    def test_file_variant_works_for_urls(
        self, clean_environ: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        url_file = tmp_path / "database_url"
        url_file.write_text("postgres://app:pw@db:5432/app")
        clean_environ.setenv("DATABASE_URL_FILE", str(url_file))

        url = StrictSettings().database_url

        assert url is not None
        assert url.get_secret_value() == "postgres://app:pw@db:5432/app"

    def test_plain_variable_wins_over_file_variant(
        self, production: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        secret_file = tmp_path / "secret_key"
        secret_file.write_text("other" + STRONG_KEY)
        production.setenv("DJANGO_SECRET_KEY_FILE", str(secret_file))

        assert StrictSettings().secret_key.get_secret_value() == STRONG_KEY

    def test_unreadable_file_is_reported_with_the_other_problems(
        self, production: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        production.delenv("DJANGO_SECRET_KEY")
        production.setenv("DJANGO_SECRET_KEY_FILE", str(tmp_path / "missing"))
        production.setenv("DJANGO_DEBUG", "sometimes")

        error = error_of()

        assert [p.variable for p in error.problems] == [
            "DJANGO_SECRET_KEY_FILE",
            "DJANGO_DEBUG",
        ]
        assert "No such file" in error.problems[0].expected

    def test_unreadable_file_fails_even_where_a_default_exists(
        self, clean_environ: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        clean_environ.setenv("REDIS_URL_FILE", str(tmp_path))

        assert [p.variable for p in error_of().problems] == ["REDIS_URL_FILE"]


class ProjectSettings(StrictSettings):
    """A project's subclass with its own fields."""

    stripe_api_key: SecretStr
    feature_limit: int = 10


class TestSubclass:
    def test_project_fields_come_from_their_own_variables(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("STRIPE_API_KEY", "sk_live_abc")
        clean_environ.setenv("FEATURE_LIMIT", "25")

        settings = ProjectSettings()

        assert settings.stripe_api_key.get_secret_value() == "sk_live_abc"
        assert settings.feature_limit == 25

    def test_project_fields_are_named_in_errors(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("FEATURE_LIMIT", "many")
        clean_environ.setenv("DJANGO_DEBUG", "perhaps")

        with pytest.raises(SettingsError) as caught:
            ProjectSettings()

        assert [p.variable for p in caught.value.problems] == [
            "DJANGO_DEBUG",
            "STRIPE_API_KEY",
            "FEATURE_LIMIT",
        ]
        assert caught.value.problems[1].expected == "is required"

    def test_project_aliased_field_is_read_only_by_its_alias(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        class Aliased(StrictSettings):
            export_limit: int = Field(10, validation_alias="EXPORT_BATCH")

        clean_environ.setenv("EXPORT_LIMIT", "25")
        assert Aliased().export_limit == 10

        clean_environ.setenv("EXPORT_BATCH", "50")
        assert Aliased().export_limit == 50

    def test_project_secret_from_file(
        self, clean_environ: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        key_file = tmp_path / "stripe"
        key_file.write_text("sk_from_file\n")
        clean_environ.setenv("STRIPE_API_KEY_FILE", str(key_file))

        assert ProjectSettings().stripe_api_key.get_secret_value() == "sk_from_file"


class TestLogVariables:
    def test_field_names_default_to_standard(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        assert StrictSettings().log_fields == "standard"

    def test_ecs_field_names(self, clean_environ: pytest.MonkeyPatch) -> None:
        clean_environ.setenv("DJANGO_LOG_FIELDS", " ECS ")

        assert StrictSettings().log_fields == "ecs"

    def test_unknown_field_names_are_named(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        clean_environ.setenv("DJANGO_LOG_FIELDS", "gelf")

        with pytest.raises(SettingsError, match="DJANGO_LOG_FIELDS: "):
            StrictSettings()

    @pytest.mark.parametrize(
        "value",
        [
            "django.db.backends=debug, django_strict_core.access = WARNING",
            '{"django.db.backends": "DEBUG", "django_strict_core.access": "warning"}',
        ],
        ids=["pairs", "json"],
    )
    def test_logger_levels(self, clean_environ: pytest.MonkeyPatch, value: str) -> None:
        clean_environ.setenv("DJANGO_LOG_LEVELS", value)

        assert StrictSettings().log_levels == {
            "django.db.backends": "DEBUG",
            "django_strict_core.access": "WARNING",
        }

    def test_logger_levels_default_to_none(
        self, clean_environ: pytest.MonkeyPatch
    ) -> None:
        assert StrictSettings().log_levels == {}

    @pytest.mark.parametrize(
        "value", ["django", "=DEBUG", "django=LOUD", "[1]", "{broken", '"x"']
    )
    def test_bad_logger_levels_are_named_without_echo(
        self, clean_environ: pytest.MonkeyPatch, value: str
    ) -> None:
        clean_environ.setenv("DJANGO_LOG_LEVELS", value)

        with pytest.raises(SettingsError, match="DJANGO_LOG_LEVELS: ") as raised:
            StrictSettings()

        assert "LOUD" not in str(raised.value)
