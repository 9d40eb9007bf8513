"""Read a clean table CSV (as the tool writes it) back into a `Table`, and turn a `Table` into CSV rows."""

from __future__ import annotations

import csv
from pathlib import Path

from pipeline.errors import NotADraft
from pipeline.models import CSV_HEADER, Row, Table


def read_table_csv(path: Path) -> Table:
    """The table of a clean CSV, BOM or not; raises `NotADraft` when the file is not one."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            records = list(csv.reader(handle))
    except UnicodeDecodeError as exc:
        raise NotADraft(str(path), f"not a clean table CSV: not UTF-8 text ({exc.reason})") from exc
    except csv.Error as exc:
        raise NotADraft(str(path), f"not a clean table CSV: {exc}") from exc
    header = tuple(records[0]) if records else ()
    if header != CSV_HEADER:
        raise NotADraft(
            str(path),
            f"not a clean table CSV: header {','.join(header)!r}, expected {','.join(CSV_HEADER)!r}",
        )
    rows: list[Row] = []
    for line_no, record in enumerate(records[1:], start=2):
        if not any(record):
            continue  # a blank line, as some editors leave at the end
        if len(record) != len(CSV_HEADER):
            raise NotADraft(
                str(path),
                f"not a clean table CSV: record {line_no} has {len(record)} fields, not {len(CSV_HEADER)}",
            )
        rows.append(Row(*record))
    return Table(title=path.stem, rows=tuple(rows), source=str(path))


def table_rows(table: Table) -> list[list[str]]:
    """The body rows of the clean CSV of `table`, in CSV_HEADER order."""
    return [row.as_csv_row() for row in table.rows]
