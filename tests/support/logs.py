"""Capture of the JSON lines a real ``LOGGING`` configuration writes to stdout."""

from __future__ import annotations

import json
from typing import Any

import pytest


class LogCapture:
    """JSON lines written to stdout through a real ``LOGGING`` dict."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys
        self._lines: list[dict[str, Any]] = []
        self.text = ""

    def lines(self) -> list[dict[str, Any]]:
        """Every stdout line so far, each parsed as one JSON object."""
        captured = self._capsys.readouterr()
        assert captured.err == "", f"unexpected stderr output: {captured.err!r}"
        self.text += captured.out
        for raw in captured.out.split("\n")[:-1]:
            try:
                line = json.loads(raw)
            except json.JSONDecodeError:
                pytest.fail(f"a stdout line is not JSON: {raw!r}")
            assert isinstance(line, dict), raw
            self._lines.append(line)
        assert captured.out == "" or captured.out.endswith("\n")
        return list(self._lines)

    def by_logger(self, name: str) -> list[dict[str, Any]]:
        """The lines of one logger."""
        return [line for line in self.lines() if line.get("logger") == name]
