"""tests/degrade.py: each recipe is deterministic and damages the page the way its name says.

Pages are drawn at TEST_DPI from the first page's worth of Qingpu items, so the whole file runs in
seconds; every size a check uses is in millimetres and scales with the dpi.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import degrade
import scangen

#: Pages drawn at 100 dpi: a quarter of the pixels of the pipeline's 200, the checks still see strokes.
TEST_DPI = 100
STYLE = scangen.ScanStyle(dpi=TEST_DPI)
#: A pixel is ink below this gray level, paper above PAPER.
INK = 128
PAPER = 230
#: Ink bleed must grow the tinted area (below TINT) by at least this fraction (measured +117 %);
#: the area below INK does not grow (the bleed is a gray halo, and strokes lighten a little).
TINT = 240
BLEED_GROWTH = 0.3
#: Low ink: the median ink pixel must be at least this much lighter (gray levels; measured ~50).
LOW_INK_LIGHTER = 20
#: A shadow darkens some 2 cm patch of paper by at least this many levels (opacity 0.35 × 255 ≈ 90).
SHADOW_DARKER = 40
#: Photocopy haze: at least this fraction of the clean page's paper is no longer white (measured ~0.5).
HAZE_FRACTION = 0.10
#: Dirty drum: at least this fraction of the clean paper turns to ink (streaks; measured ~1 %).
STREAK_FRACTION = 0.002
#: Folding: a horizontal ruling keeps at most this fraction of its ink on its own row (bent at the folds).
FOLD_RULING_KEEP = 0.92
#: A pixel is coloured when its channels spread by more than this.
COLOUR_SPREAD = 60
#: Red seal pixels that must lie over the agency columns (± the seal's jitter), of all red pixels.
SEAL_OVER_AGENCIES = 0.95
#: The photo's page sides must lean at least this much (keystone 4..8° less a rotation of ≤ 2°).
MIN_LEAN_DEG = 1.5
#: The photo's darker side is at least this much darker than its lit side (0.55..0.7 of it).
DARK_SIDE_RATIO = 0.85


@cache
def _rows() -> tuple[dict[str, str], ...]:
    return tuple(degrade.rows_for_pages(scangen.load_truth(), 1, STYLE))


@cache
def _clean() -> np.ndarray:
    layout = scangen.layout_table(_rows(), STYLE)
    return np.asarray(scangen._rasterize(layout.pages[0], layout.font, TEST_DPI))


@cache
def _page(recipe: str, seed: int = 0) -> np.ndarray:
    pages, _ = degrade.degrade_pages(_rows(), recipe, STYLE, seed)
    assert len(pages) == 1
    return pages[0]


def _column_x() -> tuple[int, ...]:
    layout = scangen.layout_table(_rows(), STYLE)
    return tuple(round(x * TEST_DPI / 72) for x in layout.column_x)


def _mm(mm: float) -> int:
    return round(mm * TEST_DPI / 25.4)


def _gray(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY) if img.ndim == 3 else img


def test_recipes_are_named_and_ordered() -> None:
    assert list(degrade.RECIPES) == ["photocopy", "shadow", "ink-bleed", "low-ink", "folding", "dirty-drum",
                                     "dirty-rollers", "lines-degradation", "markup", "seal-pen", "scanner-edge",
                                     "phone-photo",
                                     "bilevel-200", "fax"]


@pytest.mark.parametrize("recipe", list(degrade.RECIPES))
def test_deterministic_for_a_seed(recipe: str) -> None:
    first = _page(recipe)
    again, _ = degrade.degrade_pages(_rows(), recipe, STYLE, 0)
    assert np.array_equal(first, again[0]), "same seed, different page"
    assert not np.array_equal(first, _page(recipe, 1)), "another seed drew the same page"
    clean = _clean()
    if first.shape[:2] == clean.shape:
        assert not np.array_equal(_gray(first), clean), "the recipe left the page clean"


def test_photocopy_hazes_the_paper() -> None:
    paper = _clean() >= 250
    assert np.mean(_page("photocopy")[paper] < PAPER) >= HAZE_FRACTION


def test_shadow_darkens_a_region() -> None:
    k = _mm(20)
    clean = cv2.blur(_clean().astype(np.float32), (k, k))
    shaded = cv2.blur(_page("shadow").astype(np.float32), (k, k))
    assert float((clean - shaded).max()) >= SHADOW_DARKER


def test_ink_bleed_spreads_the_ink() -> None:
    assert np.sum(_page("ink-bleed") < TINT) >= (1 + BLEED_GROWTH) * np.sum(_clean() < TINT)


def test_low_ink_is_lighter_and_streaked() -> None:
    ink = _clean() < 60
    page = _page("low-ink")
    assert float(np.median(page[ink])) >= float(np.median(_clean()[ink])) + LOW_INK_LIGHTER
    assert np.mean(page[ink] > PAPER) > 0.0, "no white streak through the ink"


def test_folding_bends_a_ruling() -> None:
    clean = _clean() < INK
    row = int(np.argmax(clean.sum(axis=1)))  # the longest horizontal ruling
    folded = _page("folding") < INK
    assert folded[row].sum() <= FOLD_RULING_KEEP * clean[row].sum()


def test_dirty_drum_streaks_the_paper() -> None:
    paper = _clean() >= 250
    assert np.mean(_page("dirty-drum")[paper] < INK) >= STREAK_FRACTION


def test_dirty_rollers_band_the_paper_across_the_page() -> None:
    """Gray bands run across the page: in the blank margin beside the table, rows of pixels that are
    darker than paper all along it."""
    page = _page("dirty-rollers")
    margin = page[:, :_mm(10)]
    banded = (margin < PAPER).all(axis=1)
    assert banded.mean() >= 0.1, banded.mean()


def _coloured(img: np.ndarray) -> np.ndarray:
    return img.max(axis=2).astype(int) - img.min(axis=2).astype(int) > COLOUR_SPREAD


def test_markup_draws_in_colour_inside_the_table() -> None:
    page = _page("markup")
    assert page.ndim == 3
    _, xs = np.nonzero(_coloured(page))
    assert len(xs) > 0
    cols = _column_x()
    assert cols[0] <= xs.min() and xs.max() <= cols[-1]


def test_seal_is_red_over_the_agency_columns_and_pen_crosses_a_ruling() -> None:
    page = _page("seal-pen").astype(int)
    b, g, r = page[:, :, 0], page[:, :, 1], page[:, :, 2]
    red = (r > 150) & (g < 120) & (b < 120)
    _, xs = np.nonzero(red)
    assert len(xs) > _mm(5) ** 2, "no seal"
    cols = _column_x()
    lo, hi = cols[-3] - _mm(5), cols[-1] + _mm(5)  # 牵头单位 | 配合单位, ± the seal's jitter
    assert np.mean((xs >= lo) & (xs <= hi)) >= SEAL_OVER_AGENCIES
    assert lo <= np.median(xs) <= hi
    blue = (b > 120) & (r < 100) & (b - r > COLOUR_SPREAD)
    near, far = _mm(0.8), _mm(3)
    crossed = [x for x in cols if blue[:, x - far:x - near].any() and blue[:, x + near:x + far].any()]
    assert crossed, "no pen stroke crosses a vertical ruling"


def test_scanner_edge_darkens_one_margin_and_punches_holes() -> None:
    page = _page("scanner-edge")
    strip = _mm(2)
    left, right = float(page[:, :strip].mean()), float(page[:, -strip:].mean())
    assert min(left, right) < 80 and max(left, right) > 200
    edge = page if left < right else page[:, ::-1]
    zone = edge[:, : _mm(25)] < INK
    reach = np.where(zone.any(axis=1), zone.shape[1] - np.argmax(zone[:, ::-1], axis=1), 0)
    holes = reach >= np.median(reach) + _mm(3)  # rows where something dark reaches past the band
    runs = np.count_nonzero(np.diff(holes.astype(int)) == 1)
    assert runs >= 2, f"expected ≥ 2 punch holes, found {runs}"


def test_phone_photo_is_a_leaning_colour_page_on_a_background() -> None:
    photo = _page("phone-photo")
    assert photo.ndim == 3 and photo.shape[0] > _clean().shape[0] and photo.shape[1] > _clean().shape[1]
    gray = cv2.GaussianBlur(_gray(photo), (0, 0), _mm(2))
    paper = (gray > 140).astype(np.uint8)
    contours, _ = cv2.findContours(paper, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    page = max(contours, key=cv2.contourArea)
    quad = cv2.approxPolyDP(page, 0.02 * cv2.arcLength(page, True), True).reshape(-1, 2)
    assert len(quad) == 4, "the page is not a quadrilateral on its background"
    angles = []
    for p, q in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        dx, dy = q - p
        angle = np.degrees(np.arctan2(abs(dy), abs(dx)))  # 0 horizontal side, 90 vertical side
        angles.append(min(angle, 90 - angle))
    assert max(angles) >= MIN_LEAN_DEG, f"sides off the axes by only {angles}"
    x, y, w, h = cv2.boundingRect(page)
    inner = _gray(photo)[y + h // 4: y + 3 * h // 4, x + w // 10: x + w - w // 10].astype(float)
    thirds = [inner[:, : inner.shape[1] // 3].mean(), inner[:, -inner.shape[1] // 3:].mean()]
    assert min(thirds) <= DARK_SIDE_RATIO * max(thirds), f"sides lit alike {thirds}"
    assert np.mean(_coloured(photo.astype(np.uint8)) | (np.ptp(photo, axis=2) > 20)) > 0.05, "not in colour"


@pytest.mark.parametrize("recipe", ["bilevel-200", "fax"])
def test_bilevel_has_two_levels_at_200_dpi(recipe: str) -> None:
    pages, dpi = degrade.degrade_pages(_rows(), recipe, STYLE, 0)
    assert dpi == degrade.BILEVEL_DPI
    assert set(np.unique(pages[0]).tolist()) == {0, 255}


def _pdf_pages(path: Path, scale: float, grayscale: bool) -> list[np.ndarray]:
    doc = pdfium.PdfDocument(str(path))
    try:
        return [doc[i].render(scale=scale, grayscale=grayscale, rev_byteorder=True).to_numpy()
                for i in range(len(doc))]
    finally:
        doc.close()


def test_pdf_has_every_page_at_the_scan_dpi(tmp_path: Path) -> None:
    rows = degrade.rows_for_pages(scangen.load_truth(), 2, STYLE)
    assert len(scangen.layout_table(rows, STYLE).pages) == 2
    draft = degrade.render_degraded(rows, tmp_path / "d.pdf", "scanner-edge", STYLE, 3)
    assert draft.pages == 2 and draft.dpi == TEST_DPI
    doc = pdfium.PdfDocument(str(draft.path))
    try:
        assert len(doc) == 2
        w, h = doc[0].get_size()
    finally:
        doc.close()
    assert abs(w - scangen.PAGE_W) < 1 and abs(h - scangen.PAGE_H) < 1


def test_colour_pages_stay_colour_in_the_pdf(tmp_path: Path) -> None:
    draft = degrade.render_degraded(list(_rows()), tmp_path / "seal.pdf", "seal-pen", STYLE, 0)
    (page,) = _pdf_pages(draft.path, TEST_DPI / 72, grayscale=False)
    assert page.ndim == 3 and page.shape[2] >= 3
    r, g, b = page[:, :, 0].astype(int), page[:, :, 1].astype(int), page[:, :, 2].astype(int)  # RGB
    assert np.sum((r > 150) & (g < 120) & (b < 120)) > _mm(5) ** 2, "the seal lost its red in the PDF"
