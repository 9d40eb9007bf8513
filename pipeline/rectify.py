"""Rectify: a photographed page warped so that its table's grid is axis-aligned.

A phone photo shows the table as a quadrilateral (keystone: the far edge shorter, the sides
leaning in), not a rotated rectangle, so deskewing cannot square it. The table's outline is found
from its rulings (the ink network enclosing most cells), each side is fitted as a straight line
through the outermost ruling pixels, and the four corners where the sides meet are mapped onto a
rectangle. A page whose table is already a rectangle (a flatbed scan, skewed or not) is left as it
is: deskewing handles rotation.
"""

from __future__ import annotations

import cv2
import numpy as np

from .grid import estimate_char_height
from .imaging import ink_mask

#: Ink closer than this many character heights is joined before the table's network is traced, so
#: a ruling broken by a pixel or two (JPEG, blur) still closes its cells.
JOIN_CHARS = 0.1
#: A hole of the network is a cell when its area is at least this many squared character heights
#: (one character with its padding); holes inside characters (口) are smaller.
CELL_MIN_AREA_CHARS2 = 2.0
#: The table is the network with most cells, and it needs at least this many.
MIN_CELLS = 4
#: A side's line is fitted to the outermost ruling pixels of the middle of that side (this share
#: of its length), away from the corners where the other sides' pixels are outermost.
SIDE_MIDDLE_SHARE = 0.8
#: Side points farther than this many character heights from the first fit (a seal or text
#: touching the border, a ruling running on past the table) are dropped before the second fit.
SIDE_INLIER_CHARS = 0.5
#: A side leaning more than this (degrees from its axis) is not a table side: nothing is done.
MAX_SIDE_ANGLE_DEG = 25.0
#: The table is already square when its corners lie within this many character heights of a
#: rotated and scaled rectangle. Measured: scangen's flatbed variants within 0.003, the settlement
#: scan of ../shared/real 0.17 (4 px), the other real scans 0; phone photos 0.34-1.76 (degrade
#: phone-photo, the 4-row last page lowest), 0.46-3.4 for our own 3-8° keystoned pages.
SQUARE_MAX_RESIDUAL_CHARS = 0.25
#: Straight rulings are measured as ink that survives an opening with a line this many character
#: heights long, horizontal and vertical (longer than any text stroke).
STRAIGHT_RUN_CHARS = 4.0
#: A warp is kept only when it makes this much more of the rulings straight and axis-aligned.
#: Measured: photos gain 1.33-1.77x (tests/degrade.py phone-photo, 10 pages) and 1.5-3.7x (our
#: own 3-8° keystoned pages); outlines fitted to toner streaks or to a title joined to the table by
#: them (degrade dirty-drum, photocopy, flat pages) would give 0.81-0.95x.
MIN_STRAIGHT_GAIN = 1.1


def _table_component(ink: np.ndarray, char_height: int) -> tuple[np.ndarray, int] | None:
    """The mask of the ink network that encloses most cells, and how many it encloses."""
    k = max(1, round(JOIN_CHARS * char_height))
    joined = cv2.dilate(ink, np.ones((2 * k + 1, 2 * k + 1), np.uint8))
    contours, hierarchy = cv2.findContours(joined, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return None
    min_area = CELL_MIN_AREA_CHARS2 * char_height**2
    cells: dict[int, int] = {}
    for i, (_next, _prev, _child, parent) in enumerate(hierarchy[0]):
        if parent >= 0 and cv2.contourArea(contours[i]) >= min_area:
            cells[parent] = cells.get(parent, 0) + 1
    if not cells:
        return None
    outer, count = max(cells.items(), key=lambda item: item[1])
    if count < MIN_CELLS:
        return None
    mask = np.zeros_like(ink)
    cv2.drawContours(mask, contours, outer, 255, thickness=cv2.FILLED)
    return cv2.bitwise_and(mask, joined), count


def _fit_side(points: np.ndarray, char_height: int) -> tuple[np.ndarray, np.ndarray] | None:
    """A robust straight line (point, unit direction) through side points (x, y)."""
    if len(points) < 10:
        return None
    pts = points.astype(np.float32)
    for _ in range(2):
        vx, vy, x0, y0 = cv2.fitLine(pts, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        normal = np.array([-vy, vx])
        dist = np.abs((pts - np.array([x0, y0])) @ normal)
        inliers = pts[dist <= SIDE_INLIER_CHARS * char_height]
        if len(inliers) < 10:
            return None
        pts = inliers
    return np.array([x0, y0]), np.array([vx, vy])


def _middle(values: np.ndarray) -> slice:
    margin = int(len(values) * (1 - SIDE_MIDDLE_SHARE) / 2)
    return slice(margin, len(values) - margin)


def _sides(mask: np.ndarray, char_height: int) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """The table's left, top, right and bottom sides as lines, from its outermost pixels."""
    rows = np.nonzero(mask.any(axis=1))[0]
    cols = np.nonzero(mask.any(axis=0))[0]
    if len(rows) < 10 or len(cols) < 10:
        return None
    rows, cols = rows[_middle(rows)], cols[_middle(cols)]
    sub_r, sub_c = mask[rows] > 0, mask[:, cols] > 0
    left = np.column_stack([sub_r.argmax(axis=1), rows])
    right = np.column_stack([mask.shape[1] - 1 - sub_r[:, ::-1].argmax(axis=1), rows])
    top = np.column_stack([cols, sub_c.argmax(axis=0)])
    bottom = np.column_stack([cols, mask.shape[0] - 1 - sub_c[::-1].argmax(axis=0)])
    sides = []
    for points, vertical in ((left, True), (top, False), (right, True), (bottom, False)):
        line = _fit_side(points, char_height)
        if line is None:
            return None
        _, (vx, vy) = line
        lean = np.degrees(np.arctan2(abs(vx), abs(vy)) if vertical else np.arctan2(abs(vy), abs(vx)))
        if lean > MAX_SIDE_ANGLE_DEG:
            return None
        sides.append(line)
    return sides


def _meet(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Where two lines (point, direction) cross."""
    (p, d), (q, e) = a, b
    t = np.linalg.solve(np.column_stack([d, -e]), q - p)[0]
    return p + t * d


def table_corners(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, int, int] | None:
    """The table's outer corners (top-left, top-right, bottom-right, bottom-left), the number of
    cells its outline encloses and the character height; None when no ruled table is found."""
    ink = ink_mask(gray)
    char_height = estimate_char_height(ink, dpi)
    found = _table_component(ink, char_height)
    if found is None:
        return None
    mask, cells = found
    sides = _sides(mask, char_height)
    if sides is None:
        return None
    left, top, right, bottom = sides
    try:
        corners = np.array([_meet(top, left), _meet(top, right), _meet(bottom, right), _meet(bottom, left)])
    except np.linalg.LinAlgError:
        return None
    return corners.astype(np.float32), cells, char_height


def _square_target(corners: np.ndarray) -> np.ndarray:
    """The axis-aligned rectangle the corners map to: the quadrilateral's mean width and height,
    centred where it is, so the page keeps its scale and the table stays in the frame."""
    tl, tr, br, bl = corners
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    cx, cy = corners.mean(axis=0)
    return np.float32([[cx - width / 2, cy - height / 2], [cx + width / 2, cy - height / 2],
                       [cx + width / 2, cy + height / 2], [cx - width / 2, cy + height / 2]])


def _residual(corners: np.ndarray, target: np.ndarray) -> float:
    """How far (px) the corners are from the best rotated, scaled and shifted copy of the target
    rectangle (least squares, in closed form: a similarity is linear in complex numbers)."""
    z = corners[:, 0] + 1j * corners[:, 1]
    t = target[:, 0] + 1j * target[:, 1]
    zc, tc = z - z.mean(), t - t.mean()
    a = np.vdot(tc, zc) / np.vdot(tc, tc)
    return float(np.abs(a * tc + z.mean() - z).max())


def rectify(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, str]:
    """The page warped so that the table's outline is an axis-aligned rectangle, and one line of
    evidence; the page unchanged (and why) when no table outline is found or it is already square."""
    found = table_corners(gray, dpi)
    if found is None:
        return gray, "rectify: no ruled table outline found, left as is"
    corners, cells, char_height = found
    target = _square_target(corners)
    residual = _residual(corners, target)
    if residual <= SQUARE_MAX_RESIDUAL_CHARS * char_height:
        return gray, (f"rectify: table outline ({cells} cells) is a rectangle within {residual:.0f} px, "
                      "left as is")
    shift = float(np.linalg.norm(corners - target, axis=1).max())
    matrix = cv2.getPerspectiveTransform(corners, target)
    h, w = gray.shape
    warped = cv2.warpPerspective(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    before, after = straight_ruling_px(gray, char_height), straight_ruling_px(warped, char_height)
    if after < MIN_STRAIGHT_GAIN * before:
        return gray, (f"rectify: table outline ({cells} cells) off square by {residual:.0f} px, but warping "
                      f"would not straighten its rulings ({before} -> {after} px), left as is")
    return warped, (f"rectify: table outline ({cells} cells) off square by {residual:.0f} px; "
                    f"corners moved by up to {shift:.0f} px ({shift / char_height:.1f} character heights), "
                    f"straight rulings {before} -> {after} px")


def straight_ruling_px(gray: np.ndarray, char_height: int) -> int:
    """Pixels of straight horizontal and vertical rulings: how square the page's table is."""
    ink = ink_mask(gray)
    k = max(3, int(STRAIGHT_RUN_CHARS * char_height))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    return int(np.count_nonzero(horizontal)) + int(np.count_nonzero(vertical))
