"""Durable store of answer feedback (thumbs up/down): SQLite in ``settings.index_dir``.

One connection per call (SQLite connections are not shared between threads), WAL journal so
readers never block the writer, and a busy timeout so concurrent writers wait instead of failing.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FILENAME = "feedback.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT
)
"""


class FeedbackStore:
    """Append-only feedback records in ``<index_dir>/feedback.sqlite3`` (created on first use)."""

    def __init__(self, index_dir: Path) -> None:
        self.path = Path(index_dir) / FILENAME
        self._init_lock = threading.Lock()
        self._initialised = False

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self._initialised:
            with self._init_lock:
                if not self._initialised:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    with self._open() as conn:
                        conn.execute("PRAGMA journal_mode=WAL")
                        conn.execute(_SCHEMA)
                    self._initialised = True
        with self._open() as conn:
            yield conn

    @contextmanager
    def _open(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA synchronous=NORMAL")
            yield conn
        finally:
            conn.close()

    def add(
        self,
        question: str,
        answer: str,
        citations: list[dict[str, Any]],
        rating: str,
        comment: str | None = None,
    ) -> int:
        """Store one record durably (committed before returning); returns its id."""
        if rating not in ("up", "down"):
            raise ValueError("rating must be 'up' or 'down'")
        created = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO feedback (created_at, question, answer, citations, rating, comment)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    created,
                    question,
                    answer,
                    json.dumps(citations, ensure_ascii=False),
                    rating,
                    comment,
                ),
            )
            return int(cursor.lastrowid or 0)

    def list(self, limit: int = 1000, offset: int = 0) -> list[dict[str, Any]]:
        """Records, newest first."""
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, created_at, question, answer, citations, rating, comment"
                " FROM feedback ORDER BY id DESC LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return [
            {
                "id": r[0],
                "created_at": r[1],
                "question": r[2],
                "answer": r[3],
                "citations": json.loads(r[4]),
                "rating": r[5],
                "comment": r[6],
            }
            for r in rows
        ]

    def count(self) -> int:
        if not self.path.exists():
            return 0
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])


_stores: dict[Path, FeedbackStore] = {}
_stores_lock = threading.Lock()


def get_store(index_dir: Path) -> FeedbackStore:
    """The process-wide store for ``index_dir``."""
    key = Path(index_dir).resolve()
    with _stores_lock:
        if key not in _stores:
            _stores[key] = FeedbackStore(key)
        return _stores[key]
