"""pipeline/dehaze.py: a worn copier's haze is painted out, print and haze-free pages are left alone.

Measured on tests/degrade.py's photocopy recipe (augraphy BadPhotoCopy), not on our renderer's noise.
"""

from functools import cache

import degrade
import numpy as np
import pytest
import scangen
from conftest import as_page

from pipeline.dehaze import remove_haze
from pipeline.grid import detect_grid
from pipeline.settings import Settings

#: The photocopied page with the heaviest haze at seed 0 (qingpu, degrade's default style).
HAZY_PAGE = 2
#: Print (gray below this on the undamaged page) that haze removal may touch: its 1 px rim only.
PRINT_LEVEL = 100
MAX_PRINT_TOUCHED = 0.01
#: Haze pixels left, of those before: measured 0.15 on that page (print touched: none). Where haze is
#: as dense as the paper around it, it is that paper's gray (paper_level), not a mark on it, and stays.
MAX_HAZE_LEFT = 0.25


@cache
def _pages(recipe: str) -> tuple[np.ndarray, ...]:
    pages, _ = degrade.degrade_pages(scangen.load_truth(), recipe)
    return tuple(p if p.ndim == 2 else p.mean(axis=2).astype(np.uint8) for p in pages)


@cache
def _clean_pages() -> tuple[np.ndarray, ...]:
    style = degrade.DEFAULT_STYLE
    layout = scangen.layout_table(scangen.load_truth(), style)
    return tuple(np.asarray(scangen._rasterize(p, layout.font, style.dpi)) for p in layout.pages)


def _light_marks(gray: np.ndarray) -> int:
    """Pixels of the table area that are neither paper nor print: the haze's gray."""
    return int(np.count_nonzero((gray > 120) & (gray < 215)))


def test_photocopy_haze_is_painted_out_and_print_kept() -> None:
    hazy = _pages("photocopy")[HAZY_PAGE]
    out, note = remove_haze(hazy, degrade.DEFAULT_STYLE.dpi)
    assert note.startswith("toner haze removed")
    assert _light_marks(out) < MAX_HAZE_LEFT * _light_marks(hazy)
    printed = _clean_pages()[HAZY_PAGE] < PRINT_LEVEL
    touched = (out != hazy) & printed
    assert np.count_nonzero(touched) <= MAX_PRINT_TOUCHED * np.count_nonzero(printed)


def test_dehazed_photocopy_has_the_clean_pages_columns() -> None:
    """Haze streaks stood up as extra column rulings before; the faded rulings are kept."""
    hazy = _pages("photocopy")[HAZY_PAGE]
    out, _ = remove_haze(hazy, degrade.DEFAULT_STYLE.dpi)
    clean = detect_grid(as_page(_clean_pages()[HAZY_PAGE]), Settings())
    dehazed = detect_grid(as_page(out), Settings())
    assert len(dehazed.col_lines) == len(clean.col_lines)
    assert np.abs(np.subtract(dehazed.col_lines, clean.col_lines)).max() <= 3
    assert len(dehazed.row_lines) == len(clean.row_lines)


@pytest.mark.parametrize("recipe", ["shadow", "phone-photo", "bilevel-200", "dirty-drum", "low-ink"])
def test_pages_without_haze_are_left_alone(recipe: str) -> None:
    """Print that is pale for other reasons (under a shadow, thin 1-bit strokes) is not haze."""
    page = _pages(recipe)[0]
    out, note = remove_haze(page, degrade.RECIPES[recipe].dpi or degrade.DEFAULT_STYLE.dpi)
    assert note == ""
    assert out is page


def test_a_noisy_150_dpi_scan_is_left_alone() -> None:
    style = scangen.VARIANTS["zenhei-150-noisy"]
    page = np.asarray(scangen.render_pages(scangen.load_truth()[:6], style)[0].convert("L"))
    out, note = remove_haze(page, style.dpi)
    assert note == "" and out is page
