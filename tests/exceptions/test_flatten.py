"""flatten_errors alone: every DRF and Django error shape, large and deep trees."""

from __future__ import annotations

import sys
from typing import Any

from hypothesis import given, settings, strategies as st
from rest_framework.exceptions import ErrorDetail

from django_strict_core.exceptions import flatten_errors


def detail(message: str, code: str = "invalid") -> ErrorDetail:
    return ErrorDetail(message, code=code)


class TestShapes:
    def test_field_errors_keep_their_codes_and_order(self) -> None:
        errors = flatten_errors(
            {
                "password": [
                    detail("Too short.", "password_too_short"),
                    detail("Too common.", "password_too_common"),
                ],
                "email": [detail("This field is required.", "required")],
            }
        )

        assert errors == [
            {"code": "password_too_short", "detail": "Too short.", "attr": "password"},
            {
                "code": "password_too_common",
                "detail": "Too common.",
                "attr": "password",
            },
            {
                "code": "required",
                "detail": "This field is required.",
                "attr": "email",
            },
        ]

    def test_nested_serializer_gives_a_dotted_path(self) -> None:
        errors = flatten_errors(
            {"address": {"city": [detail("Required.", "required")]}}
        )

        assert [e["attr"] for e in errors] == ["address.city"]

    def test_many_list_shape_before_drf_3_18(self) -> None:
        errors = flatten_errors(
            {"items": [{}, {"name": [detail("Too long.", "max_length")]}, {}]}
        )

        assert [(e["attr"], e["code"]) for e in errors] == [
            ("items.1.name", "max_length")
        ]

    def test_many_dict_by_index_shape_of_drf_3_18(self) -> None:
        errors = flatten_errors({"items": {1: {"name": [detail("Too long.")]}}})

        assert [e["attr"] for e in errors] == ["items.1.name"]

    def test_index_zero_is_a_real_key_in_both_shapes(self) -> None:
        as_list = flatten_errors({"items": [{"name": [detail("x")]}]})
        as_dict = flatten_errors({"items": {0: {"name": [detail("x")]}}})

        assert as_list[0]["attr"] == as_dict[0]["attr"] == "items.0.name"

    def test_top_level_list_serializer_paths_start_with_the_index(self) -> None:
        assert [e["attr"] for e in flatten_errors([{"name": [detail("x")]}])] == [
            "0.name"
        ]
        assert [e["attr"] for e in flatten_errors({0: {"name": [detail("x")]}})] == [
            "0.name"
        ]

    def test_empty_string_is_a_real_key(self) -> None:
        errors = flatten_errors({"": [detail("x")], "meta": {"": [detail("y")]}})

        assert [e["attr"] for e in errors] == ["", "meta."]

    def test_list_field_and_dict_field_children(self) -> None:
        errors = flatten_errors(
            {
                "tags": {2: [detail("Too long.", "max_length")]},
                "meta": {"colour": [detail("A valid integer is required.")]},
            }
        )

        assert [e["attr"] for e in errors] == ["tags.2", "meta.colour"]

    def test_non_field_errors_at_any_depth(self) -> None:
        errors = flatten_errors(
            {
                "non_field_errors": [detail("Bad pair.")],
                "items": [{"non_field_errors": [detail("Bad line.")]}],
            }
        )

        assert [e["attr"] for e in errors] == [
            "non_field_errors",
            "items.0.non_field_errors",
        ]

    def test_djangos_all_key_becomes_the_non_field_errors_key(self) -> None:
        errors = flatten_errors(
            {"__all__": [detail("Bad.")], "address": {"__all__": [detail("Worse.")]}},
            non_field_errors_key="errors",
        )

        assert [e["attr"] for e in errors] == ["errors", "address.errors"]

    def test_messages_not_under_a_key_have_no_attr(self) -> None:
        assert flatten_errors(detail("Not found.", "not_found")) == [
            {"code": "not_found", "detail": "Not found.", "attr": None}
        ]
        assert [e["attr"] for e in flatten_errors([detail("a"), detail("b")])] == [
            None,
            None,
        ]

    def test_a_list_mixing_messages_and_items_keeps_positions(self) -> None:
        errors = flatten_errors(
            {"rows": [detail("first"), {"a": [detail("second")]}, detail("third")]}
        )

        assert [(e["attr"], e["detail"]) for e in errors] == [
            ("rows", "first"),
            ("rows.1.a", "second"),
            ("rows", "third"),
        ]

    def test_leaves_without_a_code_take_the_default_code(self) -> None:
        errors = flatten_errors({"a": ["plain", ErrorDetail("none")]}, default_code="x")

        assert [e["code"] for e in errors] == ["x", "x"]

    def test_tuples_are_lists(self) -> None:
        assert flatten_errors({"a": (detail("x"),)})[0]["attr"] == "a"

    def test_empty_containers_give_no_errors(self) -> None:
        assert flatten_errors({}) == []
        assert flatten_errors({"items": [{}, {}], "meta": {}}) == []


class TestScale:
    def test_tens_of_thousands_of_list_errors(self) -> None:
        count = 50_000
        tree = {"items": {i: {"name": [detail("Too long.")]} for i in range(count)}}

        errors = flatten_errors(tree)

        assert len(errors) == count
        assert errors[0]["attr"] == "items.0.name"
        assert errors[-1]["attr"] == f"items.{count - 1}.name"

    def test_a_tree_deeper_than_the_recursion_limit(self) -> None:
        depth = sys.getrecursionlimit() * 20
        tree: Any = [detail("deep", "deep")]
        for _ in range(depth):
            tree = {"a": tree}

        errors = flatten_errors(tree)

        assert len(errors) == 1
        assert errors[0]["code"] == "deep"
        assert errors[0]["attr"] == ".".join(["a"] * depth)

    def test_a_deep_list_of_lists(self) -> None:
        depth = sys.getrecursionlimit() * 5
        tree: Any = detail("bottom")
        for _ in range(depth):
            tree = [tree]

        # Lists inside lists are items by position; the innermost holds the message.
        assert flatten_errors(tree) == [
            {
                "code": "invalid",
                "detail": "bottom",
                "attr": ".".join(["0"] * (depth - 1)),
            }
        ]


# ---------------------------------------------------------------- property tests

keys = st.one_of(
    st.text(max_size=6),
    st.integers(min_value=0, max_value=50),
    st.sampled_from(["", "0", "__all__", "non_field_errors", "a.b"]),
)
leaves = st.builds(
    ErrorDetail,
    st.text(max_size=20),
    st.one_of(st.none(), st.sampled_from(["required", "invalid", "max_length", "x"])),
)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=4),
    ),
    max_leaves=40,
)


def reference(
    node: object, path: tuple[str, ...] | None, out: list[dict[str, Any]]
) -> None:
    """A straightforward recursive definition of the flattening, for comparison."""
    if isinstance(node, dict):
        for key, value in node.items():
            segment = "non_field_errors" if key == "__all__" else str(key)
            reference(value, (*(path or ()), segment), out)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, (dict, list)):
                reference(item, (*(path or ()), str(index)), out)
            else:
                reference(item, path, out)
    else:
        out.append(
            {
                "code": getattr(node, "code", None) or "invalid",
                "detail": str(node),
                "attr": None if not path else ".".join(path),
            }
        )


@settings(max_examples=500)
@given(trees)
def test_flattening_matches_the_recursive_definition(tree: object) -> None:
    expected: list[dict[str, Any]] = []
    reference(tree, None, expected)

    assert flatten_errors(tree) == expected


@settings(max_examples=300)
@given(trees)
def test_every_leaf_gives_exactly_one_well_formed_error(tree: object) -> None:
    errors = flatten_errors(tree)

    leaf_count = 0
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        else:
            leaf_count += 1
    assert len(errors) == leaf_count
    for error in errors:
        assert set(error) == {"code", "detail", "attr"}
        assert isinstance(error["code"], str)
        assert error["code"]
        assert isinstance(error["detail"], str)
        assert error["attr"] is None or isinstance(error["attr"], str)
