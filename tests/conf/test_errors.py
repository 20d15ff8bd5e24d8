"""How problems are worded: by variable and place, never with the value."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, field_validator

from django_strict_core.conf.errors import Problem, SettingsError, value_free_message


class Tcp(BaseModel):
    kind: Literal["tcp"]


class Unix(BaseModel):
    kind: Literal["unix"]


class Region(BaseModel):
    name: str

    @field_validator("name")
    @classmethod
    def _known(cls, value: str) -> str:
        raise ValueError(f"unknown region {value}")


def message_for(annotation: object, value: object) -> str:
    """Validate ``value`` expecting failure; word its first error."""
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(annotation).validate_python(value)
    return value_free_message(caught.value.errors()[0])


def test_problem_label_includes_the_place_in_the_json() -> None:
    assert Problem("APP_DB", "expected an integer", "port").label == "APP_DB (at port)"
    assert Problem("APP_DB", "is required").label == "APP_DB"


def test_two_places_in_one_variable_are_both_listed_and_counted_once() -> None:
    error = SettingsError(
        [
            Problem("APP_DB", "is required", "name"),
            Problem("APP_DB", "expected an integer", "port"),
            Problem("APP_DB", "expected an integer", "port"),
        ],
        profile="local",
    )

    assert str(error).splitlines() == [
        "Invalid environment (DJANGO_ENV=local): 1 variable(s) to fix.",
        "  - APP_DB (at name): is required",
        "  - APP_DB (at port): expected an integer",
    ]


def test_validator_message_that_echoes_the_value_is_replaced() -> None:
    message = message_for(Region, {"name": "hunter2-secret"})

    assert message == "is not valid (value_error)"


def test_validator_message_without_the_value_is_kept() -> None:
    assert (
        message_for(Annotated[int, Field(gt=0)], 0) == "Input should be greater than 0"
    )


def test_schema_wording_is_kept_when_the_value_happens_to_appear() -> None:
    message = message_for(Literal["production", "staging"], "prod")

    assert message == "Input should be 'production' or 'staging'"


def test_unknown_union_tag_is_not_quoted() -> None:
    message = message_for(
        Annotated[Tcp | Unix, Field(discriminator="kind")], {"kind": "hunter2-secret"}
    )

    assert message == "expected 'kind' to be one of 'tcp', 'unix'"
