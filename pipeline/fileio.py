"""Atomic file writing: a crash or Ctrl-C never leaves half a file, and a good file is replaced
only by a complete new one."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

#: Byte order mark that makes Excel and WPS open a UTF-8 CSV as UTF-8.
UTF8_BOM = "\ufeff"


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]], bom: bool = True) -> str:
    """A CSV document as text (UTF-8 with BOM by default, CRLF line ends as Excel writes)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return (UTF8_BOM if bom else "") + buffer.getvalue()


def write_csv_atomic(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    write_text_atomic(path, csv_text(header, rows))


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV written by this tool (or by Excel), BOM or not."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))
