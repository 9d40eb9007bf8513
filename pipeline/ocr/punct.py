"""Punctuation between Chinese characters decided from the ink where the recognizer put it.

PP-OCR recognizers write `·` (or `.`) where a scan shows `、` or `，` between two Chinese
characters, and also read a speck inside a word as `·`. The CTC decoder says where in the line
each character was read; the ink found between its neighbours tells which it is: nothing or a speck
(smaller than any punctuation mark) is dropped; `、` is a stroke falling to the right, `，` a dot
with its tail below (the glyph's normalised x-y covariance). Nothing is turned into a mark without
a glyph of punctuation size found at that place. The same ink decides what a recognizer wrote for a
speck after another mark (，。  ，‘).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: Characters the recognizers write for a mark between Chinese characters.
DOTS = frozenset("·.・")
#: Marks beside which a dot, 。 or ‘ can only be a speck: two of them never stand together (seen: 期间，·对
#: on a 1-bit page of the sample; 范围,.建立, 工程，‘重点, 设施。·(3), 错接点，。 on held-out layouts,
#: where the recognizer wrote a speck after the mark; 改造.， before one on a 150-dpi noisy page). The
#: ASCII forms are what the recognizers write.
MARKS_BEFORE = frozenset("，、；：。,;:")
#: What the recognizers write for a speck: the dots, and 。 or ‘ for a round or a tailed one.
SPECK_READINGS = frozenset("·.・。‘'`")
QUOTES = frozenset("‘'`")
#: Closing quotes and brackets: a dot after one is decided from the ink as after a Chinese character
#: (“一张图”、“一网统管” is common; “一张图”.管理 was a speck on the tasks-landscape layout).
CLOSERS = frozenset("”’」』）》)")
#: Measured with tests/measure_punct.py (lines of the three truth documents holding 、 or ， between
#: Chinese characters, five scangen fonts, plain and 1-bit, read by PP-OCRv6 small; glyph sizes in
#: text heights, 5th-95th percentile): 、 0.19-0.32, ， 0.12-0.40 (UMing's 1-bit ， the smallest).
#: A glyph smaller than SPECK_MAX is a speck; one larger than MARK_MAX is (part of) a character the
#: recognizer misread, which this check cannot repair (the dot is left as read).
SPECK_MAX = 0.1
MARK_MAX = 0.6
#: x-y covariance of the glyph's pixels, normalised: 、 falls to the right, 0.80-0.89 in every font;
#: ， has its tail below its head, -0.43-0.42 (flat in the 宋体/楷体 fonts, negative in the 黑体 ones).
#: A centre dot cannot be told from ， by position (UKai and UMing set 、 and ， at mid height too), and
#: `·` is not used between Chinese characters in these tables (the one · of the truths is 5·12).
SLANT_SPLIT = 0.6
#: A glyph without a hole rounder than this (its principal axes' ratio) is a blob, not a mark (see
#: is_blob): UKai's ， is the roundest mark at 1.5; a speck's is 1.0-1.2.
BLOB_MAX_ELONGATION = 1.3
#: Gray level under which a pixel is ink, at most; a light line's own level is taken when lower
#: (Otsu's threshold of the line image).
INK_LEVEL = 170
#: Share of the line's median pitch kept clear of each neighbour's centre when looking for the mark's
#: ink (ink reaching past the window's edges is the neighbour's). tests/measure_punct.py, 344 marks
#: written as · / 360 dots put where there is no ink: 0.3 → 9.6% marks wrong / 14 dots kept,
#: 0.4 → 2.0% / 1, 0.5 → 8.7% / 0 (the mark's own ink clipped when the CTC places a neighbour off).
NEIGHBOUR_CLEAR = 0.4
#: The same after a closing quote when nothing is found past NEIGHBOUR_CLEAR: the CTC places ” anywhere
#: on its ink, and in 黑体 “一张图”、 the 、 starts 0.2 pitch after the ”'s place (tests/test_ocr.py).
CLOSER_CLEAR = 0.1
#: The marks a dot between characters is decided to be.
MARKS = frozenset("、，")
#: What the recognizers write for 一 read as a hyphen between Chinese characters (对-般 for 对一般, a
#: 150-dpi noisy page of the held-out Jiading plan; the repair then dropped it as a stray mark).
HYPHENS = frozenset("-‐")
#: A hyphen's ink at least this share of the line's character pitch wide, and at most ONE_MAX_HEIGHT of
#: the text height tall, is the character 一: 一 measured 0.78-0.84 of a pitch wide and 0.12-0.15 tall
#: (zenhei 150 dpi noisy, UMing 1-bit), a hyphen is a third to half of an em. (— is as wide, and is
#: not told from 一 here: a hairline in UMing, as thick as 一 in the 黑体 fonts.)
ONE_MIN_WIDTH = 0.6
ONE_MAX_HEIGHT = 0.3


@dataclass(frozen=True)
class Glyph:
    """The ink found at a character's place: size and centre relative to the text height, slant."""

    size: float
    centre: float
    slant: float
    #: Square root of the ratio of the ink's principal variances: 1 for a round or square blob.
    elongation: float = 2.0
    #: Paper enclosed by the ink (the ring of 。 has one hole, a speck none).
    holes: int = 0


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


def glyph_between(image: np.ndarray, x_prev: float, x_next: float, pitch: float,
                  clear_prev: float = NEIGHBOUR_CLEAR) -> Glyph | None:
    """The ink between two neighbouring characters (centres x_prev, x_next), or None; `clear_prev` is
    how much of the pitch is left to the character before."""
    ink = _ink(image)
    top, bottom = text_band(ink)
    height = max(1, bottom - top)
    x0 = int(max(0, x_prev + clear_prev * pitch))
    x1 = int(min(ink.shape[1], x_next - NEIGHBOUR_CLEAR * pitch))
    if x1 - x0 < 2:
        return None
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink[:, x0:x1].astype(np.uint8), connectivity=8)
    w = x1 - x0
    keep = [i for i in range(1, count)
            if stats[i, cv2.CC_STAT_LEFT] > 0 and stats[i, cv2.CC_STAT_LEFT] + stats[i, cv2.CC_STAT_WIDTH] < w]
    if not keep:
        return None
    ys, xs = np.nonzero(np.isin(labels, keep))
    return _glyph(xs, ys, top, height)


def _glyph(xs: np.ndarray, ys: np.ndarray, top: int, height: int) -> Glyph:
    """Size, centre, slant, elongation and holes of the ink at (xs, ys) in a text band of `height`."""
    size = max(ys.max() - ys.min() + 1, xs.max() - xs.min() + 1) / height
    centre = (ys.mean() - top) / height
    sx, sy = xs.std(), ys.std()
    slant = float(np.mean((xs - xs.mean()) * (ys - ys.mean())) / (sx * sy)) if sx > 0 and sy > 0 else 0.0
    variances = np.linalg.eigvalsh(np.cov(np.vstack([xs, ys])) + 0.25 * np.eye(2)) if xs.size > 2 else (1.0, 1.0)
    elongation = float(np.sqrt(variances[1] / variances[0]))
    return Glyph(float(size), float(centre), slant, elongation, _holes(xs, ys))


def _holes(xs: np.ndarray, ys: np.ndarray) -> int:
    """Regions of paper the ink at (xs, ys) encloses."""
    box = np.zeros((np.ptp(ys) + 3, np.ptp(xs) + 3), np.uint8)
    box[ys - ys.min() + 1, xs - xs.min() + 1] = 1
    count, _ = cv2.connectedComponents(1 - box, connectivity=4)
    return count - 2  # less the ink's label 0 and the paper around it


def is_blob(glyph: Glyph) -> bool:
    """A round blob without a hole: a speck of dust or toner. 、 and ， are strokes with a direction
    (elongation 3.2-4.2 and 1.5-2.8 in the five scangen fonts, plain and 1-bit, tests/measure_punct.py),
    and 。 is a ring."""
    return glyph.elongation < BLOB_MAX_ELONGATION and glyph.holes == 0


def decide(glyph: Glyph | None, read: str) -> str:
    """What a dot read between two Chinese characters is: "" (a speck, or no ink at all), `、`, `，`,
    or `read` itself when the ink there is a character's."""
    if glyph is None or glyph.size < SPECK_MAX or is_blob(glyph):
        return ""
    if glyph.size > MARK_MAX:
        return read
    return "、" if glyph.slant > SLANT_SPLIT else "，"


def is_one(image: np.ndarray, x: float, pitch: float) -> bool:
    """Whether the ink under x (a hyphen's place) is a flat stroke as wide as a character: 一."""
    ink = _ink(image)
    top, bottom = text_band(ink)
    height = max(1, bottom - top)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    column = labels[top:bottom, max(0, int(x) - 1):int(x) + 2]
    return any(stats[i, cv2.CC_STAT_WIDTH] >= ONE_MIN_WIDTH * pitch
               and stats[i, cv2.CC_STAT_HEIGHT] <= ONE_MAX_HEIGHT * height
               for i in set(np.unique(column)) - {0})


def restore(image: np.ndarray, text: str, xs: tuple[float, ...]) -> str:
    """The text with what the recognizer wrote for a speck or a mark checked on the ink:
    - a hyphen between two Chinese characters is 一 when its ink is a flat stroke a character wide;
    - a dot between two Chinese characters (or after a closing quote), or ending a line after one
      (the cell's text goes on in its next line), is replaced by what its ink shows (、，or nothing);
    - a dot or 。 after a mark (，·对  ，。) or before one (改造.，), or a dot starting a line (期间，/·对),
      is dropped unless its ink is a character's (or, for 。 before a mark, a ring); a ‘ after a mark
      unless its ink is a mark's (，‘重点 was a speck)."""
    if len(xs) != len(text) or len(xs) < 3 or not (SPECK_READINGS | HYPHENS).intersection(text):
        return text
    out = list(text)
    pitch = float(np.median(np.diff(xs)))
    last = len(text) - 1
    for k, ch in enumerate(text):
        if ch in HYPHENS and 0 < k < last and is_han(text[k - 1]) and is_han(text[k + 1]):
            out[k] = "一" if is_one(image, xs[k], pitch) else ch
            continue
        if ch not in SPECK_READINGS:
            continue
        # "" before: the line starts here (no mark starts a line: it would follow the previous
        # line's last character, as a mark does); "" after: the line ends here.
        before, after = text[k - 1] if k else "", text[k + 1] if k < last else ""
        after_mark = before in MARKS_BEFORE
        before_mark = after in MARKS_BEFORE and not after_mark
        between = ch in DOTS and (is_han(before) or before in CLOSERS) and (is_han(after) or not after)
        starting = ch in DOTS and not before and is_han(after)
        if not (after_mark or before_mark or between or starting):
            continue
        x_prev = xs[k - 1] if before else -NEIGHBOUR_CLEAR * pitch
        x_next = xs[k + 1] if after else image.shape[1] + NEIGHBOUR_CLEAR * pitch
        glyph = glyph_between(image, x_prev, x_next, pitch)
        if before in CLOSERS and decide(glyph, ch) not in MARKS:
            # the quote's ink may reach past its place, or the mark sit close to it: a mark found
            # nearer the quote counts, anything else there (a speck, the quote's own ink) does not
            near = decide(glyph_between(image, x_prev, x_next, pitch, CLOSER_CLEAR), ch)
            out[k] = near if near in MARKS else ""
            continue
        if before_mark:  # 改造.，: a dot or a 。 without its ring before a mark is a speck
            ring = ch == "。" and glyph is not None and glyph.holes > 0
            out[k] = ch if glyph is not None and (glyph.size > MARK_MAX or ring) else ""
        elif after_mark and ch in QUOTES:  # an opening quote may follow a mark: kept if its ink is a mark's
            out[k] = ch if glyph is not None and glyph.size >= SPECK_MAX and not is_blob(glyph) else ""
        elif after_mark:
            out[k] = ch if glyph is not None and glyph.size > MARK_MAX else ""
        else:
            decided = decide(glyph, ch)
            out[k] = decided if between or decided == ch else ""
    return "".join(out)
