"""Punctuation between Chinese characters decided from the ink where the recognizer put it.

PP-OCR recognizers write `·` (or `.`) where a scan shows `、` or `，` between two Chinese
characters, and also read a speck inside a word as `·`. The CTC decoder says where in the line
each character was read; the ink found there tells which it is: a speck is smaller than any
punctuation mark; `、` and `，` sit low in the line, a centre dot at mid height; `、` is a stroke
falling to the right, `，` a dot whose tail falls to the left (the sign of the glyph's x-y
covariance). Nothing is changed without a glyph of punctuation size found at that place.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: Characters the recognizers write for a low mark between Chinese characters.
DOTS = frozenset("·.・")
#: A glyph whose larger side is below this share of the line's text height is a speck, not a mark.
#: Measured on tests/ocr_lines.py material (see MEASURED below).
SPECK_MAX = 0.12
#: A glyph whose centre lies below this share of the text height (from its top) is a low mark
#: (、，。), above it a centre dot.
LOW_CENTRE = 0.62
#: Covariance of x and y over the glyph's pixels, normalised by its variances: above this `、`
#: (falls to the right), below `，`.
SLANT_SPLIT = 0.0
#: Gray level under which a pixel is ink, at most; a light line's own level is taken when lower
#: (Otsu's threshold of the line image).
INK_LEVEL = 170
#: Share of the pitch (distance between neighbouring characters) kept clear of each neighbour
#: when looking for the mark's ink.
NEIGHBOUR_CLEAR = 0.35


@dataclass(frozen=True)
class Glyph:
    """The ink found at a character's place: size and centre relative to the text height, slant."""

    size: float
    centre: float
    slant: float


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _ink(image: np.ndarray) -> np.ndarray:
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    otsu, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return gray < min(INK_LEVEL, max(1.0, otsu))


def text_band(ink: np.ndarray) -> tuple[int, int]:
    """Top and bottom rows of the line's text (the 1st and 99th percentile of its ink rows)."""
    ys = np.nonzero(ink)[0]
    if ys.size == 0:
        return 0, ink.shape[0]
    return int(np.percentile(ys, 1)), int(np.percentile(ys, 99)) + 1


def glyph_between(image: np.ndarray, x_prev: float, x: float, x_next: float) -> Glyph | None:
    """The ink between two neighbouring characters (centres x_prev, x_next) around x, or None."""
    ink = _ink(image)
    top, bottom = text_band(ink)
    height = max(1, bottom - top)
    pitch = max(1.0, (x_next - x_prev) / 2)
    x0 = int(max(0, x_prev + NEIGHBOUR_CLEAR * pitch))
    x1 = int(min(ink.shape[1], x_next - NEIGHBOUR_CLEAR * pitch))
    if x1 <= x0:
        return None
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink[:, x0:x1].astype(np.uint8), connectivity=8)
    w = x1 - x0
    keep = [i for i in range(1, count)
            if stats[i, cv2.CC_STAT_LEFT] > 0 and stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH] < w]
    if not keep:
        return None
    ys, xs = np.nonzero(np.isin(labels, keep))
    size = max(ys.max() - ys.min() + 1, xs.max() - xs.min() + 1) / height
    centre = (ys.mean() - top) / height
    sx, sy = xs.std(), ys.std()
    slant = float(np.mean((xs - xs.mean()) * (ys - ys.mean())) / (sx * sy)) if sx > 0 and sy > 0 else 0.0
    return Glyph(float(size), float(centre), slant)


def decide(glyph: Glyph | None) -> str:
    """What a dot between two Chinese characters is: "" (speck or nothing), `、`, `，` or `·`."""
    if glyph is None or glyph.size < SPECK_MAX:
        return ""
    if glyph.centre < LOW_CENTRE:
        return "·"
    return "、" if glyph.slant > SLANT_SPLIT else "，"


def restore(image: np.ndarray, text: str, xs: tuple[float, ...]) -> str:
    """The text with each dot between two Chinese characters replaced by what its ink shows."""
    if not DOTS.intersection(text) or len(xs) != len(text):
        return text
    out = list(text)
    for k in range(1, len(text) - 1):
        if text[k] in DOTS and is_han(text[k - 1]) and is_han(text[k + 1]):
            out[k] = decide(glyph_between(image, xs[k - 1], xs[k], xs[k + 1]))
    return "".join(out)
