"""pipeline/dehaze.py: a worn copier's haze is painted out, print and haze-free pages are left alone.

Measured on tests/degrade.py's photocopy recipe (augraphy BadPhotoCopy), not on our renderer's noise.
"""

from functools import cache
from pathlib import Path

import degrade
import numpy as np
import pytest
import scangen
from conftest import as_page

from pipeline.clean import clean_page
from pipeline.dehaze import remove_haze
from pipeline.grid import detect_grid
from pipeline.ingest import load_page, open_document
from pipeline.ocr import get_engine
from pipeline.settings import Settings

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "real"

#: The photocopied page with the heaviest haze at seed 0 (qingpu, degrade's default style).
HAZY_PAGE = 2
#: Print (gray below this on the undamaged page) that haze removal may touch: its 1 px rim only.
PRINT_LEVEL = 100
MAX_PRINT_TOUCHED = 0.01
#: Haze pixels left, of those before: measured 0.15 on that page (print touched: none). Where haze is
#: as dense as the paper around it, it is that paper's gray (paper_level), not a mark on it, and stays.
MAX_HAZE_LEFT = 0.25


#: The held-out Songjiang plan: at seed 0 the haze streaks of its third page stood up as three extra
#: column rulings (9 column lines against the clean page's 6).
SONGJIANG = Path(__file__).resolve().parent / "data" / "songjiang_flood_v1.csv"


@cache
def _truth(document: str) -> tuple[dict[str, str], ...]:
    return tuple(scangen.load_truth(SONGJIANG) if document == "songjiang" else scangen.load_truth())


@cache
def _pages(recipe: str, document: str = "qingpu") -> tuple[np.ndarray, ...]:
    pages, _ = degrade.degrade_pages(_truth(document), recipe)
    return tuple(p if p.ndim == 2 else p.mean(axis=2).astype(np.uint8) for p in pages)


@cache
def _clean_pages(document: str = "qingpu") -> tuple[np.ndarray, ...]:
    style = degrade.DEFAULT_STYLE
    layout = scangen.layout_table(_truth(document), style)
    return tuple(np.asarray(scangen._rasterize(p, layout.font, style.dpi)) for p in layout.pages)


def _haze_gray_pixels(gray: np.ndarray) -> int:
    """Pixels of the table area that are neither paper nor print: the haze's gray."""
    return int(np.count_nonzero((gray > 120) & (gray < 215)))


def test_photocopy_haze_is_painted_out_and_print_kept() -> None:
    hazy = _pages("photocopy")[HAZY_PAGE]
    out, note = remove_haze(hazy, degrade.DEFAULT_STYLE.dpi)
    assert note.startswith("toner haze removed")
    assert _haze_gray_pixels(out) < MAX_HAZE_LEFT * _haze_gray_pixels(hazy)
    printed = _clean_pages()[HAZY_PAGE] < PRINT_LEVEL
    touched = (out != hazy) & printed
    assert np.count_nonzero(touched) <= MAX_PRINT_TOUCHED * np.count_nonzero(printed)


def test_dehazed_photocopy_has_the_clean_pages_columns(monkeypatch) -> None:
    """Haze streaks stood up as extra column rulings (see SONGJIANG); the faded rulings are kept. Since
    the twenty-ninth session the grid stage also takes the haze's short pieces for a band's speckle
    (grid.band_speckle_lines: the haze inks both margins beside them), so the damage is shown, and
    the haze removal judged alone, with that rule off; with it on, the hazy page keeps the clean
    page's columns too."""
    from pipeline import grid as grid_module

    hazy = _pages("photocopy", "songjiang")[HAZY_PAGE]
    clean = detect_grid(as_page(_clean_pages("songjiang")[HAZY_PAGE]), Settings())
    banded = detect_grid(as_page(hazy), Settings())
    assert len(banded.col_lines) == len(clean.col_lines) and banded.streaks
    monkeypatch.setattr(grid_module, "band_speckle_lines", lambda *args: ())
    assert len(detect_grid(as_page(hazy), Settings()).col_lines) > len(clean.col_lines)  # the damage
    out, _ = remove_haze(hazy, degrade.DEFAULT_STYLE.dpi)
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


@pytest.mark.skipif(not REAL.is_dir(), reason=f"real third-party scans not present ({REAL} is absent in this clone)")
def test_amounts_printed_in_gray_toner_on_a_real_scan_are_kept() -> None:
    """The settlement form of ../shared/real prints its amounts in gray toner beside black rulings:
    15% of its character-sized marks are as light as haze. At a looser gate their digits were
    painted out (4894780.79 -> 4 94 0.79): the page must come back untouched."""
    settings = Settings()
    page = load_page(open_document(REAL / "tsr_scan_settlement_form_stamps_squeeze_error.jpeg", settings), 0,
                     settings)
    page, report = clean_page(page, settings, get_engine(settings))
    assert report.cleaned == ""
    out, note = remove_haze(page.image, page.dpi)
    assert note == "" and out is page.image


def test_text_printed_lighter_than_its_rulings_is_never_painted_out() -> None:
    """All text light, rulings black: the light marks are the print (more than HAZE_MAX_SHARE of the
    marks), and nothing is painted."""
    clean = _clean_pages()[0]
    rulings = detect_grid(as_page(clean), Settings())
    light = (255 - (255 - clean.astype(np.float32)) * 0.45).astype(np.uint8)  # gray text...
    for y in rulings.row_lines:  # ...black rulings
        light[max(0, y - 2):y + 3] = np.minimum(light[max(0, y - 2):y + 3], clean[max(0, y - 2):y + 3])
    for x in rulings.col_lines:
        light[:, max(0, x - 2):x + 3] = np.minimum(light[:, max(0, x - 2):x + 3], clean[:, max(0, x - 2):x + 3])
    out, note = remove_haze(light, degrade.DEFAULT_STYLE.dpi)
    assert note == "" and out is light


def test_a_haze_of_thin_strokes_is_seen_at_full_size(tmp_path: Path) -> None:
    """BadPhotoCopy over the held-out Songjiang plan's Word table at a seed make eval does not draw
    (tests/wordscan.py photocopy, seed 11), page 2: a haze of thin strokes, 21% of the page's marks,
    fades at half size to 3-4%, under the half-size look's former bar. Left hazed, it was read in the
    empty merged 一级 cell as lines of junk after group 二's title. Looked at full size, it is painted
    out, and no line is cut from that cell."""
    wordscan = pytest.importorskip("wordscan")
    from eval_suite import HELD_OUT, _title

    from pipeline.ocr.cells import cell_lines

    settings = Settings()
    path = tmp_path / "songjiang_photocopy_s11.pdf"
    wordscan.render_word_scan(scangen.load_truth(HELD_OUT["songjiang"]), path, "photocopy", _title("songjiang"),
                              seed=11, only=[1])
    page = load_page(open_document(path, settings), 0, settings)
    cleaned, note = remove_haze(page.image, page.dpi)
    assert note.startswith("toner haze removed"), note
    grid = detect_grid(as_page(cleaned, 1, page.dpi), settings)
    [title] = [c for c in grid.cells if c.col == 0 and c.row > 0]  # group 二's, run on from page 1
    lines = next(work.images for work in cell_lines(as_page(cleaned, 1, page.dpi), grid) if work.cell is title)
    assert lines == ()
