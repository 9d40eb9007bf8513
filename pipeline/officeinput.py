"""Word, WPS and Excel drafts read from their own table structure: exact text, no OCR.

A .docx table or a worksheet becomes one `PageCells` (its cells with their row/column spans, text
confidence 1.0, page path `docx` / `xlsx` / `doc` …), so the structure stage maps its header to
column roles with the table profile exactly as it does for a scan, joins a table split into
several Word tables, fills merged cells into every row they span, and the repair stage runs
unchanged. Old and foreign formats (.doc, .wps, .odt, .rtf, .xls, .et, .ods) are converted to
.docx / .xlsx by LibreOffice first (convert.py). A Word file without a duty table is read as a
plan whose duties are written inline (inline.py).

Boxes of office cells are grid positions (x: columns, y: rows), since there is no page image;
column lines are the table's column widths in points, so a continuation table without a header
is matched to the table's columns by geometry like a scanned page.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import CorruptInput, EncryptedDocument, UnsupportedFormat
from .models import PAGE_NO_TABLE, Box, Cell, CellText, Grid, PageCells, PageReport, Table
from .profile import TableProfile
from .structure import build_tables

WORD_KINDS = ("docx", "doc", "wps", "odt", "rtf")
SHEET_KINDS = ("xlsx", "xls", "et", "ods")
OFFICE_KINDS = (*WORD_KINDS, *SHEET_KINDS)
OFFICE_SUFFIXES = (".docx", ".doc", ".wps", ".odt", ".rtf", ".xlsx", ".xls", ".et", ".ods", ".ofd")
#: Kinds LibreOffice converts first, and to what.
CONVERTED_TO = {"doc": "docx", "wps": "docx", "odt": "docx", "rtf": "docx", "xls": "xlsx", "et": "xlsx",
                "ods": "xlsx"}
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
RTF_MAGIC = b"{\\rtf"
#: ODF mimetypes (the `mimetype` member of an .odt/.ods).
ODF_KINDS = {"application/vnd.oasis.opendocument.text": "odt",
             "application/vnd.oasis.opendocument.spreadsheet": "ods"}
#: Body text size of the official tables (五号, 10.5 pt): the geometry tolerance of Word tables.
WORD_CHAR_PT = 10
#: Width of a Word column with no width stated, in points (an even share of an A4 text width is
#: about this for a five-column table).
DEFAULT_COLUMN_PT = 90
#: Excel's column width unit is the width of "0" in the default font (7 px at 96 dpi = 5.25 pt);
#: 8.43 units is Excel's default width.
EXCEL_UNIT_PT = 5.25
EXCEL_DEFAULT_WIDTH = 8.43
EXCEL_CHAR_PT = 11
#: Non-empty paragraphs before a Word table taken as its margin text (title, 附件 caption, a note
#: under the title), and after it (a note under the table).
MARGIN_PARAGRAPHS_ABOVE = 3
MARGIN_PARAGRAPHS_BELOW = 2
#: A row with at most this many non-empty cells at the top or bottom of a table is a title, a
#: caption or a note printed inside the table's frame (a merged row across all columns), not data:
#: a data row has a task and an agency at least.
MARGIN_ROW_MAX_TEXTS = 1
#: A worksheet is refused beyond this many used rows: a draft is a few hundred at most.
MAX_SHEET_ROWS = 20_000


@dataclass
class _Span:
    row: int
    col: int
    row_span: int
    col_span: int
    text: str


@dataclass(frozen=True, eq=False)
class OfficeRead:
    """What an office file gave: its tables, how each of its tables/sheets accounted for itself,
    and those tables as pages (for the review outputs)."""

    tables: tuple[Table, ...]
    reports: tuple[PageReport, ...]
    pages: tuple[PageCells, ...]


def sniff(path: Path, head: bytes) -> str | None:
    """The office kind of a file from its bytes (docx, xlsx, odt, ods, doc, wps, xls, et, rtf, ofd),
    None when it is no office file; an encrypted one raises EncryptedDocument."""
    suffix = path.suffix.lower()
    if head.startswith(RTF_MAGIC):
        return "rtf"
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
        except (zipfile.BadZipFile, OSError):
            return _damaged(path, suffix, "the zip container is damaged or truncated")
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "OFD.xml" in names:
            return "ofd"
        if mimetype in ODF_KINDS:
            return ODF_KINDS[mimetype]
        return _damaged(path, suffix, "a zip file that holds no Word, Excel, ODF or OFD document")
    if head.startswith(CFB_MAGIC):
        return _compound_kind(path, suffix)
    if suffix in OFFICE_SUFFIXES:
        return _damaged(path, suffix, "not an office file of that kind (its first bytes say otherwise)")
    return None


def _damaged(path: Path, suffix: str, reason: str) -> None:
    """A file named as an office file that is not one: CorruptInput; otherwise not ours (None)."""
    if suffix in OFFICE_SUFFIXES:
        raise CorruptInput(str(path), reason)
    return None


def _compound_kind(path: Path, suffix: str) -> str | None:
    """doc/wps/xls/et for an OLE compound file, by its streams; EncryptedDocument when it needs a
    password (an encrypted .docx/.xlsx is such a file too)."""
    import msoffcrypto
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(s) for s in ole.listdir()}
    except Exception as exc:  # olefile raises OSError, ValueError … on damaged headers
        return _damaged(path, suffix or ".doc", f"the compound file is damaged or truncated ({type(exc).__name__})")
    try:
        with open(path, "rb") as handle:
            encrypted = msoffcrypto.OfficeFile(handle).is_encrypted()
    except Exception:  # msoffcrypto knows Word, Excel and PowerPoint; WPS's own streams are not its
        encrypted = "EncryptionInfo" in streams
    if encrypted:
        raise EncryptedDocument(str(path), "the file is password-protected; save an unprotected copy and retry")
    if "WordDocument" in streams:
        return "wps" if suffix == ".wps" else "doc"
    if streams & {"Workbook", "Book"}:
        return "et" if suffix == ".et" else "xls"
    if suffix in (".wps", ".et"):
        return suffix[1:]
    return _damaged(path, suffix, "a compound file that holds no Word or Excel document")


def read_office(path: Path, kind: str, profile: TableProfile, first_is_lead: bool = False) -> OfficeRead:
    """The draft's tables from a Word/WPS/Excel file (converted by LibreOffice first when needed)."""
    if kind == "ofd":
        raise UnsupportedFormat(str(path), "OFD not supported yet: open it in an OFD reader (数科, 福昕) "
                                "and save or print it as PDF, then run the PDF")
    if kind in CONVERTED_TO:
        from .convert import convert

        with tempfile.TemporaryDirectory(prefix="pipeline-convert-") as tmp:
            converted = convert(path, CONVERTED_TO[kind], Path(tmp))
            return _read_converted(converted, CONVERTED_TO[kind], kind, str(path), profile, first_is_lead)
    return _read_converted(path, kind, kind, str(path), profile, first_is_lead)


def _read_converted(path: Path, fmt: str, kind: str, source: str, profile: TableProfile,
                    first_is_lead: bool) -> OfficeRead:
    if fmt == "docx":
        pages, paragraphs = docx_pages(path, kind, source)
    else:
        pages, paragraphs = xlsx_pages(path, kind, source), []
    structure = build_tables(pages, profile, source=source, first_is_lead=first_is_lead)
    tables = tuple(t for t in structure.tables if t.rows)
    if not tables and paragraphs:
        from .inline import parse_plan

        plan = parse_plan(paragraphs, source=source, path_label=f"{kind}-text")
        if plan.table.rows:
            return OfficeRead((plan.table,), plan.reports, ())
    reports = structure.pages if pages else (PageReport(0, PAGE_NO_TABLE, message=f"no table in the {kind} file"),)
    return OfficeRead(structure.tables, reports, tuple(pages))


# --- Word ---------------------------------------------------------------------------------------
def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{tag}")


def element_text(element) -> str:  # element: an lxml element of a paragraph or cell
    """The text of a Word element as the reader sees it with changes accepted: inserted runs
    (w:ins) kept, deleted ones (w:del, w:moveFrom) left out, breaks as newlines, tabs as spaces.
    python-docx's Paragraph.text skips runs inside w:ins, which a tracked draft is full of."""
    t, tab, br, cr, p = _w("t"), _w("tab"), _w("br"), _w("cr"), _w("p")
    skip = {_w("del"), _w("moveFrom")}
    parts: list[str] = []
    for node in element.iter(t, tab, br, cr, p):
        if any(a.tag in skip for a in node.iterancestors()):
            continue
        if node.tag == t:
            parts.append(node.text or "")
        elif node.tag == tab:
            parts.append(" ")
        elif node.tag == p:
            if parts:
                parts.append("\n")
        else:
            parts.append("\n")
    return "".join(parts)


def docx_pages(path: Path, kind: str, source: str) -> tuple[list[PageCells], list[str]]:
    """Each table of the document as a page, and the body paragraphs (for inline duties)."""
    import docx
    from docx.table import Table as DocxTable

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises KeyError, BadZipFile, lxml errors on damaged files
        raise CorruptInput(source, f"the Word file is damaged ({type(exc).__name__}: {exc})") from None
    tracked = bool(document.element.body.xpath(".//w:ins | .//w:del"))
    blocks: list[tuple[str, object]] = []
    for block in document.iter_inner_content():
        if isinstance(block, DocxTable):
            blocks.append(("table", block))
        else:
            blocks.append(("text", element_text(block._p).strip()))
    pages: list[PageCells] = []
    paragraphs = [text for what, text in blocks if what == "text" and text]
    for i, (what, block) in enumerate(blocks):
        if what != "table":
            continue
        above = [t for w, t in blocks[:i] if w == "text" and t]
        below: list[str] = []
        for w, t in blocks[i + 1:]:
            if w == "table" or len(below) >= MARGIN_PARAGRAPHS_BELOW:
                break
            if t:
                below.append(str(t))
        if pages:  # only the text since the previous table belongs to this one
            previous = [j for j, (w, _) in enumerate(blocks[:i]) if w == "table"][-1]
            above = [t for w, t in blocks[previous + 1:i] if w == "text" and t]
        spans = _word_spans(block)
        widths = [(c.width.pt if c.width else DEFAULT_COLUMN_PT) for c in block.columns]
        note = f"{kind} table {len(pages) + 1}" + (", tracked changes read as accepted" if tracked else "")
        pages.append(_page(len(pages), spans, widths, WORD_CHAR_PT, kind,
                           [*map(str, above[-MARGIN_PARAGRAPHS_ABOVE:])], below, note))
    return pages, [str(p) for p in paragraphs]


def _word_spans(table) -> list[_Span]:  # table: docx.table.Table
    """The table's cells with their spans: gridSpan across, vMerge (restart/continue) down."""
    spans: list[_Span] = []
    at: dict[tuple[int, int], int] = {}
    for r, row in enumerate(table.rows):
        c = row.grid_cols_before
        for tc in row._tr.tc_lst:
            width = tc.grid_span
            above = at.get((r - 1, c)) if tc.vMerge == "continue" else None
            if above is not None:
                spans[above].row_span = r - spans[above].row + 1
                index = above
            else:
                spans.append(_Span(r, c, 1, width, element_text(tc)))
                index = len(spans) - 1
            for k in range(c, c + width):
                at[(r, k)] = index
            c += width
    return spans


# --- Excel --------------------------------------------------------------------------------------
def cell_text(value: object) -> str:
    """A worksheet value as text: whole numbers without .0, dates as dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def xlsx_pages(path: Path, kind: str, source: str) -> list[PageCells]:
    """Each visible worksheet as a page: its used cells, merged ranges as spans."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        book = openpyxl.load_workbook(str(path), data_only=True)
    except Exception as exc:  # openpyxl raises InvalidFileException, KeyError, BadZipFile, lxml errors
        raise CorruptInput(source, f"the Excel file is damaged ({type(exc).__name__}: {exc})") from None
    pages: list[PageCells] = []
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        if ws.max_row > MAX_SHEET_ROWS:
            raise CorruptInput(source, f"sheet {ws.title!r} has {ws.max_row} rows, over {MAX_SHEET_ROWS}")
        values = {(cell.row - 1, cell.column - 1): cell_text(cell.value)
                  for row in ws.iter_rows() for cell in row if cell.value is not None}
        used = [k for k, v in values.items() if v.strip()]
        if not used:
            continue
        n_rows = max(r for r, _ in used) + 1
        n_cols = max(c for _, c in used) + 1
        spans: list[_Span] = []
        covered: set[tuple[int, int]] = set()
        for merged in ws.merged_cells.ranges:
            r0, c0 = merged.min_row - 1, merged.min_col - 1
            if r0 >= n_rows or c0 >= n_cols:
                continue
            rs, cs = min(merged.max_row, n_rows) - r0, min(merged.max_col, n_cols) - c0
            spans.append(_Span(r0, c0, rs, cs, values.get((r0, c0), "")))
            covered |= {(r, c) for r in range(r0, r0 + rs) for c in range(c0, c0 + cs)}
        for r in range(n_rows):
            for c in range(n_cols):
                if (r, c) not in covered:
                    spans.append(_Span(r, c, 1, 1, values.get((r, c), "")))
        widths = []
        for c in range(n_cols):
            dim = ws.column_dimensions.get(get_column_letter(c + 1))
            widths.append(((dim.width if dim is not None and dim.width else EXCEL_DEFAULT_WIDTH)) * EXCEL_UNIT_PT)
        pages.append(_page(len(pages), spans, widths, EXCEL_CHAR_PT, kind, [], [], f"{kind} sheet {ws.title}"))
    return pages


# --- both ---------------------------------------------------------------------------------------
def _page(index: int, spans: list[_Span], widths: Sequence[float], char_pt: int, kind: str,
          above: list[str], below: list[str], note: str) -> PageCells:
    """One table as a page: empty rows dropped, title/note rows at its top and bottom moved to its
    margin text, cells with grid-position boxes, column lines from the column widths."""
    n_rows = max((s.row + s.row_span for s in spans), default=0)

    def texts_in(r: int) -> list[str]:
        return [s.text.strip() for s in spans if s.row <= r < s.row + s.row_span and s.text.strip()]

    def starts_in(r: int) -> list[_Span]:
        return [s for s in spans if s.row == r]

    kept = [r for r in range(n_rows) if texts_in(r)]
    top: list[str] = []
    while kept and len(texts_in(kept[0])) <= MARGIN_ROW_MAX_TEXTS and all(
            s.row_span == 1 for s in starts_in(kept[0])):
        top.extend(texts_in(kept.pop(0)))
    bottom: list[str] = []
    while kept and len(texts_in(kept[-1])) <= MARGIN_ROW_MAX_TEXTS and all(
            s.row + s.row_span - 1 == kept[-1] for s in spans if s.row <= kept[-1] < s.row + s.row_span):
        bottom[:0] = texts_in(kept.pop())
    rows = set(kept)
    col_lines = [0]
    for width in widths:
        col_lines.append(col_lines[-1] + max(1, round(width)))
    cells = []
    for s in spans:
        if s.row not in rows:
            continue
        box = Box(s.col, s.row, s.col + s.col_span, s.row + s.row_span)
        cell = Cell(index, s.row, s.col, s.row_span, s.col_span, box)
        cells.append(CellText(cell, s.text, 1.0, kind))
    grid = Grid(index, tuple(range(n_rows + 1)), tuple(col_lines), tuple(c.cell for c in cells), char_height=char_pt)
    return PageCells(index, grid, tuple(cells), source=kind, note=note, margin_text=(*above, *top, *bottom, *below))
