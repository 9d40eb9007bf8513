"""Engine-neutral types that flow between the stages.

Every stage takes and returns these frozen dataclasses, so no stage needs another's internals.
Images are numpy arrays (grayscale uint8); dataclasses holding them compare by identity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from .lattice import CharLattice

#: The roles every table's CSV starts with, in this order, whatever the draft prints (a role the
#: draft lacks is an empty column, never a shifted one): consumers of the CSV rely on them.
STANDARD_ROLES: tuple[str, ...] = ("no", "level1", "level2", "requirement", "lead", "support")
#: Header of those standard columns in every clean CSV.
CSV_HEADER: tuple[str, ...] = ("序号", "一级指标", "二级指标", "工作要求", "牵头单位", "配合单位")
#: Roles whose cells are agency names joined by 、 (a single 责任单位 column is `responsible`).
AGENCY_FIELDS: tuple[str, ...] = ("lead", "support", "responsible")
#: Heading roles, outermost first.
HEADING_ROLES: tuple[str, ...] = ("level1", "level2", "level3")
#: Role of a printed column no profile role matches: kept under the draft's own header.
OTHER_ROLE_PREFIX = "other:"
AGENCY_SEPARATOR = "、"
#: The roles a 责任单位 cell is split into by the draft's rule 列第一位的为牵头单位 (repair): the first
#: agency leads, the rest support. By the role split, for what shows a split cell.
SPLIT_INTO = {"responsible": ("lead", "support")}
#: Characters that make a number before them a quantity (建设3个中心, 3年), not an item's number.
MEASURE_WORDS = frozenset("个项家处所座条类批名人户次年月日天万亿元岁级套台辆支张床期轮")


@dataclass(frozen=True)
class Column:
    """One output column: the role it holds and its header in the outputs."""

    role: str
    name: str


#: The six standard columns.
STANDARD_COLUMNS: tuple[Column, ...] = tuple(Column(r, n) for r, n in zip(STANDARD_ROLES, CSV_HEADER, strict=True))


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


@dataclass(frozen=True)
class RestoredBorder:
    """A border between two cells whose ruling the scan lost, restored where their text shows it: a
    row line at y=`at` from x=`start` to `end`, or a column line at x=`at` from y=`start` to `end`."""

    direction: str  # "row" or "column"
    at: int
    start: int
    end: int


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
    #: x of lines found like column lines but taken for toner streaks (grid.streak_lines), left out.
    streaks: tuple[int, ...] = ()
    #: y of lines found like row lines but taken for a roller's gray bands (grid.roller_bands), left out.
    bands: tuple[int, ...] = ()
    #: The darkest gray of the roller bands over the page's row lines, in the margins (0: none).
    band_gray: int = 0
    #: Borders whose ruling was erased, restored from the blank between two cells' text
    #: (erased.text_gap_borders, or grid.build_cells for a merge that was no rectangle).
    restored: tuple[RestoredBorder, ...] = ()
    #: The whole grid was found from the text and the rulings' remnants (faint.py: the toner lost the
    #: rulings), not from rulings; every cell of the page wants checking.
    from_text: bool = False
    #: The page lost every ruling and was read in the column lines of the same table on this page
    #: (0-based; grid.grid_in_columns), None otherwise.
    columns_from: int | None = None
    #: The page (0-based) whose table lent this page a column line it lost whole (run's cross-page pass,
    #: grid.missing_column_lines), None otherwise. The borders drawn for it are in `restored`.
    column_lines_from: int | None = None

    def cell_at(self, row: int, col: int) -> Cell | None:
        """The cell covering grid position (row, col), merged cells included."""
        for cell in self.cells:
            if cell.row <= row < cell.row + cell.row_span and cell.col <= col < cell.col + cell.col_span:
                return cell
        return None


@dataclass(frozen=True)
class LineText:
    """What an OCR engine read from one text line image; a CTC engine also keeps what it saw
    (`lattice`, whose text is `text`), so that repair can ask how well the image supports a name."""

    text: str
    confidence: float
    lattice: CharLattice | None = None


@dataclass(frozen=True)
class CellText:
    """The OCR of one cell: lines joined by newlines, mean confidence in 0..1 (1.0 for text layers)."""

    cell: Cell
    text: str
    confidence: float
    engine: str
    lines: tuple[LineText, ...] = ()
    #: Readings of lines left out of `text` as illegible (specks or haze read as characters, or as
    #: nothing, at very low confidence); the review names them.
    illegible: tuple[str, ...] = ()
    #: The lattices of the lines in `text`, in order; () when the engine keeps none (tesseract, a
    #: text layer) or any of those lines lacks one.
    lattices: tuple[CharLattice, ...] = ()


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
    #: The reading did not decide the orientation; the page was kept as scanned (shown for review).
    orientation_weak: bool = False
    #: What the perspective correction did (warped, or left as is and why), for the review outputs.
    rectified: str = ""
    #: What clean-up painted out of the page (toner haze), "" when nothing; for the review outputs.
    cleaned: str = ""
    #: Lines printed just above and below the table (title, 附件 caption, notes), top to bottom.
    margin_text: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldSource:
    """Where one field of a logical row came from, for the review output."""

    cell_ids: tuple[str, ...] = ()
    page: int | None = None
    box: Box | None = None
    raw: str = ""
    confidence: float | None = None
    engine: str = ""
    #: Readings of the cells' lines left out as illegible (CellText.illegible).
    illegible: tuple[str, ...] = ()
    #: The lattices of the lines of `raw`, in order (CellText.lattices); () when any cell has none.
    lattices: tuple[CharLattice, ...] = ()
    #: The row's page had no such column: the text is the row before's, carried on (structure).
    carried: bool = False
    #: The row's page had no such column and nothing was carried: the field is empty (structure).
    lost: bool = False
    #: Where in `raw` the text of each cell but the last ends, for cells with text (a field read from
    #: two cells: two agency cells of one page beside one requirement cell may be two rows read as one).
    cell_breaks: tuple[int, ...] = ()


def _frozen(values: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType({k: v for k, v in values.items() if v})


@dataclass(frozen=True)
class Row:
    """One row of the logical table: role → text. Before repair, texts are as read (line breaks as \\n).

    A role the draft does not have is simply absent (`get` gives ""), so a new role needs no change
    here; `sources` says per role which cells the text came from.
    """

    cells: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    sources: Mapping[str, FieldSource] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", _frozen(self.cells))

    @classmethod
    def of(cls, sources: Mapping[str, FieldSource] | None = None, **cells: str) -> Row:
        return cls(cells, MappingProxyType(dict(sources or {})))

    def get(self, role: str) -> str:
        return self.cells.get(role, "")

    def replace(self, **changes: str) -> Row:
        """The row with some roles' texts changed (sources kept)."""
        return Row({**self.cells, **changes}, self.sources)

    # Read-only names for the six standard roles, whose columns every output starts with; any
    # other role is read with get().
    no = property(lambda self: self.get("no"), doc="The item number (序号), the key rows are grouped by.")
    level1 = property(lambda self: self.get("level1"), doc="一级指标")
    level2 = property(lambda self: self.get("level2"), doc="二级指标")
    requirement = property(lambda self: self.get("requirement"), doc="工作要求 (the task text)")
    lead = property(lambda self: self.get("lead"), doc="牵头单位")
    support = property(lambda self: self.get("support"), doc="配合单位")

    def values(self, roles: Sequence[str]) -> list[str]:
        return [self.get(r) for r in roles]


@dataclass(frozen=True)
class Table:
    """One logical table of a draft, rows joined across pages.

    `columns` lists the output columns in order: the six standard ones, then the draft's other
    roles in its order, then columns of no known role under the draft's own header.
    """

    title: str
    rows: tuple[Row, ...]
    source: str = ""
    columns: tuple[Column, ...] = STANDARD_COLUMNS
    #: The caption that names this table among several in one draft (附件2), or "".
    caption: str = ""
    #: The draft says the first agency of its 责任单位 column is the lead (or --first-is-lead):
    #: the repair stage splits `responsible` into lead and support.
    first_is_lead: bool = False

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(c.role for c in self.columns)

    def column_name(self, role: str) -> str:
        for column in self.columns:
            if column.role == role:
                return column.name
        return "序号" if role == "no" else role

    def text_of(self, row: Row, role: str) -> str:
        """What a role of a row came out as: its text; a 责任单位 cell that repair split into 牵头
        and 配合 by the draft's rule (列第一位的为牵头单位) is no column of this table any more, and
        came out as those two joined."""
        if role in SPLIT_INTO and role not in self.roles:
            return AGENCY_SEPARATOR.join(t for t in (row.get(r) for r in SPLIT_INTO[role]) if t)
        return row.get(role)

    def csv_rows(self) -> list[list[str]]:
        return [row.values(self.roles) for row in self.rows]


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


#: Page statuses. `read`: rows taken from it; `no-table`: no ruled table on it (a cover letter, body
#: text), named but not an error; `not-read`: a ruled table whose rows could not be taken (columns
#: not mapped, a table the profile does not fit): the draft's result is partial.
PAGE_READ, PAGE_NO_TABLE, PAGE_NOT_READ = "read", "no-table", "not-read"


@dataclass(frozen=True)
class PageReport:
    """How one page accounted for itself: its status, rows taken, and why, in words."""

    page: int
    status: str
    rows: int = 0
    columns: int = 0
    message: str = ""

    @property
    def label(self) -> str:
        return f"p{self.page + 1}"


@dataclass(frozen=True)
class StageTime:
    """Wall and CPU seconds one stage took (summed over pages)."""

    wall: float = 0.0
    cpu: float = 0.0


#: PNG compression level of stored page images: level 3 packs a 200-dpi scan 3.2x (3.9 -> 1.2 MB) in
#: 0.09 s and decodes in 0.03 s (levels 1-3 measured alike); stronger levels cost time for little.
PNG_LEVEL = 3


@dataclass(frozen=True, eq=False)
class StoredImage:
    """A page image kept PNG-compressed until it is drawn (review crops, debug grids). A 50-page
    draft's pages held raw took 190 MiB of the run's memory; compressed they take 60."""

    png: bytes
    #: The image's shape, known without decoding it (pages of one size hold their tables alike).
    shape: tuple[int, ...] = ()

    @classmethod
    def of(cls, image: np.ndarray) -> StoredImage:
        import cv2

        ok, data = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, PNG_LEVEL])
        if not ok:
            raise ValueError(f"a page image of shape {image.shape} could not be encoded")
        return cls(data.tobytes(), tuple(image.shape))

    def decode(self) -> np.ndarray:
        import cv2

        return cv2.imdecode(np.frombuffer(self.png, np.uint8), cv2.IMREAD_UNCHANGED)


class PageImages(Sequence[np.ndarray]):
    """A draft's page images, decoded when asked for; the last page decoded is kept, as the
    review draws its crops page by page."""

    def __init__(self, stored: Sequence[StoredImage]) -> None:
        self._stored = tuple(stored)
        self._last: tuple[int, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self._stored)

    def __getitem__(self, index: int) -> np.ndarray:  # type: ignore[override]
        index = range(len(self._stored))[index]
        if self._last is None or self._last[0] != index:
            self._last = (index, self._stored[index].decode())
        return self._last[1]


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
    images: Sequence[np.ndarray] = ()
    timings: Mapping[str, StageTime] = field(default_factory=lambda: MappingProxyType({}))
    page_reports: tuple[PageReport, ...] = ()
    #: What the lexicon knew for this draft: its district and whose titles applied, in words.
    scope: str = ""
    #: The run's profile's name of every role, for cells of a role the table has no column of (a
    #: 责任单位 split into 牵头 and 配合); empty: the shipped profile's names.
    column_names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def pages_not_read(self) -> tuple[PageReport, ...]:
        return tuple(p for p in self.page_reports if p.status == PAGE_NOT_READ)
