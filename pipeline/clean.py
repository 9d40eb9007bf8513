"""Page clean-up: turn the page upright and remove skew, so that ruling lines are axis-aligned.

Orientation and skew are both read off the table's ruling lines, which every page of a 职责分工
draft has: they are far more reliable on noisy scans than text-based estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from .imaging import ink_mask
from .models import Page
from .settings import Settings

#: Horizontal structures shorter than this share of the page width are text, not rulings.
RULING_MIN_PAGE_SHARE = 0.25
#: Opening kernel for finding rulings, as a share of the page's short side: longer than any
#: character stroke, shorter than the straight runs of a skewed ruling (a 2 px ruling skewed by
#: 2° runs ~57 px per step, about 1/29 of an A4 width at 200 dpi; 1/60 leaves room).
RULING_KERNEL_PAGE_SHARE = 1 / 60

#: A vertical ruling for the orientation check is at least this share of the page height long.
COLUMN_RULING_MIN_PAGE_SHARE = 0.05
#: Vertical rulings closer than this share of the page width are one column line.
COLUMN_MERGE_PAGE_SHARE = 0.01
#: Upside down when the left half's columns are this much wider than the right half's: upright,
#: the left columns (一级, 二级, about 3-4 characters) are far narrower than 牵头/配合 (5-8).
UPSIDE_DOWN_WIDTH_RATIO = 1.15
#: A page wider than this multiple of its height was scanned sideways (the drafts are portrait A4).
LANDSCAPE_RATIO = 1.1


@dataclass(frozen=True)
class CleanReport:
    """What clean_page did to a page, for the review output."""

    rotation: int
    skew_deg: float


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


def _ruling_columns(gray: np.ndarray) -> list[int]:
    """x positions of long vertical rulings (the table's column lines), left to right."""
    ink = ink_mask(gray)
    _, vertical = _line_masks(ink)
    count, _, stats, _ = cv2.connectedComponentsWithStats(vertical, connectivity=8)
    min_height = gray.shape[0] * COLUMN_RULING_MIN_PAGE_SHARE
    xs = sorted(int(stats[i][0] + stats[i][2] / 2) for i in range(1, count) if stats[i][3] >= min_height)
    merged: list[int] = []
    for x in xs:
        if merged and x - merged[-1] < gray.shape[1] * COLUMN_MERGE_PAGE_SHARE:
            continue
        merged.append(x)
    return merged


def _upside_down(gray: np.ndarray) -> bool:
    """True when the table's narrow title columns sit on the right: the page is turned by 180°.

    A 职责分工 table has its two narrow title columns (一级, 二级) on the left and the wide
    requirement column in the middle; turned by 180° the narrow ones are on the right.
    """
    xs = _ruling_columns(gray)
    if len(xs) < 4:
        return False
    widths = np.diff(xs)
    half = len(widths) // 2
    return float(np.mean(widths[:half])) > float(np.mean(widths[-half:])) * UPSIDE_DOWN_WIDTH_RATIO


def upright_rotation(gray: np.ndarray) -> int:
    """Degrees (0/90/180/270, clockwise) to turn the page by so that the table reads upright."""
    h, w = gray.shape
    if w > h * LANDSCAPE_RATIO:  # a portrait A4 page scanned sideways; pick the turn whose result reads upright
        turned = cv2.rotate(gray, cv2.ROTATE_90_CLOCKWISE)
        return 270 if _upside_down(turned) else 90
    return 180 if _upside_down(gray) else 0


_ROTATIONS = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def clean_page(page: Page, settings: Settings) -> tuple[Page, CleanReport]:
    """The page turned upright and deskewed; text-layer pages are left as rendered (they are exact)."""
    if page.source == "text-layer":
        return page, CleanReport(0, 0.0)
    gray = page.image
    rotation = upright_rotation(gray)
    if rotation:
        gray = cv2.rotate(gray, _ROTATIONS[rotation])
    skew = estimate_skew(gray) or 0.0
    if settings.min_skew_deg <= abs(skew) <= settings.max_skew_deg:
        h, w = gray.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
        gray = cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    else:
        skew = 0.0
    return replace(page, image=gray), CleanReport(rotation, round(skew, 3))
