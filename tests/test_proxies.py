"""Client identity behind proxies: one rule for the server, the throttles and the log."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import RequestFactory, override_settings
from rest_framework.request import Request

from django_strict_core.proxies import (
    ForwardedFor,
    client_address,
    request_client,
    trusted_proxies,
)
from django_strict_core.throttling import AnonRateThrottle


def trusting(count: int | None) -> Any:
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": count}
    )


class TestClientAddress:
    @pytest.mark.parametrize(
        ("forwarded", "proxies", "client"),
        [
            (None, 1, "10.0.0.2"),
            ("", 1, "10.0.0.2"),
            ("203.0.113.7", 0, "10.0.0.2"),
            ("203.0.113.7", 1, "203.0.113.7"),
            # A client's own entries are to the left of the trusted proxies'.
            ("6.6.6.6, 203.0.113.7", 1, "203.0.113.7"),
            ("6.6.6.6,203.0.113.7, 198.51.100.1", 2, "203.0.113.7"),
            # Fewer entries than proxies: the leftmost, as DRF reads it.
            ("203.0.113.7", 3, "203.0.113.7"),
            ("2001:db8::1", 1, "2001:db8::1"),
        ],
    )
    def test_the_entry_the_trusted_proxies_wrote(
        self, forwarded: str | None, proxies: int, client: str
    ) -> None:
        assert client_address("10.0.0.2", forwarded, proxies) == client

    @pytest.mark.parametrize(
        "entry", ["forged", "<script>", "1.2.3.4:80", "", "unknown"]
    )
    def test_an_entry_that_is_not_an_address_leaves_the_peer(self, entry: str) -> None:
        assert client_address("10.0.0.2", f"6.6.6.6, {entry}", 1) == "10.0.0.2"

    def test_without_a_peer_a_trusted_entry_still_names_the_client(self) -> None:
        assert client_address(None, "203.0.113.7", 1) == "203.0.113.7"
        assert client_address(None, None, 1) is None


class TestTrustedProxies:
    @pytest.mark.parametrize(("setting", "count"), [(0, 0), (2, 2), (None, 0)])
    def test_drf_num_proxies_and_none_trusted_when_unset(
        self, setting: int | None, count: int
    ) -> None:
        with trusting(setting):
            assert trusted_proxies() == count

    def test_request_client_follows_the_setting(self) -> None:
        request = RequestFactory().get(
            "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2"
        )
        assert request_client(request.META) == "10.0.0.2"
        with trusting(1):
            assert request_client(request.META) == "203.0.113.7"


class TestThrottleIdentity:
    def ident(self, **meta: str) -> str:
        return AnonRateThrottle().get_ident(Request(RequestFactory().get("/", **meta)))

    def test_drf_unset_would_use_the_whole_header_the_library_trusts_none(self) -> None:
        with trusting(None):
            assert self.ident(
                HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.2"
            ) == ("10.0.0.2")

    def test_one_trusted_proxy(self) -> None:
        with trusting(1):
            assert (
                self.ident(
                    HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2"
                )
                == "203.0.113.7"
            )

    def test_a_connection_without_an_address_has_an_empty_identity(self) -> None:
        request = RequestFactory().get("/")
        del request.META["REMOTE_ADDR"]

        assert AnonRateThrottle().get_ident(Request(request)) == ""


class TestForwardedFor:
    @staticmethod
    def client_seen(scope: dict[str, Any], proxies: int = 1) -> Any:
        seen = []

        async def app(scope: Any, receive: Any, send: Any) -> None:
            seen.append(scope.get("client"))

        async def nothing(*_args: Any) -> None:
            """Neither receive nor send is used."""

        async_to_sync(ForwardedFor(app, num_proxies=proxies))(scope, nothing, nothing)
        return seen[0]

    @staticmethod
    def scope(*forwarded: bytes, kind: str = "http") -> dict[str, Any]:
        return {
            "type": kind,
            "client": ("10.0.0.2", 51234),
            "headers": [(b"host", b"t"), *((b"x-forwarded-for", v) for v in forwarded)],
        }

    def test_the_client_is_the_trusted_entry(self) -> None:
        assert self.client_seen(self.scope(b"6.6.6.6, 203.0.113.7")) == (
            "203.0.113.7",
            0,
        )

    def test_several_header_lines_are_one_list(self) -> None:
        scope = self.scope(b"6.6.6.6", b"203.0.113.7, 198.51.100.1")

        assert self.client_seen(scope, proxies=2) == ("203.0.113.7", 0)

    def test_websockets_too(self) -> None:
        scope = self.scope(b"203.0.113.7", kind="websocket")

        assert self.client_seen(scope) == ("203.0.113.7", 0)

    @pytest.mark.parametrize("forwarded", [(), (b"forged",)])
    def test_no_usable_entry_keeps_the_peer(self, forwarded: tuple[bytes, ...]) -> None:
        assert self.client_seen(self.scope(*forwarded)) == ("10.0.0.2", 51234)

    def test_other_scopes_pass_untouched(self) -> None:
        assert self.client_seen({"type": "lifespan"}) is None
