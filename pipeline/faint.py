"""A table whose rulings the toner lost, found from what is left: the grid stage's last look.

A 1-bit copy of a word processor's table at light toner keeps its text but loses its thin rulings:
a few stretches of some row rulings are all that is left (make eval putuo/word-bilevel-200, the Putuo
plan laid out by LibreOffice with 0.5 pt rulings: on page 2, 23 stretches over 7 of its 10 row lines
and 7 short pieces of two of its six column lines). The ruled-table search finds no table there. The
text still shows one: a table's columns stand apart by blank corridors that run down all its rows (no
cell's text crosses its column's rulings), and its row rulings leave stretches that lie in the blanks
between lines of text. `faint_lines` finds the table's lines from those two; the grid stage then
builds its cells as for any table whose rulings were erased, and restores the row lines the text
shows (erased.text_row_lines, split_at_text_gaps). It is used on a page where no ruled table was
found, or where the ruled table found is part of it (`widens`: columns whose rulings were lost stand
beside it), and only when both signs are there: a page of running text has no corridor, and a two-
column page no ruling. Pure functions of the page's text and ruling masks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import cv2
import numpy as np

from .imaging import true_runs
from .models import Box

#: A corridor between two columns is a run of pixel columns that no text stands in. Pieces of rulings
#: left too short for the ruled search cross corridors: those of row rulings lie at the stretches'
#: heights (within PIECE_BAND_PX) or are flat (at most THIN_PART_CHARS character heights tall and at
#: least twice as wide) with no character within BESIDE_CHARS character heights beside them at their
#: height (二's strokes have 整 beside them past the dot of 、; a ruling's piece lies in the blank
#: between two lines), those of
#: column rulings are thin (at most THIN_PART_CHARS wide and at least twice as tall), and the dots
#: left where two rulings crossed (no larger than DOT_MAX_CHARS, with no character beside them: a 、
#: has its line's) stand on the column lines (make eval minhang/word-bilevel-200, page 5: a 4 x 6 px
#: dot closed the corridor before 工作要求); all are left out. A thin dot-sized part that a stretch's band
#: cut off is left out even beside a character: a 2 x 7 px piece of the lost 一级|二级 ruling at the
#: table's foot, beside the last row's characters, closed that corridor (the seed-5 draw of the
#: held-out Songjiang plan, page 1: the 一级 and 二级 columns one, the draft read as two tables). Any
#: thin dot beside characters is not: a light toner leaves such dots of a character's strokes, and left
#: out, they opened a corridor where a character was erased whole (the seed-7 draw of the Putuo plan,
#: page 3: a sixth column inside the 一级 column, and the page was not read). The rest of the text is widened by
#: CHARACTER_CLOSE_CHARS either way, so that a character's strokes and a line's characters close up
#: (a 1-bit copy's strokes are 1-2 pixels wide, with blanks of up to 0.6 character heights between
#: them down a narrow column of characters set one under another); then at most CORRIDOR_MAX_INK_PX
#: of the corridor's pixel rows may hold text (the text mask holds no speck: a lone 一, three pixel
#: rows tall, stands in a column)...
PIECE_BAND_PX = 3
THIN_PART_CHARS = 0.15
DOT_MAX_CHARS = 0.35
BESIDE_CHARS = 2.0
CHARACTER_CLOSE_CHARS = 0.4
CORRIDOR_MAX_INK_PX = 2
#: ...and it is at least CORRIDOR_MIN_CHARS line heights wide, so widened. Between a word processor's
#: columns the blank is both cells' side padding and the ruling: 1.5-2.7 line heights on make eval's
#: Putuo and Minhang Word tables at 200 dpi, 0.8-1.7 widened (the narrowest beside the justified
#: 工作要求 column); between two characters down a narrow 一级 column, 0.5 widened, before the
#: pieces of rulings were left out.
CORRIDOR_MIN_CHARS = 0.6
#: Corridors parted by no more than this (a column ruling's piece, a speck), or by specks only
#: (_only_specks), are one.
CORRIDOR_JOIN_CHARS = 0.3
#: A table found this way has at least FAINT_MIN_COLUMNS columns (a responsibility table has five;
#: two columns side by side are as often a page's layout, a signature block or a letterhead).
FAINT_MIN_COLUMNS = 3
#: Where the stretches lie so close together that fewer than MIDDLE_MIN_LINES lines of text stand
#: between them (only the header row's rulings left: the seed-2 draw of make eval's Putuo recipe,
#: page 1), the corridors are sought down the block of text below the first stretch instead.
MIDDLE_MIN_LINES = 3
#: A row line is where stretches of ruling lie at one height (within the line-merge tolerance), each at
#: least the ruled search's RULING_MIN_CHARS long, together at least ROW_MIN_STRETCH_CHARS character
#: heights, in a blank between lines of text. Text holds no straight stroke that long.
ROW_MIN_STRETCH_CHARS = 2.5
#: At least FAINT_MIN_ROW_LINES such row lines inside the table: the rulings' remnants are the second
#: sign of a table, beside its corridors (a page of two-column text has corridors and no ruling).
FAINT_MIN_ROW_LINES = 2
#: The table's text ends where a line of text crosses a corridor with more ink than LINE_CROSS_MAX_CHARS
#: character heights of pixels (a title above the table, a page number under it; make eval
#: minhang/word-bilevel-200, page 3: a character's part 3 pixels into a corridor's edge) or a blank of
#: more than TABLE_MAX_BLANK_CHARS character heights lies between lines.
LINE_CROSS_MAX_CHARS = 0.5
TABLE_MAX_BLANK_CHARS = 4.0
#: The width the lost rulings are taken to have (a cell's text is profiled this far off its lines): a
#: word processor's 0.5 pt ruling is 1.4 pixels at 200 dpi.
FAINT_RULING_PX = 2
#: A header row's words fill at most HEADER_MAX_SHARE of the table's widest column (工作要求: 4 of its
#: 18-20 characters a line); a line of text is a run of inked pixel rows at least
#: HEADER_LINE_MIN_CHARS line heights tall (shorter: a speck, a ruling's remnant).
HEADER_MAX_SHARE = 0.5
HEADER_LINE_MIN_CHARS = 0.5
#: A thin upright part (see THIN_PART_CHARS) no taller than UPRIGHT_MAX_CHARS character heights (the
#: tallest line of text the grid stage's text rules take, erased.TEXT_LINE_CHARS; the character height
#: is under-measured on broken strokes) that stands inside a column, out of every corridor, is a
#: character's stroke the toner cut off from the rest: left out, it took 区's two uprights from 区医学会
#: (the seed-4 draw of the held-out Fengxian plan's light-toner recipe, page 3), whose line was then
#: too short for a line, and a sub-row's start in the 配合 column was not seen. A column ruling's piece
#: stands in a corridor.
UPRIGHT_MAX_CHARS = 1.3
#: The table's outer lines are put this far outside its text (a cell's padding and half the ruling).
OUTER_PAD_CHARS = 0.3
#: The table's side is where stretches of its row rulings end within SIDE_REACH_CHARS line heights
#: outside its text, and a ruled grid's outer line is at the faint table's side when it lies that
#: near outside it: a cell's padding, and the blank a ragged column of names leaves (make eval
#: minhang/word-bilevel-200, page 1: the right border 1.3 beyond the 配合单位 column's longest line;
#: with its side at the text, the page's columns missed the next pages' by more than the structure's
#: tolerance, and the draft was read as three tables).
SIDE_REACH_CHARS = 3.0


@dataclass(frozen=True)
class FaintLines:
    """The lines of a table whose rulings were lost, and what they were found from."""

    rows: tuple[int, ...]
    cols: tuple[int, ...]
    #: Row lines a stretch of ruling showed (the rest of `rows` are the table's top and foot).
    ruled_rows: tuple[int, ...]
    #: The blank corridors between the table's columns, as (x from, x to).
    corridors: tuple[tuple[int, int], ...]
    #: The line height of the table's text, measured from its lines (see line_height).
    char_height: int
    #: The stretches of ruling found on the page, one per height, as (y, x from, x to).
    stretches: tuple[tuple[int, int, int], ...] = ()
    #: The text mask the lines were measured on, the rulings' pieces left out (without_pieces); the
    #: grid stage's text rules read it too. Set by faint_lines.
    text: np.ndarray | None = field(default=None, repr=False, compare=False)


def line_height(text: np.ndarray, corridors: tuple[tuple[int, int], ...], span: tuple[int, int]) -> int:
    """The median height of the table's lines of text, column by column: a 1-bit copy at light toner
    breaks characters into strokes, and the page's connected parts (grid.estimate_char_height) then
    measure 20 pixels for a 27-pixel character; its lines of text still measure 24-26."""
    heights: list[int] = []
    for (_, left), (right, _) in pairwise(corridors):
        rows = np.count_nonzero(text[span[0]:span[1], left:right], axis=1) > 0
        heights.extend(b - a for a, b in true_runs(rows))
    return int(np.median(heights)) if heights else 0


def _only_specks(band: np.ndarray, char_height: int) -> bool:
    """Whether the ink between two corridors is specks only: no run of inked pixel rows and no
    connected part of it reaches HEADER_LINE_MIN_CHARS line heights. An 8 x 4 px remnant of the crossing
    of a row ruling and the right border, a little larger than DOT_MAX_CHARS at the page's measured
    character height, stood beside the 配合单位 column's ragged text and was read as a sixth column (the
    seed-1 draw of make eval's Minhang recipe, page 5; the header row was then not parted, and two
    items lost their 一级 title). Text reaches it one way or the other: a light toner breaks a
    character into parts each smaller, but they stand one over another down a line's height; 二's
    strokes lie apart down the line, but each is as wide as the character (二、 before a title's first
    character, parted from it by a blank after 、)."""
    least = HEADER_LINE_MIN_CHARS * char_height
    if any(b - a >= least for a, b in true_runs(np.count_nonzero(band, axis=1) > 0)):
        return False
    _, _, stats, _ = cv2.connectedComponentsWithStats(np.ascontiguousarray(band), connectivity=8)
    return bool(np.all(np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]) < least))


def _corridors(text: np.ndarray, span: tuple[int, int], char_height: int) -> list[tuple[int, int]]:
    """Runs of pixel columns (x from, x to) with almost no text over the pixel rows `span`."""
    reach = round(CHARACTER_CLOSE_CHARS * char_height)
    widened = cv2.dilate(text[span[0]:span[1]], cv2.getStructuringElement(cv2.MORPH_RECT, (2 * reach + 1, 1)))
    inked = np.count_nonzero(widened, axis=0)
    runs = true_runs(inked <= CORRIDOR_MAX_INK_PX)
    band = text[span[0]:span[1]]
    joined: list[tuple[int, int]] = []
    for a, b in runs:
        if joined and (a - joined[-1][1] <= CORRIDOR_JOIN_CHARS * char_height
                       or _only_specks(band[:, joined[-1][1]:a], char_height)):
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
    return [(a, b) for a, b in joined if b - a >= CORRIDOR_MIN_CHARS * char_height]


def _stretch_rows(h_all: tuple[Box, ...], tolerance: float, min_length: float) -> list[tuple[int, int, int]]:
    """Heights where stretches of ruling lie together: (y, x from, x to), their summed length at least
    `min_length`."""
    found: list[tuple[int, int, int]] = []
    group: list[Box] = []
    for seg in [*sorted(h_all, key=lambda s: (s.y0 + s.y1) / 2), None]:
        if group and (seg is None or (seg.y0 + seg.y1) / 2 - (group[0].y0 + group[0].y1) / 2 > tolerance):
            if sum(s.width for s in group) >= min_length:
                y = round(float(np.median([(s.y0 + s.y1) / 2 for s in group])))
                found.append((y, min(s.x0 for s in group), max(s.x1 for s in group)))
            group = []
        if seg is not None:
            group.append(seg)
    return found


def without_pieces(text: np.ndarray, stretches: list[tuple[int, int, int]], char_height: int) -> np.ndarray:
    """The text mask without the pieces of rulings it holds (see PIECE_BAND_PX, THIN_PART_CHARS)."""
    return _pieces_apart(text, stretches, char_height)[0]


def _pieces_apart(text: np.ndarray, stretches: list[tuple[int, int, int]],
                  char_height: int) -> tuple[np.ndarray, np.ndarray]:
    """The text mask without the pieces of rulings it holds (without_pieces), and a mask of the thin
    upright parts among them no taller than a character (a column ruling's piece, or a character's
    upright stroke the toner cut off from the rest: see UPRIGHT_MAX_CHARS)."""
    out = text.copy()
    banded = np.zeros(text.shape[0] + 1, bool)  # the pixel rows cleared at the stretches' heights
    for at, _, _ in stretches:
        out[max(0, at - PIECE_BAND_PX):at + PIECE_BAND_PX + 1] = 0
        banded[max(0, at - PIECE_BAND_PX):at + PIECE_BAND_PX + 1] = True
    _, labels, stats, _ = cv2.connectedComponentsWithStats(out, connectivity=8)
    x, y, w, h = (stats[:, k] for k in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT))
    least = THIN_PART_CHARS * char_height
    thin = (w <= least) & (h >= 2 * w)  # upright parts a column ruling's width
    drop = thin.copy()
    # a thin upright the band cut from a stretch is where a column ruling met a row ruling, however
    # small, whatever stands beside it (see DOT_MAX_CHARS)
    cut = thin & (banded[np.maximum(y - 1, 0)] | banded[y + h])
    loose = ((h <= least) & (w >= 2 * h)) | (np.maximum(w, h) <= DOT_MAX_CHARS * char_height)
    is_char = ~loose & ~drop
    is_char[0] = False
    chars = is_char[labels]
    reach = round(BESIDE_CHARS * char_height)
    for k in np.flatnonzero(loose):
        beside = chars[max(0, y[k] - 1):y[k] + h[k] + 1, max(0, x[k] - reach):x[k] + w[k] + reach]
        drop[k] = cut[k] or not beside.any()
    drop[0] = True
    upright = thin & (h <= UPRIGHT_MAX_CHARS * char_height)
    upright[0] = False
    return np.where(drop[labels], 0, out).astype(np.uint8), np.where(upright[labels], out, 0).astype(np.uint8)


def _block_end(text: np.ndarray, start: int, char_height: int) -> int:
    """The foot of the block of text lines that runs on down from pixel row `start`: the first blank
    of more than TABLE_MAX_BLANK_CHARS character heights ends it."""
    end = start
    for a, b in true_runs(np.count_nonzero(text[start:], axis=1) > 0):
        if start + a - end > TABLE_MAX_BLANK_CHARS * char_height:
            break
        end = start + b
    return end


def faint_lines(text: np.ndarray, h_all: tuple[Box, ...], char_height: int, tolerance: float) -> FaintLines | None:
    """The row and column lines of a table whose rulings were all but lost (see the module's
    docstring), or None when the page does not show one."""
    stretches = _stretch_rows(h_all, tolerance, ROW_MIN_STRETCH_CHARS * char_height) if h_all else []
    if len(stretches) < FAINT_MIN_ROW_LINES:
        return None
    text, upright = _pieces_apart(text, stretches, char_height)
    # The stretches' heights bound the table's middle; its corridors are sought there first.
    middle = (stretches[0][0], stretches[-1][0])
    if len(true_runs(np.count_nonzero(text[middle[0]:middle[1]], axis=1) > 0)) < MIDDLE_MIN_LINES:
        middle = (middle[0], max(middle[1], _block_end(text, middle[0], char_height)))
    corridors = _corridors(text, middle, char_height)
    inner = [(a, b) for a, b in corridors if a > 0 and b < text.shape[1]]
    if len(inner) < FAINT_MIN_COLUMNS - 1 or len(corridors) - len(inner) < 2:
        return None
    left, right = corridors[0][1], corridors[-1][0]  # the text's outer edges

    def in_table(a: int, b: int) -> bool:
        """Whether a line of text between pixel rows a and b keeps out of every inner corridor and lies
        between the table's sides. The corridors were measured on the table's middle only: a line
        below it may run on into a corridor's edge (a 二级 title's longer line), so only its core is
        looked at, CHARACTER_CLOSE_CHARS in from either edge."""
        band, edge = text[a:b], round(CHARACTER_CLOSE_CHARS * char_height)
        cores = [(x0 + edge, x1 - edge) for x0, x1 in inner if x1 - x0 > 2 * edge]
        return all(np.count_nonzero(band[:, x0:x1]) <= speck for x0, x1 in [*cores, (0, left), (right, band.shape[1])])

    lines = true_runs(np.count_nonzero(text[:, left:right], axis=1) > 0)
    inside = [k for k, (a, b) in enumerate(lines) if middle[0] <= (a + b) / 2 <= middle[1]]
    if not inside:
        return None
    first, last = inside[0], inside[-1]
    gap, speck = TABLE_MAX_BLANK_CHARS * char_height, LINE_CROSS_MAX_CHARS * char_height
    while first > 0 and in_table(*lines[first - 1]) and lines[first][0] - lines[first - 1][1] <= gap:
        first -= 1
    while last + 1 < len(lines) and in_table(*lines[last + 1]) and lines[last + 1][0] - lines[last][1] <= gap:
        last += 1
    span = (lines[first][0], lines[last][1])
    # the table's own line height measures its corridors from here on (see line_height)
    height = max(char_height, line_height(text, tuple(corridors), span))
    inner = [(a, b) for a, b in _corridors(text, span, height) if left < a and b < right]
    if len(inner) < FAINT_MIN_COLUMNS - 1:
        return None
    pad = round(OUTER_PAD_CHARS * height)
    # the top and foot: a stretch of the border there, else the text's edge and a cell's padding
    top = min([span[0] - pad, *(y for y, _, _ in stretches if span[0] - height <= y <= span[0])])
    foot = max([span[1] + pad, *(y for y, _, _ in stretches if span[1] <= y <= span[1] + height)])
    across = [y for y, x0, x1 in stretches if top - tolerance <= y <= foot + tolerance and x1 > left and x0 < right]
    if len(across) < FAINT_MIN_ROW_LINES:
        return None
    ruled = tuple(y for y in across if top + tolerance < y < foot - tolerance)
    # the sides: where stretches of the row rulings end beside the text (the border), else a cell's
    # padding off the text (a ragged column of names ends well inside its border)
    reach = SIDE_REACH_CHARS * height
    ends_left = [x0 for _, x0, _ in stretches if left - reach <= x0 <= left]
    ends_right = [x1 for _, _, x1 in stretches if right <= x1 <= right + reach]
    cols = (min(ends_left) if ends_left else max(0, left - pad), *((a + b) // 2 for a, b in inner),
            max(ends_right) if ends_right else min(text.shape[1] - 1, right + pad))
    # the upright parts inside a column, out of every corridor, are a character's strokes: the text
    # rules that read line heights read them (see UPRIGHT_MAX_CHARS)
    inside = np.zeros(text.shape[1], bool)
    inside[cols[0]:cols[-1] + 1] = True
    for a, b in inner:
        inside[a:b + 1] = False
    text = np.where(inside[None, :], np.maximum(text, upright), text)
    return FaintLines((top, *ruled, foot), cols, ruled, tuple(inner), height, tuple(stretches), text)


def header_line(text: np.ndarray, lines: FaintLines) -> int | None:
    """The row line under a header row the toner left no ruling of: None unless the table's first line
    of text stands in every column and, in its widest column, is short (at most HEADER_MAX_SHARE of
    the column) with the next line a leading under it. A word processor repeats a table's header row
    on each page; its words (工作要求) fill a short line, and a requirement's lines run on under it,
    where a paragraph's first line fills its column whenever it wraps (make eval putuo and minhang
    word-bilevel-200: the header read into the first row, 一级指标 appended to a title carried over
    from the page before). The line is put half-way between the two lines."""
    cols, top = lines.cols, lines.rows[0]
    widest = max(range(len(cols) - 1), key=lambda c: cols[c + 1] - cols[c])
    x0, x1 = cols[widest] + FAINT_RULING_PX, cols[widest + 1] - FAINT_RULING_PX
    runs = true_runs(np.count_nonzero(text[top:lines.rows[1], x0:x1], axis=1) > 0)
    runs = [(top + a, top + b) for a, b in runs if b - a >= HEADER_LINE_MIN_CHARS * lines.char_height]
    if len(runs) < 2:
        return None
    (a0, b0), (a1, _) = runs[0], runs[1]
    if a0 - top > lines.char_height or a1 - b0 > lines.char_height:
        return None
    inked = np.flatnonzero(np.count_nonzero(text[a0:b0, x0:x1], axis=0))
    if inked[-1] - inked[0] > HEADER_MAX_SHARE * (x1 - x0):
        return None
    if not all(np.count_nonzero(text[a0:b0, c0 + FAINT_RULING_PX:c1 - FAINT_RULING_PX])
               for c0, c1 in pairwise(cols)):
        return None
    return (b0 + a1) // 2


def ruled_borders(lines: FaintLines, h_all: tuple[Box, ...], shape: tuple[int, int], tolerance: float,
                  min_piece: float, across: tuple[int, ...] = ()) -> np.ndarray:
    """A mask of the row borders the stretches of ruling show: across the whole of each column that a
    stretch at least `min_piece` long lies in at a row line (text holds no straight stroke that long;
    a row ruling runs across a column whole or not at all). Beside it a column may have none: a cell
    merged down the rows there, as a lead is over an item's sub-rows. The lines `across` run across
    every column."""
    mask = np.zeros(shape, np.uint8)
    for y in lines.ruled_rows:
        pieces = [s for s in h_all if abs((s.y0 + s.y1) / 2 - y) <= tolerance]
        for x0, x1 in pairwise(lines.cols):
            if any(min(x1, s.x1) - max(x0, s.x0) >= min_piece for s in pieces):
                mask[max(0, y - 1):y + 2, x0:x1 + 1] = 255
    for y in across:  # a border across the whole table (header_line)
        mask[max(0, y - 1):y + 2, lines.cols[0]:lines.cols[-1] + 1] = 255
    return mask


def _holds_columns(lines: FaintLines, cols: tuple[int, ...], tolerance: float) -> bool:
    """Whether each of a ruled grid's column lines `cols` lies in one of the faint table's corridors or
    at one of its sides (SIDE_REACH_CHARS outside: a side put at the text lies inside the border)."""
    side = SIDE_REACH_CHARS * lines.char_height
    return all(any(a - tolerance <= x <= b + tolerance for a, b in lines.corridors)
               or lines.cols[0] - side <= x <= lines.cols[0] + tolerance
               or lines.cols[-1] - tolerance <= x <= lines.cols[-1] + side for x in cols)


def rows_beyond(lines: FaintLines, rows: tuple[int, ...], cols: tuple[int, ...], tolerance: float) -> tuple[int, ...]:
    """The faint table's row lines above and below a ruled grid of row lines `rows` and column lines
    `cols`, where it is the same table run on: it holds every one of the grid's column lines (none of
    them outside it) and a stretch of row ruling shows a row of it beyond the grid. The ruled search
    keeps the rows whose rulings met its columns' (the seed-2 draw of make eval's Putuo recipe, page 3:
    the table's upper five rows; the lower three, whose column rulings the toner lost, were read as
    text printed around the table); () otherwise."""
    if len(lines.cols) < len(cols) or not _holds_columns(lines, cols, tolerance):
        return ()
    above = [y for y in lines.rows if y < rows[0] - tolerance]
    below = [y for y in lines.rows if y > rows[-1] + tolerance]
    # a border's stretch shows its row too (the seed-5 draw of the held-out Songjiang plan, page 3: the
    # foot's stretch across the whole table under item 17, whose rulings inside were lost)
    shown = {*lines.ruled_rows, *(y for y in (lines.rows[0], lines.rows[-1])
                                  if any(abs(at - y) <= tolerance for at, _, _ in lines.stretches))}
    return (*(above if shown.intersection(above) else ()), *(below if shown.intersection(below) else ()))


def widens(lines: FaintLines, cols: tuple[int, ...], tolerance: float) -> bool:
    """Whether the table the faint lines show holds more columns than a ruled grid's lines `cols` and
    every one of those lines (each in one of its corridors, or at one of its sides), and a stretch of
    row ruling runs into each column it adds. The ruled search keeps the columns whose rulings met
    (make eval putuo/word-bilevel-200, page 6: the three middle columns, whose rulings left pieces;
    the 一级 and 配合 columns' text stood beside it, and the page was not read). Things beside a table
    that are no column of it have no row ruling running to them (make eval minhang/word-scanner-edge:
    the punch holes down the margin, in a corridor of their own)."""
    if len(lines.cols) <= len(cols) or not _holds_columns(lines, cols, tolerance):
        return False  # (the ruled grid's columns are as many: its lines stand)
    added = [(x0, x1) for x0, x1 in pairwise(lines.cols)
             if x1 <= cols[0] + tolerance or x0 >= cols[-1] - tolerance]
    reach = lines.char_height
    return all(any(min(x1, b) - max(x0, a) >= reach for _, a, b in lines.stretches) for x0, x1 in added)


def added_columns(lines: FaintLines, cols: tuple[int, ...], tolerance: float) -> tuple[int, ...]:
    """A ruled grid's column lines `cols` with the faint table's other lines (see widens): its sides
    outside the ruled grid's, and its corridors that hold none of `cols` (a corridor runs down the whole
    table: a column line the ruled grid lost, as on the first page of the held-out Jiading plan's Word
    table at light toner, where the 一级 and 二级 columns were one)."""
    inner = [(a + b) // 2 for a, b in lines.corridors
             if not any(a - tolerance <= x <= b + tolerance for x in cols)]
    sides = [x for x in (lines.cols[0], lines.cols[-1]) if x < cols[0] - tolerance or x > cols[-1] + tolerance]
    return tuple(sorted({*cols, *inner, *sides}))


#: A page that lost every ruling (no stretch left for faint_lines) is read in the column lines of the
#: same table on another page of the draft (grid.grid_in_columns). A line of text belongs to the table
#: when it stands in those columns: no more than LINE_CROSS_MAX_CHARS character heights of its ink lie
#: within COLUMN_REACH_CHARS of an inner column line (a scan shifts a page by a few pixels; a word
#: processor's blank between columns is 1.5-2.7 line heights) and none outside the outer lines by more
#: than that. The table's text is the longest run of such lines with no blank of more than
#: TABLE_MAX_BLANK_CHARS between them, holding text in at least FAINT_MIN_COLUMNS columns. Seen on a
#: 1-bit copy at light toner of the held-out Songjiang plan's Word table (tests/wordscan.py
#: bilevel-200, seed 21, page 6: the header row and item 28, not a piece of ruling left; the note 注：…
#: under the table runs across the 一级 | 二级 line).
COLUMN_REACH_CHARS = 0.3


def lines_in_columns(text: np.ndarray, h_all: tuple[Box, ...], cols: tuple[int, ...], char_height: int,
                     tolerance: float) -> FaintLines | None:
    """The lines of a table whose column lines `cols` are known from another page of it, on a page where
    its rulings were lost whole: its top and foot from the lines of text that stand in those columns,
    each inner column line put in the middle of the blank corridor it lies in there. None when no
    block of such lines holds text in FAINT_MIN_COLUMNS columns (a page of running text crosses them)."""
    text = without_pieces(text, _stretch_rows(h_all, tolerance, ROW_MIN_STRETCH_CHARS * char_height), char_height)
    reach, speck = round(COLUMN_REACH_CHARS * char_height), LINE_CROSS_MAX_CHARS * char_height
    x_left, x_right = max(0, cols[0] - reach), min(text.shape[1], cols[-1] + reach)

    def in_columns(a: int, b: int) -> bool:
        band = text[a:b]
        outside = np.count_nonzero(band[:, :x_left]) + np.count_nonzero(band[:, x_right:])
        return outside <= speck and all(np.count_nonzero(band[:, max(0, x - reach):x + reach + 1]) <= speck
                                        for x in cols[1:-1])

    lines = [(a, b) for a, b in true_runs(np.count_nonzero(text, axis=1) > 0)
             if b - a >= HEADER_LINE_MIN_CHARS * char_height]
    best: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    for a, b in lines:
        inside = in_columns(a, b)
        if inside and (not run or a - run[-1][1] <= TABLE_MAX_BLANK_CHARS * char_height):
            run.append((a, b))
        else:
            run = [(a, b)] if inside else []
        if len(run) > len(best):
            best = list(run)
    if not best:
        return None
    span = (best[0][0], best[-1][1])
    inked = [bool(np.count_nonzero(text[span[0]:span[1], x0 + reach:x1 - reach])) for x0, x1 in pairwise(cols)]
    if sum(inked) < FAINT_MIN_COLUMNS:
        return None
    blank = true_runs(np.count_nonzero(text[span[0]:span[1]], axis=0) == 0)
    corridors = tuple(next(((a, b) for a, b in blank if a <= x < b), (x, x + 1)) for x in cols[1:-1])
    height = max(char_height, line_height(text, ((0, cols[0]), *corridors, (cols[-1], text.shape[1])), span))
    pad = round(OUTER_PAD_CHARS * height)
    inner = tuple((a + b) // 2 for a, b in corridors)
    return FaintLines((span[0] - pad, span[1] + pad), (cols[0], *inner, cols[-1]), (), corridors, height, (), text)
