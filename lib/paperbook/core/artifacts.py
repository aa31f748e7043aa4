"""Atomic, staged outputs: a run writes into <outputs>.partial/ and swaps it in only when it finishes,
so an interrupted run never leaves a half-written file or a mix of two runs' outputs."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call write(tmp) on a temporary file beside `path`, then rename it over `path` (atomic on POSIX)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


class StagedDir:
    """A folder written under `<final>.partial` and moved to `final` by commit()."""

    def __init__(self, final: Path):
        self.final = Path(final)
        self.partial = self.final.with_name(self.final.name + ".partial")
        shutil.rmtree(self.partial, ignore_errors=True)  # leftovers of an interrupted run
        self.partial.mkdir(parents=True)

    def path(self, name: str) -> Path:
        if Path(name).name != name or name in ("", ".", ".."):
            raise ValueError(f"output names are plain file names, got {name!r}")
        return self.partial / name

    def commit(self) -> Path:
        """Replace the final folder by the staged one (two renames; the old one is removed after)."""
        old = self.final.with_name(self.final.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.final.exists():
            os.replace(self.final, old)
        os.replace(self.partial, self.final)
        shutil.rmtree(old, ignore_errors=True)
        return self.final
