"""The fault proxy forwards, hangs, refuses and recovers against a real TCP server."""

from __future__ import annotations

import socket
import threading

import pytest

from django_strict_core.testing import FaultProxy, closed_port
from tests.testing.conftest import SILENCE, connect, refuses_connections, round_trip


def is_cut_off(client: socket.socket) -> bool:
    """Whether the other end has reset or closed the connection."""
    client.settimeout(2)
    try:
        return client.recv(1) == b""
    except ConnectionResetError:
        return True


def proxy_threads() -> int:
    return sum(t.name.startswith("fault-proxy-") for t in threading.enumerate())


class TestForward:
    def test_bytes_flow_both_ways(self, echo: tuple[str, int]) -> None:
        with FaultProxy(echo) as proxy, connect(proxy.port) as client:
            assert round_trip(client, b"hello") == b"hello"

        assert proxy.mode == "refuse"

    def test_the_address_names_the_loopback_port(self, echo: tuple[str, int]) -> None:
        with FaultProxy(echo) as proxy:
            assert proxy.address == f"127.0.0.1:{proxy.port}"
            assert proxy.port > 0

    def test_every_accepted_connection_is_counted(self, echo: tuple[str, int]) -> None:
        with FaultProxy(echo) as proxy:
            for _ in range(3):
                with connect(proxy.port) as client:
                    round_trip(client, b"x")

            assert proxy.accepted == 3

    def test_a_target_that_is_down_closes_the_client_connection(self) -> None:
        with (
            FaultProxy(("127.0.0.1", closed_port())) as proxy,
            connect(proxy.port) as client,
        ):
            assert round_trip(client, b"anyone?") == b""


class TestHang:
    def test_an_open_connection_gets_no_answer(self, echo: tuple[str, int]) -> None:
        with FaultProxy(echo) as proxy, connect(proxy.port) as client:
            round_trip(client, b"one")
            proxy.hang()

            with pytest.raises(TimeoutError):
                round_trip(client, b"two", timeout=SILENCE)

    def test_new_connections_are_accepted_and_get_no_answer(
        self, echo: tuple[str, int]
    ) -> None:
        with FaultProxy(echo) as proxy:
            proxy.hang()
            with connect(proxy.port) as client, pytest.raises(TimeoutError):
                round_trip(client, b"hello?", timeout=SILENCE)

            assert proxy.accepted == 1

    def test_held_data_is_delivered_on_resume(self, echo: tuple[str, int]) -> None:
        with FaultProxy(echo) as proxy, connect(proxy.port) as client:
            proxy.hang()
            client.sendall(b"held")
            client.settimeout(SILENCE)
            with pytest.raises(TimeoutError):
                client.recv(4)
            proxy.resume()
            client.settimeout(2)

            assert client.recv(4) == b"held"

    def test_a_connection_made_while_hung_works_after_resume(
        self, echo: tuple[str, int]
    ) -> None:
        with FaultProxy(echo) as proxy:
            proxy.hang()
            with connect(proxy.port) as client:
                client.sendall(b"late")
                proxy.resume()
                client.settimeout(2)

                assert client.recv(4) == b"late"


class TestRefuse:
    def test_the_port_is_closed_and_open_connections_are_reset(
        self, echo: tuple[str, int]
    ) -> None:
        with FaultProxy(echo) as proxy, connect(proxy.port) as client:
            round_trip(client, b"one")
            proxy.stop()

            assert refuses_connections(proxy.port)
            assert is_cut_off(client)

    def test_start_listens_on_the_same_port_again(self, echo: tuple[str, int]) -> None:
        with FaultProxy(echo) as proxy:
            port = proxy.port
            proxy.stop()
            proxy.start()

            assert proxy.port == port
            with connect(port) as client:
                assert round_trip(client, b"back") == b"back"

    def test_set_mode_names_the_same_switches(self, echo: tuple[str, int]) -> None:
        with FaultProxy(echo) as proxy:
            proxy.set_mode("refuse")
            refused = refuses_connections(proxy.port)
            proxy.set_mode("forward")
            with connect(proxy.port) as client:
                answer = round_trip(client, b"again")

        assert (refused, answer) == (True, b"again")


class TestHungListener:
    def test_without_a_target_connections_are_accepted_and_never_answered(
        self,
    ) -> None:
        with FaultProxy() as hung, connect(hung.port) as client:
            with pytest.raises(TimeoutError):
                round_trip(client, b"PING\r\n", timeout=SILENCE)

            assert hung.accepted == 1

    def test_resume_does_not_make_it_answer(self) -> None:
        with FaultProxy() as hung:
            hung.resume()
            with connect(hung.port) as client, pytest.raises(TimeoutError):
                round_trip(client, b"PING\r\n", timeout=SILENCE)


class TestLifecycle:
    def test_close_frees_the_port_and_ends_the_thread(
        self, echo: tuple[str, int]
    ) -> None:
        before = proxy_threads()
        proxy = FaultProxy(echo).start()
        running = proxy_threads()
        proxy.close()

        assert running == before + 1
        assert proxy_threads() == before
        assert refuses_connections(proxy.port)

    def test_a_closed_proxy_can_start_again(self, echo: tuple[str, int]) -> None:
        proxy = FaultProxy(echo).start()
        proxy.close()
        proxy.start()
        try:
            with connect(proxy.port) as client:
                assert round_trip(client, b"twice") == b"twice"
        finally:
            proxy.close()

    def test_closing_twice_is_harmless(self, echo: tuple[str, int]) -> None:
        proxy = FaultProxy(echo).start()
        proxy.close()
        proxy.close()

        assert proxy.mode == "refuse"

    def test_switching_before_start_is_refused(self) -> None:
        with pytest.raises(RuntimeError, match="not started"):
            FaultProxy(("127.0.0.1", 1)).hang()

    def test_an_unknown_mode_is_refused(self, echo: tuple[str, int]) -> None:
        with FaultProxy(echo) as proxy, pytest.raises(ValueError, match="unknown mode"):
            proxy.set_mode("drop")  # type: ignore[arg-type]

    def test_a_chosen_port_is_used(self, echo: tuple[str, int]) -> None:
        port = closed_port()
        with FaultProxy(echo, port=port) as proxy, connect(port) as client:
            assert proxy.port == port
            assert round_trip(client, b"chosen") == b"chosen"

    def test_repr_shows_target_port_and_mode(self) -> None:
        proxy = FaultProxy(("127.0.0.1", 6379), port=4242)

        assert repr(proxy) == (
            "FaultProxy(target=('127.0.0.1', 6379), port=4242, mode='refuse')"
        )


def test_a_closed_port_refuses_connections() -> None:
    port = closed_port()

    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
