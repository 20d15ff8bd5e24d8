"""The request-id context variable and the filter that stamps records."""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import async_to_sync, sync_to_async

from django_strict_core.log import RequestIDFilter, get_request_id
from django_strict_core.log.context import request_id_var


def record() -> logging.LogRecord:
    return logging.LogRecord("tests", logging.INFO, __file__, 1, "msg", None, None)


def test_no_request_id_outside_a_request() -> None:
    assert get_request_id() is None


def test_filter_stamps_the_current_id_and_never_drops() -> None:
    token = request_id_var.set("req-1")
    try:
        item = record()
        assert RequestIDFilter().filter(item) is True
    finally:
        request_id_var.reset(token)

    assert item.request_id == "req-1"


def test_filter_uses_its_default_outside_a_request() -> None:
    item = record()

    RequestIDFilter(default="-").filter(item)

    assert item.request_id == "-"


def test_explicit_request_id_wins() -> None:
    item = record()
    item.request_id = "given"
    token = request_id_var.set("current")
    try:
        RequestIDFilter().filter(item)
    finally:
        request_id_var.reset(token)

    assert item.request_id == "given"


def test_id_follows_into_sync_to_async_threads_and_stays_in_its_task() -> None:
    async def serve(request_id: str) -> tuple[str | None, str | None]:
        request_id_var.set(request_id)
        await asyncio.sleep(0)
        in_thread = await sync_to_async(get_request_id, thread_sensitive=False)()
        return get_request_id(), in_thread

    async def main() -> list[tuple[str | None, str | None]]:
        return list(await asyncio.gather(serve("a"), serve("b")))

    assert async_to_sync(main)() == [("a", "a"), ("b", "b")]
    assert get_request_id() is None
