"""A clerk's corrections applied to a processed draft.

Two forms are accepted: the draft's own review CSV with its `final_text` column edited (a row
counts as a correction when its final text differs from what the tool produced), or a small CSV
`cell_id,text` naming cells by the ids the review outputs show (a merged cell's id corrects every
row it spans). Corrected cells become `clerk` repairs with score 100 and lose their flags.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import PipelineError
from .fileio import read_csv_rows
from .models import AGENCY_FIELDS, DraftResult, Repair, split_agencies, sub_rows

if TYPE_CHECKING:
    from .lexicon import Lexicon
    from .settings import Settings

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


@dataclass(frozen=True)
class Lessons:
    """What `apply --learn` teaches the lexicon from a corrected draft, and where it goes."""

    agencies: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...]  # (spelling as the draft printed it, canonical name)
    district: str  # the draft's district: agencies and aliases go to its section ("" common)
    document: str  # the draft's document title: its titles go to that section
    level1: tuple[tuple[str, str], ...]  # (numeral, title)
    level2: tuple[tuple[int, str, str], ...]  # (number, parent numeral, title)


def lessons_of(corrections: tuple[Correction, ...], result: DraftResult, lexicon: Lexicon,
               settings: Settings) -> Lessons:
    """Agencies and aliases the clerk confirmed, and the draft's titles as corrected.

    An agency name the clerk wrote that the draft's lexicon lacks is a new agency; a name the tool
    kept as read (unknown) that the clerk replaced, one for one in the cell, by a name that is not a
    mere OCR repair of it (beyond the fuzzy budget) is a new alias of it. Every title of the corrected
    table is learned into the draft's document section (the clerk has reviewed the draft).
    """
    from .lexicon import numeral_value
    from .repair import agency_score, draft_scope, split_numeral

    scope = draft_scope(result.raw_table, lexicon, settings)
    view = lexicon.view(scope.district, scope.document)
    known = set(view.canonical_of)
    names = confirmed_agencies(corrections, known)
    aliases: dict[tuple[str, str], None] = {}
    for c in corrections:
        if c.field not in AGENCY_FIELDS:
            continue
        before = split_agencies(result.table.rows[c.row].get(c.field))
        after = split_agencies(c.text)
        if len(before) != len(after):
            continue
        for read, name in zip(before, after, strict=True):
            if read != name and read not in known and agency_score(read, name) < settings.agency_min_score:
                aliases.setdefault((read, view.canonical_of.get(name, name)))
    table = apply_corrections(result, corrections).table
    level1: dict[str, str] = {}
    level2: dict[int, tuple[str, str]] = {}
    for row in table.rows:
        numeral, title = split_numeral(row.get("level1"))
        if numeral and title:
            level1.setdefault(numeral, title)
        if row.no.isdigit() and row.get("level2") and numeral_value(numeral):
            level2.setdefault(int(row.no), (numeral, row.get("level2")))
    document = scope.document.title if scope.document and not scope.document.previous else ""
    return Lessons(tuple(names), tuple(aliases), scope.district, document or result.table.title,
                   tuple(level1.items()), tuple((n, p, t) for n, (p, t) in level2.items()))
