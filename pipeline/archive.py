"""The archive across drafts: `index.csv` (one row per draft) and `archive.long.csv` (every draft's
long form with the draft's id), rewritten after every batch into the output folder.

An office that keeps years of drafts in one output folder asks questions across them (which agency
leads what in all plans); each draft's own files answer only for that draft. The index is the
folder's record: rows of drafts this batch did not touch are carried over from the previous index
(their title is not in their other outputs), a draft with outputs but no row yet (processed before
the index existed) gets a row from its outputs, and the long forms are read from the drafts' own
`.long.csv` files, so the archive always matches what is on disk.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .export import LONG_HEADER
from .fileio import read_csv_rows, write_csv_atomic
from .lexicon import district_named
from .run import FileOutcome
from .settings import Settings

INDEX_NAME = "index.csv"
ARCHIVE_LONG_NAME = "archive.long.csv"
#: `time` is two columns: `seconds` (wall time of the draft's last run in this folder) and
#: `processed` (when its outputs were written, UTC).
INDEX_HEADER = ("draft_id", "file", "title", "district", "version", "pages", "tables", "rows", "flagged_cells",
                "status", "engine", "seconds", "processed", "message")
ARCHIVE_LONG_HEADER = ("draft_id", "district", "version", "title", "table", *LONG_HEADER)
#: A draft's version label as its title prints it: bracketed words ending in 稿 or 版 (（送审稿）,
#: (征求意见稿), 【第二稿】, （修订版）), the last such group; else such a word ending the title.
_BRACKETED_VERSION = re.compile(r"[（(【\[]([^（）()【】\[\]]{0,12}?[稿版])[）)】\]]")
_TRAILING_VERSION = re.compile(r"([^\s《》（）()]{0,8}?[稿版])\s*$")
#: Statuses a draft of this batch leaves in the index (skipped drafts keep their earlier row).
_WRITTEN = ("ok", "partial")
_RUN_JSON = ".run.json"


def version_label(title: str) -> str:
    """送审稿 from 《…》职责分工（送审稿）; "" when the title names no version."""
    bracketed = _BRACKETED_VERSION.findall(title)
    if bracketed:
        return bracketed[-1].strip()
    trailing = _TRAILING_VERSION.search(title)
    return trailing.group(1) if trailing else ""


def district_of(scope: str) -> str:
    """The district a draft's repair used, from its scope in words (`青浦区 (title); titles of …`)."""
    return district_named(scope.split(";", 1)[0]) if scope else ""


@dataclass(frozen=True)
class _TableRecord:
    """One table's run record (`X.run.json`, `X.表2.run.json`) as the index needs it."""

    stem: str
    draft: Path
    engine: str
    pages: int
    partial: bool
    knowledge: str
    written: float


def _records(out_dir: Path) -> dict[str, list[_TableRecord]]:
    """The run records in `out_dir` by draft id (the draft's stem), first table first."""
    found: dict[str, list[_TableRecord]] = {}
    for path in sorted(out_dir.glob(f"*{_RUN_JSON}")):
        stem = path.name[: -len(_RUN_JSON)]
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            draft = Path(record["draft"])
            engine = str(record["settings"]["engine"])
            pages = record.get("pages", [])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not one of ours, or damaged: `apply` names it when used
        if not (out_dir / f"{stem}.long.csv").exists():
            continue
        found.setdefault(draft.stem, []).append(_TableRecord(
            stem, draft, engine, max(1, len(pages)), any(p.get("status") == "not-read" for p in pages),
            str(record.get("knowledge", "")), path.stat().st_mtime))
    for tables in found.values():
        tables.sort(key=lambda t: (t.stem != t.draft.stem, t.stem))
    return found


def _timestamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def _row_from_outputs(draft_id: str, tables: Sequence[_TableRecord], out_dir: Path) -> dict[str, str]:
    """A row for a draft processed before the index existed: what its outputs say (no title)."""
    first = tables[0]
    rows = sum(len(read_csv_rows(out_dir / f"{t.stem}.csv")) for t in tables if (out_dir / f"{t.stem}.csv").exists())
    flagged = sum(sum(1 for r in read_csv_rows(out_dir / f"{t.stem}.review.csv") if r.get("flags"))
                  for t in tables if (out_dir / f"{t.stem}.review.csv").exists())
    return {"draft_id": draft_id, "file": str(first.draft), "title": "", "district": district_of(first.knowledge),
            "version": "", "pages": str(first.pages), "tables": str(len(tables)), "rows": str(rows),
            "flagged_cells": str(flagged), "status": "partial" if first.partial else "ok", "engine": first.engine,
            "seconds": "", "processed": _timestamp(first.written),
            "message": "title unknown: processed before the index"}


def _row_of(outcome: FileOutcome, tables: Sequence[_TableRecord], settings: Settings,
            before: dict[str, str] | None) -> dict[str, str]:
    """This batch's row for a draft it processed (written or failed)."""
    draft_id = outcome.path.stem
    if outcome.status in _WRITTEN:
        return {"draft_id": draft_id, "file": str(outcome.path.resolve()), "title": outcome.title,
                "district": district_of(outcome.scope), "version": version_label(outcome.title),
                "pages": str(outcome.pages), "tables": str(outcome.tables), "rows": str(outcome.rows),
                "flagged_cells": str(outcome.flagged), "status": outcome.status, "engine": settings.engine,
                "seconds": f"{outcome.seconds:.1f}",
                "processed": _timestamp(tables[0].written) if tables else _timestamp(datetime.now(UTC).timestamp()),
                "message": outcome.not_read}
    # Failed: the earlier outputs (if any) stay on disk and in the archive; the row says it failed now.
    row = dict(before) if before else {key: "" for key in INDEX_HEADER}
    row.update({"draft_id": draft_id, "file": str(outcome.path.resolve()), "status": "failed",
                "engine": settings.engine, "seconds": f"{outcome.seconds:.1f}",
                "processed": _timestamp(datetime.now(UTC).timestamp()), "message": outcome.message})
    return row


def write_archive(out_dir: Path, outcomes: Sequence[FileOutcome], settings: Settings) -> tuple[Path, Path]:
    """Rewrite `index.csv` and `archive.long.csv` in `out_dir` (each atomically) after a batch."""
    index_path, long_path = out_dir / INDEX_NAME, out_dir / ARCHIVE_LONG_NAME
    records = _records(out_dir)
    previous = {r["draft_id"]: r for r in read_csv_rows(index_path)} if index_path.exists() else {}
    rows = {k: {key: r.get(key, "") for key in INDEX_HEADER} for k, r in previous.items()
            if k in records or r.get("status") == "failed"}
    for draft_id, tables in records.items():
        rows.setdefault(draft_id, _row_from_outputs(draft_id, tables, out_dir))
    for outcome in outcomes:
        if outcome.status != "skipped":
            draft_id = outcome.path.stem
            rows[draft_id] = _row_of(outcome, records.get(draft_id, []), settings, rows.get(draft_id))
    ordered = [rows[k] for k in sorted(rows)]
    write_csv_atomic(index_path, INDEX_HEADER, ([row[key] for key in INDEX_HEADER] for row in ordered))
    long_rows = []
    for row in ordered:
        for table in records.get(row["draft_id"], []):
            caption = table.stem[len(row["draft_id"]) + 1:] if table.stem != row["draft_id"] else ""
            for item in read_csv_rows(out_dir / f"{table.stem}.long.csv"):
                long_rows.append([row["draft_id"], row["district"], row["version"], row["title"], caption,
                                  *(item.get(key, "") for key in LONG_HEADER)])
    write_csv_atomic(long_path, ARCHIVE_LONG_HEADER, long_rows)
    return index_path, long_path
