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

from .grid import estimate_char_height, widened_runs
from .imaging import ink_mask, true_runs

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
#: A warp is kept only when it makes this much more of the page's ink straight, axis-aligned rulings.
#: Measured as pixel counts: photos gain 1.33-1.77x (tests/degrade.py phone-photo, 10 pages) and
#: 1.5-3.7x (our own 3-8° keystoned pages); outlines fitted to toner streaks or to a title joined to
#: the table by them (degrade dirty-drum, photocopy, flat pages) would give 0.81-0.95x. As a share
#: of the ink (twelfth session, see straight_ruling_share; every page of make eval whose outline is
#: off square): phone photos of three documents 1.30-1.92x, flat pages 0.42-1.01x (the 1.01 a
#: lines-degradation page whose counted pixels had gained 1.18x).
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
    before, after = straight_ruling_share(gray, char_height), straight_ruling_share(warped, char_height)
    if after < MIN_STRAIGHT_GAIN * before:
        return gray, (f"rectify: table outline ({cells} cells) off square by {residual:.0f} px, but warping "
                      f"would not straighten its rulings (straight share {before:.3f} -> {after:.3f}), left as is")
    return warped, (f"rectify: table outline ({cells} cells) off square by {residual:.0f} px; "
                    f"corners moved by up to {shift:.0f} px ({shift / char_height:.1f} character heights), "
                    f"straight share of the ink {before:.3f} -> {after:.3f}")


def straight_ruling_share(gray: np.ndarray, char_height: int) -> float:
    """The share of the page's ink that is straight horizontal or vertical ruling. A share, not a
    count: a warp that stretches the table makes its rulings longer without making them straighter
    (a flat page whose outline was fitted to the text where LinesDegradation had erased its right
    border: 1.18 times the straight pixels, 1.005 times the share; held-out Songjiang, make eval)."""
    ink = ink_mask(gray)
    return _straight_px(ink, char_height) / max(1, int(np.count_nonzero(ink)))


def straight_ruling_px(gray: np.ndarray, char_height: int) -> int:
    """Pixels of straight horizontal and vertical rulings: how square the page's table is."""
    return _straight_px(ink_mask(gray), char_height)


def _straight_px(ink: np.ndarray, char_height: int) -> int:
    """straight_ruling_px of the page's ink mask (made once where the share needs it too)."""
    k = max(3, int(STRAIGHT_RUN_CHARS * char_height))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    return int(np.count_nonzero(horizontal)) + int(np.count_nonzero(vertical))


#: The bend is measured on the page scaled by this (200-dpi pages at 100 dpi: rulings stay 1-2 px).
BEND_SCALE = 0.5
#: Rulings are followed across the table in strips this many character heights wide: narrow enough
#: to follow a fold's slope, wide enough to hold a ruling's run across a strip.
BEND_STRIP_CHARS = 0.5
#: A ruling is followed from one strip to the next when it moved by at most this slope (a fold of
#: augraphy's Folding slopes rulings by 3-8°; steeper is no fold but a page photographed askew, which
#: rectify handles).
BEND_MAX_SLOPE = 0.27
#: Rulings are told from text by runs of ink this many character heights long (a text stroke is
#: shorter than its character; a ruling sloped by a fold still runs this far within BEND_WOBBLE_PX).
BEND_RUN_CHARS = 1.5
#: Rows of ink this many pixels apart (at BEND_SCALE) count as one run when rulings are told from
#: text, so that a ruling sloped by a fold right at the table's corner is still followed there.
BEND_WOBBLE_PX = 2
#: A ruling not seen in this many strips running (a vertical ruling crossing it) is still followed.
BEND_MAX_GAP_STRIPS = 3
#: Rows of a strip with ruling ink across at least this share of the strip hold a ruling.
BEND_ROW_SHARE = 0.5
#: A ruling followed over fewer strips than this is no ruling (a character touching one, a seal).
BEND_MIN_TRACK_STRIPS = 3
#: Only rulings followed across at least this share of the table's strips measure the bend: a
#: ruling across a few columns (a sub-row's) has no straight stretch to say where it belongs, and
#: straightened on its own it lands beside its neighbours (tests/degrade.py folding, qingpu p4).
BEND_MIN_TRACK_SHARE = 0.5
#: In one strip, a ruling displaced this many pixels (at BEND_SCALE) off the line through the others'
#: displacements is left out (a fold moves a strip's rulings alike, growing slowly down the page).
BEND_OUTLIER_PX = 1.5
#: Bends smaller than this many character heights (largest displacement, top to bottom) are left as
#: they are: the grid's line merging absorbs them. Measured: the sample draft (raw/, deskewed) 0.07-0.11
#: (the jitter of the measure itself), the flat real scans of ../shared/real 0.05 and 0.1;
#: tests/degrade.py folding 0.4-0.6. The photographed timetable and the squeezed settlement form
#: measure 0.3; the straightening check (MIN_STRAIGHT_GAIN) leaves both as they are.
BEND_MIN_CHARS = 0.2


def _strip_rulings(lines: np.ndarray, strip: int) -> tuple[list[np.ndarray], np.ndarray]:
    """For each strip of `strip` columns from the rulings' first column: the heights (y) of the
    horizontal rulings crossing it, and the strips' centres (x)."""
    cols = np.flatnonzero(lines.any(axis=0))
    if cols.size == 0:
        return [], np.zeros(0)
    starts = np.arange(int(cols[0]), max(int(cols[0]) + 1, int(cols[-1]) + 1 - strip // 2), strip)
    counts = np.add.reduceat((lines > 0).astype(np.int32), starts, axis=1).T  # (strips, rows)
    found = []
    rows = np.arange(lines.shape[0], dtype=np.float64)
    for count in counts:
        held = count >= BEND_ROW_SHARE * strip
        starts_of_runs = [start for start, _ in true_runs(held)]
        if not starts_of_runs:
            found.append(np.zeros(0))
            continue
        weights = np.where(held, count, 0).astype(np.float64)  # each run's rows, up to the next run
        found.append(np.add.reduceat(weights * rows, starts_of_runs) / np.add.reduceat(weights, starts_of_runs))
    return found, starts + strip / 2


def _tracks(found: list[np.ndarray], reach: float) -> list[dict[int, float]]:
    """Rulings followed from strip to strip: each track maps a strip's index to the ruling's height
    there. A ruling is continued by the nearest one within `reach` rows a strip, across at most
    BEND_MAX_GAP_STRIPS strips where it was not seen (a vertical ruling crossing it, a light patch)."""
    tracks: list[dict[int, float]] = []
    alive: list[tuple[int, int, float]] = []  # (track, its last strip, its height there)
    for i, ys in enumerate(found):
        alive = [a for a in alive if i - a[1] <= BEND_MAX_GAP_STRIPS + 1]
        matched: set[int] = set()
        taken: set[int] = set()
        if alive and ys.size:
            last_i, last_y = np.array([a[1] for a in alive]), np.array([a[2] for a in alive])
            distance = np.abs(ys[None, :] - last_y[:, None])
            close = distance <= reach * (i - last_i)[:, None]
            ns, js = np.nonzero(close)
            pairs = sorted(zip(distance[ns, js].tolist(), ns.tolist(), js.tolist(), strict=True))
        else:
            pairs = []
        for _, n, j in pairs:
            if n not in matched and j not in taken:
                k = alive[n][0]
                tracks[k][i] = float(ys[j])
                alive[n] = (k, i, float(ys[j]))
                matched.add(n)
                taken.add(j)
        for j, y in enumerate(ys.tolist()):
            if j not in taken:
                alive.append((len(tracks), i, y))
                tracks.append({i: y})
    return tracks


def _consistent(where: np.ndarray, there: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A strip's ruling heights (`there`, against their usual heights `where`) without those whose
    displacement strays from a straight fit through the others by more than BEND_OUTLIER_PX: a
    track that strayed onto a text line (ink-bled characters run as long as a ruling)."""
    shift = there - where
    if len(where) < 3 or np.ptp(shift) <= BEND_OUTLIER_PX:
        return where, there
    keep = np.ones(len(where), bool)
    for _ in range(2):
        x, y = where[keep], shift[keep]
        spread = float(((x - x.mean()) ** 2).sum())
        slope = float(((x - x.mean()) * (y - y.mean())).sum()) / spread if spread else 0.0
        keep = np.abs(y.mean() + slope * (where - x.mean()) - shift) <= BEND_OUTLIER_PX
        if keep.sum() < 2:
            return where, there
    return where[keep], there[keep]


def ruling_bend(lines: np.ndarray, char_height: int) -> np.ndarray:
    """How far (rows) each pixel's horizontal rulings lie below where they lie on most of the page:
    a (rows, columns) field from the rulings in `lines` (a mask), followed across the table; between
    rulings it is interpolated, beyond the first and last ruling (and the table's sides) held. A flat
    page gives zeros up to a pixel's jitter; a fold or a curl bends the rulings, each by its own amount."""
    h, w = lines.shape
    strip = max(4, round(BEND_STRIP_CHARS * char_height))
    found, centres = _strip_rulings(lines, strip)
    shortest = max(BEND_MIN_TRACK_STRIPS, BEND_MIN_TRACK_SHARE * len(centres))
    tracks = [t for t in _tracks(found, BEND_MAX_SLOPE * strip + 1) if len(t) >= shortest]
    if not tracks:
        return np.zeros((h, w), np.float32)
    rows = np.arange(h, dtype=np.float64)
    per_strip = np.zeros((len(centres), h), np.float32)
    measured = np.zeros(len(centres), bool)
    heights = np.full((len(tracks), len(centres)), np.nan)
    for k, t in enumerate(tracks):
        heights[k, list(t)] = list(t.values())
    usual = np.nanmedian(heights, axis=1)
    order = np.argsort(usual)
    heights, usual = heights[order], usual[order]
    for i in range(len(centres)):
        seen = ~np.isnan(heights[:, i])
        if seen.any():
            where, there = _consistent(usual[seen], heights[seen, i])
            per_strip[i] = np.interp(rows, where, there - where)
            measured[i] = True
    xs = centres[measured]
    index = np.interp(np.arange(w), xs, np.arange(len(xs)))  # fractional strip index per column
    low = np.floor(index).astype(int)
    high = np.minimum(low + 1, len(xs) - 1)
    frac = (index - low).astype(np.float32)
    kept = per_strip[measured]
    return (kept[low].T * (1 - frac) + kept[high].T * frac).astype(np.float32)


def _ruling_mask(table_ink: np.ndarray, char_height: int) -> np.ndarray:
    """The horizontal rulings in the table's ink: runs longer than any text stroke (BEND_RUN_CHARS),
    let wobble or slope across by BEND_WOBBLE_PX either way."""
    run = max(3, round(BEND_RUN_CHARS * char_height))
    return widened_runs(table_ink, run, BEND_WOBBLE_PX, horizontal=True)


def unbend(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, str]:
    """The page with its table's rulings made straight again where a fold or a curl bent them: each
    pixel moved up or down by its horizontal rulings' bend and sideways by its vertical rulings';
    the page unchanged (and why) when they are straight or straightening does not help. The bend is
    measured at BEND_SCALE (a ruling's height to half a pixel is plenty) and applied at full size."""
    h, w = gray.shape
    small = cv2.resize(gray, (max(1, round(w * BEND_SCALE)), max(1, round(h * BEND_SCALE))),
                       interpolation=cv2.INTER_AREA)
    ink = ink_mask(small)
    char_height = estimate_char_height(ink, round(dpi * BEND_SCALE))
    found = _table_component(ink, char_height)
    if found is None:
        return gray, "unbend: no ruled table outline found, left as is"
    table_ink = cv2.bitwise_and(ink, found[0])
    dy = ruling_bend(_ruling_mask(table_ink, char_height), char_height)
    dx = ruling_bend(_ruling_mask(np.ascontiguousarray(table_ink.T), char_height), char_height).T
    span_y, span_x = float(np.ptp(dy)) / BEND_SCALE, float(np.ptp(dx)) / BEND_SCALE
    full_char = char_height / BEND_SCALE
    if max(span_y, span_x) < BEND_MIN_CHARS * full_char:
        return gray, f"unbend: rulings straight within {max(span_y, span_x):.0f} px, left as is"
    sh, sw = small.shape
    flat_small = cv2.remap(small, np.arange(sw, dtype=np.float32)[None, :] + dx,
                           np.arange(sh, dtype=np.float32)[:, None] + dy, cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    before, after = straight_ruling_px(small, char_height), straight_ruling_px(flat_small, char_height)
    # A fold's own bar was tried and not kept (twenty-sixth session): folded pages gain 1.05-1.32 (a
    # held-out Jiading Word table at seed 11, page 2, 1.05: left bent, it lost its 一级 column), but flat
    # pages whose streaks or noise measure a false bend gain as much (make eval's dirty drums 1.06-1.075,
    # jiading/zenhei-150-noisy 1.06), and straightened at 1.03 they lost 一级 titles and leads.
    if after < MIN_STRAIGHT_GAIN * before:
        return gray, (f"unbend: rulings bent by up to {span_y:.0f} px down and {span_x:.0f} px across, but "
                      f"straightening would not help ({before} -> {after} px at half size), left as is")
    map_x = np.arange(w, dtype=np.float32)[None, :] + cv2.resize(dx, (w, h)) / BEND_SCALE
    map_y = np.arange(h, dtype=np.float32)[:, None] + cv2.resize(dy, (w, h)) / BEND_SCALE
    flat = cv2.remap(gray, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return flat, (f"unbend: rulings bent by up to {span_y:.0f} px down and {span_x:.0f} px across "
                  f"({max(span_y, span_x) / full_char:.1f} character heights) straightened, "
                  f"straight rulings {before} -> {after} px at half size")
