"""A read that races a delete (chromadb's "Error finding id") is tried again, then a 503."""

from __future__ import annotations

import pytest
from chromadb.errors import InternalError

from newsqa.components.store.races import RACE_ATTEMPTS, read_racing_deletes
from newsqa.errors import IndexUnavailable


def flaky(failures: int):  # type: ignore[no-untyped-def]
    calls = []

    def read() -> str:
        calls.append(1)
        if len(calls) <= failures:
            raise InternalError("Error executing plan: Internal error: Error finding id")
        return "rows"

    return read, calls


def test_a_read_that_raced_a_delete_is_tried_again() -> None:
    read, calls = flaky(RACE_ATTEMPTS - 1)
    assert read_racing_deletes(read) == "rows"
    assert len(calls) == RACE_ATTEMPTS


def test_a_read_that_keeps_failing_is_a_503_not_a_500() -> None:
    read, calls = flaky(RACE_ATTEMPTS)
    with pytest.raises(IndexUnavailable, match="ask again") as info:
        read_racing_deletes(read)
    assert info.value.status_code == 503 and len(calls) == RACE_ATTEMPTS


def test_other_errors_are_not_retried() -> None:
    calls = []

    def read() -> None:
        calls.append(1)
        raise ValueError("bad filter")

    with pytest.raises(ValueError, match="bad filter"):
        read_racing_deletes(read)
    assert len(calls) == 1
