"""Scoring a predicted clean table against its truth: row alignment, exact rates, CER, agency F1.

Pure functions over `Table`s; the evaluation suite and the tests do the reading and writing.

Rows are aligned by (序号, sub-row order) when the prediction has the truth's rows; otherwise by a
monotone alignment that pairs rows on 序号 and requirement similarity, so a missing, extra, split
or merged row costs only itself. Unmatched truth rows count as wrong in every column; unmatched
predicted rows add their characters to the CER (insertions) and their agencies to the false
positives of the agency F1.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from rapidfuzz.distance import Levenshtein

from . import models
from .models import CSV_HEADER, STANDARD_ROLES, Column, Row, Table
from .profile import TableProfile, load_profile

#: The standard roles, scored for every table (序号 first).
COLUMNS: tuple[str, ...] = STANDARD_ROLES
#: Printed title of each scored column.
COLUMN_TITLES: Mapping[str, str] = dict(zip(COLUMNS, CSV_HEADER, strict=True))
ROLE_LEAD, ROLE_SUPPORT, ROLE_RESPONSIBLE = "牵头", "配合", "责任"
AGENCY_ROLES = {"lead": ROLE_LEAD, "support": ROLE_SUPPORT, "responsible": ROLE_RESPONSIBLE}
#: Two rows whose 序号 differ are paired only when their requirements are at least this similar
#: (normalized Levenshtein similarity, 0..1): a misread 序号 should not unpair a row whose text was
#: read, but two different rows must not be paired on a few shared words.
MIN_TEXT_SIMILARITY = 0.6
#: Rows whose 序号 agree are paired only when their requirements are at least this similar, so that
#: a garbled requirement still pairs while a row of another sub-row position does not win by 序号.
MIN_TEXT_SIMILARITY_SAME_NO = 0.0
#: Weight of an agreeing 序号 in the pairing score (requirement similarity weighs 1).
NO_WEIGHT = 1.0
#: Besides digits, the characters a right-aligned (numeric) printed cell may hold.
NUMERIC_CHARS = frozenset(".%/-×x ")


def normalize(text: str) -> str:
    """NFKC with all whitespace removed: what the CER compares (line breaks and spaces are layout)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def split_agencies(value: str) -> list[str]:
    """The agencies of a 牵头/配合 cell, whitespace removed."""
    return [a for a in (normalize(name) for name in models.split_agencies(value)) if a]


def sub_row_keys(table: Table) -> list[tuple[str, int]]:
    """(序号, 1-based position within its item) of each row."""
    return [(row.no, sub) for row, sub in zip(table.rows, models.sub_rows(table), strict=True)]


def rows_to_table(rows: Sequence[Mapping[str, str]], title: str = "truth",
                  profile: TableProfile | None = None) -> Table:
    """A Table from CSV-like dicts keyed by output column names (as `scangen.load_truth` gives
    them): the six standard columns, then any others (三级指标, 完成时限, 责任单位 …) by the profile."""
    profile = profile or load_profile()
    names = list(dict.fromkeys(k for r in rows for k in r))
    columns = [Column(role, name) for role, name in zip(STANDARD_ROLES, CSV_HEADER, strict=True)]
    columns += [Column(profile.role_of_column(n), n) for n in names if n not in CSV_HEADER]
    out = tuple(Row({c.role: str(r.get(c.name, "") or "").strip() for c in columns}) for r in rows)
    return Table(title, out, columns=tuple(columns))


@dataclass(frozen=True)
class Scores:
    """How well one predicted table matches its truth; rates are over truth rows, in 0..1."""

    rows_found: int
    rows_expected: int
    rows_matched: int
    exact_no: float
    exact_level1: float
    exact_level2: float
    exact_requirement: float
    exact_lead: float
    exact_support: float
    requirement_cer: float
    requirement_errors: int
    requirement_chars: int
    agency_precision: float
    agency_recall: float
    agency_f1: float
    #: Exact rates of the truth's columns beyond the standard six (三级指标, 完成时限 …), by name.
    exact_other: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def exact(self) -> dict[str, float]:
        """Exact-match rate of each column, keyed by its CSV header title."""
        return {COLUMN_TITLES[c]: float(getattr(self, f"exact_{c}")) for c in COLUMNS} | dict(self.exact_other)


def _pair_score(truth: Row, pred: Row) -> float | None:
    """How well two rows correspond, or None when they must not be paired."""
    same_no = truth.no.strip() == pred.no.strip()
    similarity = Levenshtein.normalized_similarity(normalize(truth.get("requirement")),
                                                   normalize(pred.get("requirement")))
    floor = MIN_TEXT_SIMILARITY_SAME_NO if same_no else MIN_TEXT_SIMILARITY
    if similarity < floor:
        return None
    return similarity + (NO_WEIGHT if same_no else 0.0)


def align_rows(truth: Table, predicted: Table) -> list[tuple[int | None, int | None]]:
    """Pairs (truth index, predicted index) in reading order; None on one side for an unmatched row.

    Identical (序号, sub-row) key sequences align one to one; otherwise a monotone alignment with
    the largest total pairing score (an LCS-style dynamic programme over the two row lists).
    """
    if sub_row_keys(truth) == sub_row_keys(predicted):
        return [(i, i) for i in range(len(truth.rows))]
    n, m = len(truth.rows), len(predicted.rows)
    pair = [[_pair_score(t, p) for p in predicted.rows] for t in truth.rows]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            score = pair[i][j]
            if score is not None:
                options.append(score + best[i + 1][j + 1])
            best[i][j] = max(options)
    out: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n and j < m:
        score = pair[i][j]
        if score is not None and best[i][j] == score + best[i + 1][j + 1]:
            out.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            out.append((i, None))
            i += 1
        else:
            out.append((None, j))
            j += 1
    out.extend((k, None) for k in range(i, n))
    out.extend((None, k) for k in range(j, m))
    return out


def _agency_tuples(row: Row, key: tuple[str, int]) -> set[tuple[str, int, str, str]]:
    return {(key[0], key[1], a, word) for role, word in AGENCY_ROLES.items() for a in split_agencies(row.get(role))}


def _ratio(num: float, den: float, empty: float) -> float:
    return num / den if den else empty


def score_table(predicted: Table, truth: Table) -> Scores:
    """Scores of `predicted` against `truth` (see the module docstring for how rows are paired).

    Agencies of a predicted row are keyed by the (序号, sub-row) of the truth row it is paired with,
    so a misread 序号 is charged to the 序号 column only; an unpaired row keeps its own key.
    """
    pairs = align_rows(truth, predicted)
    truth_keys, pred_keys = sub_row_keys(truth), sub_row_keys(predicted)
    other = [c for c in truth.columns if c.role not in COLUMNS]
    exact = dict.fromkeys((*COLUMNS, *(c.role for c in other)), 0)
    errors = chars = 0
    truth_agencies: set[tuple[str, int, str, str]] = set()
    pred_agencies: set[tuple[str, int, str, str]] = set()
    matched = 0
    for ti, pi in pairs:
        t_row = truth.rows[ti] if ti is not None else None
        p_row = predicted.rows[pi] if pi is not None else None
        t_req = normalize(t_row.get("requirement")) if t_row else ""
        p_req = normalize(p_row.get("requirement")) if p_row else ""
        chars += len(t_req)
        errors += Levenshtein.distance(t_req, p_req)
        if t_row is not None and ti is not None:
            truth_agencies |= _agency_tuples(t_row, truth_keys[ti])
        if p_row is not None and pi is not None:
            pred_agencies |= _agency_tuples(p_row, truth_keys[ti] if ti is not None else pred_keys[pi])
        if t_row is not None and p_row is not None:
            matched += 1
            for column in exact:
                exact[column] += t_row.get(column) == p_row.get(column)
    expected = len(truth.rows)
    hits = len(truth_agencies & pred_agencies)
    precision = _ratio(hits, len(pred_agencies), 1.0 if not truth_agencies else 0.0)
    recall = _ratio(hits, len(truth_agencies), 1.0)
    f1 = _ratio(2 * precision * recall, precision + recall, 0.0)
    return Scores(
        rows_found=len(predicted.rows), rows_expected=expected, rows_matched=matched,
        **{f"exact_{c}": _ratio(exact[c], expected, 1.0) for c in COLUMNS},
        requirement_cer=_ratio(errors, chars, 0.0 if not errors else 1.0),
        requirement_errors=errors, requirement_chars=chars,
        agency_precision=precision, agency_recall=recall, agency_f1=f1,
        exact_other=MappingProxyType({c.name: _ratio(exact[c.role], expected, 1.0) for c in other}),
    )


@dataclass(frozen=True)
class WrongCell:
    """A cell of a paired row whose text is not the truth's: where it is, and both texts."""

    truth_row: int
    predicted_row: int
    role: str
    expected: str
    read: str


def wrong_cells(predicted: Table, truth: Table) -> list[WrongCell]:
    """Every standard-column cell of a paired row that differs from the truth, in truth order."""
    out: list[WrongCell] = []
    for ti, pi in align_rows(truth, predicted):
        if ti is None or pi is None:
            continue
        for role in COLUMNS:
            expected, read = truth.rows[ti].get(role), predicted.rows[pi].get(role)
            if expected != read:
                out.append(WrongCell(ti, pi, role, expected, read))
    return out


def silent_cells(wrong: Sequence[WrongCell], flagged: Collection[tuple[int, str]]) -> list[WrongCell]:
    """The wrong cells no flag points at ((predicted row, role) pairs): errors a clerk who checks
    every flagged cell would still miss. The measure of "never guess silently"."""
    return [cell for cell in wrong if (cell.predicted_row, cell.role) not in flagged]


def display_width(text: str) -> int:
    """Terminal columns `text` takes, or widths of "0" in a spreadsheet column: wide (CJK, full-width)
    characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - display_width(text))
    return fill + text if right else text + fill


def format_markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown pipe table padded so that it also lines up in a terminal; numbers right-aligned."""
    widths = [max(display_width(str(line[i])) for line in [header, *rows]) for i in range(len(header))]
    numeric = [_numeric_column([str(r[i]) for r in rows]) for i in range(len(header))]
    out = ["| " + " | ".join(_pad(h, w, False) for h, w in zip(header, widths, strict=True)) + " |",
           "|" + "|".join(("-" * (w + 1) + ":") if num else ("-" * (w + 2))
                          for w, num in zip(widths, numeric, strict=True)) + "|"]
    for row in rows:
        out.append("| " + " | ".join(_pad(str(c), w, num)
                                     for c, w, num in zip(row, widths, numeric, strict=True)) + " |")
    return "\n".join(out)


def _numeric_column(cells: Sequence[str]) -> bool:
    """A column is right-aligned when its non-empty cells are all numbers."""
    filled = [c for c in cells if c]
    return bool(filled) and all(_looks_numeric(c) for c in filled)


def _looks_numeric(text: str) -> bool:
    """Cells of digits, points, slashes, signs and x are right-aligned."""
    return any(c.isdigit() for c in text) and all(c.isdigit() or c in NUMERIC_CHARS for c in text)


def scores_cells(scores: Scores) -> list[str]:
    """The printed cells of one Scores row: rows found/expected, exact % per column, CER %, F1 %."""
    return [
        f"{scores.rows_found}/{scores.rows_expected}",
        *(f"{100 * float(getattr(scores, f'exact_{c}')):.1f}" for c in COLUMNS),
        f"{100 * scores.requirement_cer:.2f}",
        f"{100 * scores.agency_f1:.1f}",
        "; ".join(f"{name} {100 * rate:.1f}" for name, rate in scores.exact_other.items()),
    ]


SCORES_HEADER: tuple[str, ...] = (
    "rows", *(f"{t} %" for t in CSV_HEADER), "工作要求 CER %", "agency F1 %", "other columns exact %",
)


def format_scores_table(
    named: Mapping[str, Scores], extra: Mapping[str, Mapping[str, str]] | None = None
) -> str:
    """One Markdown row per variant; `extra` adds columns (e.g. seconds) by variant name."""
    extra = extra or {}
    extra_cols = list(dict.fromkeys(col for cols in extra.values() for col in cols))
    header = ["variant", *SCORES_HEADER, *extra_cols]
    rows = [[name, *scores_cells(s), *(extra.get(name, {}).get(c, "") for c in extra_cols)]
            for name, s in named.items()]
    return format_markdown(header, rows)
