"""The thin runner: the stages in order for each draft, pages in parallel over the cores.

Each page goes through ingest → clean → grid → line cutting in a worker process; its line images
are then read in pieces by whichever workers are free (the OCR engine is loaded once per worker),
so that the last pages of a short draft keep every core busy. The pages' cells then go through
structure → repair in the main process.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

import numpy as np

from . import wording
from .clean import CleanReport, clean_page
from .errors import PARTIAL_RESULT_EXIT, HeaderNotMapped, NoTableFound, PipelineError
from .export import output_paths, write_outputs, write_run_record
from .fileio import write_bytes_atomic
from .grid import detect_grid, draw_grid, grid_in_columns, missing_column_lines
from .ingest import Document, load_page, open_document
from .inline import plan_from_lines, plan_from_pdf
from .lexicon import Lexicon
from .models import (
    PAGE_NO_TABLE,
    PAGE_NOT_READ,
    CellText,
    DraftResult,
    Grid,
    LineText,
    Page,
    PageCells,
    PageImages,
    PageReport,
    StageTime,
    StoredImage,
    Table,
)
from .ocr import get_engine, read_cells, read_margin_text
from .ocr.base import reads_in_pieces
from .ocr.body import body_lines
from .ocr.cells import CellLines, cell_lines, cells_from_lines, line_images, margin_from_lines, margin_lines
from .officeinput import OFFICE_KINDS, read_office
from .profile import TableProfile, load_profile
from .repair import repair_table
from .settings import Settings
from .structure import build_tables
from .textinput import read_extraction

#: Exit code of a file that failed through a bug rather than bad input (BSD's EX_SOFTWARE).
INTERNAL_ERROR_EXIT = 70
logger = logging.getLogger("pipeline")


@dataclass(frozen=True, eq=False)
class PageOutcome:
    cells: PageCells
    image: StoredImage
    timings: tuple[tuple[str, StageTime], ...]


def _add_time(timings: dict[str, StageTime], stage: str, wall: float, cpu: float) -> None:
    before = timings.get(stage, StageTime())
    timings[stage] = StageTime(before.wall + wall, before.cpu + cpu)


@contextmanager
def _timed(timings: dict[str, StageTime], stage: str) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        _add_time(timings, stage, time.perf_counter() - wall, time.process_time() - cpu)


@dataclass(frozen=True, eq=False)
class PreparedPage:
    """A page up to its line images: everything before the recognizer, so that the lines of a
    page can be read by several workers (`_pages_in_pool`)."""

    index: int
    source: str
    note: str
    image: StoredImage  # the page cleaned (upright, deskewed), compressed
    report: CleanReport
    grid: Grid
    work: tuple[CellLines, ...]  # scanned pages: each cell's line images
    margin: tuple[np.ndarray, ...]  # scanned pages: the lines above and below the table
    layer_cells: tuple[CellText, ...]  # text-layer pages: read exactly from their layer
    layer_margin: tuple[str, ...]
    timings: tuple[tuple[str, StageTime], ...]

    def pieces(self, lines_per_piece: int) -> list[list[np.ndarray]]:
        """The page's line images in reading pieces: the cells' lines in runs of at most
        `lines_per_piece` (0: all in one), then the margin lines on their own."""
        cells = line_images(self.work)
        size = lines_per_piece or max(1, len(cells))
        out = [cells[k:k + size] for k in range(0, len(cells), size)]
        return [*out, list(self.margin)] if self.margin else out


def _more_lines(found: Grid, than: Grid) -> bool:
    """`found` has as many row and column lines as `than` at least, and more of one: a grid that
    gains a row line and loses a column line is no better."""
    rows, cols = len(found.row_lines), len(found.col_lines)
    return rows >= len(than.row_lines) and cols >= len(than.col_lines) and (rows, cols) != (
        len(than.row_lines), len(than.col_lines))


def _restored_length(grid: Grid) -> int:
    """Pixels of border the grid restored from the text because it found no ruling there."""
    return sum(border.end - border.start for border in grid.restored)


def _better_grid(found: Grid, than: Grid) -> bool:
    """`found` has more lines (`_more_lines`), or as many and fewer of its borders guessed from the
    text: rulings found drawn are evidence, borders restored from blanks between texts a guess."""
    if _more_lines(found, than):
        return True
    same = (len(found.row_lines), len(found.col_lines)) == (len(than.row_lines), len(than.col_lines))
    return same and _restored_length(found) < _restored_length(than)


def _warp_judged(page: Page, report: CleanReport, grid: Grid, settings: Settings
                 ) -> tuple[Page, CleanReport, Grid]:
    """The page as clean-up warped it, or, where rectify warped it, the page neither rectified nor
    unbent when its grid is better (`_better_grid`; the report then says so); the report
    no longer holds the other image.

    Rectify keeps its warp by how much of the ruling ink it makes straight. A copier's haze along the
    rulings of a flat page measured a keystone there, and the warp broke the page's grid: held-out
    putuo/photocopy at seed 19, page 1, lost its 一级 and 二级 columns and its last row (4 of 6 column
    lines, 7 of 8 row lines; without the warps its grid was whole). With as many lines, the page whose
    grid restored fewer pixels of border from the text wins (`_better_grid`): held-out
    songjiang/word-photocopy at seed 20, page 6 (a header row and one item, a short table whose outline
    measured a keystone), had every border restored on the warped page, its header not told from the
    rows and read into the item before; without the warps, every ruling was found. Of the 54 pages
    rectify warped in seeds 17-19's photocopies, phone photos, folds and drums (dev), 52 tied in lines:
    on one the page without the warps restored less (seed 17 jiading/photocopy, page 1: 97 px against 0,
    a 配合 cell righted), on four phone photos the warped page did (kept). A full tie keeps the warp. Unbend alone
    is not judged so: on dirty drums the page without it found a streak's column as well (held-out
    fengxian/word-dirty-drum at seed 19, page 3: a sixth column, and the draft read as two tables).
    Measured on seed 18's 84 warped pages (phone photos, folding, drums; dev): no page rectify warped
    found more lines without the warp.
    """
    other = report.unwarped
    report = replace(report, unwarped=None)
    if other is None:
        return page, report, grid
    candidate = replace(page, image=other.image)
    found = detect_grid(candidate, settings)
    if not _better_grid(found, grid):
        return page, report, grid
    if _more_lines(found, grid):
        why = (f"whose grid found fewer lines ({len(grid.row_lines)} rows and {len(grid.col_lines)} columns "
               f"against {len(found.row_lines)} and {len(found.col_lines)})")
    else:
        why = (f"whose grid found as many lines but restored {_restored_length(grid)} px of borders from the "
               f"text against {_restored_length(found)} px")
    note = f"neither rectified nor unbent; kept over \"{report.rectified}\", {why}"
    return candidate, replace(report, skew_deg=other.skew_deg, rectified=note, cleaned=other.cleaned), found


def prepare_page(doc: Document, index: int, settings: Settings) -> PreparedPage:
    """One page through ingest, clean-up and grid detection, its cells cut into line images."""
    timings: dict[str, StageTime] = {}
    with _timed(timings, "ingest"):
        page = load_page(doc, index, settings)
    scanned = page.source != "text-layer"
    with _timed(timings, "clean"):
        page, report = clean_page(page, settings, get_engine(settings) if scanned else None)
    with _timed(timings, "grid"):
        grid = detect_grid(page, settings)
        page, report, grid = _warp_judged(page, report, grid, settings)
    with _timed(timings, "ocr"):
        if scanned:
            work, margin = tuple(cell_lines(page, grid)), tuple(margin_lines(page, grid))
            layer_cells, layer_margin = (), ()
        else:
            work, margin = (), ()
            layer_cells, layer_margin = read_cells(page, grid, None, settings), read_margin_text(page, grid, None)
    return PreparedPage(page.index, page.source, page.note, StoredImage.of(page.image), report, grid, work, margin,
                        layer_cells, layer_margin, tuple(timings.items()))


@dataclass(frozen=True)
class PieceRead:
    """What a worker read of one piece of a page's lines, and what it cost."""

    lines: tuple[LineText, ...]
    engine: str
    #: The engine's OcrEngine.illegible_below: lines read under it are left out of their cells.
    illegible_below: float
    time: StageTime


def read_piece(images: Sequence[np.ndarray], settings: Settings) -> PieceRead:
    """Line images read by the settings' engine (in a worker: the engine loads once per process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    engine = get_engine(settings)
    lines = tuple(engine.read_lines(images)) if images else ()
    return PieceRead(lines, engine.name, engine.illegible_below,
                     StageTime(time.perf_counter() - wall, time.process_time() - cpu))


def _texts_read(work: Sequence[CellLines], lines: Sequence[LineText], engine: str, illegible_below: float
                ) -> tuple[tuple[CellText, ...], tuple[str, ...]]:
    """The cells' texts and the margin's lines from the readings of a page's cell lines followed by
    its margin lines (PreparedPage.pieces' order)."""
    n_cells = len(line_images(work))
    return cells_from_lines(work, lines[:n_cells], engine, illegible_below), margin_from_lines(lines[n_cells:])


def finish_page(prepared: PreparedPage, reads: Sequence[PieceRead]) -> PageOutcome:
    """A prepared page and the readings of its pieces (in order) as the page's outcome."""
    timings = dict(prepared.timings)
    for piece in reads:
        _add_time(timings, "ocr", piece.time.wall, piece.time.cpu)
    if prepared.source == "text-layer":
        texts, margin = prepared.layer_cells, prepared.layer_margin
    else:
        lines = [line for piece in reads for line in piece.lines]
        engine, floor = (reads[0].engine, reads[0].illegible_below) if reads else ("", 0.0)
        texts, margin = _texts_read(prepared.work, lines, engine, floor)
    report = prepared.report
    cells = PageCells(prepared.index, prepared.grid, texts, prepared.source, prepared.note, report.rotation,
                      report.skew_deg,
                      orientation_evidence=report.evidence, orientation_weak=report.orientation_weak,
                      rectified=report.rectified, cleaned=report.cleaned,
                      margin_text=margin)
    return PageOutcome(cells, prepared.image, tuple(timings.items()))


def process_page(doc: Document, index: int, settings: Settings) -> PageOutcome:
    """One page through ingest, clean-up, grid detection and cell OCR, all in this process."""
    prepared = prepare_page(doc, index, settings)
    pieces = prepared.pieces(0) if prepared.source != "text-layer" else []
    return finish_page(prepared, [read_piece(images, settings) for images in pieces])


#: Lines of a page read in one task when pages run in a local pool. A 5-page draft on 2 cores kept
#: one core idle through its last page when a page was one task; pieces of a page spread its reading
#: over both. A page has 40-80 lines; pieces of this size keep the tasks few (each costs a few ms).
LINES_PER_PIECE = 24


def _pages_in_pool(executor: Executor, doc: Document, settings: Settings, workers: int) -> Iterator[PageOutcome]:
    """The draft's pages, in order, prepared and read in `executor`: while a page's lines are read,
    the next pages are prepared, at most `workers` of them ahead (so few pages wait in memory)."""
    n = doc.page_count
    pieces_of = LINES_PER_PIECE if reads_in_pieces(settings) else 0
    preparing = deque(executor.submit(prepare_page, doc, i, settings) for i in range(min(workers, n)))
    submitted = len(preparing)
    reading: deque[tuple[PreparedPage, list[Future]]] = deque()
    while preparing:
        prepared = preparing.popleft().result()
        pieces = prepared.pieces(pieces_of) if prepared.source != "text-layer" else []
        reading.append((prepared, [executor.submit(read_piece, images, settings) for images in pieces]))
        if submitted < n:
            preparing.append(executor.submit(prepare_page, doc, submitted, settings))
            submitted += 1
        while reading and (not preparing or all(f.done() for f in reading[0][1])):
            prepared, futures = reading.popleft()
            yield finish_page(prepared, [f.result() for f in futures])


def worker_count(settings: Settings) -> int:
    return settings.workers or os.cpu_count() or 1


def make_executor(settings: Settings) -> Executor | None:
    """A process pool for page work, or None to work in this process (one worker)."""
    workers = worker_count(settings)
    return ProcessPoolExecutor(max_workers=workers) if workers > 1 else None


#: Called after each page with (pages done, pages in all, cells read so far).
PageCallback = Callable[[int, int, int], None]


def profile_of(settings: Settings) -> TableProfile:
    """The table profile the settings name (the shipped one by default)."""
    return load_profile(Path(settings.profile) if settings.profile else None)


def _tables_of_its_size(outcomes: Sequence[PageOutcome], index: int) -> Iterator[PageCells]:
    """The other scanned pages of the draft that hold a table and were scanned at the size of page
    `index` (a page of another size has its columns elsewhere): the ones before it, nearest first (a
    table runs on down the pages), then the ones after it."""
    shape = outcomes[index].image.shape
    for k in (*range(index - 1, -1, -1), *range(index + 1, len(outcomes))):
        cells = outcomes[k].cells
        if cells.grid.cells and cells.source != "text-layer" and outcomes[k].image.shape == shape:
            yield cells


def _columns_donor(outcomes: Sequence[PageOutcome], index: int) -> PageCells | None:
    """The page whose table's column lines a page that lost every ruling is read in: the first of
    _tables_of_its_size; None when there is none."""
    return next(_tables_of_its_size(outcomes, index), None)


def _read_in(outcome: PageOutcome, page: Page, grid: Grid, settings: Settings) -> PageOutcome:
    """The outcome with its page's cells read again, in this process, in `grid` (a cross-page pass
    found it)."""
    work, margin = cell_lines(page, grid), margin_lines(page, grid)
    read = read_piece([*line_images(work), *margin], settings)
    texts, margin_text = _texts_read(work, read.lines, read.engine, read.illegible_below)
    return replace(outcome, cells=replace(outcome.cells, grid=grid, cells=texts, margin_text=margin_text))


def _pages_in_borrowed_columns(outcomes: Sequence[PageOutcome], settings: Settings) -> list[PageOutcome]:
    """The outcomes, where a scanned page found no table while another page of the draft did, that page
    read in that table's column lines (grid.grid_in_columns) when its text stands in them: a 1-bit copy
    at light toner can lose every ruling of a page, and its rows were lost with them (the held-out
    Songjiang plan's Word table, tests/wordscan.py bilevel-200 at seed 21, page 6: the header row and
    item 28; the page was named not read, exit 13). The page's cells are read here, in this process."""
    out = list(outcomes)
    for k, outcome in enumerate(outcomes):
        cells = outcome.cells
        donor = None if cells.grid.cells or cells.source == "text-layer" else _columns_donor(outcomes, k)
        if donor is None:
            continue
        page = Page(cells.page, outcome.image.decode(), settings.dpi)
        grid = grid_in_columns(page, settings, donor.grid.col_lines, donor.page)
        if grid.cells:
            out[k] = _read_in(outcome, page, grid, settings)
    return out


def _side_swallows_header(grid: Grid, before: Grid) -> bool:
    """Whether a side `grid` drew beyond the table's lines `before` had makes a column whose first cell
    runs down more rows than the first cell of the column beside it: the ruling under its header was
    bent or lost too, and the header would take the titles below it. augraphy Folding bends a Word
    table's side and the rulings' ends beside it (tests/wordscan.py folding at seed 24, held out, three
    plans): the 一级 titles of the page went into the header cell (songjiang 一级 100 → 80%) where the
    page without the side had carried the title before them down."""
    for col, beside in ((0, 1), (len(grid.col_lines) - 2, len(grid.col_lines) - 3)):
        x = grid.col_lines[col if col == 0 else col + 1]
        if before.col_lines[0] <= x <= before.col_lines[-1] or beside < 0:
            continue
        first, next_to = grid.cell_at(0, col), grid.cell_at(0, beside)
        if first is not None and next_to is not None and first.row_span > next_to.row_span:
            return True
    return False


def _pages_with_lent_columns(outcomes: Sequence[PageOutcome], settings: Settings) -> list[PageOutcome]:
    """The outcomes, where a scanned page's table lacks a column line the same table has on another page
    of the draft (the nearest such page of the same size, the ones before it first), that page's grid
    found again with the line drawn where its text leaves a blank corridor at it (grid.detect_grid's
    `borrowed`), and its cells read again, in this process. LinesDegradation over our renderer's
    Jiading plan at seed 24 (held out) erased page 4's 二级 | 工作要求 ruling whole: each 二级 title
    was read into its requirement, unflagged."""
    out = list(outcomes)
    for k, outcome in enumerate(outcomes):
        cells = outcome.cells
        if not cells.grid.cells or cells.source == "text-layer" or cells.grid.columns_from is not None:
            continue
        tolerance = settings.line_merge_chars * cells.grid.char_height
        lender = next(((other, missing) for other in _tables_of_its_size(outcomes, k)
                       if (missing := missing_column_lines(cells.grid.col_lines, other.grid.col_lines, tolerance))),
                      None)
        if lender is None:
            continue
        page = Page(cells.page, outcome.image.decode(), settings.dpi)
        grid = detect_grid(page, settings, lender[1])
        if len(grid.col_lines) > len(cells.grid.col_lines) and not _side_swallows_header(grid, cells.grid):
            out[k] = _read_in(outcome, page, replace(grid, column_lines_from=lender[0].page), settings)
    return out


def _table_pages_lost(reports: Sequence[PageReport], outcomes: Sequence[PageOutcome], profile: TableProfile,
                      settings: Settings) -> tuple[PageReport, ...]:
    """The page reports, where a scanned page of a draft with a table was found to hold no table but
    its text shows the table's header row (TableProfile.header_row_in), that page not read: the
    table's rulings were lost there, and its rows with them. A 1-bit copy at light toner of the
    held-out Songjiang plan's Word table (tests/wordscan.py bilevel-200, seed 16) kept only specks of
    the last page's rulings: its one item was left out, the page said 'no ruled table', and the run
    ended ok."""
    engine = None
    out = []
    for report in reports:
        outcome = next((o for o in outcomes if o.cells.page == report.page), None)
        if report.status == PAGE_NO_TABLE and outcome is not None and outcome.cells.source != "text-layer":
            engine = engine or get_engine(settings)
            header = profile.header_row_in(body_lines(Page(report.page, outcome.image.decode(), settings.dpi), engine))
            if header:
                report = replace(report, status=PAGE_NOT_READ, message=(
                    f"the table's header row is printed here (read 「{header}」) but no table was found: "
                    "its rulings lost?"))
        out.append(report)
    return tuple(out)


def process_draft_tables(
    path: Path,
    settings: Settings,
    lexicon: Lexicon,
    executor: Executor | None = None,
    on_page: PageCallback | None = None,
) -> list[DraftResult]:
    """One draft (PDF, image or text extraction) to its repaired tables, one result per table
    (附件1, 附件2 …), each carrying every page's report; raises PipelineError kinds."""
    profile = profile_of(settings)
    doc = open_document(path, settings)
    timings: dict[str, StageTime] = {}
    outcomes: list[PageOutcome] = []
    reports: tuple[PageReport, ...] = ()
    if doc.kind == "text":
        with _timed(timings, "structure"):
            extraction, reports = read_extraction(path)
            tables: tuple[Table, ...] = (extraction,)
    elif doc.kind in (*OFFICE_KINDS, "ofd"):
        with _timed(timings, "structure"):
            office = read_office(path, doc.kind, profile, settings.first_is_lead)
        tables, reports = office.tables, office.reports
    else:
        indexes = range(doc.page_count)
        # A one-page draft is read here rather than sent to a local pool; a cluster reads every page.
        if executor is None or (doc.page_count == 1 and not getattr(executor, "remote", False)):
            results: Iterable[PageOutcome] = (process_page(doc, i, settings) for i in indexes)
        elif getattr(executor, "remote", False):  # a cluster's executor takes whole pages
            results = executor.map(process_page, [doc] * doc.page_count, indexes, [settings] * doc.page_count)
        else:
            results = _pages_in_pool(executor, doc, settings, worker_count(settings))
        for done, outcome in enumerate(results, start=1):
            outcomes.append(outcome)
            if done == 1 and outcome.cells.source != "text-layer" and settings.engine != "tesseract":
                # The repair's word model loads while the other pages are read; the worker
                # processes are all started by now (see wording.load_in_background).
                wording.load_in_background()
            for stage, spent in outcome.timings:
                _add_time(timings, stage, spent.wall, spent.cpu)
            if on_page:
                on_page(done, doc.page_count, sum(len(o.cells.cells) for o in outcomes))
        if any(o.cells.grid.cells for o in outcomes):
            with _timed(timings, "grid"):
                outcomes = _pages_in_borrowed_columns(outcomes, settings)
                outcomes = _pages_with_lent_columns(outcomes, settings)
        with _timed(timings, "structure"):
            structure = build_tables([o.cells for o in outcomes], profile, source=str(path),
                                     first_is_lead=settings.first_is_lead)
        tables, reports = structure.tables, structure.pages
        if any(t.rows for t in tables):
            with _timed(timings, "ocr"):
                reports = _table_pages_lost(reports, outcomes, profile, settings)
        if not any(t.rows for t in tables) and outcomes and all(o.cells.source == "text-layer" for o in outcomes):
            with _timed(timings, "structure"):
                plan = plan_from_pdf(path)  # a born-digital plan whose duties are written inline
            if plan is not None:
                tables, reports = (plan.table,), plan.reports
        elif not any(t.rows for t in tables) and outcomes and all(r.status == PAGE_NO_TABLE for r in reports):
            # A scanned plan whose duties are written inline: no page holds a ruled table.
            with _timed(timings, "ocr"):
                engine = get_engine(settings)
                lines = [line for o in outcomes
                         for line in body_lines(Page(o.cells.page, o.image.decode(), settings.dpi), engine)]
            plan = plan_from_lines(lines, str(path), "scan")
            if plan is not None:
                tables, reports = (plan.table,), plan.reports
    tables = tuple(t for t in tables if t.rows)
    if not tables:
        not_read = [r for r in reports if r.status == "not-read"]
        if not_read:
            # the other pages said too: a 1-bit copy that lost its thin rulings shows a table on one page
            without = [r.label for r in reports if r.status == PAGE_NO_TABLE]
            raise HeaderNotMapped(str(path), "a ruled table was found but not read: " + "; ".join(
                f"{r.label}: {r.message}" for r in not_read) + (
                f"; no ruled table on {', '.join(without)}" if without else ""))
        raise NoTableFound(str(path), "no ruled 职责分工 table was found on any page")
    out = []
    for raw in tables:
        with _timed(timings, "repair"):
            repaired = repair_table(raw, lexicon, settings)
        out.append(DraftResult(
            path=str(path), kind=doc.kind, table=repaired.table, raw_table=raw,
            repairs=repaired.repairs, flags=repaired.flags,
            pages=tuple(o.cells for o in outcomes), images=PageImages([o.image for o in outcomes]),
            timings=MappingProxyType(timings), page_reports=reports, scope=repaired.scope,
            column_names=MappingProxyType({spec.name: profile.column_name(spec.name) for spec in profile.roles}),
        ))
    return out


def process_draft(
    path: Path,
    settings: Settings,
    lexicon: Lexicon,
    executor: Executor | None = None,
    on_page: PageCallback | None = None,
) -> DraftResult:
    """The draft's first (usually only) table; see process_draft_tables."""
    return process_draft_tables(path, settings, lexicon, executor, on_page)[0]


def table_stem(stem: str, result: DraftResult, index: int) -> str:
    """Output name of a draft's table: the draft's stem for the first, `<stem>.<caption>` after."""
    return stem if index == 0 else f"{stem}.{result.table.caption or f'表{index + 1}'}"


def not_read_summary(reports: Sequence[PageReport]) -> str:
    """`1 page not read: p3, 6 columns, no header …` ("" when every page was read)."""
    missing = [r for r in reports if r.status == "not-read"]
    if not missing:
        return ""
    pages = "page" if len(missing) == 1 else "pages"
    return f"{len(missing)} {pages} not read: " + "; ".join(f"{r.label}, {r.message}" for r in missing)


def from_text_summary(pages: Sequence[PageCells]) -> str:
    """`grid found from the text on p1, p2 (rulings lost): check every cell` for the pages whose grid
    was found whole from the text (faint.py), "" when none was: the summary line says it, so that a
    batch's clerk knows which drafts want every cell checked."""
    found = [f"p{c.page + 1}" + (f" (in p{c.grid.columns_from + 1}'s columns)" if c.grid.columns_from is not None
                                 else "") for c in pages if c.grid.from_text]
    return f"grid found from the text on {', '.join(found)} (rulings lost): check every cell" if found else ""


def expand_inputs(inputs: Sequence[Path], suffixes: Sequence[str]) -> list[Path]:
    """Files named, and the drafts inside folders named (sorted, not recursive)."""
    out: list[Path] = []
    for item in inputs:
        if item.is_dir():
            out.extend(sorted(p for p in item.iterdir() if p.is_file() and p.suffix.lower() in suffixes))
        else:
            out.append(item)
    return out


@dataclass(frozen=True)
class FileOutcome:
    """One line of a batch's summary."""

    path: Path
    status: str  # ok, skipped, failed
    pages: int = 0
    rows: int = 0
    flagged: int = 0
    seconds: float = 0.0
    message: str = ""
    exit_code: int = 0
    timings: tuple[tuple[str, StageTime], ...] = ()
    #: Pages holding a ruled table that could not be read, in words ("" when none): a partial result.
    not_read: str = ""
    #: Pages whose grid was found from the text, in words ("" when none; from_text_summary).
    from_text: str = ""
    tables: int = 1
    #: The draft's title and what the lexicon knew of it (its district), for the archive index.
    title: str = ""
    scope: str = ""


def is_up_to_date(path: Path, out_dir: Path, lexicon_path: Path) -> bool:
    """True when every output exists and is newer than the draft and the lexicon."""
    outputs = list(output_paths(out_dir, path.stem).values())
    if not all(p.exists() for p in outputs):
        return False
    newest_input = max(path.stat().st_mtime, lexicon_path.stat().st_mtime if lexicon_path.exists() else 0)
    return min(p.stat().st_mtime for p in outputs) > newest_input


def run_batch(
    inputs: Sequence[Path],
    out_dir: Path,
    settings: Settings,
    lexicon: Lexicon,
    lexicon_path: Path,
    force: bool = False,
    debug_dir: Path | None = None,
    on_page: Callable[[Path, int, int, int], None] | None = None,
    on_file: Callable[[FileOutcome], None] | None = None,
    executor: Executor | None = None,
) -> list[FileOutcome]:
    """Every draft to its outputs; a bad file is reported and the batch goes on. `executor`: where
    pages run when not the process pool made here (a cluster's, `cluster.cluster_pages`; the caller
    closes it); one that can `prefetch` is told the drafts to come, to read their pages ahead."""
    outcomes = []
    own_executor = executor is None
    if executor is None:
        executor = make_executor(settings)
    skip = {path for path in inputs if not force and path.exists() and is_up_to_date(path, out_dir, lexicon_path)}
    if hasattr(executor, "prefetch"):
        executor.prefetch([path for path in inputs if path not in skip])
    try:
        for path in inputs:
            if path in skip:
                outcome = FileOutcome(path, "skipped", message="outputs are newer than the draft and lexicon")
            else:
                start = time.perf_counter()
                try:
                    callback = (lambda done, total, cells, p=path: on_page(p, done, total, cells)) if on_page else None
                    results = process_draft_tables(path, settings, lexicon, executor, callback)
                    for index, result in enumerate(results):
                        stem = table_stem(path.stem, result, index)
                        write_outputs(result, out_dir, stem)
                        write_run_record(out_dir, stem, path, settings, lexicon_path, result.page_reports,
                                         result.pages, result.scope)
                    result = results[0]
                    not_read = not_read_summary(result.page_reports)
                    outcome = FileOutcome(
                        path, "partial" if not_read else "ok", pages=max(1, len(result.pages)),
                        rows=sum(len(r.table.rows) for r in results),
                        flagged=sum(len({(f.row, f.field) for f in r.flags}) for r in results),
                        seconds=time.perf_counter() - start, timings=tuple(result.timings.items()),
                        exit_code=PARTIAL_RESULT_EXIT if not_read else 0, not_read=not_read, tables=len(results),
                        title=result.table.title, scope=result.scope, from_text=from_text_summary(result.pages),
                    )
                    if debug_dir is not None:
                        write_debug_images(result, debug_dir, path.stem)
                except PipelineError as exc:
                    outcome = FileOutcome(path, "failed", seconds=time.perf_counter() - start,
                                          message=exc.reason, exit_code=exc.exit_code)
                    if debug_dir is not None and isinstance(exc, HeaderNotMapped):
                        _debug_unread(path, settings, debug_dir)
                except Exception as exc:  # a bug: reported with its type, and the batch goes on
                    outcome = FileOutcome(path, "failed", seconds=time.perf_counter() - start,
                                          message=f"internal error: {type(exc).__name__}: {exc}",
                                          exit_code=INTERNAL_ERROR_EXIT)
                    logger.debug("internal error on %s", path, exc_info=True)
            outcomes.append(outcome)
            if on_file:
                on_file(outcome)
    finally:
        if own_executor and executor is not None:
            executor.shutdown(cancel_futures=True)
    return outcomes


def write_debug_images(result: DraftResult, debug_dir: Path, stem: str) -> None:
    """Each page with its detected grid drawn over it, as PNG."""
    import cv2

    for page, image in zip(result.pages, result.images, strict=True):
        drawn = draw_grid(Page(page.page, image, 0), page.grid)
        ok, png = cv2.imencode(".png", drawn)
        if ok:
            write_bytes_atomic(debug_dir / f"{stem}.p{page.page + 1}.grid.png", png.tobytes())


def _debug_unread(path: Path, settings: Settings, debug_dir: Path) -> None:
    """A draft whose header could not be mapped: its pages with their grids, for --debug."""
    import cv2

    doc = open_document(path, settings)
    for index in range(doc.page_count):
        outcome = process_page(doc, index, settings)
        drawn = draw_grid(Page(index, outcome.image.decode(), 0), outcome.cells.grid)
        ok, png = cv2.imencode(".png", drawn)
        if ok:
            write_bytes_atomic(debug_dir / f"{path.stem}.p{index + 1}.grid.png", png.tobytes())
