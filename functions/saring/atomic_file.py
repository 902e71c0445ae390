"""Files the CLI and the local stack write whole or not at all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


@contextmanager
def replaced_atomically(path: Path, mode: int = 0o666) -> Iterator[TextIO]:
    """A UTF-8 text stream for `path`, written beside it (`<name>.partial`, created with `mode`)
    and renamed over it once the block ends without error: a failed write never leaves half a
    file behind, and a reader sees the whole file or none."""
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        yield stream
    os.replace(partial, path)
