"""Toner haze: the gray specks and streaks of a worn copier, painted over with paper before the grid.

A worn copier (augraphy's BadPhotoCopy) sprinkles the page with gray specks and streaks. They pass
as ink, so they join text lines into gray blocks for the recognizer and stand up as extra column
rulings for the grid. They are told from print by darkness, not by size: every printed mark (a
stroke, a dot of 氵, a ruling) has a core nearly as dark against the paper around it as the page's
ink, while a haze mark's darkest pixel is far lighter. A page is dehazed only when a good share of
its character-sized marks are that light (and not most of them), because a pale mark is often print
that is pale for another reason: text under a shadow, a thin stroke antialiased on its own, or
amounts printed in gray toner beside black rulings (the real settlement scan of ../shared/real).
Painting out print would lose data without a word, so the gate errs towards leaving haze.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .grid import estimate_char_height, widened_runs
from .imaging import contrast_ink_mask, ink_mask, paper_level

#: A mark is haze when its darkest pixel's darkness (1 - its gray over the paper's around it) is below
#: this share of the page's ink darkness (INK_DARKNESS_PERCENTILE of its ink pixels' darkness).
#: Measured on the character-sized marks of the photocopy pages of make eval (qingpu, songjiang): haze
#: 0.25-0.55 (a tenth of it 0.5-0.55, what was left at 0.5: specks stitched into the 一级 titles),
#: text and punctuation 0.6 and darker. A faded ruling on gray paper is 0.55: rulings are never painted.
HAZE_DARKNESS_SHARE = 0.58
INK_DARKNESS_PERCENTILE = 99
#: A page is dehazed only when at least this share of its counted marks (below) are that light...
#: Measured per page: heavily hazed photocopy pages 55-57%, lightly hazed ones 4.4-7.5%; the settlement
#: scan of ../shared/real 15%, where the light marks are print: its amounts are printed in a gray
#: toner (luminance 57-120, neutral) beside black rulings and labels, and at a 3% gate their digits
#: were painted out. Every other page of make eval's renderer and library degradations is at most
#: 1.4%. Lightly hazed pages are left as they are (they read: make eval photocopy CER 0.06/0.13%).
HAZE_MIN_SHARE = 0.2
#: ...and at most this share: when most marks are light, the light marks are the print (text printed
#: lighter than its rulings), never haze to paint out.
HAZE_MAX_SHARE = 0.8
#: Marks counted for that share are at least this many character heights long...
COUNTED_MIN_CHARS = 0.3
#: ...and this many character heights thick (area over length), so that thin pale pieces do not count:
#: the antialiased edge of a skewed ruling (1 px wide), and the gray 2 px strokes a deskewed 1-bit page
#: is left with (at 0.1 they made 5-7% of bilevel-200's marks count as light).
COUNTED_THICKNESS_CHARS = 0.15
#: Ink runs this many character heights long (rulings) are cut from the marks and never painted, so
#: that haze touching a ruling is not one mark with it.
RULING_RUN_CHARS = 2.5


def _deep_marks(mask: np.ndarray, deep: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels and stats of the mask's marks, and which of them hold a deep pixel (label 0: no)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    holds_deep = np.bincount(labels[deep & (labels > 0)], minlength=count) > 0
    return labels, stats, holds_deep


@dataclass(frozen=True)
class _Marks:
    """One look at a page: its paper level, its marks off the long runs (labels), which marks are
    light (haze, if the page is hazy), the long runs, and how many counted marks there are and are
    light (see COUNTED_MIN_CHARS)."""

    paper: np.ndarray
    labels: np.ndarray
    light: np.ndarray
    runs: np.ndarray
    counted: int
    counted_light: int

    @property
    def light_share(self) -> float:
        return self.counted_light / self.counted if self.counted else 0.0


def _light_marks(gray: np.ndarray, dpi: int) -> _Marks:
    """The page's marks, and which of them are light (see _Marks)."""
    paper = paper_level(gray)
    plain_ink = ink_mask(gray)
    ink = contrast_ink_mask(gray, plain_ink, paper)
    if not ink.any():
        return _Marks(paper, np.zeros(gray.shape, np.int32), np.zeros(1, bool), ink, 0, 0)
    # Darkness as a share of the paper around it: a shadow or uneven light scales paper and ink alike,
    # so print under a shadow is as dark by this measure as print beside it; haze is not.
    darkness = 1.0 - gray.astype(np.float32) / np.maximum(paper, 1).astype(np.float32)
    deep = darkness >= HAZE_DARKNESS_SHARE * float(np.percentile(darkness[ink > 0], INK_DARKNESS_PERCENTILE))
    char_height = estimate_char_height(plain_ink, dpi)
    run = max(3, round(RULING_RUN_CHARS * char_height))
    runs = cv2.bitwise_or(widened_runs(ink, run, 0, horizontal=True), widened_runs(ink, run, 0, horizontal=False))
    labels, stats, holds_deep = _deep_marks(cv2.bitwise_and(ink, cv2.bitwise_not(runs)), deep)
    count = len(holds_deep)
    extent = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    # Marks touching a run are not counted: the pale antialiased edges a ruling leaves beside its run.
    beside_run = np.bincount(labels[cv2.dilate(runs, np.ones((3, 3), np.uint8)) > 0], minlength=count) > 0
    counted = (extent >= COUNTED_MIN_CHARS * char_height) & ~beside_run & (
        stats[:, cv2.CC_STAT_AREA] >= COUNTED_THICKNESS_CHARS * char_height * extent)
    counted[0] = False
    light = ~holds_deep
    light[0] = False
    return _Marks(paper, labels, light, runs, int(np.count_nonzero(counted)), int(np.count_nonzero(light & counted)))


def remove_haze(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, str]:
    """The page with its toner haze painted over with the paper around it, and what was done
    ("" when the page has no haze and is returned as it is)."""
    # Every page is looked at full size. A half-size look first (a fifth of the cost) let most pages
    # by, at a bar of 10% light marks where no page of make eval but a hazed one or a 1-bit one passed
    # 2.2%; but a haze of thin strokes fades at half size: BadPhotoCopy over the held-out Songjiang and
    # Fengxian plans' Word tables at seed 11 (a draw make eval does not make), page 2, measured 3.0-3.9%
    # and 3.5% at half size and 21% and 23% at full. Left hazed, the haze in their empty merged 一级
    # cells was read as lines of junk after the titles (2°1小1, Aj-2 …; 一级 exact 60 and 44%).
    marks = _light_marks(gray, dpi)
    if not HAZE_MIN_SHARE <= marks.light_share <= HAZE_MAX_SHARE:
        return gray, ""
    # Each mark with its antialiased rim (one pixel around it) becomes the paper around it. Long runs
    # are left to the grid, light or not: a faded ruling of a photocopy is as light as its haze.
    painted = cv2.dilate(marks.light[marks.labels].astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    painted &= marks.runs == 0
    note = (f"toner haze removed: {int(np.count_nonzero(marks.light))} marks less than {HAZE_DARKNESS_SHARE:.0%} as "
            f"dark as the ink ({marks.counted_light} of {marks.counted} character-sized marks)")
    return np.where(painted, marks.paper, gray).astype(np.uint8), note
