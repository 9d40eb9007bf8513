"""Clerk-facing review outputs of one draft.

- `render_review_html`: one self-contained HTML page (images as data URIs, inline CSS, nothing
  fetched): the flagged cells worst first, each with its crop, raw and final text, reasons and
  repairs, then every page with its detected grid and the flagged cells outlined;
- `render_xlsx`: the clean table as an Excel workbook, flagged cells filled and commented, with
  a second sheet listing the flags.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .evaluate import display_width
from .grid import draw_grid
from .imaging import ink_mask
from .models import SPLIT_INTO, Box, DraftResult, FieldSource, Flag, Page, Repair, Row, sub_rows
from .ocr.cells import crop_cell
from .profile import default_profile

#: Where 序号 is not a printed column it is read from (or inferred next to) the 二级指标 cell, so
#: that cell is what a clerk must see for a 序号 flag.
NO_SOURCE_FIELD = "level2"

# --- images -------------------------------------------------------------------------------------

#: Cell crops are shrunk to fit this box (CSS px): a 工作要求 cell at 300 dpi is ~1500 px wide and a
#: merged 一级指标 cell can be a page tall; this keeps an entry on one screen with text still legible.
CROP_MAX_WIDTH = 640
CROP_MAX_HEIGHT = 480
#: Crops are trimmed to their text plus this margin (character heights): a merged 一级指标 cell
#: is a page tall with a few characters in the middle.
TRIM_PAD_CHARS = 0.5
#: Ink components at least this share of a character height across are text (strokes, 、 and 。
#: are); scanner speckle is smaller. Specks within the margin of the text stay in the crop.
TEXT_MIN_CHARS = 0.3
#: Character height assumed when a grid has none measured (10.5 pt at 200 dpi).
DEFAULT_CHAR_HEIGHT = 29
#: JPEG quality of the crops: half the size of PNG on noisy scans, strokes still crisp.
CROP_JPEG_QUALITY = 85
#: Pages are shown this wide: enough to make out a cell, small enough that 20 pages stay a few MB.
PAGE_WIDTH = 1000
#: JPEG quality of the page overviews: scans are noisy, so PNG would be several times larger.
PAGE_JPEG_QUALITY = 80
#: Outline of flagged cells on a page (BGR magenta): draw_grid already uses blue, green and red.
FLAG_OUTLINE_BGR = (255, 0, 255)
#: Outline thickness in pixels of the shown (downscaled) page, so that it stays visible.
FLAG_OUTLINE_PX = 3
#: Rank labels ("#3") in a flagged cell: Hershey font scale and line pitch on the shown page
#: (about 11 px tall), and at most this many per cell (a merged title cell can cover ten rows).
FLAG_LABEL_SCALE = 0.5
FLAG_LABEL_LINE_PX = 16
FLAG_LABELS_MAX = 4

_CSS = """
.not-read, .problems { color: #b00; }
#page-status .status-not-read { color: #b00; font-weight: bold; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 1.5em; color: #222; line-height: 1.5; }
h1 { font-size: 1.35em; margin-bottom: .3em; } h2 { font-size: 1.15em; margin-top: 2em; }
.summary { background: #f4f6f8; padding: .6em 1em; border-radius: 4px; }
.summary b { font-size: 1.1em; }
.flag { border: 1px solid #ccd; border-left: 6px solid #d0d; border-radius: 4px; margin: 1em 0;
        padding: .6em .8em; display: flex; gap: 1em; align-items: flex-start; }
.flag:target { background: #fff4ff; }
.crops { flex: 0 0 auto; max-width: 50%; }
.crops img { display: block; max-width: 100%; border: 1px solid #999; margin-bottom: .3em; }
.info { flex: 1 1 auto; min-width: 0; }
.place { color: #555; font-size: .9em; }
.place code { color: #333; }
.score { font-weight: bold; color: #a0a; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin-top: .3em; }
th, td { border: 1px solid #dde; padding: .25em .5em; vertical-align: top; text-align: left;
         white-space: pre-wrap; overflow-wrap: anywhere; }
th { background: #f4f6f8; font-weight: normal; color: #555; width: 5em; }
.empty { color: #aaa; font-style: italic; }
code { font-family: inherit; background: #f2f2f6; padding: 0 .2em; }
ul.reasons, ul.repairs { margin: .2em 0; padding-left: 1.2em; }
.page img { display: block; max-width: 100%; border: 1px solid #999; }
.legend span { display: inline-block; padding: 0 .4em; margin-right: .6em; border: 2px solid; }
"""

_EMPTY = '<span class="empty">（空）</span>'


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _text(text: str) -> str:
    """Escaped text, or a visible marker when empty (line breaks kept by white-space: pre-wrap)."""
    return _escape(text) if text else _EMPTY


def _data_uri(image: np.ndarray, fmt: str, quality: int = PAGE_JPEG_QUALITY) -> str:
    """An image as a base64 data URI; fmt is "png" or "jpeg"."""
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if fmt == "jpeg" else []
    ok, encoded = cv2.imencode(f".{'jpg' if fmt == 'jpeg' else 'png'}", image, params)
    if not ok:
        raise ValueError(f"could not encode a {image.shape} image as {fmt}")
    return f"data:image/{fmt};base64,{base64.b64encode(encoded.tobytes()).decode('ascii')}"


def trim_to_text(crop: np.ndarray, char_height: int) -> np.ndarray:
    """The crop cut to its text (speckle ignored) plus a margin; unchanged when it holds no text."""
    ink = ink_mask(crop)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    min_size = TEXT_MIN_CHARS * char_height
    boxes = [(x, y, x + w, y + h) for x, y, w, h, _ in stats[1:count] if max(w, h) >= min_size]
    if not boxes:
        return crop
    pad = max(2, round(TRIM_PAD_CHARS * char_height))
    h, w = crop.shape[:2]
    x0, y0 = max(0, min(b[0] for b in boxes) - pad), max(0, min(b[1] for b in boxes) - pad)
    x1, y1 = min(w, max(b[2] for b in boxes) + pad), min(h, max(b[3] for b in boxes) + pad)
    return crop[y0:y1, x0:x1]


def _fit(image: np.ndarray, max_width: int, max_height: int | None = None) -> np.ndarray:
    """The image shrunk (never enlarged) to fit max_width × max_height."""
    h, w = image.shape[:2]
    scale = min(1.0, max_width / w, (max_height / h) if max_height else 1.0)
    if scale >= 1.0:
        return image
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


# --- flagged cells ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlaggedCell:
    """One flagged (row, field) with everything its review entry shows."""

    entry_id: str
    row: int
    field: str
    flags: tuple[Flag, ...]
    repairs: tuple[Repair, ...]
    source: FieldSource | None
    final: str
    no: str
    sub_row: int
    column: str = ""
    #: False when a 序号 flag shows the 二级指标 cell (the draft prints no 序号 column).
    own_cell: bool = True

    @property
    def score(self) -> float:
        return min(f.score for f in self.flags)

    @property
    def page(self) -> int | None:
        return self.source.page if self.source else None


def column_title(result: DraftResult, role: str) -> str:
    """The column a role's cells are shown under: the table's own; a 责任单位 column split into 牵头
    and 配合 by the draft's rule is no output column, and is named as the run's profile names it."""
    if role in result.table.roles:
        return result.table.column_name(role)
    return result.column_names.get(role) or default_profile().column_name(role)


def _field_source(row: Row | None, field: str) -> FieldSource | None:
    if row is None:
        return None
    own = row.sources.get(field)
    if own is not None and own.cell_ids:
        return own
    return row.sources.get(NO_SOURCE_FIELD) if field == "no" else own


def flagged_cells(result: DraftResult) -> list[FlaggedCell]:
    """Every distinct flagged (row, field), worst (lowest score) first, then in table order.

    Entry ids are the cell ids joined by "_" (row<n>-<field> when the field has no cell; 序号
    adds -no to its 二级指标 cell's); a merged cell flagged on several rows gets -row<n> (n: table
    row, from 1) on all but its first row."""
    by_key: dict[tuple[int, str], list[Flag]] = {}
    for flag in result.flags:
        by_key.setdefault((flag.row, flag.field), []).append(flag)
    repairs: dict[tuple[int, str], list[Repair]] = {}
    for repair in result.repairs:
        repairs.setdefault((repair.row, repair.field), []).append(repair)
    subs = sub_rows(result.table)
    order = {f: i for i, f in enumerate(result.table.roles)}
    used: set[str] = set()
    cells = []
    for row_index, field in sorted(by_key, key=lambda k: (k[0], order.get(k[1], len(order)))):
        raw_row = result.raw_table.rows[row_index] if row_index < len(result.raw_table.rows) else None
        row = result.table.rows[row_index] if row_index < len(result.table.rows) else None
        source = _field_source(raw_row, field)
        entry_id = "_".join(source.cell_ids) if source and source.cell_ids else f"row{row_index + 1}"
        if field == "no" or not (source and source.cell_ids):
            entry_id += f"-{field}"
        if entry_id in used:
            entry_id = f"{entry_id}-row{row_index + 1}"
        used.add(entry_id)
        cells.append(FlaggedCell(
            entry_id=entry_id, row=row_index, field=field,
            flags=tuple(sorted(by_key[(row_index, field)], key=lambda f: f.score)),
            repairs=tuple(repairs.get((row_index, field), ())),
            source=source,
            final=result.table.text_of(row, field) if row else "",
            no=row.no if row else "",
            sub_row=subs[row_index] if row_index < len(subs) else 0,
            column=column_title(result, field),
            own_cell=not (field == "no" and raw_row is not None and not (
                raw_row.sources.get("no") and raw_row.sources["no"].cell_ids)),
        ))
    return sorted(cells, key=lambda c: c.score)  # stable: ties stay in table order


def _page_positions(result: DraftResult) -> dict[int, int]:
    """Page index → position in result.pages / result.images."""
    if result.pages:
        return {p.page: i for i, p in enumerate(result.pages)}
    return {i: i for i in range(len(result.images))}


@dataclass(frozen=True)
class _Place:
    """Where one cell is: page position in result.images, box, and its grid's measures."""

    position: int
    box: Box
    ruling_width: int
    char_height: int


def _places(result: DraftResult, source: FieldSource) -> list[_Place]:
    """Each cell a field was read from, in reading order: the cells found on the pages' grids, or
    the source's own box when none is."""
    def place(i: int, box: Box) -> _Place:
        grid = result.pages[i].grid if i < len(result.pages) else None
        return _Place(i, box, grid.ruling_width if grid else 0,
                      grid.char_height if grid and grid.char_height else DEFAULT_CHAR_HEIGHT)

    grids = {cell.cell_id: (i, cell.box) for i, p in enumerate(result.pages) for cell in p.grid.cells}
    found = [place(*grids[c]) for c in source.cell_ids if c in grids]
    if found:
        return found
    positions = _page_positions(result)
    if source.box is not None and source.page is not None and source.page in positions:
        return [place(positions[source.page], source.box)]
    return []


def cell_crops(result: DraftResult, source: FieldSource | None) -> list[np.ndarray]:
    """Crops of the cells a field was read from (empty for text-extraction inputs)."""
    if source is None or not result.images:
        return []
    crops = []
    for place in _places(result, source):
        if place.position >= len(result.images):
            continue
        crop = crop_cell(Page(place.position, result.images[place.position], 0), place.box, place.ruling_width)
        if crop.size:
            crops.append(_fit(trim_to_text(crop, place.char_height), CROP_MAX_WIDTH, CROP_MAX_HEIGHT))
    return crops


def crop_images_html(result: DraftResult, source: FieldSource | None) -> str:
    """The crops of a field's cells as inline <img> tags ("" for text inputs): for diff.html."""
    return "".join(f'<img class="crop" src="{_data_uri(c, "jpeg", CROP_JPEG_QUALITY)}" alt="">'
                   for c in cell_crops(result, source))


# --- review.html --------------------------------------------------------------------------------


def _repair_line(repair: Repair) -> str:
    return (f"<li>{_escape(repair.method)}: <code>{_text(repair.before)}</code> → "
            f"<code>{_text(repair.after)}</code> ({repair.score:.0f})</li>")


def flag_reason(flag: Flag, raw: str, final: str) -> str:
    """A flag's reason, with the text it is about when that is not the whole raw or final text
    (the fragment of an agency list that is unknown, say, or a line left out as illegible)."""
    return f"{flag.reason} 「{flag.text}」" if flag.text and flag.text not in (raw, final) else flag.reason


def reason_text(flag: Flag, cell: FlaggedCell) -> str:
    """flag_reason for a flagged cell of the review."""
    return flag_reason(flag, cell.source.raw if cell.source else "", cell.final)


def _entry_html(rank: int, cell: FlaggedCell, result: DraftResult) -> str:
    crops = "".join(
        f'<img src="{_data_uri(c, "jpeg", CROP_JPEG_QUALITY)}" alt="{_escape(cell.entry_id)}">'
        for c in cell_crops(result, cell.source)
    )
    page = f"第 {cell.page + 1} 页" if cell.page is not None else "无页图"
    sub = f"（第 {cell.sub_row} 子行）" if cell.sub_row > 1 else ""
    column = f"{cell.column}（见二级指标单元格）" if not cell.own_cell else cell.column
    reasons = "".join(f"<li>{_escape(reason_text(f, cell))} ({f.score:.0f})</li>" for f in cell.flags)
    repairs = (f'<tr><th>修改</th><td><ul class="repairs">{"".join(_repair_line(r) for r in cell.repairs)}'
               "</ul></td></tr>") if cell.repairs else ""
    raw = cell.source.raw if cell.source else ""
    page_link = f'<a href="#page-{cell.page + 1}">{page}</a>' if cell.page is not None and result.images else page
    return (
        f'<section class="flag" id="{_escape(cell.entry_id)}">'
        f'<div class="crops">{crops}</div>'
        '<div class="info">'
        f'<div class="place">#{rank} · {page_link} · 序号 {_text(cell.no)}{sub} · {_escape(column)}'
        f' · <code>{_escape(cell.entry_id)}</code> · 分数 <span class="score">{cell.score:.0f}</span></div>'
        "<table>"
        f'<tr><th>识别原文</th><td class="raw">{_text(raw)}</td></tr>'
        f'<tr><th>最终文本</th><td class="final">{_text(cell.final)}</td></tr>'
        f'<tr><th>原因</th><td><ul class="reasons">{reasons}</ul></td></tr>'
        f"{repairs}"
        "</table></div></section>"
    )


def page_overview(result: DraftResult, position: int, flagged: Sequence[FlaggedCell]) -> np.ndarray:
    """A page with its grid drawn (draw_grid), flagged cells outlined and numbered by rank,
    shrunk to PAGE_WIDTH."""
    cells = result.pages[position]
    drawn = draw_grid(Page(cells.page, result.images[position], 0), cells.grid)
    scale = min(1.0, PAGE_WIDTH / drawn.shape[1])
    thickness = max(FLAG_OUTLINE_PX, round(FLAG_OUTLINE_PX / scale))
    ranks: dict[Box, list[int]] = {}  # a merged cell flagged on several rows is outlined once
    for rank, cell in enumerate(flagged, start=1):
        for place in _places(result, cell.source) if cell.source else ():
            if place.position == position:
                ranks.setdefault(place.box, []).append(rank)
    font_scale, line_height = FLAG_LABEL_SCALE / scale, round(FLAG_LABEL_LINE_PX / scale)
    for box, numbers in ranks.items():
        cv2.rectangle(drawn, (box.x0, box.y0), (box.x1, box.y1), FLAG_OUTLINE_BGR, thickness)
        labels = [f"#{n}" for n in numbers[:FLAG_LABELS_MAX]] + (["..."] if len(numbers) > FLAG_LABELS_MAX else [])
        for k, label in enumerate(reversed(labels)):  # stacked upwards from the bottom-left corner
            origin = (box.x0 + thickness + 2, box.y1 - thickness - 4 - k * line_height)
            cv2.putText(drawn, label, origin, cv2.FONT_HERSHEY_SIMPLEX, font_scale, FLAG_OUTLINE_BGR,
                        max(1, thickness // 2), cv2.LINE_AA)
    return _fit(drawn, PAGE_WIDTH)


def _pages_html(result: DraftResult, flagged: Sequence[FlaggedCell]) -> str:
    if not result.images or not result.pages:
        return "<p>没有页图（文本输入）。</p>"
    parts = [
        '<p class="legend"><span style="border-color:#f0f">待核对单元格</span>'
        '<span style="border-color:#f00">识别出的单元格</span>'
        '<span style="border-color:#0b0">表格线位置</span><span style="border-color:#08f">线段</span></p>'
    ]
    for position, cells in enumerate(result.pages[: len(result.images)]):
        on_page = [c for c in flagged
                   if c.source and any(p.position == position for p in _places(result, c.source))]
        links = "、".join(f'<a href="#{_escape(c.entry_id)}">{_escape(c.entry_id)}</a>' for c in on_page)
        note = f"（{_escape(cells.note)}）" if cells.note else ""
        parts.append(
            f'<section class="page" id="page-{cells.page + 1}"><h3>第 {cells.page + 1} 页{note}</h3>'
            f"<p>待核对：{links or '无'}</p>"
            f'<img src="{_data_uri(page_overview(result, position, flagged), "jpeg")}" '
            f'alt="第 {cells.page + 1} 页"></section>'
        )
    return "".join(parts)


#: Width (px) a page that could not be read is shown at in the review page's first section.
PROBLEM_PAGE_WIDTH = 900
#: Words for the page statuses, as a clerk reads them.
PAGE_STATUS_TEXT = {"read": "已读取", "no-table": "无表格", "not-read": "未能读取"}


def _problem_pages_html(result: DraftResult, flagged: Sequence[FlaggedCell]) -> str:
    """Pages that hold a ruled table but gave no rows, first on the page, each with its image."""
    missing = result.pages_not_read
    if not missing:
        return ""
    positions = {cells.page: k for k, cells in enumerate(result.pages)}
    parts = [f'<h2 class="problems">未能读取的页（{len(missing)}）：以下页面有表格，但未读入结果</h2>'
             '<div id="problems">']
    for report in missing:
        image = ""
        k = positions.get(report.page)
        if k is not None and k < len(result.images):
            overview = page_overview(result, k, flagged)
            scale = min(1.0, PROBLEM_PAGE_WIDTH / max(1, overview.shape[1]))
            small = cv2.resize(overview, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            image = f'<img src="{_data_uri(small, "jpeg")}" alt="第 {report.page + 1} 页">'
        parts.append(f'<section class="problem" id="problem-p{report.page + 1}"><h3>第 {report.page + 1} 页：'
                     f"{_escape(report.message)}</h3>{image}</section>")
    parts.append("</div>")
    return "".join(parts)


#: Shown beside a page whose orientation the reading could not decide (kept as scanned).
WEAK_ORIENTATION_HTML = ' · <b class="orientation-weak">方向未能判定，按扫描原样读取，请核对</b>'


#: A ruling the scan lost, put back where the cells' text shows a border (erased.text_gap_borders).
GRID_FROM_TEXT_TEXT = "表线几乎全失（淡墨复印）：整张表按文字间的空白列和残留的表线找出，请逐格核对"
#: A page that lost every ruling, read in the column lines of another page's table (Grid.columns_from).
COLUMNS_FROM_TEXT = "表线全失：按第 {page} 页表格的列线读出，行按文字间距分出，请逐格核对"
RESTORED_RULINGS_TEXT = "表线缺失，按文字间距补出表线（请核对该线两侧的格）："
#: A column line the page lost whole, drawn where the same table has it on another page (Grid.column_lines_from).
LENT_COLUMNS_TEXT = "整条列线缺失，按第 {page} 页表格的列线补出（请核对该列两侧的格）"


def _page_status_html(result: DraftResult) -> str:
    """One line per page: status, rows, and how its orientation was decided."""
    if not result.page_reports:
        return ""
    evidence = {cells.page: cells.orientation_evidence for cells in result.pages}
    weak = {cells.page for cells in result.pages if cells.orientation_weak}
    warped = {cells.page: cells.rectified for cells in result.pages
              if cells.rectified and not cells.rectified.endswith("left as is")}
    cleaned = {cells.page: cells.cleaned for cells in result.pages if cells.cleaned}
    streaks = {cells.page: ", ".join(f"x={x}" for x in cells.grid.streaks) for cells in result.pages
               if cells.grid.streaks}
    bands = {cells.page: ", ".join(f"y={y}" for y in cells.grid.bands) for cells in result.pages if cells.grid.bands}
    from_text = {cells.page: (COLUMNS_FROM_TEXT.format(page=cells.grid.columns_from + 1)
                              if cells.grid.columns_from is not None else GRID_FROM_TEXT_TEXT)
                 for cells in result.pages if cells.grid.from_text}
    lent = {cells.page: LENT_COLUMNS_TEXT.format(page=cells.grid.column_lines_from + 1)
            for cells in result.pages if cells.grid.column_lines_from is not None}
    restored = {cells.page: "、".join(
        f"行线 y={b.at}（x {b.start}–{b.end}）" if b.direction == "row" else f"列线 x={b.at}（y {b.start}–{b.end}）"
        for b in cells.grid.restored) for cells in result.pages if cells.grid.restored}
    items = "".join(
        f'<li class="status-{_escape(r.status)}">第 {r.page + 1} 页：{PAGE_STATUS_TEXT.get(r.status, r.status)}'
        f" · {_escape(r.message)}"
        f"{WEAK_ORIENTATION_HTML if r.page in weak else ''}"
        f"{f' · 方向：{_escape(evidence[r.page])}' if evidence.get(r.page) else ''}"
        f"{f' · 几何校正：{_escape(warped[r.page])}' if r.page in warped else ''}"
        f"{f' · 清除：{_escape(cleaned[r.page])}' if r.page in cleaned else ''}"
        f"{f' · 墨粉条纹（不作列线）：{streaks[r.page]}' if r.page in streaks else ''}"
        f"{f' · 滚筒污带（不作行线）：{bands[r.page]}' if r.page in bands else ''}"
        f"{f' · {from_text[r.page]}' if r.page in from_text else ''}"
        f"{f' · {lent[r.page]}' if r.page in lent else ''}"
        f"{f' · {RESTORED_RULINGS_TEXT}{restored[r.page]}' if r.page in restored else ''}</li>"
        for r in result.page_reports
    )
    return f'<ul id="page-status">{items}</ul>'


def render_review_html(result: DraftResult) -> str:
    """The review page of one draft: summary, flagged cells worst first, pages with grids."""
    flagged = flagged_cells(result)
    name = Path(result.path).name or result.path
    reasons: dict[str, int] = {}
    for flag in result.flags:
        kind = flag.reason.split(":", 1)[0]
        reasons[kind] = reasons.get(kind, 0) + 1
    reason_text = "、".join(f"{_escape(k)} {n}" for k, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
    title = f"<p>{_escape(result.table.title)}</p>" if result.table.title else ""
    if result.scope:
        title += f'<p id="scope">词库范围：{_escape(result.scope)}</p>'

    entries = "".join(_entry_html(rank, c, result) for rank, c in enumerate(flagged, start=1))
    missing = len(result.pages_not_read)
    not_read = f'<br><b class="not-read">未能读取 {missing} 页</b>' if missing else ""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>待核对 · {_escape(name)}</title><style>{_CSS}</style></head><body>"
        f"<h1>待核对 · {_escape(name)}</h1>{title}"
        '<div class="summary" id="summary">'
        f'页数 <b class="pages">{len(result.pages)}</b> · 行数 <b class="rows">{len(result.table.rows)}</b>'
        f' · 待核对单元格 <b class="flagged">{len(flagged)}</b>'
        f' · 输入 {_escape(result.kind)}'
        f"{f'<br>原因：{reason_text}' if reason_text else ''}"
        f"{not_read}"
        f"</div>{_problem_pages_html(result, flagged)}{_page_status_html(result)}"
        f'<h2>待核对单元格（按分数从低到高）</h2><div id="flags">{entries or "<p>没有待核对的单元格。</p>"}</div>'
        f'<h2>页面与识别出的表格</h2><div id="pages">{_pages_html(result, flagged)}</div>'
        "</body></html>\n"
    )


# --- .xlsx --------------------------------------------------------------------------------------

#: Column widths in Excel units (the width of "0"; a CJK character takes about two): 序号 fits
#: three digits, titles wrap after 6-10 characters as in the printed table, 工作要求 gets ~30.
COLUMN_WIDTHS: dict[str, float] = {
    "no": 6, "level1": 16, "level2": 22, "requirement": 64, "lead": 22, "support": 32,
    "level3": 16, "responsible": 32, "deadline": 16, "remarks": 20,
}
#: Width of a column of no known role.
DEFAULT_WIDTH = 16
REVIEW_SHEET = "review"
TABLE_SHEET = "table"
REVIEW_HEADER: tuple[str, ...] = ("cell_id", "page", "序号", "column", "reason", "score", "raw", "final")
REVIEW_WIDTHS: tuple[float, ...] = (18, 6, 6, 12, 30, 7, 48, 48)
#: Amber fill of flagged cells (Excel's own "neutral" style colour), readable under black text.
FLAG_FILL = PatternFill(fill_type="solid", start_color="FFFFC000", end_color="FFFFC000")
HEADER_FILL = PatternFill(fill_type="solid", start_color="FFD9E1F2", end_color="FFD9E1F2")
CELL_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
#: Comment box size in points: the default is too small for a reason plus a raw text.
COMMENT_WIDTH_PT = 320
COMMENT_HEIGHT_PT = 120
COMMENT_AUTHOR = "pipeline"


def _cell_value(text: str) -> str:
    """Text safe for a worksheet: XML-illegal control characters (OCR garbage) dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _number(no: str) -> int | str:
    """序号 as a number, so that Excel sorts and filters 2 before 10 (text when not digits)."""
    return int(no) if no.isascii() and no.isdigit() else no


def _put(ws: Worksheet, row: int, col: int, value: object) -> None:
    """Write one value as-is: a string starting with = stays text, not a formula."""
    cell = ws.cell(row=row, column=col)
    cell.value = _cell_value(value) if isinstance(value, str) else value
    if isinstance(value, str):
        cell.data_type = "s"
    cell.alignment = CELL_ALIGNMENT


def _header(ws: Worksheet, header: Sequence[str], widths: Sequence[float]) -> None:
    for col, (title, width) in enumerate(zip(header, widths, strict=True), start=1):
        _put(ws, 1, col, title)
        ws.cell(row=1, column=col).font = Font(bold=True)
        ws.cell(row=1, column=col).fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"


def _comment(cell: FlaggedCell) -> Comment:
    lines = [f"{reason_text(f, cell)} ({f.score:.0f})" for f in cell.flags]
    if cell.source and cell.source.raw != cell.final:
        lines.append(f"识别原文: {cell.source.raw}")
    comment = Comment(_cell_value("\n".join(lines)), COMMENT_AUTHOR)
    comment.width, comment.height = COMMENT_WIDTH_PT, COMMENT_HEIGHT_PT
    return comment


#: Print setup of the table sheet, as clerks print it: A4 landscape, every column on the page
#: (fit to one page wide, as many pages tall as needed), the header row on every page.
PRINT_MARGIN_IN = 0.4
#: Height in points of one wrapped text line at the sheet's default 11 pt (Excel's default row is
#: 15 pt), and the padding of a row; rows are set to fit their tallest cell's wrapped lines, since
#: LibreOffice prints a row written without a height at one line. Measured on the Qingpu sample
#: (.docx run, printed to PDF by LibreOffice 7.4): before, page 1 showed 3 of 6 columns and 2684 of
#: the table's 5300 characters were on no page; after, 3 landscape pages, header on each, none lost.
LINE_HEIGHT_PT = 15.0
ROW_PADDING_PT = 3.0
#: A column of width w (in widths of "0") holds w - 1 of them per line; a CJK character is two.
CELL_PADDING_CHARS = 1.0


def _wrapped_lines(text: str, width: float) -> int:
    """Lines the text takes in a wrapped cell of that width (each paragraph wraps on its own)."""
    per_line = max(1.0, width - CELL_PADDING_CHARS)
    return sum(max(1, -(-display_width(part) // int(per_line))) for part in str(text).split("\n"))


def _print_setup(ws: Worksheet, widths: Sequence[float]) -> None:
    """Landscape A4, fit to width, header row repeated, row heights that fit the wrapped text."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:1"
    ws.page_margins.left = ws.page_margins.right = PRINT_MARGIN_IN
    ws.page_margins.top = ws.page_margins.bottom = PRINT_MARGIN_IN
    for row in ws.iter_rows():
        lines = max((_wrapped_lines(c.value, widths[c.column - 1]) for c in row if c.value is not None
                     and c.column <= len(widths)), default=1)
        ws.row_dimensions[row[0].row].height = lines * LINE_HEIGHT_PT + ROW_PADDING_PT


def render_xlsx(result: DraftResult) -> bytes:
    """The clean table as .xlsx (flagged cells filled and commented) plus a "review" sheet."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = TABLE_SHEET
    columns = result.table.roles
    widths = [COLUMN_WIDTHS.get(f, DEFAULT_WIDTH) for f in columns]
    _header(ws, [c.name for c in result.table.columns], widths)
    for r, row in enumerate(result.table.rows, start=2):
        for c, field in enumerate(columns, start=1):
            value = row.get(field)
            _put(ws, r, c, _number(value) if field == "no" else value)
    _print_setup(ws, widths)
    if result.table.rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(result.table.rows) + 1}"
    flagged = flagged_cells(result)
    for cell in flagged:
        # A flag of a 责任单位 cell split into 牵头 and 配合 marks both: the name may be in either.
        shown = [cell.field] if cell.field in columns else [f for f in SPLIT_INTO.get(cell.field, ()) if f in columns]
        for field in shown if cell.row < len(result.table.rows) else ():
            target = ws.cell(row=cell.row + 2, column=columns.index(field) + 1)
            target.fill = FLAG_FILL
            target.comment = _comment(cell)

    review = wb.create_sheet(REVIEW_SHEET)
    _header(review, REVIEW_HEADER, REVIEW_WIDTHS)
    r = 2
    for cell in flagged:
        for flag in cell.flags:
            values = (cell.entry_id, cell.page + 1 if cell.page is not None else "", _number(cell.no),
                      cell.column, reason_text(flag, cell), flag.score,
                      cell.source.raw if cell.source else flag.text, cell.final)
            for c, value in enumerate(values, start=1):
                _put(review, r, c, value)
            r += 1
    _print_setup(review, REVIEW_WIDTHS)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
