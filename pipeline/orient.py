"""Page orientation decided by reading a few text lines, not by the table's column widths.

A page turned 180° has the same rulings as an upright one, and a landscape table is not a portrait
page scanned sideways: only the text says which way is up. A few line crops spread over the page
are read by the OCR engine each way their direction allows (a horizontal line at 0° and 180°, a
vertical one at 90° and 270°); the turn whose reading is most confident wins. When the evidence is
weak (no readable line, scores too close) the page is kept as it is, and the evidence says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from .imaging import ink_mask
from .ocr.base import OcrEngine

#: Components are found on the page scaled so that its short side is at most this many pixels
#: (an A4 page at 150 dpi): enough to separate characters, and cheap at 300 dpi.
WORK_SHORT_SIDE = 1240
#: Rulings are straight ink runs longer than this many character sizes (the longest straight
#: stroke of a character is about one); removing them leaves the text, so a crop never runs along
#: a ruling.
RULING_MIN_CHARS = 2.5
#: Character-sized components: longest side within this range of shares of the short side
#: (specks below; rulings, seals and pictures above).
CHAR_MIN_PAGE_SHARE = 1 / 250
CHAR_MAX_PAGE_SHARE = 1 / 20
#: Percentile of the character components' longest side taken as the character size: pieces of
#: characters (radicals, dots) pull the median down, whole characters are the upper part.
CHAR_SIZE_PERCENTILE = 80
#: Characters closer than this many character sizes along a line are joined into one line blob.
#: Between the gap of two characters in a line (≤0.2 em on the drafts' fonts) and the gap of two
#: lines (≥0.4 em at the drafts' 1.3 line spacing, glyph bearings included).
JOIN_GAP_CHARS = 0.3
#: A line blob is this many character sizes thick at most and at least this many long.
LINE_MAX_THICK_CHARS = 1.6
LINE_MIN_THICK_CHARS = 0.5
LINE_MIN_LENGTH_CHARS = 2.2
#: A crop is cut to at most this many characters (the reader's cost grows with the width).
CROP_MAX_LENGTH_CHARS = 12.0
#: Margin around a crop, in character sizes.
CROP_PAD_CHARS = 0.2
#: Crops read per page, spread over this many bands of the page (top to bottom, left to right).
MAX_CROPS = 6
BANDS = 3


@dataclass(frozen=True)
class LineCrop:
    """One text line cut from the page, in page pixels; `vertical` when it runs top to bottom."""

    image: np.ndarray
    box: tuple[int, int, int, int]  # x0, y0, x1, y1
    vertical: bool


@dataclass(frozen=True)
class OrientationDecision:
    """The turn (degrees clockwise, 0/90/180/270) that makes the page read upright, and why."""

    rotation: int
    scores: tuple[tuple[int, float], ...]
    method: str
    evidence: str
    weak: bool = False


def _work_image(gray: np.ndarray) -> tuple[np.ndarray, float]:
    scale = min(1.0, WORK_SHORT_SIDE / min(gray.shape))
    if scale == 1.0:
        return gray, 1.0
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), scale


def text_ink(ink: np.ndarray, size: float) -> np.ndarray:
    """The page's ink without its rulings (table lines, borders): straight runs of many characters."""
    k = max(3, round(size * RULING_MIN_CHARS))
    rulings = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    rulings |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    rulings = cv2.dilate(rulings, np.ones((3, 3), np.uint8))
    return cv2.bitwise_and(ink, cv2.bitwise_not(rulings))


def char_size(ink: np.ndarray) -> float | None:
    """Typical character size (px) of the text ink, None when there is no text-like ink."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    short = min(ink.shape)
    sizes = np.maximum(stats[1:count, cv2.CC_STAT_WIDTH], stats[1:count, cv2.CC_STAT_HEIGHT])
    sizes = sizes[(sizes >= short * CHAR_MIN_PAGE_SHARE) & (sizes <= short * CHAR_MAX_PAGE_SHARE)]
    if sizes.size < LINE_MIN_LENGTH_CHARS:
        return None
    return float(np.percentile(sizes, CHAR_SIZE_PERCENTILE))


def _line_blobs(ink: np.ndarray, size: float, vertical: bool) -> list[tuple[int, int, int, int, float]]:
    """(x0, y0, x1, y1, length in characters) of the line blobs running one way."""
    gap = max(1, round(size * JOIN_GAP_CHARS))
    kernel = np.ones((gap, 1) if vertical else (1, gap), np.uint8)
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, kernel)
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    found = []
    for x, y, w, h, _area in stats[1:count]:
        thick, length = (w, h) if vertical else (h, w)
        if not LINE_MIN_THICK_CHARS * size <= thick <= LINE_MAX_THICK_CHARS * size:
            continue
        if length < LINE_MIN_LENGTH_CHARS * size:
            continue
        found.append((int(x), int(y), int(x + w), int(y + h), length / size))
    return found


def find_line_crops(gray: np.ndarray, max_crops: int = MAX_CROPS) -> list[LineCrop]:
    """Up to `max_crops` text lines of the page, longest first within each band of the page.

    Lines are taken both ways (horizontal and vertical blobs of joined characters): which way the
    text runs is for the reading to decide, not for the blob shapes.
    """
    work, scale = _work_image(gray)
    ink = ink_mask(work)
    size = char_size(ink)  # rulings are one big component (the grid), too large to count
    if size is None:
        return []
    ink = text_ink(ink, size)
    blobs = [(*b, False) for b in _line_blobs(ink, size, vertical=False)]
    blobs += [(*b, True) for b in _line_blobs(ink, size, vertical=True)]
    if not blobs:
        return []
    h, w = work.shape
    bands: list[list[tuple]] = [[] for _ in range(BANDS)]
    for blob in blobs:
        x0, y0, x1, y1 = blob[:4]
        centre = (y0 + y1) / 2 / h if h >= w else (x0 + x1) / 2 / w
        bands[min(BANDS - 1, int(centre * BANDS))].append(blob)
    for band in bands:
        band.sort(key=lambda b: -b[4])
    chosen: list[tuple] = []
    rank = 0
    while len(chosen) < max_crops and any(rank < len(b) for b in bands):
        chosen += [b[rank] for b in bands if rank < len(b)][: max_crops - len(chosen)]
        rank += 1
    crops = []
    pad = size * CROP_PAD_CHARS
    cap = size * CROP_MAX_LENGTH_CHARS
    for x0, y0, x1, y1, _length, vertical in chosen:
        if vertical:
            y1 = min(y1, y0 + cap)
        else:
            x1 = min(x1, x0 + cap)
        box = (max(0, int((x0 - pad) / scale)), max(0, int((y0 - pad) / scale)),
               min(gray.shape[1], int((x1 + pad) / scale) + 1), min(gray.shape[0], int((y1 + pad) / scale) + 1))
        crops.append(LineCrop(gray[box[1]:box[3], box[0]:box[2]], box, vertical))
    return crops


ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def turned(image: np.ndarray, rotation: int) -> np.ndarray:
    """The image turned clockwise by `rotation` degrees (a multiple of 90)."""
    return image if rotation % 360 == 0 else cv2.rotate(image, ROTATE[rotation % 360])


def candidate_turns(crop: LineCrop) -> tuple[int, int]:
    """The two turns that make this line horizontal: 0/180 for a horizontal one, 90/270 for a vertical one."""
    return (90, 270) if crop.vertical else (0, 180)


def read_turns(crops: Sequence[LineCrop], engine: OcrEngine) -> list[dict[int, tuple[str, float]]]:
    """Each crop read by the engine at both of its candidate turns, in one engine call."""
    images, keys = [], []
    for i, crop in enumerate(crops):
        for r in candidate_turns(crop):
            images.append(turned(crop.image, r))
            keys.append((i, r))
    lines = engine.read_lines(images) if images else []
    out: list[dict[int, tuple[str, float]]] = [{} for _ in crops]
    for (i, r), line in zip(keys, lines, strict=True):
        out[i][r] = (line.text, line.confidence)
    return out


#: Crops read in the first round; the rest of the crops are read only when these leave the
#: decision weak (measured: on the generated drafts three lines already separated the turns).
#: When these all run one way and the page has a line running the other, that line is read in the
#: first round too (_first_round).
FIRST_ROUND = 3
#: The winning turn must beat the next by this much mean confidence (0..1, unreadable lines
#: counting 0) to be believed. PP-OCRv4 read upright lines at 0.93-1.00 and the same lines
#: turned over at 0.00-0.78 (an empty reading scores 0); with PP-OCRv6 tiny, the default engine's
#: quick look that clean.py reads with, 64/64 pages of tests/measure_orientation.py are still
#: decided right (as with the whole v6 cascade).
MIN_MARGIN = 0.3
#: Lines that were read at all: a decision on fewer lines is weak.
MIN_LINES = 2


def _first_round(crops: Sequence[LineCrop]) -> list[int]:
    """The indexes of the crops read first: the first FIRST_ROUND, and the first crop that runs the
    other way when those all run one way. Turns no crop could take score 0 (_scores), so three
    lines of one direction decided the page alone: on a phone photo of the held-out Jiading plan
    (tests/degrade.py's phone-photo at seed 16, page 2) the first characters of a cell's tightly set
    lines joined into three vertical "lines" longer than the text lines, read sideways at 0.43-0.91,
    and the upright page was turned 270° (0° and 180° unread) and lost. Its text lines read upright
    at 0.96-1.00 and the page is kept as scanned, flagged weak (the stacks still read at 0.66)."""
    first = list(range(min(FIRST_ROUND, len(crops))))
    if len({crops[i].vertical for i in first}) == 1:
        other = next((i for i in range(len(first), len(crops)) if crops[i].vertical != crops[0].vertical), None)
        if other is not None:
            first.append(other)
    return first


def _scores(reads: Sequence[dict[int, tuple[str, float]]]) -> dict[int, float]:
    """Mean confidence of each turn over all lines read (a line that cannot take a turn counts 0)."""
    n = max(1, len(reads))
    return {r: sum(read.get(r, ("", 0.0))[1] for read in reads) / n for r in (0, 90, 180, 270)}


def _evidence(scores: dict[int, float], lines: int, engine: str, verdict: str) -> str:
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    shown = ", ".join(f"{r}°={s:.2f}" for r, s in ranked)
    return f"{verdict}; mean confidence of {lines} line(s) read by {engine} at each turn: {shown}"


def decide_orientation(gray: np.ndarray, engine: OcrEngine, max_crops: int = MAX_CROPS) -> OrientationDecision:
    """The clockwise turn that makes the page read upright, decided by reading a few lines each way.

    A portrait page and a landscape table are treated alike: nothing is assumed of the page's
    shape. When the reading does not decide (a blank page, scores too close), the page is kept
    as it is (rotation 0, weak=True) and the evidence says why.
    """
    method = f"read-{engine.name or type(engine).__name__}"
    crops = find_line_crops(gray, max_crops)
    if not crops:
        return OrientationDecision(0, (), method, "kept as scanned: no text line found to read", weak=True)
    first = _first_round(crops)
    reads = read_turns([crops[i] for i in first], engine)
    scores = _scores(reads)
    ranked = sorted(scores, key=lambda r: -scores[r])
    if scores[ranked[0]] - scores[ranked[1]] < MIN_MARGIN or len(reads) < MIN_LINES:
        rest = [crop for i, crop in enumerate(crops) if i not in first]
        if rest:
            reads += read_turns(rest, engine)
            scores = _scores(reads)
            ranked = sorted(scores, key=lambda r: -scores[r])
    best, second = ranked[0], ranked[1]
    table = tuple(sorted(scores.items()))
    name = engine.name or type(engine).__name__
    if len(reads) < MIN_LINES:
        return OrientationDecision(0, table, method, _evidence(
            scores, len(reads), name, f"kept as scanned: only {len(reads)} line found"), weak=True)
    if scores[best] - scores[second] < MIN_MARGIN:
        return OrientationDecision(0, table, method, _evidence(
            scores, len(reads), name, f"kept as scanned: {best}° and {second}° too close to call"), weak=True)
    verdict = "upright as scanned" if best == 0 else f"turned {best}° clockwise"
    return OrientationDecision(best, table, method, _evidence(scores, len(reads), name, verdict))
