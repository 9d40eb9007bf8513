"""Engine-neutral types that flow between the stages.

Every stage takes and returns these frozen dataclasses, so no stage needs another's internals.
Images are numpy arrays (grayscale uint8); dataclasses holding them compare by identity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

#: Header of every clean CSV, in order.
CSV_HEADER: tuple[str, ...] = ("序号", "一级指标", "二级指标", "工作要求", "牵头单位", "配合单位")
#: Attribute names of `Row` for the five columns of the printed table, in column order.
FIELDS: tuple[str, ...] = ("level1", "level2", "requirement", "lead", "support")
#: Printed header text of each field.
FIELD_TITLES: Mapping[str, str] = MappingProxyType(dict(zip(FIELDS, CSV_HEADER[1:], strict=True)))
#: Agencies in these two fields are lexicon names joined by 、.
AGENCY_FIELDS: tuple[str, ...] = ("lead", "support")
AGENCY_SEPARATOR = "、"


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in page pixels, x1/y1 exclusive."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


@dataclass(frozen=True, eq=False)
class Word:
    """A word of a PDF text layer, in page pixels."""

    text: str
    box: Box


@dataclass(frozen=True, eq=False)
class Page:
    """One page image. `source` says where it came from: scan (a PDF's image), image, or text-layer."""

    index: int
    image: np.ndarray
    dpi: int
    source: str = "scan"
    words: tuple[Word, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Cell:
    """A table cell found on one page; row/col are grid indexes, spans count grid rows/cols."""

    page: int
    row: int
    col: int
    row_span: int
    col_span: int
    box: Box

    @property
    def cell_id(self) -> str:
        return f"p{self.page + 1}-r{self.row}-c{self.col}"


@dataclass(frozen=True, eq=False)
class Grid:
    """The ruled grid of one page, with the intermediates kept so that they can be drawn."""

    page: int
    row_lines: tuple[int, ...]
    col_lines: tuple[int, ...]
    cells: tuple[Cell, ...]
    h_segments: tuple[Box, ...] = ()
    v_segments: tuple[Box, ...] = ()
    char_height: int = 0
    ruling_width: int = 2

    def cell_at(self, row: int, col: int) -> Cell | None:
        """The cell covering grid position (row, col), merged cells included."""
        for cell in self.cells:
            if cell.row <= row < cell.row + cell.row_span and cell.col <= col < cell.col + cell.col_span:
                return cell
        return None


@dataclass(frozen=True)
class LineText:
    """What an OCR engine read from one text line image."""

    text: str
    confidence: float


@dataclass(frozen=True)
class CellText:
    """The OCR of one cell: lines joined by newlines, mean confidence in 0..1 (1.0 for text layers)."""

    cell: Cell
    text: str
    confidence: float
    engine: str
    lines: tuple[LineText, ...] = ()


@dataclass(frozen=True, eq=False)
class PageCells:
    """What the page stages produced for one page: its grid and the text of each cell."""

    page: int
    grid: Grid
    cells: tuple[CellText, ...]
    source: str = "scan"
    note: str = ""
    rotation: int = 0
    skew_deg: float = 0.0
    #: How the page's orientation was decided (scores per angle, method), for the review outputs.
    orientation_evidence: str = ""


@dataclass(frozen=True)
class FieldSource:
    """Where one field of a logical row came from, for the review output."""

    cell_ids: tuple[str, ...] = ()
    page: int | None = None
    box: Box | None = None
    raw: str = ""
    confidence: float | None = None
    engine: str = ""


@dataclass(frozen=True)
class Row:
    """One row of the logical table. Before repair, fields hold text as read (line breaks as \\n)."""

    no: str
    level1: str
    level2: str
    requirement: str
    lead: str
    support: str
    sources: Mapping[str, FieldSource] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, name: str) -> str:
        return str(getattr(self, name))

    def as_csv_row(self) -> list[str]:
        return [self.no, self.level1, self.level2, self.requirement, self.lead, self.support]


@dataclass(frozen=True)
class Table:
    """The one logical table of a draft, rows joined across pages."""

    title: str
    rows: tuple[Row, ...]
    source: str = ""


def split_agencies(text: str) -> list[str]:
    """The agency names of a 牵头/配合 cell, in order; spaces inside a name (a wrapped line) removed."""
    return [name for name in ("".join(part.split()) for part in text.split(AGENCY_SEPARATOR)) if name]


def sub_rows(table: Table) -> list[int]:
    """1-based position of each row within its item (items with sub-rows repeat 序号)."""
    counts: dict[str, int] = {}
    out = []
    for row in table.rows:
        counts[row.no] = counts.get(row.no, 0) + 1
        out.append(counts[row.no])
    return out


@dataclass(frozen=True)
class Repair:
    """A change a stage made to a field: before, after, how, and how sure (0..100)."""

    row: int
    field: str
    before: str
    after: str
    method: str
    score: float


@dataclass(frozen=True)
class Flag:
    """Something a clerk must look at: a field the tool is unsure of, with its score (0..100)."""

    row: int
    field: str
    text: str
    reason: str
    score: float


@dataclass(frozen=True)
class StageTime:
    """Wall and CPU seconds one stage took (summed over pages)."""

    wall: float = 0.0
    cpu: float = 0.0


@dataclass(frozen=True, eq=False)
class DraftResult:
    """Everything one draft produced: the clean table, what was changed and flagged, and the pages."""

    path: str
    kind: str
    table: Table
    raw_table: Table
    repairs: tuple[Repair, ...]
    flags: tuple[Flag, ...]
    pages: tuple[PageCells, ...] = ()
    images: tuple[np.ndarray, ...] = ()
    timings: Mapping[str, StageTime] = field(default_factory=lambda: MappingProxyType({}))
