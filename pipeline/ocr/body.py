"""The body text of a scanned page that holds no table, read line by line.

Many plans write each task's duties inline (`（区教育局牵头，区卫生健康委配合）`) instead of in a
table. On a scan of such a plan there is no grid to cut cells from: the page's text lines are cut
by the ink profile (as a cell's are, `cells.cut_lines`) and read in order; a line that starts
further in than the text's left edge keeps an ideographic space, so that `inline.paragraphs_from_lines`
sees the paragraph's first-line indent as it does in a text layer.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..grid import estimate_char_height
from ..imaging import ink_mask, true_runs
from ..models import Page
from .base import OcrEngine
from .cells import LINE_MAX_CHARS, merge_bands, split_tall_bands

#: A line starts a paragraph when its ink begins at least this many character heights right of
#: the text's left edge: a first-line indent is two characters, a wrapped line starts at the edge
#: (scan skew of a degree moves it by a tenth of a character over a line's height).
INDENT_MIN_CHARS = 1.2
#: The text's left edge is this percentile of the lines' starts: most lines are wrapped ones,
#: starting at the edge; a low percentile is robust to a page number or a speck further left.
LEFT_EDGE_PERCENTILE = 20
#: Bands with less ink than this many character areas are specks or page-edge dirt, not lines.
MIN_LINE_INK_CHARS = 0.5
#: An upright stroke taller than this many character heights is a ruling (or what is left of one), not
#: a character's: no character stands taller than its line.
UPRIGHT_STROKE_CHARS = 1.5
#: Margin around a line crop, in character heights.
LINE_PAD_CHARS = 0.15


def body_lines(page: Page, engine: OcrEngine) -> tuple[str, ...]:
    """The page's text lines, top to bottom, as read by `engine`; an indented line starts with 　."""
    ink = ink_mask(page.image)
    char_height = estimate_char_height(ink, page.dpi)
    text = _without_upright_strokes(ink, char_height)
    bands = split_tall_bands(merge_bands(true_runs(text.any(axis=1)), LINE_MAX_CHARS * char_height), text,
                             char_height)
    h, w = ink.shape
    pad = max(2, int(LINE_PAD_CHARS * char_height))
    crops, starts = [], []
    for y0, y1 in bands:
        band = text[y0:y1]
        if np.count_nonzero(band) < MIN_LINE_INK_CHARS * char_height**2:
            continue
        cols = np.flatnonzero(band.any(axis=0))
        x0, x1 = int(cols[0]), int(cols[-1]) + 1
        crops.append(page.image[max(0, y0 - pad):min(h, y1 + pad), max(0, x0 - pad):min(w, x1 + pad)])
        starts.append(x0)
    if not crops:
        return ()
    edge = float(np.percentile(starts, LEFT_EDGE_PERCENTILE))
    read = engine.read_lines(crops)
    return tuple(("\u3000" if x0 - edge >= INDENT_MIN_CHARS * char_height else "") + r.text.strip()
                 for x0, r in zip(starts, read, strict=True) if r.text.strip())


def _without_upright_strokes(ink: np.ndarray, char_height: int) -> np.ndarray:
    """The ink less its upright strokes taller than UPRIGHT_STROKE_CHARS character heights: what is
    left of a table's column rulings would tie a page's lines into one band."""
    tall = max(3, int(UPRIGHT_STROKE_CHARS * char_height))
    upright = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, tall)))
    return cv2.subtract(ink, upright)
