"""The JSON formatters: one valid JSON object per record, whatever the record holds."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from pythonjsonlogger.json import JsonFormatter as BareJsonFormatter

from django_strict_core.log.formatters import JsonFormatter
from django_strict_core.log.orjson_formatter import OrjsonFormatter

STATIC = {"service": "shop", "environment": "production", "version": "1.4.2"}
FORMATTERS = [JsonFormatter, OrjsonFormatter]


def make_record(
    msg: object = "hello %s",
    args: tuple[object, ...] | None = ("world",),
    *,
    level: int = logging.INFO,
    exc_info: Any = None,
    extra: dict[str, Any] | None = None,
) -> logging.LogRecord:
    """A record as ``Logger.makeRecord`` builds it."""
    record = logging.getLogger("shop.orders").makeRecord(
        "shop.orders", level, __file__, 10, msg, args, exc_info, extra=extra
    )
    record.request_id = "req-1"
    return record


def fail() -> None:
    """Raise for exception records."""
    raise ValueError("bad value")


def exc_info() -> Any:
    try:
        fail()
    except ValueError:
        return sys.exc_info()
    raise AssertionError


@pytest.fixture(params=FORMATTERS, ids=["json", "orjson"])
def formatter_class(request: pytest.FixtureRequest) -> type[logging.Formatter]:
    return request.param  # type: ignore[no-any-return]


def render(
    formatter_class: type[logging.Formatter],
    record: logging.LogRecord,
    **options: Any,
) -> tuple[str, dict[str, Any]]:
    formatter = formatter_class(static_fields=STATIC, **options)  # type: ignore[call-arg]
    text = formatter.format(record)
    assert "\n" not in text
    return text, json.loads(text)


class TestStandardFields:
    def test_core_fields_in_order(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        _, line = render(formatter_class, make_record())

        assert list(line)[:8] == [
            "timestamp",
            "level",
            "logger",
            "message",
            "request_id",
            "service",
            "environment",
            "version",
        ]
        assert line["message"] == "hello world"
        assert (line["level"], line["logger"], line["request_id"]) == (
            "INFO",
            "shop.orders",
            "req-1",
        )
        assert (line["service"], line["environment"], line["version"]) == (
            "shop",
            "production",
            "1.4.2",
        )

    def test_timestamp_is_iso8601_utc_with_microseconds(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        record = make_record()
        record.created = 1_767_225_600.25  # 2026-01-01T00:00:00.25Z

        _, line = render(formatter_class, record)

        assert line["timestamp"] == "2026-01-01T00:00:00.250000+00:00"
        parsed = datetime.fromisoformat(line["timestamp"])
        assert parsed.tzinfo == timezone.utc
        assert parsed.timestamp() == record.created

    def test_timestamps_follow_the_clock_across_seconds(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        formatter = formatter_class()
        stamps = []
        for created in (100.5, 100.75, 101.0, 99.999999, 99.9999996):
            record = make_record()
            record.created = created
            stamps.append(json.loads(formatter.format(record))["timestamp"])

        assert stamps == [
            "1970-01-01T00:01:40.500000+00:00",
            "1970-01-01T00:01:40.750000+00:00",
            "1970-01-01T00:01:41.000000+00:00",
            "1970-01-01T00:01:39.999999+00:00",
            "1970-01-01T00:01:40.000000+00:00",
        ]

    def test_record_without_request_id_has_null(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        record = make_record()
        del record.request_id

        _, line = render(formatter_class, record)

        assert line["request_id"] is None

    def test_request_id_given_as_another_type_is_a_string(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        record = make_record()
        record.request_id = 42

        _, line = render(formatter_class, record)

        assert line["request_id"] == "42"

    def test_exception_is_one_string_field(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        _, line = render(
            formatter_class, make_record("failed", None, exc_info=exc_info())
        )

        assert isinstance(line["exception"], str)
        assert line["exception"].startswith("Traceback (most recent call last):")
        assert line["exception"].endswith("ValueError: bad value")
        assert "error.type" not in line

    def test_stack_is_one_string_field(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        record = make_record()
        record.stack_info = 'Stack (most recent call last):\n  File "x.py", line 1'

        _, line = render(formatter_class, record)

        assert line["stack"] == record.stack_info

    def test_extra_fields_are_kept_and_internals_dropped(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        record = make_record(
            extra={
                "order_id": 7,
                "request": object(),
                "color_message": "\x1b[32mhello\x1b[0m",
                "_private": 1,
            }
        )

        _, line = render(formatter_class, record)

        assert line["order_id"] == 7
        for dropped in ("request", "color_message", "_private", "args", "msg"):
            assert dropped not in line

    @pytest.mark.parametrize(
        "name",
        [
            "timestamp",
            "level",
            "logger",
            "service",
            "environment",
            "version",
            "exception",
            "stack",
        ],
    )
    def test_extra_field_never_replaces_a_field_of_the_line(
        self, formatter_class: type[logging.Formatter], name: str
    ) -> None:
        _, line = render(formatter_class, make_record(extra={name: 7}))

        assert line[f"extra.{name}"] == 7
        assert isinstance(line.get(name, ""), str)
        assert list(line)[:8] == [
            "timestamp",
            "level",
            "logger",
            "message",
            "request_id",
            "service",
            "environment",
            "version",
        ]

    def test_access_record_fields_keep_their_names(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        record = make_record(
            extra={"method": "GET", "path": "/a/", "status": 200, "duration_ms": 1.5}
        )

        _, line = render(formatter_class, record)

        assert (line["method"], line["path"], line["status"]) == ("GET", "/a/", 200)
        assert line["duration_ms"] == 1.5

    def test_service_fields_are_strings(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        formatter = formatter_class(static_fields={"version": 2, "region": 3})  # type: ignore[call-arg]

        line = json.loads(formatter.format(make_record()))

        assert (line["version"], line["region"]) == ("2", 3)

    def test_dict_message_becomes_fields(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        message = {"event": "paid", "amount": 12}

        _, line = render(formatter_class, make_record(message, None))

        assert (line["event"], line["amount"], line["message"]) == ("paid", 12, "")
        assert message == {"event": "paid", "amount": 12}


class TestHostileContent:
    def test_newlines_quotes_and_json_fragments_stay_on_one_line(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        message = 'one\ntwo\r\n"three" \\ {"level": "CRITICAL"}\u2028\x00'

        text, line = render(formatter_class, make_record(message, None))

        assert line["message"] == message
        assert line["level"] == "INFO"
        assert text.count("\n") == 0

    @pytest.mark.parametrize(
        "separator",
        ["\u2028", "\u2029", "\x85", "\x1e", "\x1c", "\x1d", "\x0b", "\x0c", "\r"],
        ids=["LS", "PS", "NEL", "RS", "FS", "GS", "VT", "FF", "CR"],
    )
    def test_line_separators_of_any_splitter_are_escaped(
        self, formatter_class: type[logging.Formatter], separator: str
    ) -> None:
        text = f"a{separator}b"
        record = make_record(text, None, extra={"path": f"/{text}/", "nested": [text]})

        line, parsed = render(formatter_class, record)

        assert len(line.splitlines()) == 1
        assert separator not in line
        assert len(line.encode().splitlines()) == 1
        assert (parsed["message"], parsed["path"]) == (text, f"/{text}/")
        assert parsed["nested"] == [text]

    def test_lone_surrogates_are_written_escaped(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        record = make_record("half \ud800 of a pair", None, extra={"key": "\udfff"})

        text, line = render(formatter_class, record)

        assert len(text.splitlines()) == 1
        # Encoders that can escape the surrogate keep it; orjson's line spells it.
        assert line["message"] in ("half \ud800 of a pair", "half \\ud800 of a pair")
        assert line["key"] in ("\udfff", "\\udfff")

    def test_unencodable_objects_are_written_as_strings(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        class Opaque:
            def __str__(self) -> str:
                return "<opaque>"

        record = make_record(
            extra={"opaque": Opaque(), "amount": Decimal("1.10"), "at": {1, 2}}
        )

        _, line = render(formatter_class, record)

        assert line["opaque"] == "<opaque>"
        assert line["amount"] == "1.10"
        assert isinstance(line["at"], (str, list))

    @pytest.mark.parametrize(
        "value",
        [float("nan"), float("inf"), 2**80],
        ids=["nan", "infinity", "huge-int"],
    )
    def test_values_some_encoders_refuse_are_written(
        self, formatter_class: type[logging.Formatter], value: object
    ) -> None:
        _, line = render(formatter_class, make_record(extra={"value": value}))

        assert line["value"] in (str(value), value, None)
        assert line["message"] == "hello world"

    def test_circular_structure_falls_back_to_strings(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        loop: list[object] = []
        loop.append(loop)

        _, line = render(formatter_class, make_record(extra={"loop": loop}))

        assert line["loop"] == "[[...]]"
        assert line["message"] == "hello world"

    def test_object_whose_str_fails_is_still_logged(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        class Broken:
            def __str__(self) -> str:
                raise RuntimeError

            def __repr__(self) -> str:
                return "<broken>"

        _, line = render(formatter_class, make_record(extra={"thing": Broken()}))

        assert line["thing"] == "<broken>"

    def test_arguments_that_do_not_match_the_format_are_logged(
        self, formatter_class: type[logging.Formatter]
    ) -> None:
        _, line = render(formatter_class, make_record("%s and %s", ("one",)))

        assert line["message"] == "%s and %s ('one',)"


def test_unknown_field_set_is_refused(
    formatter_class: type[logging.Formatter],
) -> None:
    with pytest.raises(ValueError, match="unknown log field set 'xml'"):
        formatter_class(fields="xml")  # type: ignore[call-arg]


def test_json_formatter_output_is_ascii_and_matches_orjson() -> None:
    record = make_record("café %s", ("naïve",), extra={"n": 1.5, "ok": True})

    plain = JsonFormatter(static_fields=STATIC).format(record)
    fast = OrjsonFormatter(static_fields=STATIC).format(record)

    assert plain.isascii()
    assert "café naïve" in fast
    assert json.loads(plain) == json.loads(fast)


def test_same_fields_as_a_bare_python_json_logger_formatter() -> None:
    record = make_record(extra={"order_id": 7})
    bare = BareJsonFormatter(
        "%(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"levelname": "level", "name": "logger"},
        static_fields=STATIC,
        timestamp=True,
    )

    ours = json.loads(JsonFormatter(static_fields=STATIC).format(record))
    theirs = json.loads(bare.format(record))

    assert ours.keys() == theirs.keys()
    assert {k: v for k, v in ours.items() if k != "timestamp"} == {
        k: v for k, v in theirs.items() if k != "timestamp"
    }
    assert datetime.fromisoformat(ours["timestamp"]) == datetime.fromisoformat(
        theirs["timestamp"]
    )
