import numpy as np
import pytest
from conftest import as_page
from PIL import Image, ImageDraw, ImageFont

from pipeline.clean import clean_page
from pipeline.grid import detect_grid
from pipeline.ocr import get_engine, read_cells
from pipeline.ocr.cells import cut_lines, merge_bands, stitch_lines
from pipeline.settings import Settings

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def text_image(lines: list[str], size: int = 28) -> np.ndarray:
    font = ImageFont.truetype(FONT, size)
    img = Image.new("L", (40 + size * max(len(t) for t in lines), 20 + int(size * 1.4) * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((20, 10 + i * int(size * 1.4)), line, font=font, fill=0)
    return np.asarray(img)


def test_merge_bands_joins_strokes_of_one_character_but_not_two_lines():
    # 三 as three stroke bands, then a second line below
    bands = [(0, 3), (12, 15), (24, 28), (40, 68)]
    assert merge_bands(bands, max_height=42) == [(0, 28), (40, 68)]


def test_cut_lines_finds_each_line_including_sparse_ones():
    lines = cut_lines(text_image(["三", "二一", "健全学校"]), char_height=28)
    assert len(lines) == 3


def test_cut_lines_of_blank_cell_is_empty():
    assert cut_lines(np.full((80, 200), 255, np.uint8), char_height=28) == []


def test_stitched_lines_read_as_one_title():
    image = text_image(["健全学", "校安全", "教育机制"])
    stitched = stitch_lines(cut_lines(image, 28), 28)
    assert stitched.shape[1] > stitched.shape[0] * 5  # ten characters side by side
    (line,) = get_engine(Settings(engine="rapid")).read_lines([stitched])
    assert line.text.replace(" ", "") == "健全学校安全教育机制"
    assert line.confidence > 0.8


@pytest.mark.parametrize("engine", ["rapid", "tesseract"])
def test_engines_read_line_images(engine):
    images = [cut_lines(text_image([t]), 28)[0] for t in ("区卫生健康委", "公安青浦分局")]
    read = get_engine(Settings(engine=engine)).read_lines(images)
    assert [r.text.replace(" ", "") for r in read] == ["区卫生健康委", "公安青浦分局"]


def test_read_cells_on_a_generated_page(sample_images, truth_rows):
    settings = Settings()
    page, _ = clean_page(as_page(sample_images[0]), settings, get_engine(settings))
    grid = detect_grid(page, settings)
    texts = read_cells(page, grid, get_engine(settings), settings)
    assert len(texts) == len(grid.cells)
    requirement = {t.text.replace("\n", "")[:20] for t in texts if t.cell.col == 2}
    assert truth_rows[0]["工作要求"][:20] in requirement
    assert all(0.0 <= t.confidence <= 1.0 for t in texts)
