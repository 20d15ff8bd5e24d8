"""Fault proxies in their own process, driven by NAME MODE lines on standard input."""

from __future__ import annotations

import io
import runpy
import sys

import pytest

from django_strict_core.testing import ProxyProcess
from django_strict_core.testing.process import main
from tests.testing.conftest import SILENCE, connect, refuses_connections, round_trip


class TestProxyProcess:
    def test_it_reports_a_port_per_proxy_and_obeys_its_commands(
        self, echo: tuple[str, int]
    ) -> None:
        with ProxyProcess({"echo": echo, "other": echo}) as proxies:
            port = proxies.ports["echo"]
            with connect(port) as client:
                first = round_trip(client, b"one")
            proxies.set_mode("echo", "refuse")
            refused = refuses_connections(port)
            proxies.set_mode("echo", "forward")
            with connect(port) as client:
                proxies.set_mode("echo", "hang")
                with pytest.raises(TimeoutError):
                    round_trip(client, b"two", timeout=SILENCE)
                proxies.set_mode("echo", "forward")
                held = client.recv(3)

        assert set(proxies.ports) == {"echo", "other"}
        assert proxies.ports["echo"] != proxies.ports["other"]
        assert (first, refused, held) == (b"one", True, b"two")

    def test_an_unknown_proxy_or_mode_is_an_error(self, echo: tuple[str, int]) -> None:
        with ProxyProcess({"echo": echo}) as proxies:
            with pytest.raises(RuntimeError, match="answered 'error nowhere forward'"):
                proxies.set_mode("nowhere", "forward")
            with pytest.raises(RuntimeError, match="answered 'error echo drop'"):
                proxies.set_mode("echo", "drop")  # type: ignore[arg-type]

    def test_closing_ends_the_process_and_its_proxies(
        self, echo: tuple[str, int]
    ) -> None:
        proxies = ProxyProcess({"echo": echo})
        port = proxies.ports["echo"]
        proxies.close()
        proxies.close()

        assert refuses_connections(port)

    def test_a_process_that_cannot_start_is_reported(self) -> None:
        with pytest.raises(RuntimeError, match="proxy process exited with status 2"):
            ProxyProcess({"bad name": ("127.0.0.1", 1)})


class TestCommandLine:
    def test_it_answers_each_command_and_closes_at_the_end_of_input(
        self, echo: tuple[str, int]
    ) -> None:
        host, port = echo
        out = io.StringIO()
        commands = io.StringIO("echo hang\necho forward\necho sideways\nnone hang\n")

        status = main([f"echo={host}:{port}"], stdin=commands, stdout=out)

        word, name, proxy_port = out.getvalue().splitlines()[0].split()
        assert status == 0
        assert (word, name) == ("ready", "echo")
        assert out.getvalue().splitlines()[1:] == [
            "ok echo hang",
            "ok echo forward",
            "error echo sideways",
            "error none hang",
        ]
        assert refuses_connections(int(proxy_port))

    @pytest.mark.parametrize(
        "target", ["echo", "echo=127.0.0.1", "echo=host:port", "two words=127.0.0.1:1"]
    )
    def test_a_malformed_target_is_a_usage_error(
        self, target: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with pytest.raises(SystemExit) as exited:
            main([target], stdin=io.StringIO(), stdout=io.StringIO())

        assert exited.value.code == 2
        assert "expected NAME=HOST:PORT" in capsys.readouterr().err

    def test_an_ipv6_host_in_brackets_is_read(self) -> None:
        out = io.StringIO()

        main(["v6=[::1]:6379"], stdin=io.StringIO(), stdout=out)

        assert out.getvalue().startswith("ready v6 ")


def test_python_m_runs_the_command_line(
    echo: tuple[str, int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    host, port = echo
    monkeypatch.setattr(
        sys, "argv", ["django_strict_core.testing", f"echo={host}:{port}"]
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO("echo refuse\n"))

    with pytest.raises(SystemExit) as exited:
        runpy.run_module("django_strict_core.testing", run_name="__main__")

    assert exited.value.code == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["ok echo refuse"]
