"""Property tests through real requests: every answer is a valid envelope, no leaks."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings, strategies as st
from rest_framework.test import APIClient

from tests.apps.errors.views import EXCEPTION_CLASSES

RAISE_URL = "/api/errors/raise/"
TYPES = {"validation_error", "client_error", "server_error"}

# JSON error trees as a client could make a view raise them: string leaves, object
# keys (including "", "0" and "__all__"), lists of both.
json_keys = st.one_of(
    st.text(max_size=8), st.sampled_from(["", "0", "__all__", "non_field_errors"])
)
json_trees = st.recursive(
    st.text(max_size=30),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(json_keys, children, max_size=4)
    ),
    max_leaves=30,
)

# Messages that would betray internals if they reached a client.
marker = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=12, max_size=24
)
leaky_messages = st.builds(
    lambda secret, suffix: (
        f"{secret} at /srv/app/{suffix}.py {django_settings.SECRET_KEY}"
    ),
    marker,
    st.text(alphabet="abcdefghij", min_size=1, max_size=8),
)


def assert_valid_envelope(payload: Any) -> None:
    assert set(payload) == {"type", "errors"}
    assert payload["type"] in TYPES
    assert isinstance(payload["errors"], list)
    assert payload["errors"]
    for error in payload["errors"]:
        assert set(error) == {"code", "detail", "attr"}
        assert isinstance(error["code"], str)
        assert error["code"]
        assert isinstance(error["detail"], str)
        assert error["attr"] is None or isinstance(error["attr"], str)


def count_leaves(tree: Any) -> int:
    count, stack = 0, [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        else:
            count += 1
    return count


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(tree=json_trees)
def test_any_validation_error_tree_gives_one_error_per_message(tree: Any) -> None:
    response = APIClient().post(RAISE_URL, {"detail": tree}, format="json")

    assert response.status_code == 400
    payload = response.json()
    assert_valid_envelope(payload)
    assert payload["type"] == "validation_error"
    # An empty tree still answers with one (generic) error.
    assert len(payload["errors"]) == max(1, count_leaves(tree))


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(kind=st.sampled_from(sorted(EXCEPTION_CLASSES)), message=leaky_messages)
def test_any_unhandled_exception_is_a_generic_500_without_leaks(
    kind: str, message: str
) -> None:
    client = APIClient(raise_request_exception=False)

    response = client.post(RAISE_URL, {"kind": kind, "message": message}, format="json")

    assert response.status_code == 500
    payload = response.json()
    assert_valid_envelope(payload)
    assert payload == {
        "type": "server_error",
        "errors": [
            {"code": "error", "detail": "A server error occurred.", "attr": None}
        ],
    }
    text = response.content.decode()
    secret = message.split(" ", 1)[0]
    for leak in (secret, "/srv/app", django_settings.SECRET_KEY, "Traceback", kind):
        assert leak not in text
    assert json.loads(text) == payload


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    status=st.integers(min_value=400, max_value=599),
    code=st.from_regex(r"[a-z][a-z_]{0,20}", fullmatch=True),
    message=st.text(min_size=1, max_size=40),
)
def test_any_api_exception_keeps_its_status_code_and_detail(
    status: int, code: str, message: str
) -> None:
    # A 5xx is reported through got_request_exception, which the test client
    # would re-raise.
    response = APIClient(raise_request_exception=False).post(
        RAISE_URL,
        {"status": status, "code": code, "message": message},
        format="json",
    )

    assert response.status_code == status
    payload = response.json()
    assert_valid_envelope(payload)
    assert payload["type"] == ("server_error" if status >= 500 else "client_error")
    assert payload["errors"] == [{"code": code, "detail": message, "attr": None}]
