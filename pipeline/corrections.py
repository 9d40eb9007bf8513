"""A clerk's corrections applied to a processed draft.

Two forms are accepted: the draft's own review CSV with its `final_text` column edited (a row
counts as a correction when its final text differs from what the tool produced), or a small CSV
`cell_id,text` naming cells by the ids the review outputs show (a merged cell's id corrects every
row it spans). Corrected cells become `clerk` repairs with score 100 and lose their flags.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .errors import PipelineError
from .fileio import read_csv_rows
from .models import AGENCY_FIELDS, DraftResult, Repair, split_agencies, sub_rows

CLERK_METHOD = "clerk"
CLERK_SCORE = 100.0


class CorrectionsError(PipelineError):
    """A corrections file that cannot be applied; the message names the line."""

    exit_code = 10


@dataclass(frozen=True)
class Correction:
    row: int
    field: str
    text: str


def read_corrections(path: Path, result: DraftResult) -> tuple[Correction, ...]:
    """The corrections in `path`, resolved to (row, field) of `result`'s table."""
    try:
        records = read_csv_rows(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise CorrectionsError(str(path), f"cannot read the corrections file ({exc})") from None
    columns = set(records[0]) if records else set()
    if {"序号", "sub_row", "column", "final_text"} <= columns:
        return _from_review(path, records, result)
    if {"cell_id", "text"} <= columns:
        return _from_cell_ids(path, records, result)
    raise CorrectionsError(str(path), "expected an edited review CSV (final_text column) or a cell_id,text CSV")


def _from_review(path: Path, records: list[dict[str, str]], result: DraftResult) -> tuple[Correction, ...]:
    where = {(row.no, str(sub)): i for i, (row, sub) in enumerate(zip(result.table.rows, sub_rows(result.table),
                                                                      strict=True))}
    field_of_title = {c.name: c.role for c in result.table.columns}
    out = []
    for line, record in enumerate(records, start=2):
        field = field_of_title.get(record["column"])
        index = where.get((record["序号"], record["sub_row"]))
        if field is None or index is None:
            raise CorrectionsError(str(path), f"line {line}: no cell 序号 {record['序号']} sub-row "
                                              f"{record['sub_row']} column {record['column']} in this draft")
        text = record["final_text"].strip()
        if text != result.table.rows[index].get(field):
            out.append(Correction(index, field, text))
    return tuple(out)


def _from_cell_ids(path: Path, records: list[dict[str, str]], result: DraftResult) -> tuple[Correction, ...]:
    out = []
    for line, record in enumerate(records, start=2):
        wanted = record["cell_id"].strip()
        hits = [
            Correction(i, field, record["text"].strip())
            for i, row in enumerate(result.raw_table.rows)
            for field, source in row.sources.items()
            if wanted in source.cell_ids or wanted == ";".join(source.cell_ids)
        ]
        if not hits:
            raise CorrectionsError(str(path), f"line {line}: no cell {wanted!r} in this draft")
        out.extend(hits)
    return tuple(out)


def apply_corrections(result: DraftResult, corrections: tuple[Correction, ...]) -> DraftResult:
    """The result with the corrected texts, each recorded as a clerk repair, their flags cleared."""
    rows = list(result.table.rows)
    repairs = list(result.repairs)
    corrected = set()
    for c in corrections:
        before = rows[c.row].get(c.field)
        rows[c.row] = rows[c.row].replace(**{c.field: c.text})
        repairs.append(Repair(c.row, c.field, before, c.text, CLERK_METHOD, CLERK_SCORE))
        corrected.add((c.row, c.field))
    flags = tuple(f for f in result.flags if (f.row, f.field) not in corrected)
    return replace(result, table=replace(result.table, rows=tuple(rows)), repairs=tuple(repairs), flags=flags)


def confirmed_agencies(corrections: tuple[Correction, ...], known: set[str] | frozenset[str]) -> list[str]:
    """Agency names in corrected 牵头/配合 cells that the lexicon does not know, in order."""
    names: dict[str, None] = {}
    for c in corrections:
        if c.field in AGENCY_FIELDS:
            for name in split_agencies(c.text):
                if name not in known:
                    names.setdefault(name)
    return list(names)
