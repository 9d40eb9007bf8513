"""Grid detection: ruling lines → line positions → cells with row and column spans.

A chain of pure steps in the manner of pdfplumber's table finder; every intermediate (line
segments, line positions, the measured character height) is kept on the Grid so that `draw_grid`
can show it over the page. All sizes are scaled to the measured character height, not fixed pixels,
so the same settings work from 150 to 300 dpi.
"""

from __future__ import annotations

import cv2
import numpy as np

from .imaging import ink_mask
from .models import Box, Cell, Grid, Page
from .settings import Settings

#: Character-like components: no thinner than this share of their height (rules out rulings)...
CHAR_MIN_ASPECT = 0.3
#: ...and no wider than this multiple of their height.
CHAR_MAX_ASPECT = 3.0
#: The character height is this percentile of component heights: Chinese characters are often
#: several components (川, 小), so the median underestimates; the tall ones are whole characters.
CHAR_HEIGHT_PERCENTILE = 85
#: Character height in inches is clamped to 6..20 pt text, for pages with almost no text.
CHAR_HEIGHT_MIN_IN = 6 / 72
CHAR_HEIGHT_MAX_IN = 20 / 72
#: Parts of characters (the dots of 氵) down to this share of the smallest height still count.
CHAR_PART_MIN_SHARE = 0.4
#: With fewer character-like components than this the page has almost no text: assume body text
#: of DEFAULT_FONT_PT points (the drafts' 五号, 10.5 pt).
MIN_CHAR_SAMPLES = 20
DEFAULT_FONT_PT = 10.5
#: Ruling kernels are never shorter than this (px), whatever the character height.
MIN_KERNEL_PX = 10
#: A ruling is at least this many character heights long: longer than any character stroke or a
#: blurred pair of strokes in two stacked lines, shorter than the narrowest column of the table.
RULING_MIN_CHARS = 2.5
#: Vertical rulings may be as short as one row of one text line (a page holding only the end of
#: a row), about 2 character heights; 1.5 is still longer than any stroke inside one character.
VERTICAL_RULING_MIN_CHARS = 1.5
#: A column line covers at least this share of the table's height, a row line this share of its
#: width (the requirement column alone is ~50%): shorter clusters are strokes, not rulings.
COL_LINE_MIN_SHARE = 0.5
ROW_LINE_MIN_SHARE = 0.3
#: A border between two grid positions is there when rulings cover this share of its length;
#: speckle and broken photocopied lines leave gaps, text never covers half a border.
BORDER_MIN_COVERAGE = 0.5
#: A table needs at least this many column lines and row lines.
MIN_COL_LINES = 3
MIN_ROW_LINES = 2


def estimate_char_height(ink: np.ndarray, dpi: int) -> int:
    """The height of a body character in pixels, measured from the page's connected components."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    low, high = CHAR_HEIGHT_MIN_IN * dpi, CHAR_HEIGHT_MAX_IN * dpi
    heights = [
        int(h) for _, _, w, h, _ in stats[1:count]
        if low * CHAR_PART_MIN_SHARE <= h <= high and CHAR_MIN_ASPECT * h <= w <= CHAR_MAX_ASPECT * h
    ]
    if len(heights) < MIN_CHAR_SAMPLES:
        return round(DEFAULT_FONT_PT / 72 * dpi)
    return int(np.clip(np.percentile(heights, CHAR_HEIGHT_PERCENTILE), low, high))


def line_masks(ink: np.ndarray, char_height: int) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling masks: ink that survives an opening with a long thin kernel."""
    kh = max(MIN_KERNEL_PX, int(RULING_MIN_CHARS * char_height))
    kv = max(MIN_KERNEL_PX, int(VERTICAL_RULING_MIN_CHARS * char_height))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (kh, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, kv)))
    return horizontal, vertical


def find_segments(mask: np.ndarray, min_length: int, horizontal: bool) -> tuple[Box, ...]:
    """Bounding boxes of the ruling components at least `min_length` long."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    boxes = []
    for x, y, w, h, _ in stats[1:count]:
        if (w if horizontal else h) >= min_length:
            boxes.append(Box(int(x), int(y), int(x + w), int(y + h)))
    return tuple(boxes)


def cluster_lines(segments: tuple[Box, ...], horizontal: bool, tolerance: float) -> tuple[tuple[int, int], ...]:
    """(position, total length) of each line: segment centres closer than `tolerance` are one line,
    its position their mean weighted by length."""
    items = sorted(
        ((s.y0 + s.y1) / 2, s.width) if horizontal else ((s.x0 + s.x1) / 2, s.height) for s in segments
    )
    clusters: list[list[tuple[float, int]]] = []
    for pos, weight in items:
        if clusters and pos - clusters[-1][-1][0] <= tolerance:
            clusters[-1].append((pos, weight))
        else:
            clusters.append([(pos, weight)])
    return tuple(
        (round(sum(p * w for p, w in c) / max(1, sum(w for _, w in c))), sum(w for _, w in c)) for c in clusters
    )


def cluster_positions(segments: tuple[Box, ...], horizontal: bool, tolerance: float) -> tuple[int, ...]:
    return tuple(pos for pos, _ in cluster_lines(segments, horizontal, tolerance))


def _coverage(mask: np.ndarray, horizontal: bool, at: int, start: int, end: int, band: int) -> float:
    """Share of the border from start to end at position `at` that the ruling mask covers."""
    if end <= start:
        return 0.0
    if horizontal:
        strip = mask[max(0, at - band):at + band + 1, start:end]
        return float(np.count_nonzero(strip.max(axis=0))) / (end - start)
    strip = mask[start:end, max(0, at - band):at + band + 1]
    return float(np.count_nonzero(strip.max(axis=1))) / (end - start)


def build_cells(
    page_index: int,
    rows: tuple[int, ...],
    cols: tuple[int, ...],
    h_mask: np.ndarray,
    v_mask: np.ndarray,
    band: int,
) -> tuple[Cell, ...]:
    """Cells from line positions: grid positions with no border between them are one merged cell."""
    n_rows, n_cols = len(rows) - 1, len(cols) - 1
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    inset = band * 2  # keep the neighbouring rulings' own thickness out of the border test
    for r in range(n_rows):
        for c in range(n_cols):
            if r + 1 < n_rows and _coverage(
                h_mask, True, rows[r + 1], cols[c] + inset, cols[c + 1] - inset, band
            ) < BORDER_MIN_COVERAGE:
                union(r * n_cols + c, (r + 1) * n_cols + c)
            if c + 1 < n_cols and _coverage(
                v_mask, False, cols[c + 1], rows[r] + inset, rows[r + 1] - inset, band
            ) < BORDER_MIN_COVERAGE:
                union(r * n_cols + c, r * n_cols + c + 1)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            groups.setdefault(find(r * n_cols + c), []).append((r, c))
    cells = []
    for members in groups.values():
        r0, r1 = min(r for r, _ in members), max(r for r, _ in members)
        c0, c1 = min(c for _, c in members), max(c for _, c in members)
        cells.append(Cell(page_index, r0, c0, r1 - r0 + 1, c1 - c0 + 1,
                          Box(cols[c0], rows[r0], cols[c1 + 1], rows[r1 + 1])))
    return tuple(sorted(cells, key=lambda cell: (cell.row, cell.col)))


def detect_grid(page: Page, settings: Settings) -> Grid:
    """The page's ruled table as cells; an empty Grid when the page has no ruled table."""
    ink = ink_mask(page.image)
    char_height = estimate_char_height(ink, page.dpi)
    h_mask, v_mask = line_masks(ink, char_height)
    h_segments = find_segments(h_mask, int(RULING_MIN_CHARS * char_height), horizontal=True)
    v_segments = find_segments(v_mask, int(VERTICAL_RULING_MIN_CHARS * char_height), horizontal=False)
    tolerance = settings.line_merge_chars * char_height
    h_lines = cluster_lines(h_segments, horizontal=True, tolerance=tolerance)
    v_lines = cluster_lines(v_segments, horizontal=False, tolerance=tolerance)
    rows: tuple[int, ...] = ()
    cols: tuple[int, ...] = ()
    if h_lines and v_lines:
        # Column rulings run the whole table height (a 职责分工 table has no column spans), row
        # rulings at least under the requirement column: shorter clusters are text strokes.
        height = max(s.y1 for s in v_segments) - min(s.y0 for s in v_segments)
        width = max(s.x1 for s in h_segments) - min(s.x0 for s in h_segments)
        cols = tuple(x for x, length in v_lines if length >= COL_LINE_MIN_SHARE * height)
        rows = tuple(y for y, length in h_lines if length >= ROW_LINE_MIN_SHARE * width)
    if cols and rows:
        # The table is where the rulings meet: drop lines outside the other direction's extent.
        rows = tuple(y for y in rows if min(s.y0 for s in v_segments) - tolerance <= y
                     <= max(s.y1 for s in v_segments) + tolerance)
        cols = tuple(x for x in cols if min(s.x0 for s in h_segments) - tolerance <= x
                     <= max(s.x1 for s in h_segments) + tolerance)
    empty = Grid(page.index, (), (), (), h_segments, v_segments, char_height)
    if len(cols) < MIN_COL_LINES or len(rows) < MIN_ROW_LINES:
        return empty
    band = max(1, round(tolerance / 2))
    cells = build_cells(page.index, rows, cols, h_mask, v_mask, band)
    ruling_width = int(min(np.median([s.height for s in h_segments]), np.median([s.width for s in v_segments])))
    return Grid(page.index, rows, cols, cells, h_segments, v_segments, char_height, ruling_width)


def draw_grid(page: Page, grid: Grid) -> np.ndarray:
    """The page in colour with ruling segments (blue), line positions (green) and cells (red) drawn."""
    canvas = cv2.cvtColor(page.image, cv2.COLOR_GRAY2BGR)
    for seg in (*grid.h_segments, *grid.v_segments):
        cv2.rectangle(canvas, (seg.x0, seg.y0), (seg.x1, seg.y1), (255, 128, 0), 1)
    if grid.cells:
        x0, x1 = grid.col_lines[0], grid.col_lines[-1]
        y0, y1 = grid.row_lines[0], grid.row_lines[-1]
        for y in grid.row_lines:
            cv2.line(canvas, (x0, y), (x1, y), (0, 180, 0), 1)
        for x in grid.col_lines:
            cv2.line(canvas, (x, y0), (x, y1), (0, 180, 0), 1)
    for cell in grid.cells:
        b = cell.box
        cv2.rectangle(canvas, (b.x0 + 3, b.y0 + 3), (b.x1 - 3, b.y1 - 3), (0, 0, 255), 2)
        cv2.putText(canvas, f"{cell.row},{cell.col}", (b.x0 + 6, b.y0 + 18), cv2.FONT_HERSHEY_SIMPLEX,
                    0.45, (0, 0, 255), 1, cv2.LINE_AA)
    return canvas
