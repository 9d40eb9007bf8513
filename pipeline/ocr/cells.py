"""Reading the cells of one page: cut each cell into text lines, read all lines in one batch.

Narrow cells (titles, agency lists) wrap after 1-8 characters, often inside a word; their lines
are stitched side by side into one line image before recognition, so that the recognizer sees the
whole title or name in context and the text comes out without line-break fragments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

import cv2
import numpy as np

from ..imaging import contrast_ink_mask, ink_mask, paper_level, true_runs
from ..models import Box, Cell, CellText, Grid, LineText, Page
from ..settings import Settings
from .base import OcrEngine

#: Speckle is measured per page (estimate_speck_area); this is the most it may be, as
#: (this × character height)². As a fixed threshold it measured (requirement CER, sample /
#: 150-dpi noisy): 0.10 → 0.43/0.60%, 0.13 → 0.31/0.28%, 0.16 → 0.99% (commas go), 0.19 → 2.4/2.0%;
#: but on a clean 楷体 page even 0.13 removed most 。、 (CER 4.7%), hence the measurement.
SPECK_CHARS = 0.13
#: Marks of 1-2 px are always dropped: no stroke or dot is that small at 150 dpi or more.
MIN_SPECK_AREA = 3
#: Width of the blank strips beside the table where noise is measured, in character heights.
NOISE_STRIP_CHARS = 3
#: The speck limit is this percentile of the marks found there (plus one): nearly all of them.
#: Measured, requirement CER sample / 150-dpi noisy: 90 → 0.11/0.51%, 95 → 0.14/0.43%,
#: 97 → 0.14/0.37%, 99 → 0.17/0.37% (a larger limit also erases the dots of 氵: 治 → 冶).
NOISE_PERCENTILE = 97
#: Marks no longer or wider than this many character heights are kept only within
#: SMALL_MARK_REACH_CHARS character heights of a longer mark: 、。， are ~0.25, specks less, and
#: strokes longer (a 楷体 character is many separate thin strokes, so size is not measured by area).
#: Reach measured with PP-OCRv6 tiny on the cut lines of tests/ocr_lines.py (3 documents, 8 scan styles;
#: requirement CER all / punctuation CER): 0.6 → 9.49/16.2%, 0.8 → 8.75/11.7%, 1.0 → 8.68/10.9%. At 0.6
#: the 、 of 宋体 fonts (AR PL UMing), set in the middle of its em box, was dropped (uming 1-bit page:
#: punctuation CER 29.8% → 4.4% at 0.8); 1.0 lets more specks through on a 150-dpi noisy page.
#: The reach is from the mark's nearest ink, not its centre: 。 after ” (月考核”。) and “ after 、 stand
#: apart by most of an em (the quote's strokes at the left of its box), and by their centres they were
#: dropped. make eval, centre → nearest ink: false diff changes songjiang/photocopy 3 → 2,
#: jiading/uming-bilevel 3 → 2, songjiang shadow, low-ink and scanner-edge 1 → 0, bilevel-200 CER
#: 17.55/22.18 → 17.27/21.64%, songjiang/dirty-drum 8.88 → 8.91%, the other 39 variants unchanged.
SMALL_MARK_CHARS = 0.3
SMALL_MARK_REACH_CHARS = 0.8
#: A mark below the speck size is part of a character when kept ink lies within this many character
#: heights straight above it and straight below it (see _keep_stroke_parts).
STROKE_PART_REACH_CHARS = 0.25
#: A line band with less ink than this share of a character's square is leftover noise, not text...
MIN_LINE_INK_CHARS = 0.05
#: ...unless its ink runs this many character heights wide without a break: a lone 一 (one stroke,
#: 35 px of ink at 200 dpi against a 39 px floor) on its own line of a vertical 一级指标 header was
#: dropped, and the header read 级指标 (scangen's vertical-level1 variant). Specks are small both
#: ways, but a few of them spread along a band span its width: in the tall merged 一级 cells of a
#: LibreOffice-printed table under augraphy's BadPhotoCopy (tests/wordscan.py) the haze left slivers
#: 1-3 px wide, 10-35 px of ink a band, and each such band was read as a line (摸清…底数！1).
MIN_STROKE_WIDTH_CHARS = 0.5
#: Bands of ink rows are merged while the merged band is at most this many character heights
#: tall: strokes of one character (二, 三) are separate bands, two lines of text never fit.
LINE_MAX_CHARS = 1.5
#: Padding around a cut line, in character heights: recognizers want a little white margin.
LINE_PAD_CHARS = 0.15
#: Cells at most this many character heights wide are stitched into a single line (see above).
STITCH_MAX_CHARS = 10.0
#: White gap between stitched lines, in character heights: an ordinary character spacing, so that
#: the recognizer does not read the seam as a space.
STITCH_GAP_CHARS = 0.1
#: Room kept after a line's last ink, in character heights: a faint 。 or ，may follow it.
LINE_TAIL_CHARS = 0.6
#: The paper's gray level is this percentile of a cell's pixels (most of a cell is paper).
PAPER_PERCENTILE = 75
#: On a speckled page, pixels whose surroundings (imaging.paper_level) are darker than this share of
#: the cell's paper are passed on as scanned, never painted with the paper. Such dark surroundings
#: are a toner streak (a dirty copier drum: tests/degrade.py's dirty-drum, augraphy DirtyDrum, the
#: library's degradation), under which a character's strokes break into pieces as small as the
#: streak's specks: the speck rule painted them out with the specks (在定时定点 read 在走时定, and
#: each header cell's 一 and 二 lost). The recognizer reads strokes darker than the streak's gray.
#: Measured with make eval (rapid) on the three dirty-drum drafts (Qingpu and the held-out Songjiang
#: and Minhang): requirement CER 5.28 / 7.73 / 6.66% -> 2.24 / 3.91 / 3.11%; at 0.9 the gray paper
#: of the photocopy drafts counted as dark too, their specks were passed on and minhang/photocopy's
#: 一级 exact fell from 100 to 80%; at 0.8 no other draft of make eval changed.
DARK_SURROUNDINGS_SHARE = 0.8
#: A cut line whose ink lies at least this much in such dark surroundings is under a streak. A streak's
#: blots in a narrow cell are cut as lines of their own; stitched after 区教育局 they were read with it
#: (区教育4d, 区教育局義佛费制), while each read on its own reads under the illegible-line floor and is
#: left out, flagged. So such lines after a narrow cell's last other line are read on their own.
#: Measured on qingpu/dirty-drum's narrow cells (each line read alone): the blots' lines 0.9-1.0 of
#: their ink in dark surroundings, most read at 0.00-0.27 (two at 0.43 and 0.64, kept and flagged as
#: unknown text, as when stitched); text half under a streak 0.3-0.7. Every line
#: under a streak was first read on its own: 牵头 exact rose, but a blot before a 一级 title read
#: alone (海端, 0.81) stayed in the title (make eval 一级 qingpu 100 -> 84.8%, minhang 80 -> 60%);
#: trailing lines only, make eval: 牵头 exact 69.7/71.4/71.4 -> 72.7/74.3/74.3% on the three dirty
#: drums, nothing else moved (photocopies, 150-dpi noise and the samples of the 12 speckled drafts).
STREAK_LINE_SHARE = 0.9
#: On a page with a roller's gray bands across it (grid.roller_bands), pixels at least this share of
#: the darkest band's gray are painted with the paper in the line images: between characters a band
#: read as 一, - or 二 (held-out trial, augraphy DirtyRollers over the Songjiang and Minhang plans:
#: 推进一小压站…, 规范-分类收运作业: 9 such insertions in 34 rows, none after; requirement CER of those
#: two pages each 0.25 / 0.12% -> 0.06 / 0.06%). Strokes are far darker than a band's gray.
BAND_PAINT_SHARE = 0.95
#: A component touching the crop's edge this thin (px) and this long (share of the side) is a
#: remnant of a ruling, not a stroke...
RULING_REMNANT_THICKNESS = 4
RULING_REMNANT_SHARE = 0.5
#: ...and so is a shorter one lying along the edge it touches, this many times longer than thick: a
#: curved ruling of a photographed page leaves a 14 x 1 px piece at a cell's top, which the lone-stroke
#: rule (MIN_STROKE_WIDTH_CHARS) kept as a line and the recognizer read as 一 (songjiang/phone-photo:
#: 一一、健全防汛指挥体系 on six rows). Text keeps clear of the rulings the crop is inset from.
RULING_REMNANT_ELONGATION = 4
#: Margin (px) kept clear of a ruling's centre beyond its half-width: residual skew after deskew.
CROP_MARGIN = 3


@dataclass(frozen=True)
class CleanInk:
    """A cell crop's ink as the line cutter sees it (0/255), the mask of the marks dropped from it
    (painted out of the line images), and the paper's gray around each pixel (imaging.paper_level,
    which the ink was judged against)."""

    ink: np.ndarray
    dropped: np.ndarray
    surroundings: np.ndarray


@dataclass(frozen=True, eq=False)
class CellLines:
    cell: Cell
    images: tuple[np.ndarray, ...]
    stitched: bool
    #: Per image, the x positions where two printed lines were stitched together (`stitch_lines`);
    #: () when no image is stitched.
    seams: tuple[tuple[float, ...], ...] = ()


def crop_cell(page: Page, box: Box, ruling_width: int) -> np.ndarray:
    """The inside of a cell, without its rulings."""
    inset = ruling_width // 2 + CROP_MARGIN
    h, w = page.image.shape
    return page.image[max(0, box.y0 + inset):min(h, box.y1 - inset), max(0, box.x0 + inset):min(w, box.x1 - inset)]


def estimate_speck_area(page: Page, grid: Grid) -> int:
    """The size (px) below which ink marks are scanner speckle on this page.

    Measured in the blank strips left and right of the table, beside its rows: whatever marks are
    there are noise, and marks inside cells no larger than those are noise too. A clean scan gives
    the floor, so the thin 。 and 、 of a brush (楷体) font survive; the cap keeps punctuation safe
    on very noisy pages.
    """
    cap = max(MIN_SPECK_AREA, int((SPECK_CHARS * grid.char_height) ** 2))
    if not grid.cells:
        return cap
    top, bottom = grid.row_lines[0], grid.row_lines[-1]
    gap = grid.char_height  # keep clear of the outer rulings
    width = NOISE_STRIP_CHARS * grid.char_height
    left, right = grid.col_lines[0], grid.col_lines[-1]
    strips = [page.image[top:bottom, max(0, left - width):max(0, left - gap)],
              page.image[top:bottom, right + gap:right + width]]
    areas: list[int] = []
    for strip in strips:
        if strip.size:
            count, _, stats, _ = cv2.connectedComponentsWithStats(contrast_ink_mask(strip), connectivity=8)
            areas.extend(int(a) for a in stats[1:count, cv2.CC_STAT_AREA])
    if not areas:
        return MIN_SPECK_AREA
    return int(np.clip(np.percentile(areas, NOISE_PERCENTILE) + 1, MIN_SPECK_AREA, cap))


def _clean_ink(crop: np.ndarray, char_height: int, speck_area: int) -> CleanInk:
    """Ink of a cell crop without speckle and ruling remnants, and the mask of what was dropped.

    Small marks are kept only next to a character (by their nearest ink): 、。 and the dot of `1.`
    sit beside text, scanner speckle mostly does not.
    """
    surroundings = paper_level(crop)
    ink = contrast_ink_mask(crop, paper=surroundings)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h, w = ink.shape
    keep = np.ones(count, dtype=bool)
    keep[0] = False
    for i in range(1, count):
        x, y, cw, ch, area = stats[i]
        touches = x == 0 or y == 0 or x + cw == w or y + ch == h
        remnant = touches and (
            (ch <= RULING_REMNANT_THICKNESS and cw >= RULING_REMNANT_SHARE * w)
            or (cw <= RULING_REMNANT_THICKNESS and ch >= RULING_REMNANT_SHARE * h)
        )
        along_edge = ((y == 0 or y + ch == h) and ch <= RULING_REMNANT_THICKNESS
                      and cw >= RULING_REMNANT_ELONGATION * ch) or (
            (x == 0 or x + cw == w) and cw <= RULING_REMNANT_THICKNESS and ch >= RULING_REMNANT_ELONGATION * cw)
        remnant = remnant or along_edge
        keep[i] = area >= speck_area and not remnant
    extent = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    big = keep & (extent >= SMALL_MARK_CHARS * char_height)
    reach = max(1, int(SMALL_MARK_REACH_CHARS * char_height))
    near_text = cv2.dilate(big[labels].astype(np.uint8), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
    reached = np.zeros(count, bool)
    reached[np.unique(labels[near_text > 0])] = True
    small = keep & ~big
    keep[small] = reached[small]
    _keep_stroke_parts(keep, stats, labels, char_height, speck_area)
    _keep_decimal_points(keep, stats, char_height, speck_area)
    kept = np.where(keep[labels], ink, 0).astype(np.uint8)
    return CleanInk(kept, (ink > 0) & ~keep[labels], surroundings)


def _keep_stroke_parts(keep: np.ndarray, stats: np.ndarray, labels: np.ndarray, char_height: int,
                       speck_area: int) -> None:
    """Marks below the speck size kept where a character holds them: kept ink straight above and
    below within STROKE_PART_REACH_CHARS (the middle dot of 氵 between its upper dot and its rising
    stroke), or inside the box of one kept stroke of character size (the four dots of 雨 under its
    冂, open below: 雨 was read 币). Speckle between characters or lines has paper above or below
    it and lies in no stroke's box."""
    h, _ = labels.shape
    reach = max(2, int(STROKE_PART_REACH_CHARS * char_height))
    kept_ink = keep[labels]
    extent = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    strokes = stats[keep & (extent >= SMALL_MARK_CHARS * char_height)]
    for i in range(1, len(keep)):
        x, y, cw, ch, area = stats[i]
        if keep[i] or area < MIN_SPECK_AREA or area >= speck_area:
            continue
        above = kept_ink[max(0, y - reach):y, x:x + cw]
        below = kept_ink[y + ch:min(h, y + ch + reach), x:x + cw]
        inside = ((strokes[:, 0] < x) & (strokes[:, 1] < y) & (strokes[:, 0] + strokes[:, 2] > x + cw)
                  & (strokes[:, 1] + strokes[:, 3] > y + ch))
        keep[i] = bool(above.any() and below.any()) or bool(inside.any())
    _keep_stacked_dots(keep, stats, labels, reach, speck_area)


#: A mark below the speck size between two digits, on their baseline, is a decimal point: painted out
#: with the specks, 1.2万 was read 12万 (our renderer's Jiading plan under augraphy's DirtyRollers at
#: seed 26, held out: a dot of 12 px on a page whose speck size was 13; the same plan's dirty drum, and
#: the Putuo plan's 1.5% under the fax recipe, lost theirs too). A digit is one stroke at least
#: DIGIT_MIN_HEIGHT_CHARS tall and at most DIGIT_MAX_WIDTH_CHARS wide (there 1 and 2: 0.82 tall, 0.39
#: and 0.50 wide at a 28 px character height); the dot is at most DOT_MAX_CHARS across (0.18), within
#: DOT_GAP_CHARS of both (0.11 and 0.14), its foot within DOT_BASELINE_CHARS of theirs (0). A speck the
#: size of a point standing there is read as one.
DIGIT_MIN_HEIGHT_CHARS = 0.6
DIGIT_MAX_WIDTH_CHARS = 0.6
DOT_MAX_CHARS = 0.25
DOT_GAP_CHARS = 0.3
DOT_BASELINE_CHARS = 0.1


def _keep_decimal_points(keep: np.ndarray, stats: np.ndarray, char_height: int, speck_area: int) -> None:
    """Marks below the speck size standing between two digit-shaped strokes on their baseline kept: the
    point of 1.2 (see DIGIT_MIN_HEIGHT_CHARS)."""
    x, y, w, h, area = (stats[:, k] for k in range(5))
    dots = np.flatnonzero(~keep & (area >= MIN_SPECK_AREA) & (area < speck_area)
                          & (np.maximum(w, h) <= DOT_MAX_CHARS * char_height))
    digits = np.flatnonzero(keep & (h >= DIGIT_MIN_HEIGHT_CHARS * char_height)
                            & (w <= DIGIT_MAX_WIDTH_CHARS * char_height))
    if not len(dots) or len(digits) < 2:
        return
    gap, baseline = DOT_GAP_CHARS * char_height, DOT_BASELINE_CHARS * char_height
    feet = y + h
    for i in dots[dots > 0]:
        level = digits[np.abs(feet[digits] - feet[i]) <= baseline]
        before = (x[level] + w[level] <= x[i]) & (x[i] - x[level] - w[level] <= gap)
        after = (x[level] >= x[i] + w[i]) & (x[level] - x[i] - w[i] <= gap)
        keep[i] = bool(before.any() and after.any())


#: How far below the lower of two stacked dots the stroke that holds them may start, in reaches, and
#: it may lie up to one dot's width to either side: 氵's rising stroke starts below-left of the middle
#: dot and rises to the right, so straight under a dot eroded at 150 dpi it starts 11-12 px down at a
#: 29 px character height (0.4), past one reach (7 px); 测 was read 则 or ，则 three times on the 150-dpi
#: noisy pages of the held-out documents (Songjiang 检测, Minhang 监测 and 测评), every time with both
#: dots dropped. In clean glyphs of the five scangen fonts the stroke under the middle dot starts
#: 0.05-0.22 of the glyph's height below it.
STACK_BELOW_REACH = 2


def _keep_stacked_dots(keep: np.ndarray, stats: np.ndarray, labels: np.ndarray, reach: int, speck_area: int) -> None:
    """Two marks below the speck size stacked straight over each other, within `reach`, over a kept stroke
    (STACK_BELOW_REACH) are a character's dots (the upper dots of 氵 over its rising stroke): both kept.
    One alone with paper above it needs ink straight above and below (_keep_stroke_parts); a speck
    seldom has another straight over it. On a 150-dpi page's dust the two dots of 测's 氵 (13 and 9 px,
    the speck size 14) were dropped and 测 was read 则 (songjiang/zenhei-150-noisy, twice). make eval
    rapid (all 47): songjiang/zenhei-150-noisy false changes 3 -> 2, songjiang/photocopy 2 -> 1 (俏杀 ->
    消杀); the dirty drums' misread text moved both ways (CER 37.46 -> 37.43%, 8.91 -> 8.69%; Qingpu 二级
    72.7 -> 69.7%, Songjiang 一级 28.6 -> 42.9%); the other 43 unchanged."""
    h, _ = labels.shape
    area = stats[:, cv2.CC_STAT_AREA]
    small = np.flatnonzero(~keep & (area >= MIN_SPECK_AREA) & (area < speck_area))
    small = small[small > 0]
    if len(small) < 2:
        return
    kept_ink = keep[labels]
    x, y, w, hh = (stats[small, k] for k in range(4))
    below = STACK_BELOW_REACH * reach
    for k, i in enumerate(small):
        left, right = max(0, x[k] - w[k]), x[k] + 2 * w[k]
        if not kept_ink[y[k] + hh[k]:min(h, y[k] + hh[k] + below), left:right].any():
            continue
        gap = y[k] - (y + hh)
        over = (x < x[k] + w[k]) & (x[k] < x + w) & (gap >= 0) & (gap <= reach)
        if over.any():
            keep[i] = True
            keep[small[over]] = True


#: A band taller than LINE_MAX_CHARS is two lines touching (a mark of one line reaching the next: an
#: ink row with no gap between them). It is cut at its emptiest row at least this many character
#: heights from either end (measured: a 69 px band of two lines at a 28 px character height in the
#: held-out single-responsible layout was read as one line, 30 of that draft's 43 errors).
SPLIT_MARGIN_CHARS = 0.6
#: ...and only where that row holds at most this share of the band's median row ink: the gap between
#: two lines holds a few specks (1-7 px a row against ~220 in the lines, measured), while a tall band
#: that is one line (a 1-bit page whose broken strokes make the measured character height small)
#: has ink all through; splitting those (songjiang/bilevel-200: CER 22% -> 85%) is worse than not.
SPLIT_VALLEY_SHARE = 0.1
#: ...except in a band this many character heights tall, which is two lines whatever its emptiest row
#: holds: on a photocopy's mottled gray paper the gap between two lines keeps gray blotches (a band
#: of 80 px at a 27 px character height, songjiang/photocopy, was read as one line and lost half its
#: text), while one line of a broken 1-bit page is at most ~1.8 (its measured height is small).
SPLIT_ALWAYS_CHARS = 2.5
#: ...and in a band this many character heights tall the emptiest row may hold up to this share of
#: the median row's ink: the photocopy's blotches in a narrow cell's line gap are a larger share of a
#: narrow line's ink (a 3.5-character 一级 cell, 安全风 over 险预防: a 2.37-character band whose emptiest
#: row held 0.20 of the median, read as one line and lost 风险预防). Measured with the bands of make
#: eval's pages: two-line bands of the photocopies are 2.37-2.48 tall with emptiest rows of 0.01-0.32;
#: one-line bands up to 2.00 tall (a line with a mark hanging below it, emptiest row 0.98), and on the
#: 1-bit, 150-dpi noisy, 楷体, low-ink, ink-bleed and column-layout pages none from 1.9 up has a row
#: under 0.5.
SPLIT_TWO_LINES_CHARS = 2.1
SPLIT_TWO_LINES_VALLEY_SHARE = 0.4


def split_tall_bands(bands: list[tuple[int, int]], ink: np.ndarray, char_height: int) -> list[tuple[int, int]]:
    """Bands taller than one line cut at their emptiest row, until every part is one line tall."""
    out: list[tuple[int, int]] = []
    todo = list(bands)
    margin = max(1, int(SPLIT_MARGIN_CHARS * char_height))
    while todo:
        y0, y1 = todo.pop(0)
        if y1 - y0 <= LINE_MAX_CHARS * char_height or y1 - y0 <= 2 * margin:
            out.append((y0, y1))
            continue
        rows = np.count_nonzero(ink[y0 + margin:y1 - margin], axis=1)
        valley = SPLIT_TWO_LINES_VALLEY_SHARE if y1 - y0 >= SPLIT_TWO_LINES_CHARS * char_height else SPLIT_VALLEY_SHARE
        if y1 - y0 < SPLIT_ALWAYS_CHARS * char_height and \
                rows.min() > valley * np.median(np.count_nonzero(ink[y0:y1], axis=1)):
            out.append((y0, y1))
            continue
        cut = y0 + margin + int(np.argmin(rows))
        todo[:0] = [(y0, cut), (cut, y1)]
    return out


def merge_bands(bands: list[tuple[int, int]], max_height: float) -> list[tuple[int, int]]:
    """Merge neighbouring bands, closest first, while the merged band stays one line tall."""
    bands = list(bands)
    while len(bands) > 1:
        candidates = [
            (bands[i + 1][0] - bands[i][1], i)
            for i in range(len(bands) - 1)
            if bands[i + 1][1] - bands[i][0] <= max_height
        ]
        if not candidates:
            break
        _, i = min(candidates)
        bands[i:i + 2] = [(bands[i][0], bands[i + 1][1])]
    return bands


@dataclass(frozen=True)
class LinePitch:
    """How tall one text line's band is on a page, and how far apart the tops of its lines are (px)."""

    line: float
    pitch: float


#: A page's line pitch is measured when it has at least this many pairs of neighbouring one-line
#: bands in its cells (a page of a table holds dozens; fewer say little about the page).
MIN_PITCH_SAMPLES = 6
#: Two bands are neighbouring lines of one paragraph when the white between them is at most this many
#: character heights (a blank line or a paragraph break is no line pitch).
PITCH_GAP_CHARS = 1.0
#: A band is two lines when it is taller than one line plus this share of the line pitch, whatever its
#: rows hold: a toner streak in the gap between two lines fills that gap with more ink than the lines
#: have (qingpu/dirty-drum: gap rows of 230-300 ink px against 110-200 in the lines, a 69 px band at a
#: 28 px character height, 31 px lines 38 px apart, read as one line and lost half its text), so no
#: emptiest row finds the cut. One line with a mark hanging below it is at most 2.0 character heights
#: tall (measured on make eval's pages, see SPLIT_TWO_LINES_CHARS): 0.66 of a pitch over a line there.
PITCH_SPLIT_SHARE = 0.8


def _line_bands(crop: np.ndarray, char_height: int, speck_area: int) -> tuple[CleanInk, list[tuple[int, int]]]:
    """A cell crop's cleaned ink and its line bands (rows) top to bottom."""
    clean = _clean_ink(crop, char_height, speck_area)
    ink = clean.ink
    bands = merge_bands(split_tall_bands(true_runs(ink.any(axis=1)), ink, char_height), LINE_MAX_CHARS * char_height)
    return clean, bands


def measure_line_pitch(cell_bands: Sequence[Sequence[tuple[int, int]]], char_height: int) -> LinePitch | None:
    """The page's line height and pitch from the cells' neighbouring one-line bands (None: too few).

    Only bands of a character's height count (a band of 、 alone, or two lines joined, is no line)."""
    heights: list[int] = []
    pitches: list[int] = []
    for bands in cell_bands:
        ones = [(y0, y1) for y0, y1 in bands if 0.5 * char_height <= y1 - y0 <= LINE_MAX_CHARS * char_height]
        heights += [y1 - y0 for y0, y1 in ones]
        pitches += [b[0] - a[0] for a, b in pairwise(ones)
                    if 0 <= b[0] - a[1] <= PITCH_GAP_CHARS * char_height]
    if len(pitches) < MIN_PITCH_SAMPLES:
        return None
    return LinePitch(float(np.median(heights)), float(np.median(pitches)))


def split_by_pitch(bands: list[tuple[int, int]], ink: np.ndarray, pitch: LinePitch | None) -> list[tuple[int, int]]:
    """Bands as tall as two or more of the page's lines cut where the lines' gaps fall by the pitch
    (all bands as they are when the page's pitch is not known).

    Each cut is at the emptiest row within the expected gap (half the white between two lines either
    side of its middle), so that a true gap still wins and a streak in the gap is shared out."""
    if pitch is None:
        return bands
    out: list[tuple[int, int]] = []
    gap = max(0.0, pitch.pitch - pitch.line)
    for y0, y1 in bands:
        extra = (y1 - y0 - pitch.line) / pitch.pitch
        if extra < PITCH_SPLIT_SHARE:
            out.append((y0, y1))
            continue
        count = 1 + int(extra + 1 - PITCH_SPLIT_SHARE)
        start = y0
        for k in range(1, count):
            middle = y0 + k * pitch.pitch - gap / 2
            lo, hi = max(start + 1, int(middle - gap / 2)), min(y1 - 1, int(np.ceil(middle + gap / 2)))
            if hi < lo:
                continue
            rows = np.count_nonzero(ink[lo:hi + 1], axis=1)
            cut = lo + int(np.argmin(rows))
            out.append((start, cut))
            start = cut
        out.append((start, y1))
    return out


def cut_lines(crop: np.ndarray, char_height: int, speck_area: int = MIN_SPECK_AREA,
              pitch: LinePitch | None = None) -> list[np.ndarray]:
    """The text lines of a cell crop, top to bottom, each cut to its ink with a small margin.

    With the page's line pitch, a band as tall as two lines is cut into lines by it (split_by_pitch)."""
    if crop.size == 0:
        return []
    clean, bands = _line_bands(crop, char_height, speck_area)
    return _crop_lines(crop, clean, split_by_pitch(bands, clean.ink, pitch), char_height, speck_area)


def _crop_lines(crop: np.ndarray, clean: CleanInk, bands: list[tuple[int, int]],
                char_height: int, speck_area: int) -> list[np.ndarray]:
    """The line images of a cell crop's bands, its dropped marks painted out."""
    return [line.image for line in _cut_lines(crop, clean, bands, char_height, speck_area)]


@dataclass(frozen=True, eq=False)
class _CutLine:
    """One line image cut from a cell, and whether it lies under a toner streak."""

    image: np.ndarray
    #: The line's ink lies under a toner streak (STREAK_LINE_SHARE of it in dark surroundings).
    under_streak: bool = False


def _cut_lines(crop: np.ndarray, clean: CleanInk, bands: list[tuple[int, int]],
               char_height: int, speck_area: int, band_gray: int = 0) -> list[_CutLine]:
    """The line images of a cell crop's bands, its dropped marks painted out (and, on a page with a
    roller's bands of `band_gray`, what is as light as them: BAND_PAINT_SHARE), each marked when its
    ink lies under a toner streak."""
    ink, dropped = clean.ink, clean.dropped
    pad = max(2, int(LINE_PAD_CHARS * char_height))
    tail = int(LINE_TAIL_CHARS * char_height)
    h, w = crop.shape
    # Dropped marks are painted with the paper's tone. On a speckled page only the kept ink and its
    # antialiased rim are passed on (faint specks would be read as ·‘。); on a clean page all else is
    # passed on as scanned, so that faint thin punctuation the ink mask missed (楷体 。，) is read.
    # Measured, requirement CER sample / 楷体 clean: rim only 0.17/1.70%, all 0.43/0.45%. Under a toner
    # streak a speckled page's pixels are passed on as scanned too (DARK_SURROUNDINGS_SHARE).
    paper = int(np.percentile(crop, PAPER_PERCENTILE))
    under_streak = np.zeros(crop.shape, bool)
    if speck_area > MIN_SPECK_AREA:
        under_streak = clean.surroundings < DARK_SURROUNDINGS_SHARE * paper
        keep = ((cv2.dilate(ink, np.ones((3, 3), np.uint8)) > 0) & ~dropped) | under_streak
    else:
        keep = ~dropped
    if band_gray:
        keep &= crop < BAND_PAINT_SHARE * band_gray
    cleaned = np.where(keep, crop, paper).astype(np.uint8)
    lines = []
    min_ink = MIN_LINE_INK_CHARS * char_height**2
    for k, (y0, y1) in enumerate(bands):
        cols = np.flatnonzero(ink[y0:y1].any(axis=0))
        if not cols.size:
            continue
        x0, x1 = int(cols[0]), int(cols[-1]) + 1
        if (np.count_nonzero(ink[y0:y1]) < min_ink
                and max(b - a for a, b in true_runs(ink[y0:y1].any(axis=0))) < MIN_STROKE_WIDTH_CHARS * char_height):
            continue
        # The padding never reaches into the next or previous line (two touching lines cut apart).
        top = max(0, y0 - pad, bands[k - 1][1] if k else 0)
        bottom = min(h, y1 + pad, bands[k + 1][0] if k + 1 < len(bands) else h)
        inked = ink[y0:y1] > 0
        share = np.count_nonzero(inked & under_streak[y0:y1]) / max(1, np.count_nonzero(inked))
        lines.append(_CutLine(cleaned[top:bottom, max(0, x0 - pad):min(w, x1 + pad + tail)].copy(),
                              share >= STREAK_LINE_SHARE))
    return lines


def stitch_lines(lines: list[np.ndarray], char_height: int) -> tuple[np.ndarray, tuple[float, ...]]:
    """Lines placed side by side, vertically centred, as one long line (each line's side margins
    trimmed so that the seams look like ordinary character spacing), and the x centre of each seam
    between two lines: the repair must not take the white between two printed lines for a character
    read as nothing (a toner haze keeps a line's margins from being trimmed, and two characters then
    stand pitches apart across the seam)."""
    trimmed = []
    for line in lines:
        # The same adaptive ink mask the line was cut by, not a fixed gray level: a thin horizontal
        # stroke at 150 dpi is antialiased to gray 165-175 (the upper stroke of 二 in a header cell
        # of a held-out layout), and trimming at a fixed level cut 二级指标 to 级指标.
        inked = np.flatnonzero(ink_mask(line).any(axis=0))
        trimmed.append(line[:, inked[0]:inked[-1] + 1] if inked.size else line)
    height = max(line.shape[0] for line in trimmed)
    gap = np.full((height, max(2, int(STITCH_GAP_CHARS * char_height))), 255, dtype=np.uint8)
    margin = np.full((height, max(2, int(LINE_PAD_CHARS * char_height))), 255, dtype=np.uint8)
    parts = [margin]
    seams = []
    x = margin.shape[1]
    for line in trimmed:
        top = (height - line.shape[0]) // 2
        padded = np.full((height, line.shape[1]), 255, dtype=np.uint8)
        padded[top:top + line.shape[0]] = line
        parts.extend([padded, gap])
        x += line.shape[1]
        seams.append(x + gap.shape[1] / 2)
        x += gap.shape[1]
    parts[-1] = margin
    return np.hstack(parts), tuple(seams[:-1])


def cell_lines(page: Page, grid: Grid) -> list[CellLines]:
    """Each cell of the grid with the line images the recognizer is given (narrow cells stitched)."""
    char_height = grid.char_height
    work: list[CellLines] = []
    speck_area = estimate_speck_area(page, grid)
    crops = [crop_cell(page, cell.box, grid.ruling_width) for cell in grid.cells]
    found = [_line_bands(crop, char_height, speck_area) if crop.size else None for crop in crops]
    pitch = measure_line_pitch([f[1] for f in found if f], char_height)
    for cell, crop, parts in zip(grid.cells, crops, found, strict=True):
        lines: list[_CutLine] = []
        if parts:
            clean, bands = parts
            lines = _cut_lines(crop, clean, split_by_pitch(bands, clean.ink, pitch), char_height, speck_area,
                               grid.band_gray)
        stitched = len(lines) > 1 and cell.box.width <= STITCH_MAX_CHARS * char_height
        if stitched:
            images, seams = _narrow_cell_images(lines, char_height)
            work.append(CellLines(cell, images, stitched, seams))
        else:
            work.append(CellLines(cell, tuple(line.image for line in lines), stitched))
    return work


def _narrow_cell_images(lines: Sequence[_CutLine], char_height: int
                        ) -> tuple[tuple[np.ndarray, ...], tuple[tuple[float, ...], ...]]:
    """A narrow cell's lines as the recognizer is given them: stitched into one, but the lines under a
    toner streak after the cell's last other line (after its first, when all are) each on their own
    (see STREAK_LINE_SHARE); with each image's seams."""
    end = len(lines)
    while end > 1 and lines[end - 1].under_streak:
        end -= 1
    head = [line.image for line in lines[:end]]
    rest = tuple(line.image for line in lines[end:])
    if len(head) == 1:
        return (head[0], *rest), ((),) * (1 + len(rest))
    image, seams = stitch_lines(head, char_height)
    return (image, *rest), (seams, *((),) * len(rest))


def read_cells(page: Page, grid: Grid, engine: OcrEngine | None, settings: Settings) -> tuple[CellText, ...]:
    """The text of every cell of the grid; text-layer pages are read from their layer, exactly."""
    if page.source == "text-layer":
        return tuple(_text_layer_cell(page, cell) for cell in grid.cells)
    if engine is None:
        raise ValueError("a scanned page needs an OCR engine")
    work = cell_lines(page, grid)
    return cells_from_lines(work, engine.read_lines(line_images(work)), engine.name, engine.illegible_below)


def line_images(work: Sequence[CellLines]) -> list[np.ndarray]:
    """The line images of all cells, in cell order: what the recognizer is given."""
    return [img for item in work for img in item.images]


def cells_from_lines(work: Sequence[CellLines], read: Sequence[LineText], engine: str,
                     illegible_below: float = 0.0) -> tuple[CellText, ...]:
    """Each cell's text from the readings of `line_images(work)` (same order): lines joined by
    newlines, the cell's confidence the mean of its lines'. Illegible lines (read below
    `illegible_below`, the engine's OcrEngine.illegible_below) are left out of both and kept in
    CellText.illegible (a line read as nothing too: ink was there)."""
    out = []
    position = 0
    for item in work:
        lines = tuple(read[position:position + len(item.images)])
        position += len(item.images)
        seams = item.seams or ((),) * len(lines)
        legible = [(r, at) for r, at in zip(lines, seams, strict=True) if r.confidence >= illegible_below]
        illegible = tuple(r.text for r in lines if r.confidence < illegible_below)
        text = "\n".join(r.text for r, _ in legible)
        confidence = float(np.mean([r.confidence for r, _ in legible])) if legible else 1.0
        kept = [replace(r.lattice, seams=at) if at else r.lattice
                for r, at in legible if r.text and r.lattice is not None]
        lattices = tuple(kept) if len(kept) == sum(1 for r, _ in legible if r.text) else ()
        out.append(CellText(item.cell, text, confidence, engine, lines, illegible, lattices))
    return tuple(out)


#: Text-layer characters whose tops differ by less than this share of their height share a line.
TEXT_LINE_OVERLAP = 0.5


def _text_layer_cell(page: Page, cell: Cell) -> CellText:
    """The characters whose centres fall inside the cell, grouped into lines by their tops."""
    box = cell.box
    inside = [
        w for w in page.words
        if box.x0 <= (w.box.x0 + w.box.x1) / 2 < box.x1 and box.y0 <= (w.box.y0 + w.box.y1) / 2 < box.y1
    ]
    inside.sort(key=lambda w: (w.box.y0, w.box.x0))
    lines: list[list] = []
    for word in inside:
        if lines and abs(word.box.y0 - lines[-1][0].box.y0) < TEXT_LINE_OVERLAP * max(1, word.box.height):
            lines[-1].append(word)
        else:
            lines.append([word])
    text = "\n".join("".join(w.text for w in sorted(line, key=lambda w: w.box.x0)) for line in lines)
    return CellText(cell, text, 1.0, "text-layer", tuple(LineText(t, 1.0) for t in text.split("\n") if t))


#: Text printed above the table (title, 附件 caption, a note such as 列第一位的为牵头单位) and below
#: it (notes, the page number) is read within this many character heights of the table's edge:
#: far enough for a two-line title and its note, near enough to leave the plan's body text out.
MARGIN_TEXT_CHARS = 12.0
#: At most this many lines are read on each side (a title, a subtitle, a note, a caption).
MARGIN_TEXT_MAX_LINES = 4


def _margin_boxes(page: Page, grid: Grid) -> list[Box]:
    """The strips above and below the table where its title, caption and notes are printed."""
    h, w = page.image.shape
    reach = int(MARGIN_TEXT_CHARS * grid.char_height)
    top, bottom = grid.row_lines[0], grid.row_lines[-1]
    left, right = max(0, grid.col_lines[0] - reach), min(w, grid.col_lines[-1] + reach)
    return [Box(left, max(0, top - reach), right, max(0, top - grid.ruling_width)),
            Box(left, min(h, bottom + grid.ruling_width), right, min(h, bottom + reach))]


def read_margin_text(page: Page, grid: Grid, engine: OcrEngine | None) -> tuple[str, ...]:
    """The lines printed just above and just below the table, top to bottom (text layers exactly).

    They carry what the cells do not: the draft's title, a caption that names the table (附件2)
    and notes that change how a column reads ("列第一位的为牵头单位")."""
    if not grid.cells:
        return ()
    boxes = _margin_boxes(page, grid)
    if page.source == "text-layer":
        cells = [Cell(page.index, -1, -1, 1, 1, b) for b in boxes if b.height > 0]
        return tuple(line for c in cells for line in _text_layer_cell(page, c).text.split("\n") if line)
    if engine is None:
        return ()
    return margin_from_lines(engine.read_lines(margin_lines(page, grid)))


def margin_lines(page: Page, grid: Grid) -> list[np.ndarray]:
    """The line images printed just above and below a scanned page's table (see read_margin_text)."""
    if not grid.cells:
        return []
    lines: list[np.ndarray] = []
    for k, box in enumerate(_margin_boxes(page, grid)):
        if box.height <= 0:
            continue
        found = cut_lines(page.image[box.y0:box.y1, box.x0:box.x1], grid.char_height)
        lines += found[-MARGIN_TEXT_MAX_LINES:] if k == 0 else found[:MARGIN_TEXT_MAX_LINES]
    return lines


def margin_from_lines(read: Sequence[LineText]) -> tuple[str, ...]:
    """The margin lines' texts, blank readings left out."""
    return tuple(r.text.strip() for r in read if r.text.strip())
