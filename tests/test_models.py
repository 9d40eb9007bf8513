import numpy as np
import pytest

from pipeline.models import PageImages, StoredImage


def test_stored_page_images_decode_to_the_same_pixels_and_take_less_memory():
    rng = np.random.default_rng(0)
    page = np.full((600, 400), 255, np.uint8)
    page[100:500:20, 50:350] = rng.integers(0, 80, (20, 300), dtype=np.uint8)  # lines of "text"
    stored = StoredImage.of(page)
    assert len(stored.png) < page.nbytes / 3
    images = PageImages([stored, StoredImage.of(page[:300])])
    assert len(images) == 2
    assert np.array_equal(images[0], page)
    assert np.array_equal(images[-1], page[:300])
    assert [im.shape for im in images] == [(600, 400), (300, 400)]
    with pytest.raises(IndexError):
        images[2]


def test_a_prepared_page_is_read_in_pieces_margin_lines_apart():
    from pipeline.clean import CleanReport
    from pipeline.models import Box, Cell, Grid
    from pipeline.ocr.cells import CellLines
    from pipeline.run import PreparedPage

    line = np.zeros((10, 30), np.uint8)
    cell = Cell(0, 0, 0, 1, 1, Box(0, 0, 10, 10))
    work = tuple(CellLines(cell, (line,) * n, False) for n in (3, 4))
    prepared = PreparedPage(0, "scan", "", StoredImage.of(line), CleanReport(0, 0.0, ""),
                            Grid(0, (0, 10), (0, 10), (cell,)), work, (line, line), (), (), ())
    assert [len(p) for p in prepared.pieces(3)] == [3, 3, 1, 2]
    assert [len(p) for p in prepared.pieces(0)] == [7, 2]
