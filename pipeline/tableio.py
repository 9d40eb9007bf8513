"""Read a clean table CSV (as the tool writes it) back into a `Table`, and turn a `Table` into CSV rows."""

from __future__ import annotations

import csv
from pathlib import Path

from pipeline.errors import NotADraft
from pipeline.models import CSV_HEADER, STANDARD_ROLES, Column, Row, Table
from pipeline.profile import TableProfile, load_profile


def read_table_csv(path: Path, profile: TableProfile | None = None) -> Table:
    """The table of a clean CSV, BOM or not; raises `NotADraft` when the file is not one.

    The six standard columns must come first (the tool always writes them); the columns after
    them (三级指标, 完成时限, …, or a draft's own) get their roles from the profile.
    """
    profile = profile or load_profile()
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            records = list(csv.reader(handle))
    except UnicodeDecodeError as exc:
        raise NotADraft(str(path), f"not a clean table CSV: not UTF-8 text ({exc.reason})") from exc
    except csv.Error as exc:
        raise NotADraft(str(path), f"not a clean table CSV: {exc}") from exc
    header = tuple(records[0]) if records else ()
    if header[:len(CSV_HEADER)] != CSV_HEADER:
        raise NotADraft(
            str(path),
            f"not a clean table CSV: header {','.join(header)!r}, expected {','.join(CSV_HEADER)!r} first",
        )
    columns = tuple(Column(STANDARD_ROLES[i] if i < len(STANDARD_ROLES) else profile.role_of_column(name), name)
                    for i, name in enumerate(header))
    roles = [c.role for c in columns]
    rows: list[Row] = []
    for line_no, record in enumerate(records[1:], start=2):
        if not any(record):
            continue  # a blank line, as some editors leave at the end
        if len(record) != len(header):
            raise NotADraft(
                str(path),
                f"not a clean table CSV: record {line_no} has {len(record)} fields, not {len(header)}",
            )
        rows.append(Row(dict(zip(roles, record, strict=True))))
    return Table(title=path.stem, rows=tuple(rows), source=str(path), columns=columns)


def table_rows(table: Table) -> list[list[str]]:
    """The body rows of the clean CSV of `table`, in its column order."""
    return table.csv_rows()
