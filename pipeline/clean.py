"""Page clean-up: turn the page upright, remove skew (so that ruling lines are axis-aligned) and
paint out toner haze (dehaze.py).

Which way is up is read off the text (`orient.py`: a few lines read each way by the OCR engine),
never off the page's shape or the table's column widths: a landscape table stays landscape, and a
page that starts with a continued row or has a one-character 一级 column reads upright like any
other. The skew is read off the table's ruling lines, which every page of a 职责分工 draft has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from .dehaze import remove_haze
from .imaging import ink_mask
from .models import Page
from .ocr.base import OcrEngine
from .orient import OrientationDecision, decide_orientation, turned
from .rectify import rectify, unbend
from .settings import Settings

#: Horizontal structures shorter than this share of the page width are text, not rulings.
RULING_MIN_PAGE_SHARE = 0.25
#: Opening kernel for finding rulings, as a share of the page's short side: longer than any
#: character stroke, shorter than the straight runs of a skewed ruling (a 2 px ruling skewed by
#: 2° runs ~57 px per step, about 1/29 of an A4 width at 200 dpi; 1/60 leaves room).
RULING_KERNEL_PAGE_SHARE = 1 / 60


@dataclass(frozen=True)
class Unwarped:
    """The page cleaned the same way but neither rectified nor unbent, where rectify warped it.
    Rectify fits the table's outline to its outermost ruling ink and keeps the warp by how much of
    that ink it makes straight; a copier's haze along the rulings of a flat page can pass both, so the
    runner keeps this page where the grid finds more lines on it (`run._warp_judged`)."""

    image: np.ndarray
    skew_deg: float
    #: What CleanReport.cleaned would say of this page.
    cleaned: str


@dataclass(frozen=True)
class CleanReport:
    """What clean_page did to a page, for the review output."""

    rotation: int
    skew_deg: float
    #: How the orientation was decided, in words (shown per page in the review outputs).
    evidence: str = ""
    #: The reading did not decide and the page was kept as scanned: the page is flagged for review.
    orientation_weak: bool = False
    #: What rectify did (a photographed table warped square, or why the page was left as is), and
    #: after "; " what unbend did when it straightened folded or curled rulings.
    rectified: str = ""
    #: What was painted out of the page before the grid (toner haze, dehaze.py), "" when nothing.
    cleaned: str = ""
    #: Where rectify warped the page: the page without that warp (nor unbend's), for the runner to judge.
    unwarped: Unwarped | None = field(default=None, repr=False, compare=False)


def _line_masks(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h, w = ink.shape
    k = max(15, int(min(h, w) * RULING_KERNEL_PAGE_SHARE))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    return horizontal, vertical


def _long_line_angles(mask: np.ndarray, min_length: float) -> list[tuple[float, float]]:
    """(angle in degrees from horizontal, length) of every long horizontal line component."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    found = []
    for label in range(1, count):
        x, y, w, h, _area = stats[label]
        if w < min_length:
            continue
        ys, xs = np.nonzero(labels[y:y + h, x:x + w] == label)
        points = np.column_stack([xs, ys]).astype(np.float32)
        vx, vy, _, _ = cv2.fitLine(points, cv2.DIST_L2, 0, 0.01, 0.01).ravel()
        if vx < 0:  # fitLine's direction may point either way along the line
            vx, vy = -vx, -vy
        found.append((math.degrees(math.atan2(vy, vx)), float(w)))
    return found


def estimate_skew(gray: np.ndarray) -> float | None:
    """Skew in degrees (positive: counter-clockwise content) from the long horizontal rulings."""
    ink = ink_mask(gray)
    horizontal, _ = _line_masks(ink)
    lines = _long_line_angles(horizontal, gray.shape[1] * RULING_MIN_PAGE_SHARE)
    if not lines:
        return None
    angles = np.array([a for a, _ in lines])
    weights = np.array([length for _, length in lines])
    order = np.argsort(angles)
    cumulative = np.cumsum(weights[order])
    return float(angles[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def clean_page(page: Page, settings: Settings, engine: OcrEngine | None) -> tuple[Page, CleanReport]:
    """The page turned upright (decided by reading with `engine`) and deskewed.

    Text-layer pages are left as rendered (they are exact) and need no engine."""
    if page.source == "text-layer":
        return page, CleanReport(0, 0.0, "text layer: kept as rendered")
    if engine is None:
        raise ValueError("clean_page needs an OCR engine to decide a scanned page's orientation")
    decision: OrientationDecision = decide_orientation(page.image, engine.quick())
    upright = turned(page.image, decision.rotation)
    gray, rectified = rectify(upright, page.dpi)  # a photographed table's keystone
    warped = not rectified.endswith("left as is")
    gray, skew = _deskewed(gray, settings)
    flat, unbent = unbend(gray, page.dpi)  # a fold's or a curl's bent rulings
    if not unbent.endswith("left as is"):
        rectified = f"{rectified}; {unbent}"
    unwarped = None
    if warped:
        plain, plain_skew = _deskewed(upright, settings)
        image, plain_cleaned = remove_haze(plain, page.dpi)
        unwarped = Unwarped(image, plain_skew, plain_cleaned)
    gray, cleaned = remove_haze(flat, page.dpi)  # a worn copier's gray specks and streaks
    return replace(page, image=gray), CleanReport(decision.rotation, skew, decision.evidence, decision.weak,
                                                  rectified, cleaned, unwarped)


def _deskewed(gray: np.ndarray, settings: Settings) -> tuple[np.ndarray, float]:
    """The page turned by its rulings' skew, and the skew (0.0 where it is outside the settings' range)."""
    skew = estimate_skew(gray) or 0.0
    if not settings.min_skew_deg <= abs(skew) <= settings.max_skew_deg:
        return gray, 0.0
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255), round(skew, 3)
