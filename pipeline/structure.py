"""Table structure: the pages' cells → the rows of one logical table.

Columns are mapped by the header row (repeated on every page or only on the first); a row is one
工作要求 cell, and every other column's value is the cell beside it, so merged cells (rowspans)
fill every row they span. A table continues across pages: a merged 一级/二级 cell cut by a page
break is joined with its other part, and a row whose text runs on to the next page is joined
with its continuation. Item numbers are left inside the 二级 text for the repair stage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from rapidfuzz import fuzz

from .models import FIELD_TITLES, FIELDS, CellText, FieldSource, PageCells, Row, Table

#: A cell is a header cell when its text matches a column title at least this well (0..100);
#: OCR of the wrapped headers (一级 / 指标) is usually exact, this leaves room for one wrong character.
HEADER_MIN_SCORE = 70.0
#: A row is the header row when this many of its cells match column titles.
HEADER_MIN_MATCHES = 3
#: Added to a header match in its usual column: breaks ties, never outweighs a clearly better match.
HEADER_ORDER_BONUS = 0.5
#: The header row is looked for among the first rows of a page only.
HEADER_SEARCH_ROWS = 3
#: The numeral prefix that starts a 一级 title (一、) and the number that starts an item (12、, 3.).
#: Vertical 、 is often read as - or ·, hence the wide class of separators.
LEVEL1_START = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.,，．\-—·:：]")
LEVEL2_START = re.compile(r"^\s*\d{1,3}\s*[.、,，．\-—·:：]")
#: A requirement that does not end a sentence is cut by the page break, not finished.
SENTENCE_END = ("。", "；", ";", ".", "！", "？")


@dataclass
class _RawRow:
    """A row under construction: per field, the cells (ids) whose text it takes."""

    page: int
    cells: dict[str, list[str]]


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def find_header(page: PageCells) -> tuple[int, dict[int, str]] | None:
    """(last header grid row, {grid column: field}) if the page has a header row."""
    by_row: dict[int, list[CellText]] = {}
    for ct in page.cells:
        by_row.setdefault(ct.cell.row, []).append(ct)
    for row in sorted(by_row)[:HEADER_SEARCH_ROWS]:
        candidates = []
        for ct in by_row[row]:
            text = _compact(ct.text)
            for f, title in FIELD_TITLES.items():
                score = fuzz.ratio(text, title)
                if text and score >= HEADER_MIN_SCORE:
                    # On a tie (三级指标 is as close to 一级 as to 二级) the usual column order decides.
                    in_order = FIELDS.index(f) == ct.cell.col
                    candidates.append((score + (HEADER_ORDER_BONUS if in_order else 0.0), ct, f))
        mapping: dict[int, str] = {}
        last_row = row
        for _, ct, f in sorted(candidates, key=lambda c: -c[0]):
            if ct.cell.col not in mapping and f not in mapping.values():
                mapping[ct.cell.col] = f
                last_row = max(last_row, ct.cell.row + ct.cell.row_span - 1)
        if len(mapping) >= HEADER_MIN_MATCHES:
            return last_row, mapping
    return None


def _complete_mapping(mapping: dict[int, str], n_cols: int) -> dict[int, str] | None:
    """Fill an unread header cell when exactly one column and one field are left over."""
    missing_fields = [f for f in FIELDS if f not in mapping.values()]
    missing_cols = [c for c in range(n_cols) if c not in mapping]
    if len(missing_fields) == 1 and len(missing_cols) == 1:
        mapping = {**mapping, missing_cols[0]: missing_fields[0]}
    return mapping if "requirement" in mapping.values() else None


def _page_rows(page: PageCells, header_end: int, mapping: dict[int, str]) -> list[_RawRow]:
    """The page's rows: one per 工作要求 cell below the header, with the cells beside it."""
    field_cols = {f: c for c, f in mapping.items()}
    requirement_col = field_cols["requirement"]
    data = [ct.cell for ct in page.cells if ct.cell.row > header_end]
    rows = []
    for req in sorted((c for c in data if c.col == requirement_col), key=lambda c: c.row):
        top, bottom = req.row, req.row + req.row_span
        cells: dict[str, list[str]] = {}
        for f in FIELDS:
            col = field_cols.get(f)
            beside = [
                c for c in data
                if col is not None and c.col <= col < c.col + c.col_span and c.row < bottom and top < c.row + c.row_span
            ]
            cells[f] = [c.cell_id for c in sorted(beside, key=lambda c: c.row)]
        rows.append(_RawRow(page.page, cells))
    return rows


class _Cells:
    """The cells' texts, and which cells are parts of one merged cell cut by page breaks."""

    def __init__(self, pages: Sequence[PageCells]) -> None:
        self.texts = {ct.cell.cell_id: ct for page in pages for ct in page.cells}
        self._group: dict[str, str] = {}  # cell id -> first cell id of its joined cell
        self._parts: dict[str, list[str]] = {}  # first cell id -> all parts, in page order

    def parts(self, cell_id: str) -> list[str]:
        first = self._group.get(cell_id, cell_id)
        return self._parts.get(first, [first])

    def text(self, cell_ids: Sequence[str]) -> str:
        return "\n".join(self.texts[c].text for c in dict.fromkeys(cell_ids) if self.texts[c].text)

    def join(self, upper: str, lower: str) -> None:
        merged = self.parts(upper) + self.parts(lower)
        self._parts.pop(self._group.get(lower, lower), None)
        self._parts[merged[0]] = merged
        for cell_id in merged:
            self._group[cell_id] = merged[0]


def build_table(pages: Sequence[PageCells], source: str = "") -> Table:
    """One logical table from the pages in order; an empty table when no page has one."""
    cells = _Cells(pages)
    rows: list[_RawRow] = []
    mapping: dict[int, str] | None = None
    n_cols_seen = 0
    for page in pages:
        n_cols = max(0, len(page.grid.col_lines) - 1)
        header = find_header(page)
        if header is not None:
            header_end, found = header
            if mapping is None or n_cols != n_cols_seen:
                mapping, n_cols_seen = _complete_mapping(found, n_cols), n_cols
            # else: a repeated header; the columns of one table keep their order, and a misread
            # repeated header (二级 read as 一级) must not reorder them.
        elif mapping is None and n_cols == len(FIELDS):
            header_end, mapping, n_cols_seen = -1, dict(enumerate(FIELDS)), n_cols
        elif mapping is not None and n_cols == n_cols_seen:
            header_end = -1  # the header is printed on the first page only
        else:
            continue
        if mapping is None:
            continue
        page_rows = _page_rows(page, header_end, mapping)
        if rows and page_rows and _join_across_break(rows[-1], page_rows[0], cells):
            page_rows.pop(0)
        rows.extend(page_rows)

    table_rows = []
    for raw in rows:
        values, sources = {}, {}
        for f in FIELDS:
            ids = raw.cells[f]
            if f in ("level1", "level2") and ids:
                ids = cells.parts(ids[0])
            values[f] = cells.text(ids)
            sources[f] = _source(ids, cells.texts)
        table_rows.append(Row(no="", **values, sources=MappingProxyType(sources)))
    return Table(title="", rows=tuple(table_rows), source=source)


def _join_across_break(prev: _RawRow, first: _RawRow, cells: _Cells) -> bool:
    """Join what a page break cut: merged title cells, and a row that runs on to the next page.

    Returns True when `first` continues `prev` and has been folded into it.
    """
    same_item = False
    for f, start in (("level1", LEVEL1_START), ("level2", LEVEL2_START)):
        if not prev.cells[f] or not first.cells[f]:
            continue
        upper, lower = prev.cells[f][-1], first.cells[f][0]
        if cells.parts(upper) == cells.parts(lower):
            continue
        upper_text, lower_text = cells.text(cells.parts(upper)), cells.text(cells.parts(lower))
        if not upper_text or not lower_text or not start.match(lower_text):
            cells.join(upper, lower)
            same_item = same_item or f == "level2"
    if not same_item:
        return False
    prev_requirement = cells.text(prev.cells["requirement"]).rstrip()
    first_requirement = cells.text(first.cells["requirement"]).strip()
    no_agencies = not cells.text(first.cells["lead"]).strip() and not cells.text(first.cells["support"]).strip()
    if first_requirement and not no_agencies and prev_requirement.endswith(SENTENCE_END):
        return False  # a new sub-row of the same item starts the page
    for f in ("requirement", "lead", "support"):
        prev.cells[f] = list(dict.fromkeys(prev.cells[f] + first.cells[f]))
    return True


def _source(cell_ids: Sequence[str], texts: dict[str, CellText]) -> FieldSource:
    if not cell_ids:
        return FieldSource()
    cells = [texts[c] for c in dict.fromkeys(cell_ids)]
    first = cells[0].cell
    return FieldSource(
        cell_ids=tuple(c.cell.cell_id for c in cells),
        page=first.page,
        box=first.box,
        raw="\n".join(c.text for c in cells if c.text),
        confidence=float(np.mean([c.confidence for c in cells])),
        engine=cells[0].engine,
    )
