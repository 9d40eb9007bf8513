"""The grid stage's erased rulings (pipeline/erased.py): borders restored from the cells' text."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import cv2
import numpy as np
import pytest
import scangen
from conftest import as_page
from test_grid import _text, ruled_table

from pipeline.erased import (
    borrowed_column_borders,
    broken_foot,
    loose_row_lines,
    outer_columns,
    rejoin_blank,
    text_gap_borders,
    text_row_lines,
)
from pipeline.grid import detect_grid
from pipeline.imaging import true_runs
from pipeline.models import Box, Cell, Grid
from pipeline.settings import Settings


def _erased(gray: np.ndarray, box: Box) -> np.ndarray:
    """The page with the pixels of `box` painted paper white: a ruling erased there."""
    out = gray.copy()
    out[box.y0:box.y1, box.x0:box.x1] = 255
    return out


def _ruling_to_erase(clean: Grid, where: str) -> Box:
    """Where augraphy's LinesDegradation erases a ruling (tests/degrade.py lines-degradation), on a
    clean page: the row ruling under a cell of the widest (requirement) column whose neighbours have it
    too; the column ruling right of the widest column's neighbour over one row; the ruling under the
    first column's header cell."""
    cells = {(c.row, c.col): c for c in clean.cells}
    rows, cols, pad = clean.row_lines, clean.col_lines, clean.ruling_width + 2
    wide = int(np.argmax(np.diff(cols)))
    if where == "header":
        return Box(cols[0] + pad, rows[1] - pad, cols[1] - pad, rows[1] + pad + 1)
    for k in range(2, len(rows) - 2):
        if where == "row" and all(cells.get((k, c)) for c in (wide - 1, wide, wide + 1)):
            return Box(cols[wide] + pad, rows[k] - pad, cols[wide + 1] - pad, rows[k] + pad + 1)
        if where == "column" and all(cells.get((k, c)) and cells[(k, c)].row_span == 1
                                     for c in (wide + 1, wide + 2)):
            return Box(cols[wide + 2] - pad, rows[k] + pad, cols[wide + 2] + pad + 1, rows[k + 1] - pad)
    raise AssertionError(f"no {where} ruling to erase on this page")


@pytest.mark.parametrize("where", ["row", "column", "header"])
def test_an_erased_ruling_is_restored_from_the_text(monkeypatch, clean_images, where):
    """A ruling erased over one cell's side (a faded copy; augraphy's LinesDegradation erases long
    stretches) merges two cells; their text still shows the border, and the grid is the clean page's,
    the border named in Grid.restored. Without it the requirement of one task ran into the next
    (held-out Songjiang and Minhang plans: 16 of 17 rows, 34 of 35), and an erased header ruling took
    the 一级 titles into the header cell. Our renderer's page 2, a table filling the page."""
    gray = clean_images[1]
    clean = detect_grid(as_page(gray, 1), Settings())
    assert clean.restored == ()
    erased = _ruling_to_erase(clean, where)
    grid = detect_grid(as_page(_erased(gray, erased), 1), Settings())
    assert grid.row_lines == clean.row_lines and grid.col_lines == clean.col_lines
    assert {(c.row, c.col, c.row_span, c.col_span) for c in grid.cells} == {
        (c.row, c.col, c.row_span, c.col_span) for c in clean.cells}
    assert len(grid.restored) == 1
    restored = grid.restored[0]
    along, across = ((erased.x0 + erased.x1) / 2, (erased.y0 + erased.y1) / 2)
    if where == "column":
        along, across = across, along
    assert restored.direction == ("column" if where == "column" else "row")
    assert restored.start < along < restored.end and abs(restored.at - across) <= clean.ruling_width
    from pipeline import grid as grid_module

    monkeypatch.setattr(grid_module, "text_gap_borders", lambda cells, *args: (cells, ()))
    assert len(detect_grid(as_page(_erased(gray, erased), 1), Settings()).cells) == len(clean.cells) - 1


def test_merged_cells_of_clean_pages_are_not_split(clean_images, minhang_drum_first_page):
    """A truly merged cell holds one block of text (一级 titles centred over their rows): no border is
    restored on any page of the clean rendering, nor of the one with vertical 一级 titles (a page
    there starts without a header, with a 二级 title and a requirement both four lines: as a header
    row's text they had cut the merged title under its first row). Nor on the held-out Minhang plan's
    first page under
    the dirty-drum recipe (augraphy DirtyDrum), whose bands of toner dots across the merged 一级 cell
    made blocks of text-like height: before text lines had to line up with the rows beside them and
    to stay inside the table, it was split under its first row."""
    vertical = [np.asarray(im.convert("L")) for im in
                scangen.render_pages(scangen.load_truth(), scangen.VARIANTS["vertical-level1"])]
    for image in (*clean_images, *vertical):
        assert detect_grid(as_page(image), Settings()).restored == ()
    for page in minhang_drum_first_page.values():
        assert detect_grid(page, Settings()).restored == ()


def test_characters_spread_down_a_merged_cell_are_not_split():
    """Characters spread evenly down a merged title (组 织 领 导) leave equal blanks: though a row line
    of the cells beside lies in one of them and the character below it starts where the text beside
    does, no blank stands out from the others, and the cell stays whole."""
    img = cv2.cvtColor(ruled_table(), cv2.COLOR_GRAY2BGR)
    for k, char in enumerate("组织领导"):
        img = _text(img, (160, 210 + 150 * k), char, 30)
    for y in (210, 360, 510):
        img = _text(img, (270, y), "任务", 30)
    grid = detect_grid(as_page(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)), Settings())
    assert {(c.row, c.col): c.row_span for c in grid.cells}[(1, 0)] == 3
    assert grid.restored == ()


def test_a_left_out_column_ruling_is_the_tables_side_only_when_it_spans_it_and_a_row_ruling_ends_at_it():
    """erased.outer_columns: rows 100-900, columns 300-1200, character height 30."""
    rows, cols, kept = (100, 400, 900), (300, 700, 1200), (Box(298, 100, 302, 900),)
    row_to_side = Box(200, 498, 700, 502)  # a row ruling from the side at x 200 to the column at 700
    side = Box(198, 101, 202, 899)
    frame = Box(98, 40, 102, 960)  # a page frame: runs past the table's first and last lines
    unreached = Box(1298, 100, 1302, 900)  # spans the table, but no row ruling ends at it
    found = outer_columns((side, frame, unreached, *kept), kept, (row_to_side,), rows, cols, 6.0, 10.0, 30)
    assert found == ((200,), (side,))
    # a side broken into pieces by the effect is one ruling when they cover half of it
    pieces = (Box(198, 100, 202, 400), Box(199, 600, 203, 900))
    assert outer_columns((*pieces, *kept), kept, (row_to_side,), rows, cols, 6.0, 10.0, 30)[0] == (200,)
    # a doubled border a few pixels outside the outer column line is no column
    assert outer_columns((Box(288, 100, 292, 900), *kept), kept, (Box(290, 498, 700, 502),), rows, cols, 6.0, 10.0,
                         30) == ((), ())



def test_a_side_whose_corners_a_fold_bent_is_still_the_tables_side():
    """augraphy Folding near a LibreOffice-printed table's side (tests/wordscan.py, Putuo plan): the
    side ran on 0.8 character heights past the last row line and the row rulings' bent ends were lost
    1.3-3 character heights short of it; the page lost its 一级 column. A frame two character heights
    past the table's lines, and a ruling the nearest row ruling ends 2.5 character heights short of,
    are still no side."""
    rows, cols, kept = (100, 400, 900), (300, 700, 1200), (Box(298, 100, 302, 900),)
    bent = Box(198, 112, 202, 924)  # 0.4 under the first line, 0.8 past the last (character height 30)
    short = Box(245, 498, 700, 502)  # the row ruling ends 1.5 character heights before the side
    assert outer_columns((bent, *kept), kept, (short,), rows, cols, 6.0, 10.0, 30) == ((200,), (bent,))
    frame = Box(198, 40, 202, 960)
    assert outer_columns((frame, *kept), kept, (short,), rows, cols, 6.0, 10.0, 30) == ((), ())
    far = Box(198, 101, 202, 899)
    assert outer_columns((far, *kept), kept, (Box(275, 498, 700, 502),), rows, cols, 6.0, 10.0, 30) == ((), ())

def test_blank_cells_a_restored_border_parted_are_one_again():
    """erased.rejoin_blank: a row border restored at y 400 across two columns (x 100-500); in the first
    column neither side holds text, in the second the lower cell does. The first column's cells are
    joined, and the border is kept only over the second."""
    rows, cols = (100, 400, 700), (100, 300, 500)
    text = np.zeros((800, 600), np.uint8)
    text[450:480, 350:450] = 255  # the second column's lower cell holds text
    cells = tuple(Cell(0, r, c, 1, 1, Box(cols[c], rows[r], cols[c + 1], rows[r + 1])) for r in (0, 1) for c in (0, 1))
    joined, borders = rejoin_blank(cells, ((400, 100, 500),), rows, text, 4)
    assert sorted((c.row, c.col, c.row_span) for c in joined) == [(0, 0, 2), (0, 1, 1), (1, 1, 1)]
    assert borders == ((400, 300, 500),)


def test_a_loose_stretch_crossing_one_column_line_is_a_candidate_row_line():
    """erased.loose_row_lines: the held-out trial's LinesDegradation over the Minhang plan's page 2 left of
    the ruling between item 10's two sub-rows one stretch, from 44 px right of the 二级 column's line
    across the requirement cell and 69 px into 牵头 (it meets one ruling, by crossing it): the sub-row
    was read into the one above (16/17 rows). A stretch inside one cell crosses no line and is no
    candidate; nor is one beside a row line, or a leaning stroke."""
    rows, cols = (100, 400, 900), (300, 700, 1200, 1500)
    crossing = Box(744, 604, 1269, 608)  # across the line at 1200 only
    inside = Box(720, 704, 1180, 708)
    beside = Box(744, 402, 1269, 406)
    leaning = Box(744, 804, 1269, 830)
    found = loose_row_lines((crossing, inside, beside, leaning), (), rows, cols, 10.0, 6.0, 30)
    assert found == {606: (744, 1269)}


def test_a_loose_ruling_the_text_confirmed_in_one_cell_is_a_border_across_the_others():
    """A word processor's cells have no padding above and below: the blank at a row's ruling is one
    line's leading, and the text cannot show an erased border there. augraphy's LinesDegradation over
    the Minhang plan laid out by LibreOffice (tests/wordscan.py, make eval minhang/word-lines-degradation)
    left item 1's ruling from inside 二级 to inside 配合; the 二级 cell's text showed it and was split,
    but item 2's requirement was read into item 1's. The same straight ruling runs across the
    requirement cell through a blank of its text: it is a border there too. Where a line of text runs
    through it (a stroke, not a ruling) it is none."""
    ch = 30
    rows, cols = (60, 100, 368, 700), (100, 300, 700, 900)
    text = np.zeros((760, 1000), np.uint8)
    lines = _line_writer(text, cols, ch, inset=12)
    lines(0, [110, 154, 380, 424])  # 二级: a title, a blank, the next title just under the ruling
    lines(1, [110, 154, 198, 242, 286, 330, 376, 420, 464])  # 工作要求: leading 14, 16 at the ruling
    lines(2, [110, 154, 198, 242, 286, 354, 398])  # a line of text runs through where the ruling would be
    header = tuple(Cell(0, 0, c, 1, 1, Box(cols[c], rows[0], cols[c + 1], rows[1])) for c in range(3))
    merged = tuple(Cell(0, 1, c, 2, 1, Box(cols[c], rows[1], cols[c + 1], rows[3])) for c in range(3))
    loose = {368: (cols[0] + 40, cols[-1] - 40)}
    cells, restored = text_gap_borders(header + merged, rows, cols, text, ch, 2, loose)
    assert sorted((c.row, c.col, c.row_span) for c in cells if c.row > 0) == [
        (1, 0, 1), (1, 1, 1), (1, 2, 2), (2, 0, 1), (2, 1, 1)]
    assert {(b.at, b.start, b.end) for b in restored} == {(368, 100, 300), (368, 300, 700)}
    # Without the first cell's confirmation the requirement cell stays whole, as before.
    cells, _ = text_gap_borders(header + merged[1:], rows, cols, text, ch, 2, loose)
    assert (1, 1, 2) in {(c.row, c.col, c.row_span) for c in cells}


def test_a_side_erased_whole_is_restored_where_the_row_rulings_end():
    """augraphy's LinesDegradation over the Putuo plan laid out by LibreOffice (make eval
    putuo/word-lines-degradation), page 2: the table's left border erased from top to bottom, no piece
    left. The 一级 column lay outside the grid and group 二's title was lost (group 一's carried over
    twelve rows). The top and bottom borders and a row ruling between two groups still run on to where
    the side was, and text lies there: the side is restored, and named. Rulings printed on to the
    page's edge (an open-sided table) make no side where they end; the text before the first column
    line is then the table's first column all the same, its side at the text (faint.widens: a row
    ruling runs to it). With no text there, no side."""
    def table(left_end: int, with_text: bool = True) -> np.ndarray:
        img = np.full((900, 1200), 255, np.uint8)
        for y in (100, 160, 500, 800):
            cv2.line(img, (300 if y == 160 else left_end, y), (1000, y), 0, 2)
        for y in (300, 400, 650):
            cv2.line(img, (300, y), (1000, y), 0, 2)
        for x in (300, 500, 800, 1000):
            cv2.line(img, (x, 100), (x, 800), 0, 2)
        page = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        for x0, y in ((310, 170), (510, 170), (810, 170), (310, 510)):
            page = _text(page, (x0, y), "加强防汛", 30)
        if with_text:
            page = _text(page, (130, 520), "二、整治", 30)
        return cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)

    grid = detect_grid(as_page(table(120)), Settings())
    assert len(grid.col_lines) == 5 and abs(grid.col_lines[0] - 120) <= 3
    assert [(b.direction, b.start, b.end) for b in grid.restored] == [("column", grid.row_lines[0], grid.row_lines[-1])]
    open_sided = detect_grid(as_page(table(0)), Settings()).col_lines  # run on to the page's edge
    assert len(open_sided) == 5 and 100 <= open_sided[0] < 130  # at the text (二、整治 from x 130)
    assert len(detect_grid(as_page(table(120, with_text=False)), Settings()).col_lines) == 4


def test_a_two_line_header_over_erased_rulings_beside_a_lost_column_ends_at_its_row():
    """augraphy's LinesDegradation over the held-out Fengxian plan's last page (make eval
    lines-degradation): the 一级 column's rulings were erased whole (its header 一级/指标 printed beside
    the grid found), and so were the 二级 column's rulings under its header and under the next row.
    二级/指标 (two lines) beside 工作要求 (one) ran down into item 28's title: the page's first row lost
    its 二级 cell (item 27's sub-row numbered 28) and item 28 its title. A header cell ends where a
    neighbour's header text is centred as its own is, however many lines each holds; and text beside
    the table on one side only is no streak's band (a band runs across the page)."""
    rows, cols = (100, 200, 350, 500, 700), (200, 350, 700, 900)
    img = np.full((800, 1000), 255, np.uint8)
    for x in cols:
        cv2.line(img, (x, rows[0]), (x, rows[-1]), 0, 2)
    for y in rows:
        cv2.line(img, (cols[0] if y in (rows[0], rows[-1], rows[3]) else cols[1], y), (cols[-1], y), 0, 2)
    page = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    for xy, text in (((245, 117), "二级"), ((245, 152), "指标"), ((465, 135), "工作要求"), ((770, 135), "牵头"),
                     ((95, 117), "一级"), ((95, 152), "指标"),  # the lost column's header, beside the grid
                     ((365, 210), "任务甲的要求"), ((715, 210), "区甲局"),
                     ((215, 360), "28.加大"), ((365, 360), "任务乙的要求"), ((715, 360), "区乙局"),
                     ((215, 510), "29.强化"), ((365, 510), "任务丙的要求"), ((715, 510), "区丙局")):
        page = _text(page, xy, text, 30)
    grid = detect_grid(as_page(cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)), Settings())
    spans = {(c.row, c.col): c.row_span for c in grid.cells}
    assert (spans[(0, 0)], spans[(1, 0)], spans[(2, 0)]) == (1, 1, 1)


def test_a_header_cell_ends_at_its_row_line_when_the_text_below_is_one_leading_away():
    """augraphy's LinesDegradation over the held-out Songjiang plan's Word table at a seed make eval does
    not draw (seed 11), page 1: the ruling under the 一级指标 header was erased, and a word processor's
    cell has no padding: 一级指标 and group 一's title stood 15 px apart, one block of text. The header
    cell ran on down the body, and the title was read as the header's. The header's text is its lines
    above the row line, centred as its neighbours' are."""
    rows, cols = (100, 150, 400, 700), (200, 350, 700, 900)
    img = np.full((800, 1000), 255, np.uint8)
    for x in cols:
        cv2.line(img, (x, rows[0]), (x, rows[-1]), 0, 2)
    for y in rows:  # the ruling under the header erased over the first column
        cv2.line(img, (cols[1] if y == rows[1] else cols[0], y), (cols[-1], y), 0, 2)
    page = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    for xy, text in (((215, 110), "一级指标"), ((365, 110), "工作要求"), ((715, 110), "牵头单位"),
                     ((215, 152), "一、健全"), ((215, 190), "指挥体系"), ((365, 152), "任务甲的要求"),
                     ((715, 152), "区甲局"), ((365, 406), "任务乙的要求"), ((715, 406), "区乙局")):
        page = _text(page, xy, text, 30)
    gray = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    first_col = true_runs((gray[rows[0] + 4:rows[2] - 4, cols[0] + 4:cols[1] - 4] < 160).any(axis=1))
    assert first_col[1][0] - first_col[0][1] < 0.6 * 28  # one block by the blank alone
    grid = detect_grid(as_page(gray), Settings())
    spans = {(c.row, c.col): c.row_span for c in grid.cells}
    assert spans[(0, 0)] == 1 and (1, 0) in spans
    assert ("row", rows[1]) in {(b.direction, b.at) for b in grid.restored}


def test_a_two_row_header_under_a_heading_over_two_columns_is_not_split():
    """A header of two rows, 责任单位 over 牵头单位 | 配合单位, the cells beside it merged down both rows and
    their text set at the top (a Word table, held-out probe of the Songjiang, Fengxian and Putuo plans):
    the header rule (a header cell ends where its neighbour's centred text ends) had split 工作要求 under
    its first row, then 二级 and 一级 beside it, and the header was read as one row of seven columns (牵头
    0% on each plan). A heading over several columns marks a two-row header: nothing beside it is split."""
    rows, cols = (100, 150, 200, 350, 500), (100, 250, 600, 800, 1000)
    img = np.full((600, 1100), 255, np.uint8)
    for x in cols:
        cv2.line(img, (x, rows[0] if x != cols[3] else rows[1]), (x, rows[-1]), 0, 2)
    for y in rows:
        cv2.line(img, (cols[2] if y == rows[1] else cols[0], y), (cols[-1], y), 0, 2)
    page = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    for xy, text in (((115, 110), "二级指标"), ((365, 110), "工作要求"), ((790, 110), "责任单位"),
                     ((640, 160), "牵头单位"), ((840, 160), "配合单位"),
                     ((115, 210), "1.加强"), ((265, 210), "任务甲的要求"), ((615, 210), "区甲局"),
                     ((815, 210), "区乙局"), ((115, 360), "2.强化"), ((265, 360), "任务乙的要求"),
                     ((615, 360), "区丙局")):
        page = _text(page, xy, text, 30)
    grid = detect_grid(as_page(cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)), Settings())
    head = sorted((c.col, c.row_span, c.col_span) for c in grid.cells if c.row == 0)
    assert head == [(0, 2, 1), (1, 2, 1), (2, 1, 2)]
    assert grid.restored == ()


def _line_writer(text: np.ndarray, cols: tuple[int, ...], ch: int,
                 inset: int = 8) -> Callable[[int, list[int]], None]:
    """A helper that writes lines of text (tops given, `ch` tall, `inset` px inside the walls) into a
    column of the text mask."""
    def lines(col: int, tops: list[int]) -> None:
        for top in tops:
            text[top:top + ch, cols[col] + inset:cols[col + 1] - inset] = 255

    return lines


def _word_rows(ch: int = 28) -> tuple[tuple[int, ...], tuple[int, ...], np.ndarray, Callable[[int, list[int]], None]]:
    """A LibreOffice-style table (no cell padding, leading 14 px): header, item A's two requirements,
    item B's first; columns 二级 | 工作要求 | 牵头 | 配合. Returns rows, cols, an empty text mask and a
    helper that writes lines of text (tops given) into a column."""
    rows, cols = (60, 100, 340, 586, 700), (100, 300, 700, 850, 1000)
    text = np.zeros((760, 1100), np.uint8)
    return rows, cols, text, _line_writer(text, cols, ch)


def _spans(cells: tuple[Cell, ...]) -> set[tuple[int, int, int]]:
    return {(c.row, c.col, c.row_span) for c in cells if c.row > 0}


def _two_items_one_ruling_erased(ch: int = 28) -> tuple[tuple[int, ...], tuple[int, ...], np.ndarray,
                                                        Callable[[int, list[int]], None], dict[str, Cell],
                                                        tuple[Cell, ...]]:
    """_word_rows with item A (title merged down rows 1-2, two requirement lines' blocks) and item B,
    the 工作要求 ruling between A's second requirement and B erased (a 16 px blank at 586 against a
    leading of 11-14): rows, cols, the text mask, its line writer, the named cells (header cells under
    "header0".."header3", titles "title_a" and "title_b", requirements "first" and "merged") and the
    agency cells."""
    rows, cols, text, lines = _word_rows(ch)
    lines(0, [104, 146])  # item A's title, merged down rows 1-2
    lines(0, [596])  # item B's title
    lines(1, [104, 146, 188, 230, 272, 346, 388, 430, 472, 514, 552, 596, 640])
    for col in (2, 3):
        lines(col, [104, 346, 596])
    named = {f"header{c}": Cell(0, 0, c, 1, 1, Box(cols[c], rows[0], cols[c + 1], rows[1])) for c in range(4)}
    named.update(title_a=Cell(0, 1, 0, 2, 1, Box(cols[0], rows[1], cols[1], rows[3])),
                 title_b=Cell(0, 3, 0, 1, 1, Box(cols[0], rows[3], cols[1], rows[4])),
                 first=Cell(0, 1, 1, 1, 1, Box(cols[1], rows[1], cols[2], rows[2])),
                 merged=Cell(0, 2, 1, 2, 1, Box(cols[1], rows[2], cols[2], rows[4])))
    agencies = tuple(Cell(0, r, c, 1, 1, Box(cols[c], rows[r], cols[c + 1], rows[r + 1])) for r in (1, 2, 3)
                     for c in (2, 3))
    return rows, cols, text, lines, named, agencies


def test_a_requirement_merged_across_a_title_is_split_at_the_titles_ruling():
    """augraphy's LinesDegradation over the Putuo plan laid out by LibreOffice (make eval
    putuo/word-lines-degradation), page 5: the 工作要求 ruling between item 21's second requirement and
    item 22's first was erased. A word processor's cells have no padding: the blank at the ruling was
    15 px against a leading of 11-14, and item 22's requirement and agencies were read into item 21.
    The 二级 cell beside it is merged down item 21's rows and parts there, and so do the agency cells:
    merges that cross are an erased ruling. A requirement cell merged over two agency rows of one item
    (its title merged around both) is split too, where its next line starts as theirs do (twenty-sixth
    session: held-out LinesDegradation draws showed it twice, an erased stretch over the requirement
    alone; it had been left whole, and the two sub-rows were read as one without a flag); an agency
    cell merged across items by a clerk (the last column: nothing to its right) and a lead written
    once at its cell's top are left whole."""
    ch = 28
    rows, cols, text, lines, named, agencies = _two_items_one_ruling_erased(ch)
    header = tuple(named[f"header{c}"] for c in range(4))
    title_a, title_b, first, merged = named["title_a"], named["title_b"], named["first"], named["merged"]
    cells, restored = text_gap_borders((*header, title_a, title_b, first, merged, *agencies), rows, cols, text,
                                       ch, 2)
    assert (2, 1, 1) in _spans(cells) and (3, 1, 1) in _spans(cells)
    assert {(b.direction, b.at, b.start, b.end) for b in restored} == {("row", 586, 300, 700)}
    # One item's title merged around both rows: the requirement merged over its agency rows is split
    # where its next line starts as the agencies' do, and not where it starts elsewhere.
    title = Cell(0, 1, 0, 3, 1, Box(cols[0], rows[1], cols[1], rows[4]))
    one_title = text.copy()
    one_title[rows[3]:, cols[0]:cols[1]] = 0  # no second title under the line
    cells, restored = text_gap_borders((*header, title, first, merged, *agencies), rows, cols, one_title, ch, 2)
    assert (2, 1, 1) in _spans(cells) and {(b.at, b.start, b.end) for b in restored} == {(586, 300, 700)}
    elsewhere = one_title.copy()
    elsewhere[rows[3] + 1:rows[3] + 40, cols[2]:] = 0  # the agencies' text starts a line lower
    elsewhere[rows[3] + 42:rows[3] + 70, cols[2] + 10:cols[2] + 60] = 255
    elsewhere[rows[3] + 42:rows[3] + 70, cols[3] + 10:cols[3] + 60] = 255
    cells, restored = text_gap_borders((*header, title, first, merged, *agencies), rows, cols, elsewhere, ch, 2)
    assert (2, 1, 2) in _spans(cells) and restored == ()
    # A lead merged across both items, written once at its top: whole (nothing below the ruling).
    text[:, cols[2]:cols[3]] = 0
    lines(2, [346])
    lead = Cell(0, 2, 2, 2, 1, Box(cols[2], rows[2], cols[3], rows[4]))
    rest = tuple(c for c in agencies if not (c.col == 2 and c.row > 1))
    requirements = (first, Cell(0, 2, 1, 1, 1, Box(cols[1], rows[2], cols[2], rows[3])),
                    Cell(0, 3, 1, 1, 1, Box(cols[1], rows[3], cols[2], rows[4])))
    cells, _ = text_gap_borders((*header, title_a, title_b, lead, *requirements, *rest), rows, cols, text, ch, 2)
    assert (2, 2, 2) in _spans(cells)


def test_a_bottom_border_left_in_pieces_is_the_tables_foot():
    """augraphy's LinesDegradation over the Minhang plan laid out by LibreOffice (make eval
    minhang/word-lines-degradation), page 5: the border under the page's last row (one line of item 26's
    second requirement, continued on the next page) was left as six pieces that meet no ruling, covering
    64% of it, and two column rulings reached it: the row was read as text beside the table and its lead
    lost. A footer rule under the table, where no column ruling reaches, is no foot; nor are pieces
    covering under half the width."""
    rows, cols = (100, 400, 700), (100, 300, 700, 900, 1100)
    pieces = (Box(100, 742, 240, 745), Box(290, 742, 490, 746), Box(600, 742, 750, 745), Box(790, 742, 940, 745))
    columns = (Box(299, 100, 302, 745), Box(699, 100, 702, 744), Box(899, 100, 902, 702))
    assert broken_foot(pieces, (), rows, cols, columns, 6.0, 10.0, 28) == 743
    footer = tuple(Box(b.x0, b.y0 + 200, b.x1, b.y1 + 200) for b in pieces)
    assert broken_foot(footer, (), rows, cols, columns, 6.0, 10.0, 28) is None
    assert broken_foot(pieces[:2], (), rows, cols, columns, 6.0, 10.0, 28) is None
    assert broken_foot(pieces, (), rows, cols, columns[2:], 6.0, 10.0, 28) is None


def test_a_row_ruling_erased_whole_is_restored_where_blocks_of_text_start_in_two_columns():
    """LinesDegradation over Word tables (held-out probe, seeds make eval does not draw): a sub-row's
    ruling erased across every column, no stretch left, and the second requirement and its agencies
    were read into the first (the held-out Songjiang plan, item 22: 区应急局区商务委). The lead and support
    cells each start a second block of text at one height, after a blank line: a row line is put just
    above, and the requirement, whose lines run on at one leading, is split there too; the title
    merged down the item's rows (nothing under the line) stays whole. A second block in one column
    alone starts a row only far under the cell's first (a sub-row with no support agency: item 23 of
    the Songjiang plan at light toner); after a paragraph's blank line it makes no line."""
    ch = 28
    rows, cols = (60, 100, 700), (100, 300, 700, 850, 1000)
    text = np.zeros((760, 1100), np.uint8)
    lines = _line_writer(text, cols, ch)
    lines(0, [108, 150])  # the item's title, merged down both sub-rows
    lines(1, [108, 150, 192, 234, 276, 318, 360, 402, 444])  # 工作要求: 1st ends 318+28, 2nd from 360
    lines(2, [108, 360])  # 牵头: 区应急局 | 区商务委
    lines(3, [108, 150, 360, 402])  # 配合
    found = text_row_lines(text, rows, cols, 2, ch)
    assert len(found) == 1 and 346 < found[0] < 360
    grid_rows = tuple(sorted({*rows, *found}))
    header = tuple(Cell(0, 0, c, 1, 1, Box(cols[c], rows[0], cols[c + 1], rows[1])) for c in range(4))
    merged = tuple(Cell(0, 1, c, 2, 1, Box(cols[c], grid_rows[1], cols[c + 1], grid_rows[3])) for c in range(4))
    cells, restored = text_gap_borders((*header, *merged), grid_rows, cols, text, ch, 2, text_rows=found)
    assert sorted((c.row, c.col, c.row_span) for c in cells if c.row > 0) == [
        (1, 0, 2), (1, 1, 1), (1, 2, 1), (1, 3, 1), (2, 1, 1), (2, 2, 1), (2, 3, 1)]
    assert {(b.direction, b.at, b.start, b.end) for b in restored} == {
        ("row", found[0], 300, 700), ("row", found[0], 700, 850), ("row", found[0], 850, 1000)}
    text[:, cols[3]:cols[4]] = 0
    lines(3, [108, 150, 192])  # 配合 one block: only 牵头 starts one, far under its first (no support)
    assert len(text_row_lines(text, rows, cols, 2, ch)) == 1
    text[:, cols[2]:cols[3]] = 0
    lines(2, [108, 192])  # after a paragraph's blank line, alone: no row
    assert text_row_lines(text, rows, cols, 2, ch) == ()


def test_a_title_starting_a_second_block_under_a_row_line_parts_and_the_requirement_beside_it_too():
    """LinesDegradation over the Fengxian plan laid out by LibreOffice (held-out probe, seed 0): the row
    line between items 25 and 26 was left in the agency columns only; the 二级 and 工作要求 cells ran across
    it, and item 26's title was read into item 25's (完善基层卫生人员培养评价26.推进基层卫生健康数字化转型).
    The 二级 cell's second block starts just under the line after a blank far taller than its leading:
    it parts there; then the requirement, between a cell its text parted and agency cells that part,
    parts too. Characters spread evenly down a merged title (equal blanks) do not part."""
    ch = 28
    rows, cols = (60, 100, 346, 700), (100, 300, 700, 850, 1000)
    text = np.zeros((760, 1100), np.uint8)
    lines = _line_writer(text, cols, ch)
    lines(0, [108, 150, 192, 355, 397])  # 二级: title 25 (three lines), title 26 9 px under the line
    lines(1, [108, 150, 192, 234, 276, 313, 355, 397, 439])  # 工作要求 at one leading, 313+28 < 346-4
    header = tuple(Cell(0, 0, c, 1, 1, Box(cols[c], rows[0], cols[c + 1], rows[1])) for c in range(4))
    merged = tuple(Cell(0, 1, c, 2, 1, Box(cols[c], rows[1], cols[c + 1], rows[3])) for c in (0, 1))
    agencies = tuple(Cell(0, r, c, 1, 1, Box(cols[c], rows[r], cols[c + 1], rows[r + 1])) for r in (1, 2)
                     for c in (2, 3))
    cells, restored = text_gap_borders((*header, *merged, *agencies), rows, cols, text, ch, 2)
    assert {(c.row, c.col, c.row_span) for c in cells if c.col < 2 and c.row > 0} == {
        (1, 0, 1), (2, 0, 1), (1, 1, 1), (2, 1, 1)}
    assert {(b.at, b.start, b.end) for b in restored} == {(346, 100, 300), (346, 300, 700)}
    spread = np.zeros_like(text)
    for top in (109, 191, 273, 355, 437):  # one character a line, spread evenly down a merged title
        spread[top:top + ch, cols[0] + 8:cols[1] - 8] = 255
    cells, _ = text_gap_borders((*header, merged[0]), rows, cols[:2], spread, ch, 2)
    assert (1, 0, 2) in {(c.row, c.col, c.row_span) for c in cells}


def test_no_row_line_is_put_where_text_runs_across_it():
    """The real technical standard of ../shared/real holds one record a line in each cell; where a value
    wrapped in one column (18.0（V串） / 18.5（I串）) the others had a blank line, and the next record
    started a block in eight columns at once: a row line was put there (48 cells for 40). A line of
    text runs across that height in the wrapped column: no row ends there."""
    ch = 22
    rows, cols = (60, 100, 700), (100, 300, 500, 700)
    text = np.zeros((760, 800), np.uint8)
    for col, tops in ((0, [108, 136, 192]), (1, [108, 136, 192]), (2, [108, 136, 164, 192])):
        for top in tops:  # one record a line at a pitch of 28 px; the third column's second value wrapped
            text[top:top + ch, cols[col] + 8:cols[col + 1] - 8] = 255
    assert text_row_lines(text, rows, cols, 2, ch) == ()
    text[164:164 + ch, cols[2] + 8:cols[3] - 8] = 0  # nothing wrapped: the blank runs across the table
    assert len(text_row_lines(text, rows, cols, 2, ch)) == 1


def test_lines_set_far_apart_make_no_row_line():
    """四号 at a fixed 28 pt spacing (make eval's word-14pt): 0.9 character heights between every two
    lines of a cell, and two columns' lines at one height everywhere. A blank no taller than the column's
    others (or the page's, in a column of two lines) starts no block: the drafts had been cut at every
    line (137 rows for 35)."""
    ch = 28
    rows, cols = (60, 100, 700), (100, 300, 500, 700)
    text = np.zeros((760, 800), np.uint8)
    for col, tops in ((0, [110, 164]), (1, [110, 164, 218, 272, 326]), (2, [110, 164, 218, 272, 326])):
        for top in tops:  # a pitch of 54 px: a blank of 26 between lines (0.93 character heights)
            text[top:top + ch, cols[col] + 8:cols[col + 1] - 8] = 255
    assert text_row_lines(text, rows, cols, 2, ch) == ()


def test_a_title_starting_deep_in_its_cell_starts_a_row_with_a_second_block_beside_it():
    """The seed-4 draw of the held-out Fengxian plan's light-toner recipe (tests/wordscan.py
    bilevel-200), page 3: the rulings above item 13 lost, one cell held item 12's last sub-rows and item
    13. Item 13's 二级 title is its cell's first line, one leading above the cell's foot; its lead starts
    a second block at that height: a row line is put above both. Where the column's titles are set in
    the middle of their cells (a centred style), a title deep in its cell is no sign."""
    ch = 28
    rows, cols = (60, 100, 250, 400, 550, 950), (100, 300, 700, 850)
    text = np.zeros((1000, 900), np.uint8)
    lines = _line_writer(text, cols, ch)

    def requirement_and_lead() -> None:
        lines(1, [68, *range(108, 250 - ch, 42), *range(258, 400 - ch, 42), *range(408, 550 - ch, 42),
                  *range(558, 950 - ch, 42)])  # 工作要求 at one leading in every cell
        # 牵头: 区委编办 … | 各医联体牵头医院 after a paragraph's blank line (alone, no sign: see below)
        lines(2, [68, 108, 258, 408, *range(558, 768, 42), 810])

    lines(0, [68, 108, 258, 408, 810, 852])  # 二级: each title at its cell's top; item 13's deep in the last
    requirement_and_lead()
    found = text_row_lines(text, rows, cols, 2, ch)
    assert len(found) == 1 and 768 < found[0] < 810
    text[:] = 0
    lines(0, [68, 160, 310, 460, 810, 852])  # titles set in the middle of their cells
    requirement_and_lead()
    assert text_row_lines(text, rows, cols, 2, ch) == ()
    text[:] = 0
    lines(0, [68, 108, 258, 408])  # no title deep in the cell: the lead's second block alone
    requirement_and_lead()
    assert text_row_lines(text, rows, cols, 2, ch) == ()


def _merged_title_page(title_top: int, ys: tuple[int, ...]) -> np.ndarray:
    """A table whose first column is one cell from its second row line down (its rulings erased), a
    two-line title from `title_top` in it, and a line of text at the top of each row beside it."""
    xs = (100, 250, 600, 900)
    img = np.full((900, 1000), 255, np.uint8)
    for x in xs:
        cv2.line(img, (x, ys[0]), (x, ys[-1]), 0, 2)
    cv2.line(img, (xs[0], ys[0]), (xs[-1], ys[0]), 0, 2)
    cv2.line(img, (xs[0], ys[1]), (xs[-1], ys[1]), 0, 2)
    cv2.line(img, (xs[0], ys[-1]), (xs[-1], ys[-1]), 0, 2)
    for y in ys[2:-1]:
        cv2.line(img, (xs[1], y), (xs[-1], y), 0, 2)
    img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    img = _text(img, (110, title_top), "三、推", 30)
    img = _text(img, (110, title_top + 40), "进医养", 30)
    for y in ys[1:-1]:
        img = _text(img, (270, y + 15), "任务", 30)
        img = _text(img, (620, y + 15), "单位", 30)
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def test_a_title_centred_above_the_empty_rows_of_the_next_group_is_split_there():
    """LinesDegradation over our renderer's Jiading plan at seed 24 (held out), page 2: the ruling
    between group 三's rows and the next group's first item (its title carried to the next page by the
    page break) was erased but for 0.7 character heights, and item 19 was read as group 三's. A title
    centred in the rows above a row line, nothing below it, ends there. A title at its cell's top (a
    word processor's) is not judged so, though it happens to be centred in its first row."""
    ys = (100, 200, 350, 500, 650, 800)
    grid = detect_grid(as_page(_merged_title_page(390, ys)), Settings())  # centred in rows 1-3
    spans = {(c.row, c.col): c.row_span for c in grid.cells}
    assert spans[(1, 0)] == 3 and spans[(4, 0)] == 1
    top = (100, 200, 300, 450, 600, 800)
    grid = detect_grid(as_page(_merged_title_page(212, top)), Settings())  # at the top, centred in row 1
    assert {(c.row, c.col): c.row_span for c in grid.cells}[(1, 0)] == 4


def test_stretches_of_one_loose_ruling_a_pixel_apart_are_one_line():
    """erased.loose_row_lines: LinesDegradation over the Jiading plan at seed 24 (held out), page 2,
    left two stretches of a ruling at y 963 and 964; each was a row line, and the 1 px row between them
    an extra item."""
    rows, cols = (100, 600, 1300), (300, 700, 1200, 1500)
    found = loose_row_lines((Box(620, 961, 800, 966), Box(1150, 962, 1260, 967)), (), rows, cols, 10.0, 10.0, 30)
    assert found == {963: (620, 1260)}


def test_a_column_line_lost_whole_stands_where_the_text_leaves_a_corridor():
    """erased.borrowed_column_borders: a column line another page of the table has, expected at x 400
    (character height 30, tolerance 10): titles end at 385 and requirements start at 410 in four rows,
    a row's title is blank; the line is put in the middle of the corridors and borders every row. Where
    text runs across the line in two rows of five, it is no line of this table."""
    rows = (100, 300, 500, 700, 900, 1100)
    text = np.zeros((1200, 1000), np.uint8)
    for top in rows[:-1]:
        text[top + 20:top + 50, 410:900] = 255
        if top != 500:
            text[top + 20:top + 50, 250:385] = 255
    at, bands = borrowed_column_borders(text, rows, 400, 30, 10.0, 2)
    assert abs(at - 397) <= 1 and bands == tuple(pairwise(rows))
    across = text.copy()
    across[120:150, 250:900] = 255
    across[520:550, 250:900] = 255
    assert borrowed_column_borders(across, rows, 400, 30, 10.0, 2) == (400, ())
    # a table's left side at x 240, its text from 250 on, a remnant of the erased side on the line in
    # one row: it stays at 240 and borders every row; text beyond it in two rows is another table's
    side = text.copy()
    side[320:340, 239:242] = 255
    assert borrowed_column_borders(side, rows, 240, 30, 10.0, 2, -1) == (240, tuple(pairwise(rows)))
    side[120:150, 180:230] = 255
    side[720:750, 180:230] = 255
    assert borrowed_column_borders(side, rows, 240, 30, 10.0, 2, -1) == (240, ())


def test_a_lent_side_whose_first_cell_runs_past_the_header_is_not_taken():
    """run._side_swallows_header: augraphy Folding bent a Word table's side and the rulings beside it
    (tests/wordscan.py folding at seed 24, held out): the side page 1 lent made a 一级 column whose
    header cell ran down the page, and the titles went into the header (songjiang 一级 100 → 80%). A
    side whose first cell is one row, as the column beside it, is taken; an inner line is not judged."""
    from pipeline.run import _side_swallows_header

    rows = (100, 150, 300, 450, 600)

    def grid(cols: tuple[int, ...], first_span: int) -> Grid:
        cells = [Cell(0, 0, 0, first_span, 1, Box(cols[0], rows[0], cols[1], rows[first_span]))]
        cells += [Cell(0, r, 0, 1, 1, Box(cols[0], rows[r], cols[1], rows[r + 1])) for r in range(first_span, 4)]
        cells += [Cell(0, r, c, 1, 1, Box(cols[c], rows[r], cols[c + 1], rows[r + 1]))
                  for r in range(4) for c in range(1, len(cols) - 1)]
        return Grid(0, rows, cols, tuple(cells))

    before = grid((200, 400, 900), 1)
    assert _side_swallows_header(grid((100, 200, 400, 900), 4), before)
    assert not _side_swallows_header(grid((100, 200, 400, 900), 1), before)
    assert not _side_swallows_header(grid((200, 300, 400, 900), 4), before)  # an inner line


def test_a_lead_centred_in_a_cell_merged_across_an_erased_ruling_is_split_with_the_cell_beside_it():
    """LinesDegradation over our renderer's Putuo plan at seed 25 (held out), page 5: the ruling under
    the row carried over from page 4 was erased across the agency columns. Item 26's lead 区应急局 sat
    just under the line, and by chance 9 px off the middle of the lead cell merged across it: taken for
    a merged lead centred on purpose, the cell stayed whole, and the carried row was read as a sub-row
    of item 25 with item 26's lead. The support cell beside it, parted at that line by its own text,
    shows the ruling was erased across both: the lead cell is split there too. Beside a support column
    ruled at that line (nothing restored), a lead centred in its merged cell stays whole."""
    ch = 28
    rows, cols = (60, 100, 232, 400), (100, 300, 700, 850, 1000)
    text = np.zeros((460, 1100), np.uint8)
    lines = _line_writer(text, cols, ch)
    lines(1, [104, 146, 188])  # the carried row's requirement; no title, lead or support of its own
    lines(0, [236, 278])  # item B's title
    lines(1, [236, 278, 320, 362])  # item B's requirement
    lines(2, [236])  # item B's lead: its middle 250, the merged cell's (100 + 400) / 2
    lines(3, [236, 278, 320, 362])  # item B's support, centred in its own rows
    header = tuple(Cell(0, 0, c, 1, 1, Box(cols[c], rows[0], cols[c + 1], rows[1])) for c in range(4))
    ruled = tuple(Cell(0, r, c, 1, 1, Box(cols[c], rows[r], cols[c + 1], rows[r + 1])) for r in (1, 2) for c in (0, 1))
    lead = Cell(0, 1, 2, 2, 1, Box(cols[2], rows[1], cols[3], rows[3]))
    support = Cell(0, 1, 3, 2, 1, Box(cols[3], rows[1], cols[4], rows[3]))
    cells, restored = text_gap_borders((*header, *ruled, lead, support), rows, cols, text, ch, 2)
    assert {(c.row, c.col, c.row_span) for c in cells if c.col >= 2 and c.row > 0} == {
        (1, 2, 1), (2, 2, 1), (1, 3, 1), (2, 3, 1)}
    assert {(b.at, b.start, b.end) for b in restored} == {(232, 700, 850), (232, 850, 1000)}
    supports = tuple(Cell(0, r, 3, 1, 1, Box(cols[3], rows[r], cols[4], rows[r + 1])) for r in (1, 2))
    cells, restored = text_gap_borders((*header, *ruled, lead, *supports), rows, cols, text, ch, 2)
    assert (1, 2, 2) in {(c.row, c.col, c.row_span) for c in cells} and restored == ()


def test_a_requirement_and_support_merged_across_items_between_parted_columns_are_split():
    """LinesDegradation over the Jiading plan's Word table at seed 26 (held out), page 4: the ruling
    between items 23 and 24 was erased across 工作要求 and 配合 and kept in 二级 and 牵头. A word processor's
    cells have no padding (the blank at the ruling is one leading), and the support column does not part,
    so item 24 was read into item 23 (32/33 rows, CER 30%). The requirement, between a title and a lead
    that both part there and start their text where its next line starts, parts too; then the support,
    its text parted at that line and every column between it and the restored border parted. Beside one
    lead merged across both items, written once at its top, the requirement stays whole."""
    ch = 28
    rows, cols, text, lines = _word_rows(ch)
    k = rows[2]  # 340: item A's row ends, item B's starts (rows[3] is unused: items A and B fill rows 1-2)
    lines(0, [104, 146])  # item A's title
    lines(0, [346, 388])  # item B's title, just under the line
    lines(1, [104, 146, 188, 230, 272, 304, 346, 388, 430, 472])  # 工作要求 at one leading across the line
    lines(2, [104])  # item A's lead
    lines(2, [346])  # item B's lead
    lines(3, [104, 146, 188, 230, 272, 304, 346, 388, 430])  # 配合: A's names, then B's, at one leading
    header = tuple(Cell(0, 0, c, 1, 1, Box(cols[c], rows[0], cols[c + 1], rows[1])) for c in range(4))
    parted = tuple(Cell(0, r, c, 1, 1, Box(cols[c], rows[r], cols[c + 1], rows[r + 1])) for r in (1, 2)
                   for c in (0, 2))
    requirement = Cell(0, 1, 1, 2, 1, Box(cols[1], rows[1], cols[2], rows[3]))
    support = Cell(0, 1, 3, 2, 1, Box(cols[3], rows[1], cols[4], rows[3]))
    cells, restored = text_gap_borders((*header, *parted, requirement, support), rows[:4], cols, text, ch, 2)
    assert {(c.row, c.col, c.row_span) for c in cells if c.col in (1, 3) and c.row > 0} == {
        (1, 1, 1), (2, 1, 1), (1, 3, 1), (2, 3, 1)}
    assert {(b.at, b.start, b.end) for b in restored} == {(k, 300, 700), (k, 850, 1000)}
    text[rows[2]:, cols[2]:cols[3]] = 0  # one lead for both, written once at its merged cell's top
    lead = Cell(0, 1, 2, 2, 1, Box(cols[2], rows[1], cols[3], rows[3]))
    titles = tuple(c for c in parted if c.col == 0)
    cells, restored = text_gap_borders((*header, *titles, lead, requirement, support), rows[:4], cols, text, ch, 2)
    assert (1, 1, 2) in {(c.row, c.col, c.row_span) for c in cells} and restored == ()


def test_a_first_line_a_band_cut_the_top_off_is_still_the_cells_first_line():
    """The Jiading plan's Word table under wordscan's dirty-rollers at seed 26 (held out), page 2: a
    roller's band across item 16's first line took its top out of the text mask in every column, and the
    second line, taken for a first line deep in each cell, put a row line between them (item 16 in two
    rows). What the band left of the line, a line wide, is text; a speck as tall in the blank is not."""
    ch = 28
    rows, cols = (60, 100, 250, 400, 550, 760), (100, 300, 700, 850, 1000)
    text = np.zeros((800, 1100), np.uint8)
    lines = _line_writer(text, cols, ch)
    for col in range(4):
        lines(col, [104, 146, 254, 296, 404, 446, 596, 638])  # three cells' text at their top; the last's...
        text[556:570, cols[col] + 8:cols[col + 1] - 8] = 255  # ...first line, its top cut off (14 px)
    assert text_row_lines(text, rows, cols, 2, ch) == ()
    text[556:570] = 0
    for col in range(4):
        text[556:570, cols[col] + 8:cols[col] + 18] = 255  # a speck as tall, in the blank over the text
    assert len(text_row_lines(text, rows, cols, 2, ch)) == 1


def test_a_rulings_remnant_a_pixel_off_level_is_no_text_across_the_line(monkeypatch):
    """The Jiading plan's Word table under tests/wordscan.py's lines-degradation at seed 27 (held out),
    page 3: the ruling between items 18 and 19 was erased over 工作要求 but for a stretch 57 px long over
    3 pixel rows (the ruling 2 px wide, left a pixel off level); the requirement was judged to run
    across the line and item 19 was read into item 18. A remnant over the ruling's width and a pixel is
    no text; a line of text across the line (every row within the margin) still is."""
    from pipeline import erased as erased_module

    ch = 28
    rows, cols, text, _, named, agencies = _two_items_one_ruling_erased(ch)
    header = tuple(named[f"header{c}"] for c in range(4))
    title_a, title_b, first, merged = named["title_a"], named["title_b"], named["first"], named["merged"]
    text[585:588, 420:477] = 255  # the remnant: 57 px over 3 rows
    grid_cells = (*header, title_a, title_b, first, merged, *agencies)
    cells, _ = text_gap_borders(grid_cells, rows, cols, text, ch, 2)
    assert (2, 1, 1) in _spans(cells) and (3, 1, 1) in _spans(cells)
    across = text.copy()
    across[580:593, 420:477] = 255  # a line's strokes run across the line
    cells, _ = text_gap_borders(grid_cells, rows, cols, across, ch, 2)
    assert (2, 1, 2) in _spans(cells)
    monkeypatch.setattr(erased_module, "REMNANT_SLANT_PX", 0)
    cells, _ = text_gap_borders(grid_cells, rows, cols, text, ch, 2)
    assert (2, 1, 2) in _spans(cells)
