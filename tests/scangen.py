"""Synthetic scans of the 职责分工 table, drawn from the truth CSV.

The pipeline is judged on scans whose truth is known; the one real draft is not enough to see
how it behaves on other fonts, resolutions, skews, noise and page breaks. This module lays the
table out the way the real draft is laid out (ruled five-column table, merged 一级/二级 cells,
rows split across pages) and degrades the rasterized pages like a cheap office scanner would.

Layout is computed once in PDF points (1/72 in, origin top-left) and then either rasterized
(PIL) or written as vector text (reportlab), so the image-only and born-digital PDFs share it.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

TRUTH_CSV = Path(__file__).resolve().parent / "data" / "qingpu_v1.csv"
DEFAULT_TITLE = "《青浦区加强中小学幼儿园安全风险防控体系建设的实施方案》职责分工（送审稿）"
CSV_COLUMNS = ("序号", "一级指标", "二级指标", "工作要求", "牵头单位", "配合单位")
HEADERS = ("一级指标", "二级指标", "工作要求", "牵头单位", "配合单位")

# --- page geometry (points) -------------------------------------------------------------------
PAGE_W = 595.276  # A4
PAGE_H = 841.89
MARGIN = 62.0  # ~2.2 cm; with 2.0 cm the sample's page breaks fell between items, not in them
BODY_PT = 10.5  # 五号, the size of the real draft's body text
HEADER_PT = 11.0  # a touch larger, so 二级指标 wraps like the real header does
TITLE_PT = 15.0  # shrunk when the title would not fit one line
LINE_SPACING = 1.3
PAD_EM = 0.3  # cell padding on each side, in body characters
RULE_PT = 0.6  # ~1.7 px at 200 dpi
INK = 15  # gray level of toner; pure 0 looks too clean even before noise
#: Content widths (body characters) of the narrow columns; 工作要求 takes what is left.
NARROW_COLUMNS_EM = {"一级指标": 3.0, "二级指标": 4.0, "牵头单位": 5.0, "配合单位": 8.0}
VERTICAL_LEVEL1_EM = 1.4  # whole column width when 一级 is set one character per line

# --- fonts ------------------------------------------------------------------------------------
_FONT_FILES: dict[str, tuple[str, str]] = {
    "noto-serif": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    "noto-sans": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    "ukai": ("/usr/share/fonts/truetype/arphic/ukai.ttc", "AR PL UKai CN"),
    "uming": ("/usr/share/fonts/truetype/arphic/uming.ttc", "AR PL UMing CN"),
    "wqy-zenhei": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
}
FONTS = tuple(_FONT_FILES)
#: reportlab embeds TrueType outlines only; the Noto CJK files are CFF, so vector PDFs use the
#: closest TrueType face (a 宋体-like for the serif, a 黑体-like for the sans).
_VECTOR_SUBSTITUTE = {"noto-serif": "uming", "noto-sans": "wqy-zenhei"}
TEXT_LAYERS = ("none", "born-digital", "garbled")

#: Characters a line may not start with / end with (Word's default 禁则 for Chinese).
_NO_LINE_START = set("，。、；：？！）》」』”’％,.;:?!)]%·")
_NO_LINE_END = set("（《「『“‘([")


@cache
def _face_index(path: str, name: str) -> int:
    """The .ttc holds JP/KR/SC/TC faces whose glyph shapes differ; pick the simplified one."""
    for index in range(16):
        try:
            face = ImageFont.truetype(path, 20, index=index)
        except OSError:
            break
        if face.getname()[0] == name:
            return index
    raise FileNotFoundError(f"no face {name!r} in {path}")


@lru_cache(maxsize=64)
def _pil_font(font: str, size_px: float) -> ImageFont.FreeTypeFont:
    path, name = _FONT_FILES[font]
    return ImageFont.truetype(path, size_px, index=_face_index(path, name))


@cache
def _advance_em(font: str, ch: str) -> float:
    """Advance width of one character in ems, measured once at a large size (no hinting noise)."""
    return _pil_font(font, 1000.0).getlength(ch) / 1000.0


@cache
def _baseline_em(font: str) -> float:
    """Baseline offset (ems) below a line's middle that centers an ideograph's ink on it.

    Fonts put the ideographic em box at different heights, so a fixed ascent would not do.
    """
    _, top, _, bottom = _pil_font(font, 1000.0).getbbox("国", anchor="ls")
    return -(top + bottom) / 2000.0


def text_width(text: str, font: str, size_pt: float) -> float:
    """Width of a string in points."""
    return sum(_advance_em(font, ch) for ch in text) * size_pt


# --- truth ------------------------------------------------------------------------------------
def load_truth(path: Path = TRUTH_CSV) -> list[dict[str, str]]:
    """The truth rows as plain dicts (empty cells are empty strings, never NaN): the six standard
    columns first, then the file's others (三级指标, 完成时限, 备注), which the column layouts draw."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = set(CSV_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        columns = [*CSV_COLUMNS, *(c for c in reader.fieldnames or () if c not in CSV_COLUMNS)]
        return [{col: (row.get(col) or "").strip() for col in columns} for row in reader]


_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1..99 as Chinese numerals (一, 十, 十一, 二十一), as the 一级 prefixes are written."""
    if not 1 <= n <= 99:
        raise ValueError(f"cannot write {n} as a short Chinese numeral")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


_LEVEL1_PREFIX = re.compile(r"^[一二三四五六七八九十]+、")


def group_items(rows: Sequence[dict[str, str]]) -> list[list[dict[str, str]]]:
    """The rows grouped by item: consecutive rows of one 序号 (an item's sub-rows) together."""
    items: list[list[dict[str, str]]] = []
    for row in rows:
        if items and items[-1][0]["序号"] == row["序号"]:
            items[-1].append(row)
        else:
            items.append([row])
    return items


def long_draft_rows(rows: Sequence[dict[str, str]], n_items: int) -> list[dict[str, str]]:
    """A longer table for page-count benchmarks: items cycled, renumbered, 一级 groups renumbered.

    Each pass over the truth starts new 一级 groups (六、七、…) so that merged 一级 cells stay
    consecutive runs, as in a real longer draft.
    """
    items = group_items(rows)
    if not items or n_items < 1:
        return []
    out: list[dict[str, str]] = []
    group_no = 0
    prev_key: tuple[int, str] | None = None
    for n in range(1, n_items + 1):
        cycle, idx = divmod(n - 1, len(items))
        item = items[idx]
        key = (cycle, item[0]["一级指标"])
        if key != prev_key:
            group_no += 1
            prev_key = key
        level1 = f"{_cn_number(group_no)}、" + _LEVEL1_PREFIX.sub("", item[0]["一级指标"])
        out.extend({**r, "序号": str(n), "一级指标": level1} for r in item)
    return out


def long_row_variant(
    rows: Sequence[dict[str, str]], item: str = "18", repeat: int = 6
) -> list[dict[str, str]]:
    """One item's requirement repeated so its row is taller than a page (a page of continuation)."""
    if not any(r["序号"] == item for r in rows):
        raise ValueError(f"no item {item!r} in the rows")
    return [{**r, "工作要求": r["工作要求"] * repeat} if r["序号"] == item else dict(r) for r in rows]


# --- style ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScanStyle:
    """How one synthetic draft is drawn and degraded; every random choice follows `seed`."""

    dpi: int = 200
    font: str = "noto-serif"
    skew_deg: float = 0.0
    rotate: int = 0  # counter-clockwise quarter turns of the whole page image, in degrees
    noise: float = 0.0
    blur: float = 0.0
    jpeg_quality: int | None = None
    gray_background: bool = False
    bilevel: bool = False
    vertical_level1: bool = False
    header_repeat: bool = True
    text_layer: str = "none"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.font not in _FONT_FILES:
            raise ValueError(f"font must be one of {FONTS}, not {self.font!r}")
        if self.text_layer not in TEXT_LAYERS:
            raise ValueError(f"text_layer must be one of {TEXT_LAYERS}, not {self.text_layer!r}")
        if self.rotate not in (0, 90, 180, 270):
            raise ValueError("rotate must be 0, 90, 180 or 270")
        if not 50 <= self.dpi <= 600:
            raise ValueError("dpi must be within 50..600")
        if not 0.0 <= self.noise <= 1.0:
            raise ValueError("noise must be within 0..1")
        if self.blur < 0:
            raise ValueError("blur must be >= 0")
        if self.jpeg_quality is not None and not 1 <= self.jpeg_quality <= 100:
            raise ValueError("jpeg_quality must be None or 1..100")

    @property
    def layout_font(self) -> str:
        """The font the layout is measured and drawn with (TrueType when text is vector)."""
        if self.text_layer == "born-digital":
            return _VECTOR_SUBSTITUTE.get(self.font, self.font)
        return self.font


VARIANTS: dict[str, ScanStyle] = {
    "sample": ScanStyle(skew_deg=0.7, noise=0.15, jpeg_quality=75),
    "clean-300": ScanStyle(dpi=300),
    "sans-skew2": ScanStyle(font="noto-sans", skew_deg=-2.0, noise=0.1),
    "kai-200": ScanStyle(font="ukai", gray_background=True, jpeg_quality=60),
    "uming-bilevel": ScanStyle(font="uming", bilevel=True, skew_deg=1.0),
    "zenhei-150-noisy": ScanStyle(dpi=150, font="wqy-zenhei", noise=0.3, blur=0.6, jpeg_quality=60),
    "rotated-180": ScanStyle(rotate=180, skew_deg=0.5),
    "rotated-90": ScanStyle(font="noto-sans", rotate=90),
    "vertical-level1": ScanStyle(vertical_level1=True, header_repeat=False),
    "born-digital": ScanStyle(text_layer="born-digital"),
    "garbled-layer": ScanStyle(text_layer="garbled", noise=0.1),
}


# --- column layouts ---------------------------------------------------------------------------
#: Truth columns a layout may print; 责任单位 is drawn as the row's 牵头 then 配合 agencies.
LAYOUT_SOURCES = (*CSV_COLUMNS, "三级指标", "责任单位", "完成时限", "备注")
#: Merged heading cells whose text is centered in the cell (vertically: the text goes to the
#: tallest part when a page break cuts the cell), as drafts set 一级 and 三级 titles.
_CENTERED_SOURCES = ("一级指标", "三级指标")
#: Columns whose lines are centered horizontally.
_HCENTERED_SOURCES = ("序号", "一级指标", "三级指标")
#: Agency columns: a cell merges the rows of one item that name the same agencies.
_AGENCY_SOURCES = ("牵头单位", "配合单位", "责任单位")
#: The words of a note saying the first agency of a 责任单位 cell leads (the pipeline splits on it).
FIRST_IS_LEAD_WORDS = "列第一位的为牵头单位"


@dataclass(frozen=True)
class LayoutColumn:
    """One printed column: the truth column it shows, its header text and its width."""

    source: str
    header: str
    #: Content width in body characters; None for the one column that takes what is left.
    width_em: float | None = None
    #: Two-row header: the text of the cell spanning the adjacent columns of this group (责任单位
    #: over 牵头 | 配合); columns without a group span both header rows.
    group: str = ""


@dataclass(frozen=True)
class ColumnLayout:
    """Which columns a draft prints, under which headers, on which pages (other offices' tables)."""

    name: str
    columns: tuple[LayoutColumn, ...]
    landscape: bool = False
    #: False: the header is printed on the first page only, whatever the style says.
    header_repeat: bool = True
    #: A line printed under the title (注：责任单位中列第一位的为牵头单位。).
    note: str = ""
    #: 序号 counts table rows (a table without heading levels: every row is its own task).
    row_numbers: bool = False

    def __post_init__(self) -> None:
        sources = [c.source for c in self.columns]
        unknown = set(sources) - set(LAYOUT_SOURCES)
        if unknown:
            raise ValueError(f"layout {self.name}: unknown columns {sorted(unknown)}")
        if len(set(sources)) != len(sources) or "工作要求" not in sources:
            raise ValueError(f"layout {self.name}: columns must be distinct and include 工作要求")
        if sum(c.width_em is None for c in self.columns) != 1:
            raise ValueError(f"layout {self.name}: exactly one column takes the remaining width")
        groups = [c.group for c in self.columns]
        runs = [g for i, g in enumerate(groups) if g and (i == 0 or groups[i - 1] != g)]
        if len(runs) != len(set(runs)):
            raise ValueError(f"layout {self.name}: a header group must be adjacent columns")

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(c.source for c in self.columns)

    @property
    def two_row_header(self) -> bool:
        return any(c.group for c in self.columns)

    @property
    def first_is_lead(self) -> bool:
        """The draft says (in its note or a header) that a 责任单位 cell's first agency leads."""
        texts = [self.note, *(c.header for c in self.columns), *(c.group for c in self.columns)]
        return "责任单位" in self.sources and any(FIRST_IS_LEAD_WORDS in t for t in texts)


#: The Qingpu draft's five columns (every scan variant is drawn in it).
DEFAULT_LAYOUT = ColumnLayout("five-column", tuple(
    LayoutColumn(h, h, NARROW_COLUMNS_EM.get(h)) for h in HEADERS))
#: Other offices' tables, each drawn from a truth that has the columns it prints.
LAYOUTS: dict[str, ColumnLayout] = {
    # the five columns under other names
    "synonyms": ColumnLayout("synonyms", (
        LayoutColumn("一级指标", "一级任务", 3.0), LayoutColumn("二级指标", "二级任务", 4.0),
        LayoutColumn("工作要求", "具体措施"), LayoutColumn("牵头单位", "牵头部门", 5.0),
        LayoutColumn("配合单位", "配合部门", 8.0))),
    # a flat task list on A4 landscape, header on the first page only
    "tasks-landscape": ColumnLayout("tasks-landscape", (
        LayoutColumn("序号", "序号", 2.5), LayoutColumn("工作要求", "工作任务"),
        LayoutColumn("牵头单位", "牵头单位", 7.0), LayoutColumn("配合单位", "配合单位", 12.0),
        LayoutColumn("完成时限", "完成时限", 6.0)), landscape=True, header_repeat=False, row_numbers=True),
    # one 责任单位 column whose first agency leads, as the note under the title says
    "single-responsible": ColumnLayout("single-responsible", (
        LayoutColumn("序号", "序号", 2.5), LayoutColumn("工作要求", "重点任务"),
        LayoutColumn("责任单位", "责任单位", 9.0), LayoutColumn("完成时限", "完成时限", 6.0)),
        note=f"注：责任单位中{FIRST_IS_LEAD_WORDS}。", row_numbers=True),
    # three heading levels and 责任单位 over 牵头 | 配合
    "two-row": ColumnLayout("two-row", (
        LayoutColumn("一级指标", "一级指标", 3.0), LayoutColumn("二级指标", "二级指标", 4.0),
        LayoutColumn("三级指标", "三级指标", 4.0), LayoutColumn("工作要求", "工作要求"),
        LayoutColumn("牵头单位", "牵头", 5.0, group="责任单位"),
        LayoutColumn("配合单位", "配合", 6.0, group="责任单位"),
        LayoutColumn("备注", "备注", 3.0))),
}


def _responsible(row: dict[str, str]) -> str:
    """A 责任单位 cell drawn from a truth row: its leads, then its supporting agencies."""
    return "、".join(t for t in (row.get("牵头单位", ""), row.get("配合单位", "")) if t)


def expected_rows(rows: Sequence[dict[str, str]], layout: ColumnLayout = DEFAULT_LAYOUT) -> list[dict[str, str]]:
    """The CSV rows the pipeline should output for the truth drawn in this layout.

    The six standard columns (a column the layout does not print is empty), then the layout's other
    columns in its order. 序号: the printed one; else the number printed before the 二级 title; else
    the row's place (the pipeline numbers every row as an item). A 责任单位 column the draft says leads
    with its first agency is split: the first agency 牵头, the rest 配合 (and no 责任单位 column).
    """
    printed = set(layout.sources)
    split = layout.first_is_lead
    extra = [s for s in layout.sources if s not in CSV_COLUMNS and not (split and s == "责任单位")]
    out = []
    for i, row in enumerate(rows):
        expected = {col: row.get(col, "") if col in printed else "" for col in CSV_COLUMNS}
        if layout.row_numbers or ("序号" not in printed and "二级指标" not in printed):
            expected["序号"] = str(i + 1)
        else:
            expected["序号"] = row["序号"]
        if split:
            names = _responsible(row).split("、")
            expected["牵头单位"], expected["配合单位"] = names[0], "、".join(names[1:])
        for col in extra:
            expected[col] = _responsible(row) if col == "责任单位" else row.get(col, "")
        out.append(expected)
    return out


# --- layout -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TextLine:
    """One line of text; (x, top) is the top-left of its line box, in points."""

    x: float
    top: float
    text: str
    size: float
    height: float


@dataclass(frozen=True)
class CellBox:
    """One ruled rectangle on a page: a cell, or the part of a cell that fell on this page."""

    column: str
    x0: float
    y0: float
    x1: float
    y1: float
    item: str


@dataclass
class PageLayout:
    """Everything drawn on one page."""

    boxes: list[CellBox] = field(default_factory=list)
    lines: list[TextLine] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # 序号 with any row segment on this page


@dataclass(frozen=True)
class Layout:
    """The paginated table: pages plus facts the tests and benchmarks check."""

    pages: tuple[PageLayout, ...]
    column_widths: tuple[float, ...]  # points, in the column layout's order (HEADERS by default)
    column_x: tuple[float, ...]  # the vertical rule positions, left to right
    cuts: tuple[str, ...]  # 序号 of items whose rows fall on more than one page
    split_rows: tuple[int, ...]  # indexes of rows whose own lines were split by a page break
    font: str
    page_size: tuple[float, float] = (PAGE_W, PAGE_H)  # points, width x height (A4 landscape swaps them)
    columns: ColumnLayout = DEFAULT_LAYOUT


def wrap(text: str, width_pt: float, font: str, size_pt: float) -> list[str]:
    """Break text character by character to fit width, with Chinese 禁则 and whole ASCII words.

    Chinese has no spaces, so Word breaks anywhere, except that a line may not start with a
    closing punctuation mark (it pulls the previous character down) and Latin/digit runs stay
    together when they fit.
    """
    if not text:
        return []
    tokens = re.findall(r"[A-Za-z0-9]+[.%]?|.", text)
    lines: list[list[str]] = [[]]
    used = 0.0
    for tok in tokens:
        w = text_width(tok, font, size_pt)
        if lines[-1] and used + w > width_pt + 1e-6:
            cur = lines[-1]
            carry: list[str] = []
            if tok[0] in _NO_LINE_START and len(cur) > 1:
                carry = [cur.pop()]
            while len(cur) > 1 and cur[-1][-1] in _NO_LINE_END:
                carry.insert(0, cur.pop())
            lines.append(carry)
            used = sum(text_width(t, font, size_pt) for t in carry)
        lines[-1].append(tok)
        used += w
    return ["".join(line).strip() for line in lines if line]


def _wrap_header(text: str, width_pt: float, font: str, size_pt: float) -> list[str]:
    """Short headers are broken by hand in two-character halves (一级/指标), as typists do."""
    if text_width(text, font, size_pt) <= width_pt + 1e-6:
        return [text]
    halves = [text[i : i + 2] for i in range(0, len(text), 2)]
    if len(text) <= 4 and all(text_width(h, font, size_pt) <= width_pt + 1e-6 for h in halves):
        return halves
    return wrap(text, width_pt, font, size_pt)


@dataclass
class _Part:
    page: int
    y0: float
    y1: float
    segments: int = 0
    seg_lines: int = 0


@dataclass
class _Cell:
    column: int
    first: int
    last: int
    lines: list[str]
    item: str
    centered: bool = False
    parts: list[_Part] = field(default_factory=list)


class _Paginator:
    """Greedy row-by-row pagination at line granularity, with merged cells flowing over pages."""

    def __init__(self, rows: Sequence[dict[str, str]], style: ScanStyle, title: str,
                 layout: ColumnLayout = DEFAULT_LAYOUT) -> None:
        self.rows = list(rows)
        self.style = style
        self.layout = layout
        self.sources = layout.sources
        self.header_repeat = style.header_repeat and layout.header_repeat
        self.page_size = (PAGE_H, PAGE_W) if layout.landscape else (PAGE_W, PAGE_H)
        self.font = style.layout_font
        self.lh = BODY_PT * LINE_SPACING
        self.pad = PAD_EM * BODY_PT
        self.table_w = self.page_size[0] - 2 * MARGIN
        self.bottom = self.page_size[1] - MARGIN
        widths = {c.source: c.width_em * BODY_PT + 2 * self.pad for c in layout.columns if c.width_em is not None}
        if style.vertical_level1 and "一级指标" in widths:
            widths["一级指标"] = VERTICAL_LEVEL1_EM * BODY_PT
        rest = next(c.source for c in layout.columns if c.width_em is None)
        widths[rest] = self.table_w - sum(widths.values())
        self.widths = tuple(widths[h] for h in self.sources)
        #: The 序号 each row is drawn under: its item's, or its own place when rows are numbered.
        self.item_of = [str(i + 1) if layout.row_numbers else r["序号"] for i, r in enumerate(self.rows)]
        self.xs = [MARGIN]
        for w in self.widths:
            self.xs.append(self.xs[-1] + w)
        self.title = title
        self.rng = random.Random(f"{style.seed}:numbering")
        self.pages: list[PageLayout] = []
        self.y = 0.0
        self.cells = self._build_cells()
        self.split_rows: list[int] = []

    # -- cells -------------------------------------------------------------------------------
    def _content_width(self, col: int) -> float:
        if self.sources[col] == "一级指标" and self.style.vertical_level1:
            return BODY_PT  # exactly one character per line
        return self.widths[col] - 2 * self.pad

    def _wrap(self, col: int, text: str) -> list[str]:
        return wrap(text, self._content_width(col), self.font, BODY_PT)

    def _build_cells(self) -> list[list[_Cell]]:
        """cells[col] lists that column's cells in row order; merged cells span several rows."""
        rows = self.rows
        item = self.item_of
        n = len(rows)
        cells: list[list[_Cell]] = [[] for _ in self.sources]

        def runs(key: Callable[[int], object]) -> list[tuple[int, int]]:
            out: list[tuple[int, int]] = []
            start = 0
            for i in range(1, n + 1):
                if i == n or key(i) != key(start):
                    out.append((start, i - 1))
                    start = i
            return out

        def text(i: int, name: str) -> str:
            return _responsible(rows[i]) if name == "责任单位" else rows[i].get(name, "")

        for col, name in enumerate(self.sources):
            if name == "一级指标":
                for a, b in runs(lambda i: rows[i]["一级指标"]):
                    cells[col].append(_Cell(col, a, b, self._wrap(col, rows[a]["一级指标"]), item[a], True))
            elif name == "三级指标":  # a sub-heading merges the rows of one 一级 group that share it
                for a, b in runs(lambda i: (rows[i]["一级指标"], rows[i]["三级指标"])):
                    cells[col].append(_Cell(col, a, b, self._wrap(col, rows[a]["三级指标"]), item[a], True))
            elif name == "二级指标":
                dot = self.rng.random() < 0.5
                for a, b in runs(lambda i: rows[i]["序号"]):
                    if self.rng.random() < 0.25:  # the real draft switches style every few items
                        dot = not dot
                    label = f"{rows[a]['序号']}. " if dot else f"{rows[a]['序号']}、"
                    cells[col].append(_Cell(col, a, b, self._wrap(col, label + rows[a]["二级指标"]), item[a]))
            elif name == "序号":
                for a, b in runs(lambda i: item[i]):
                    cells[col].append(_Cell(col, a, b, self._wrap(col, item[a]), item[a]))
            elif name in _AGENCY_SOURCES:

                def key(i: int, name: str = name) -> tuple[str, str] | int:
                    return (item[i], text(i, name)) if text(i, name) else i

                for a, b in runs(key):
                    cells[col].append(_Cell(col, a, b, self._wrap(col, text(a, name)), item[a]))
            else:  # 工作要求, 完成时限, 备注: one cell per row
                for i in range(n):
                    cells[col].append(_Cell(col, i, i, self._wrap(col, text(i, name)), item[i]))
        return cells

    def _cell_at(self, col: int, row: int) -> _Cell:
        for cell in self.cells[col]:
            if cell.first <= row <= cell.last:
                return cell
        raise AssertionError("every row has a cell in every column")

    def _capacity(self, part: _Part) -> int:
        """Lines a cell part can hold: its height less one padding, in line heights."""
        return int((part.y1 - part.y0 - 2 * self.pad) / self.lh + 1e-6)

    def _need(self, cell: _Cell, page: int) -> int:
        """Lines this row segment must have so the cell, ending at this row, fits its text."""
        done = [p for p in cell.parts if p.page < page]
        cur = [p for p in cell.parts if p.page == page]
        segs, seg_lines = (cur[0].segments, cur[0].seg_lines) if cur else (0, 0)
        bonus = int(segs * 2 * self.pad / self.lh + 1e-6)  # padding of earlier segments is room
        if cell.centered:
            if any(self._capacity(p) >= len(cell.lines) for p in done):
                return 0
            return len(cell.lines) - seg_lines - bonus
        drawn = sum(self._capacity(p) for p in done)
        return len(cell.lines) - drawn - seg_lines - bonus

    # -- pages -------------------------------------------------------------------------------
    def _new_page(self) -> None:
        self.pages.append(PageLayout())
        self.y = MARGIN
        if len(self.pages) == 1:
            self._draw_title()
        if len(self.pages) == 1 or self.header_repeat:
            self._draw_header()

    def _draw_title(self) -> None:
        size = TITLE_PT
        width = text_width(self.title, self.font, size)
        if width > self.table_w:
            size = max(BODY_PT, size * self.table_w / width)
        lines = wrap(self.title, self.table_w, self.font, size)
        lh = size * 1.4
        for line in lines:
            x = MARGIN + (self.table_w - text_width(line, self.font, size)) / 2
            self.pages[-1].lines.append(TextLine(x, self.y, line, size, lh))
            self.y += lh
        for line in wrap(self.layout.note, self.table_w, self.font, BODY_PT):
            x = MARGIN + (self.table_w - text_width(line, self.font, BODY_PT)) / 2
            self.pages[-1].lines.append(TextLine(x, self.y, line, BODY_PT, self.lh))
            self.y += self.lh
        self.y += BODY_PT * 1.2

    def _draw_header(self) -> None:
        lh = HEADER_PT * LINE_SPACING
        columns = self.layout.columns
        # a one-character column cannot take the larger header size without touching its rules
        sizes = [HEADER_PT if self._content_width(c) >= HEADER_PT else BODY_PT for c in range(len(columns))]
        wrapped = [
            _wrap_header(col.header, self._content_width(c), self.font, sizes[c]) for c, col in enumerate(columns)
        ]
        if self.layout.two_row_header:
            self._draw_two_row_header(wrapped, sizes)
            return
        height = max(len(w) for w in wrapped) * lh + 2 * self.pad
        for c, lines in enumerate(wrapped):
            self._header_cell(columns[c].source, c, c, self.y, self.y + height, lines, sizes[c])
        self.y += height

    def _header_cell(self, name: str, first: int, last: int, y0: float, y1: float, lines: list[str],
                     size: float) -> None:
        """One ruled header cell over columns first..last, its lines centered both ways."""
        lh = HEADER_PT * LINE_SPACING
        page = self.pages[-1]
        x0, x1 = self.xs[first], self.xs[last + 1]
        page.boxes.append(CellBox(name, x0, y0, x1, y1, ""))
        top = y0 + (y1 - y0 - len(lines) * lh) / 2
        for k, line in enumerate(lines):
            x = x0 + (x1 - x0 - text_width(line, self.font, size)) / 2
            page.lines.append(TextLine(x, top + k * lh, line, size, lh))

    def _draw_two_row_header(self, wrapped: list[list[str]], sizes: list[float]) -> None:
        """A group's cell (责任单位) spans its columns above their own headers (牵头 | 配合); the other
        columns' cells span both header rows."""
        lh = HEADER_PT * LINE_SPACING
        columns = self.layout.columns
        spans: list[tuple[str, int, int]] = []
        for c, col in enumerate(columns):
            if col.group and spans and spans[-1][0] == col.group and spans[-1][2] == c - 1:
                spans[-1] = (col.group, spans[-1][1], c)
            elif col.group:
                spans.append((col.group, c, c))
        group_lines = [_wrap_header(g, self.xs[b + 1] - self.xs[a] - 2 * self.pad, self.font, HEADER_PT)
                       for g, a, b in spans]
        upper = max(len(w) for w in group_lines) * lh + 2 * self.pad
        lower = max(len(wrapped[c]) for c, col in enumerate(columns) if col.group) * lh + 2 * self.pad
        whole = max((len(wrapped[c]) for c, col in enumerate(columns) if not col.group), default=0) * lh
        lower = max(lower, whole + 2 * self.pad - upper)
        y0, y1 = self.y, self.y + upper + lower
        for (group, a, b), lines in zip(spans, group_lines, strict=True):
            self._header_cell(group, a, b, y0, y0 + upper, lines, HEADER_PT)
        for c, col in enumerate(columns):
            self._header_cell(col.source, c, c, y0 + upper if col.group else y0, y1, wrapped[c], sizes[c])
        self.y = y1

    def _place(self, row: int, n_lines: int) -> None:
        """Put a segment of `n_lines` lines of this row at the current y of the current page."""
        page_no = len(self.pages) - 1
        h = 2 * self.pad + n_lines * self.lh
        for col in range(len(self.sources)):
            cell = self._cell_at(col, row)
            if cell.parts and cell.parts[-1].page == page_no:
                part = cell.parts[-1]
                part.y1 = self.y + h
            else:
                part = _Part(page_no, self.y, self.y + h)
                cell.parts.append(part)
            part.segments += 1
            part.seg_lines += n_lines
        items = self.pages[-1].items
        if not items or items[-1] != self.item_of[row]:
            items.append(self.item_of[row])
        self.y += h

    def run(self) -> Layout:
        self._new_page()
        for row in range(len(self.rows)):
            first = True
            while True:
                page_no = len(self.pages) - 1
                ending = [self._cell_at(c, row) for c in range(len(self.sources))]
                need = max(self._need(cell, page_no) for cell in ending if cell.last == row)
                if not first and need <= 0:
                    break
                need = max(need, 1)
                room = int((self.bottom - self.y - 2 * self.pad) / self.lh + 1e-6)
                if need <= room:
                    self._place(row, need)
                    break
                if room >= 1:
                    self._place(row, room)
                    if row not in self.split_rows:
                        self.split_rows.append(row)
                first = False
                self._new_page()
        self._emit()
        cuts = []
        for row_item in dict.fromkeys(self.item_of):
            if sum(row_item in p.items for p in self.pages) > 1:
                cuts.append(row_item)
        return Layout(
            tuple(self.pages), self.widths, tuple(self.xs), tuple(cuts), tuple(self.split_rows), self.font,
            self.page_size, self.layout,
        )

    def _emit(self) -> None:
        """Turn cell parts into ruled boxes and text lines, flowing or centering the text."""
        for column in self.cells:
            for cell in column:
                x0, x1 = self.xs[cell.column], self.xs[cell.column + 1]
                if cell.centered:
                    tallest = max(cell.parts, key=lambda p: p.y1 - p.y0)
                    chunks = [cell.lines if p is tallest else [] for p in cell.parts]
                else:
                    chunks, pos = [], 0
                    for k, part in enumerate(cell.parts):
                        take = len(cell.lines) if k == len(cell.parts) - 1 else self._capacity(part)
                        chunks.append(cell.lines[pos : pos + take])
                        pos += take
                for part, lines in zip(cell.parts, chunks, strict=True):
                    page = self.pages[part.page]
                    page.boxes.append(CellBox(self.sources[cell.column], x0, part.y0, x1, part.y1, cell.item))
                    if cell.centered:
                        top = (part.y0 + part.y1 - len(lines) * self.lh) / 2
                    else:
                        top = part.y0 + self.pad
                    for k, line in enumerate(lines):
                        if self.sources[cell.column] in _HCENTERED_SOURCES:  # as the real draft's 一级
                            x = x0 + (x1 - x0 - text_width(line, self.font, BODY_PT)) / 2
                        else:
                            x = x0 + self.pad
                        page.lines.append(TextLine(x, top + k * self.lh, line, BODY_PT, self.lh))


def layout_table(
    rows: Sequence[dict[str, str]],
    style: ScanStyle = ScanStyle(),
    title: str = DEFAULT_TITLE,
    layout: ColumnLayout = DEFAULT_LAYOUT,
) -> Layout:
    """Paginate the table for this style and column layout (fonts and widths change where pages break)."""
    if not rows:
        raise ValueError("no rows to draw")
    missing = {s for s in layout.sources if s != "责任单位"} - set(rows[0])
    if missing:
        raise ValueError(f"layout {layout.name} prints columns the rows lack: {sorted(missing)}")
    return _Paginator(rows, style, title, layout).run()


# --- raster -----------------------------------------------------------------------------------
def _rasterize(page: PageLayout, font: str, dpi: int, size: tuple[float, float] = (PAGE_W, PAGE_H)) -> Image.Image:
    """Draw one page in 8-bit gray at `dpi`; rules and text are pixel-snapped like a printer."""
    s = dpi / 72.0
    img = Image.new("L", (round(size[0] * s), round(size[1] * s)), 255)
    draw = ImageDraw.Draw(img)
    w = max(1, round(RULE_PT * s))
    lo = w // 2
    hi = w - lo - 1
    for b in page.boxes:
        X0, Y0, X1, Y1 = (round(v * s) for v in (b.x0, b.y0, b.x1, b.y1))
        draw.rectangle((X0 - lo, Y0 - lo, X1 + hi, Y0 + hi), fill=INK)
        draw.rectangle((X0 - lo, Y1 - lo, X1 + hi, Y1 + hi), fill=INK)
        draw.rectangle((X0 - lo, Y0 - lo, X0 + hi, Y1 + hi), fill=INK)
        draw.rectangle((X1 - lo, Y0 - lo, X1 + hi, Y1 + hi), fill=INK)
    base = _baseline_em(font)
    for line in page.lines:
        face = _pil_font(font, line.size * s)
        baseline = line.top + line.height / 2 + base * line.size
        draw.text((line.x * s, baseline * s), line.text, font=face, fill=INK, anchor="ls")
    return img


def _paper(shape: tuple[int, int], rng: np.random.Generator, dpi: int) -> np.ndarray:
    """Uneven gray paper: a slow gradient plus soft blotches, levels within ~200..235."""
    h, w = shape
    small = rng.normal(0.0, 1.0, (max(2, h // 200), max(2, w // 200))).astype(np.float32)
    blotches = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    blotches = cv2.GaussianBlur(blotches, (0, 0), sigmaX=dpi / 8)
    blotches /= max(1e-6, float(np.abs(blotches).max()))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    grad = (np.cos(angle) * xx / w + np.sin(angle) * yy / h).astype(np.float32)
    grad = (grad - grad.min()) / max(1e-6, float(np.ptp(grad)))
    level = rng.uniform(214, 224)
    return np.clip(level + 10.0 * (grad - 0.5) * 2 + 7.0 * blotches, 200, 235).astype(np.float32)


def _degrade(img: Image.Image, style: ScanStyle, page_no: int) -> tuple[Image.Image, bytes | None]:
    """Scanner artifacts in scan order; returns the image and its JPEG bytes when compressed."""
    rng = np.random.default_rng([style.seed, page_no, 7])
    a = np.asarray(img, dtype=np.float32)
    paper = 255.0
    if style.gray_background:
        bg = _paper(a.shape, rng, style.dpi)
        a = a / 255.0 * bg
        paper = float(np.median(bg))
    if style.blur > 0:
        a = cv2.GaussianBlur(a, (0, 0), sigmaX=style.blur)
    if style.noise > 0:
        a = _add_noise(a, style, rng)
    if style.skew_deg:
        h, w = a.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), style.skew_deg, 1.0)
        a = cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=paper)
    out8 = np.clip(a + 0.5, 0, 255).astype(np.uint8)
    if style.bilevel:
        _, out8 = cv2.threshold(out8, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    out = Image.fromarray(out8, "L")
    if style.bilevel:
        out = out.convert("1", dither=Image.Dither.NONE)
    if style.rotate:
        out = out.rotate(style.rotate, expand=True)
    if style.jpeg_quality is None:
        return out, None
    buf = io.BytesIO()
    out.convert("L").save(buf, "JPEG", quality=style.jpeg_quality, optimize=False)
    data = buf.getvalue()
    return Image.open(io.BytesIO(data)).convert("L"), data


def _add_noise(a: np.ndarray, style: ScanStyle, rng: np.random.Generator) -> np.ndarray:
    """Sensor grain, salt-and-pepper, and dust specks, all growing with `noise`."""
    h, w = a.shape
    n = style.noise
    a = a + rng.normal(0.0, 28.0 * n, a.shape).astype(np.float32)
    a[a > 244.0] = 255.0  # the scanner's white point: grain shows on ink and gray paper, not on white
    flips = rng.random(a.shape, dtype=np.float32)
    a[flips < 0.002 * n] = 30.0
    a[flips > 1 - 0.002 * n] = 255.0
    scale = style.dpi / 200.0
    for _ in range(int(600 * n * (h * w) / (2339 * 1654))):
        cx, cy = int(rng.integers(0, w)), int(rng.integers(0, h))
        r = max(1, round(rng.uniform(0.5, 2.2) * scale))
        cv2.circle(a, (cx, cy), r, float(rng.uniform(20, 120)), -1, lineType=cv2.LINE_AA)
    return a


def _scan(
    rows: Sequence[dict[str, str]], style: ScanStyle, title: str, columns: ColumnLayout = DEFAULT_LAYOUT
) -> tuple[Layout, list[Image.Image], list[bytes | None]]:
    """Lay out, rasterize and degrade every page."""
    layout = layout_table(rows, style, title, columns)
    images: list[Image.Image] = []
    jpegs: list[bytes | None] = []
    for no, page in enumerate(layout.pages):
        img, data = _degrade(_rasterize(page, layout.font, style.dpi, layout.page_size), style, no)
        images.append(img)
        jpegs.append(data)
    return layout, images, jpegs


def render_pages(
    rows: Sequence[dict[str, str]],
    style: ScanStyle = ScanStyle(),
    title: str = DEFAULT_TITLE,
    layout: ColumnLayout = DEFAULT_LAYOUT,
) -> list[Image.Image]:
    """The scanned page images, artifacts applied (for born-digital: its layout rasterized)."""
    return _scan(rows, style, title, layout)[1]


# --- PDF --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RenderedDraft:
    """A written synthetic draft and what was drawn in it."""

    path: Path
    pages: int
    rows: tuple[dict[str, str], ...]
    cuts: tuple[str, ...] = ()  # 序号 of items with rows on more than one page
    page_items: tuple[tuple[str, ...], ...] = ()  # 序号 drawn on each page


@cache
def _rl_font(font: str) -> str:
    """Register a TrueType CJK face with reportlab (embedded as a subset) and return its name."""
    font = _VECTOR_SUBSTITUTE.get(font, font)
    path, name = _FONT_FILES[font]
    rl_name = f"scangen-{font}"
    pdfmetrics.registerFont(TTFont(rl_name, path, subfontIndex=_face_index(path, name)))
    return rl_name


def _garble(text: str, rng: random.Random) -> str:
    """A bad OCR line: dropped, swapped and look-alike characters, sometimes pure junk."""
    if rng.random() < 0.06:
        return rng.choice("大口丨木") * max(3, len(text))
    lookalike = "大口日曰己已巳土士未末人入八儿丨一二十千干于天夫王玉主"
    out: list[str] = []
    for ch in text:
        r = rng.random()
        if r < 0.10:
            continue
        if r < 0.25:
            out.append(rng.choice(lookalike))
        else:
            out.append(ch)
        if rng.random() < 0.03:
            out.append(rng.choice("|·:;丨"))
    for i in range(len(out) - 1):
        if rng.random() < 0.12:
            out[i], out[i + 1] = out[i + 1], out[i]
    return "".join(out)


def _write_image_pdf(
    out_pdf: Path, images: list[Image.Image], jpegs: list[bytes | None], layout: Layout, style: ScanStyle
) -> None:
    """Image-only PDF (JPEG pages passed through as DCT, others lossless), optional OCR layer."""
    c = Canvas(str(out_pdf), invariant=True)
    c.setProducer("scangen")
    rng = random.Random(f"{style.seed}:garble")
    page_w, page_h = layout.page_size
    for img, data, page in zip(images, jpegs, layout.pages, strict=True):
        w, h = (page_h, page_w) if style.rotate in (90, 270) else (page_w, page_h)  # exact A4
        c.setPageSize((w, h))
        src = ImageReader(io.BytesIO(data)) if data else ImageReader(img.convert("L"))
        c.drawImage(src, 0, 0, width=w, height=h)
        if style.text_layer == "garbled":
            _invisible_text(c, page, style, rng, layout.font, layout.page_size)
        c.showPage()
    c.save()


def _invisible_text(c: Canvas, page: PageLayout, style: ScanStyle, rng: random.Random, font: str,
                    size: tuple[float, float] = (PAGE_W, PAGE_H)) -> None:
    """An OCR layer (render mode 3) placed over the image, following its skew and rotation."""
    rl_font = _rl_font(font)
    page_w, page_h = size
    c.saveState()
    turn = {0: (0.0, 0.0), 90: (page_h, 0.0), 180: (page_w, page_h), 270: (0.0, page_w)}[style.rotate]
    c.translate(*turn)
    c.rotate(style.rotate)
    c.translate(page_w / 2, page_h / 2)
    c.rotate(style.skew_deg)
    c.translate(-page_w / 2, -page_h / 2)
    base = _baseline_em(font)
    for line in page.lines:
        text = _garble(line.text, rng)
        if not text:
            continue
        t = c.beginText()
        t.setTextRenderMode(3)
        t.setFont(rl_font, line.size)
        t.setTextOrigin(line.x, page_h - (line.top + line.height / 2 + base * line.size))
        t.textOut(text)
        c.drawText(t)
    c.restoreState()


def _write_vector_pdf(out_pdf: Path, layout: Layout) -> None:
    """Born-digital: real text and ruling lines, as if exported from Word."""
    rl_font = _rl_font(layout.font)
    base = _baseline_em(layout.font)
    page_h = layout.page_size[1]
    c = Canvas(str(out_pdf), pagesize=layout.page_size, invariant=True)
    c.setProducer("scangen")
    for page in layout.pages:
        c.setLineWidth(RULE_PT)
        for b in page.boxes:
            c.rect(b.x0, page_h - b.y1, b.x1 - b.x0, b.y1 - b.y0, stroke=1, fill=0)
        for line in page.lines:
            c.setFont(rl_font, line.size)
            c.drawString(line.x, page_h - (line.top + line.height / 2 + base * line.size), line.text)
        c.showPage()
    c.save()


def render_draft(
    rows: Sequence[dict[str, str]],
    out_pdf: Path,
    style: ScanStyle = ScanStyle(),
    title: str = DEFAULT_TITLE,
    layout: ColumnLayout = DEFAULT_LAYOUT,
) -> RenderedDraft:
    """Write the draft PDF: image-only, vector (born-digital), or images plus a garbled OCR layer.

    `layout` chooses the printed columns (DEFAULT_LAYOUT: the Qingpu five; LAYOUTS: other offices');
    `expected_rows(rows, layout)` is what the pipeline should make of it."""
    out_pdf = Path(out_pdf)
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    if style.text_layer == "born-digital":
        drawn = layout_table(rows, style, title, layout)
        _write_vector_pdf(out_pdf, drawn)
    else:
        drawn, images, jpegs = _scan(rows, style, title, layout)
        _write_image_pdf(out_pdf, images, jpegs, drawn, style)
    return RenderedDraft(
        path=out_pdf,
        pages=len(drawn.pages),
        rows=tuple(dict(r) for r in rows),
        cuts=drawn.cuts,
        page_items=tuple(tuple(p.items) for p in drawn.pages),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """CLI for `make`: regenerate a sample scan from a truth CSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("truth", type=Path, help="truth CSV, one row per table row")
    parser.add_argument("out", type=Path, help="PDF to write")
    parser.add_argument("--variant", default="sample", choices=sorted(VARIANTS))
    parser.add_argument("--layout", default=DEFAULT_LAYOUT.name, choices=[DEFAULT_LAYOUT.name, *sorted(LAYOUTS)],
                        help="printed columns (default: the Qingpu five)")
    parser.add_argument("--items", type=int, default=None, help="cycle the items to this many (benchmarks)")
    parser.add_argument("--seed", type=int, default=None, help="override the variant's seed")
    args = parser.parse_args(argv)
    rows = load_truth(args.truth)
    if args.items:
        rows = long_draft_rows(rows, args.items)
    style = VARIANTS[args.variant]
    if args.seed is not None:
        style = replace(style, seed=args.seed)
    layout = LAYOUTS.get(args.layout, DEFAULT_LAYOUT)
    try:
        draft = render_draft(rows, args.out, style, layout=layout)
    except ValueError as exc:  # a layout printing columns this truth lacks
        parser.error(str(exc))
    print(f"{draft.path}: {draft.pages} pages, {len(draft.rows)} rows, cut items {', '.join(draft.cuts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
