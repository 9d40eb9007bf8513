import cv2
import numpy as np
from conftest import as_page

from pipeline.grid import cluster_positions, detect_grid, draw_grid, estimate_char_height
from pipeline.imaging import ink_mask
from pipeline.models import Box
from pipeline.ocr import get_engine
from pipeline.settings import Settings


def ruled_table() -> np.ndarray:
    """A 4-row x 3-column table; column 0 merged over rows 1-3, column 2 over rows 2-3."""
    img = np.full((800, 1000), 255, np.uint8)
    xs, ys = [100, 250, 600, 900], [100, 200, 350, 500, 700]
    for x in xs:
        cv2.line(img, (x, ys[0]), (x, ys[-1]), 0, 2)
    cv2.line(img, (xs[0], ys[0]), (xs[-1], ys[0]), 0, 2)
    cv2.line(img, (xs[0], ys[1]), (xs[-1], ys[1]), 0, 2)
    cv2.line(img, (xs[1], ys[2]), (xs[-1], ys[2]), 0, 2)  # col 0 merged below row 1
    cv2.line(img, (xs[1], ys[3]), (xs[2], ys[3]), 0, 2)  # col 2 merged over rows 2-3
    cv2.line(img, (xs[0], ys[4]), (xs[-1], ys[4]), 0, 2)
    return img


def test_detect_grid_finds_lines_and_merged_cells():
    grid = detect_grid(as_page(ruled_table()), Settings())
    assert len(grid.col_lines) == 4 and len(grid.row_lines) == 5
    spans = {(c.row, c.col): (c.row_span, c.col_span) for c in grid.cells}
    assert spans[(1, 0)] == (3, 1)
    assert spans[(2, 2)] == (2, 1)
    assert spans[(0, 1)] == (1, 1)
    assert len(grid.cells) == 3 + 1 + 3 + 2  # header, merged col 0, col 1 rows 1-3, col 2 row 1 + rows 2-3
    assert grid.cell_at(3, 0) == grid.cell_at(1, 0)


def test_page_without_rulings_has_an_empty_grid():
    img = np.full((600, 500), 255, np.uint8)
    cv2.putText(img, "no table here", (50, 300), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    assert detect_grid(as_page(img), Settings()).cells == ()


def test_char_height_scales_with_dpi(clean_images):
    height = estimate_char_height(ink_mask(clean_images[0]), 200)
    assert 22 <= height <= 34  # 10.5 pt at 200 dpi is 29 px


def test_cluster_positions_merges_close_segments():
    segments = (Box(0, 99, 500, 101), Box(600, 102, 900, 104), Box(0, 300, 900, 302))
    assert cluster_positions(segments, horizontal=True, tolerance=5) == (101, 301)  # weighted by length


def test_generated_page_has_five_columns_and_merged_titles(sample_images):
    from pipeline.clean import clean_page

    page, _ = clean_page(as_page(sample_images[0]), Settings(), get_engine(Settings()))
    grid = detect_grid(page, Settings())
    assert len(grid.col_lines) == 6
    level1 = [c for c in grid.cells if c.col == 0 and c.row > 0]
    assert level1 and max(c.row_span for c in level1) >= 4  # 一级 merged over its items
    assert all(c.col_span == 1 for c in grid.cells)


def test_draw_grid_marks_cells():
    page = as_page(ruled_table())
    drawn = draw_grid(page, detect_grid(page, Settings()))
    assert drawn.shape == (*page.image.shape, 3)
    assert np.any(np.all(drawn == (0, 0, 255), axis=2))
