import cv2
import numpy as np
import pytest
import scangen
from conftest import as_page

from pipeline.clean import clean_page, estimate_skew
from pipeline.ocr import get_engine
from pipeline.orient import decide_orientation
from pipeline.settings import Settings


def rotate(image: np.ndarray, degrees: float) -> np.ndarray:
    h, w = image.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), borderValue=255)


@pytest.mark.parametrize("degrees", [-2.0, -0.7, 0.0, 1.2, 2.0])
def test_estimate_skew_measures_the_rotation(clean_images, degrees):
    skew = estimate_skew(rotate(clean_images[0], degrees))
    assert skew is not None
    assert skew == pytest.approx(-degrees, abs=0.1)


def test_clean_page_straightens_rulings(clean_images, engine):
    page, report = clean_page(as_page(rotate(clean_images[1], 1.5)), Settings(), engine)
    assert report.skew_deg == pytest.approx(-1.5, abs=0.1)
    assert abs(estimate_skew(page.image)) < 0.1


@pytest.fixture(scope="module")
def engine():
    return get_engine(Settings())


@pytest.mark.parametrize(("turn", "expected"), [
    (None, 0), (cv2.ROTATE_180, 180), (cv2.ROTATE_90_CLOCKWISE, 270), (cv2.ROTATE_90_COUNTERCLOCKWISE, 90),
])
def test_reading_finds_the_turn(clean_images, engine, turn, expected):
    image = clean_images[0] if turn is None else cv2.rotate(clean_images[0], turn)
    decision = decide_orientation(image, engine)
    assert decision.rotation == expected and not decision.weak, decision.evidence


def test_clean_page_turns_an_upside_down_page_upright(clean_images, engine):
    page, report = clean_page(as_page(cv2.rotate(clean_images[2], cv2.ROTATE_180)), Settings(), engine)
    assert report.rotation == 180 and not report.orientation_weak
    assert np.mean(np.abs(page.image.astype(int) - clean_images[2].astype(int))) < 3


def test_a_page_without_header_starting_mid_row_is_read_upright(truth_rows, engine):
    """The old column-width rule turned such pages over; reading does not care about columns."""
    rows = scangen.long_row_variant(truth_rows)
    pages = [np.asarray(im.convert("L")) for im in scangen.render_pages(rows, scangen.ScanStyle(dpi=150))]
    for page in pages[1:]:  # none has a header; one holds nothing but a row's continuation
        for turn, expected in ((None, 0), (cv2.ROTATE_180, 180)):
            image = page if turn is None else cv2.rotate(page, turn)
            _, report = clean_page(as_page(image, dpi=150), Settings(), engine)
            assert report.rotation == expected, report.evidence


def test_orientation_with_tesseract_too(clean_images):
    tesseract = get_engine(Settings(engine="tesseract"))
    decision = decide_orientation(cv2.rotate(clean_images[1], cv2.ROTATE_90_CLOCKWISE), tesseract)
    assert decision.rotation == 270 and "tesseract" in decision.evidence


def test_a_scanned_page_needs_an_engine(clean_images):
    with pytest.raises(ValueError, match="engine"):
        clean_page(as_page(clean_images[0]), Settings(), None)


def test_text_layer_pages_are_left_alone(clean_images):
    from dataclasses import replace

    page = replace(as_page(clean_images[0]), source="text-layer")
    cleaned, report = clean_page(page, Settings(), None)
    assert cleaned is page and report.rotation == 0


def landscape_table(dpi: int = 150) -> np.ndarray:
    """An A4 landscape page holding a wide ruled table of horizontal text (drawn with PIL)."""
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("L", (int(11.69 * dpi), int(8.27 * dpi)), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", int(dpi * 10.5 / 72))
    xs = [int(dpi * x) for x in (0.8, 1.3, 6.8, 8.6, 10.8)]
    row_h = int(dpi * 0.7)
    texts = ["序号", "工作任务", "牵头单位", "配合单位"]
    for r in range(8):
        y = int(dpi * 1.2) + r * row_h
        for c, x in enumerate(xs[:-1]):
            body = "加强防汛防台应急管理能力建设工作"[: 4 + 8 * (c == 1)]
            text = texts[c] if r == 0 else (str(r) if c == 0 else body)
            draw.text((x + 8, y + row_h // 3), text, font=font, fill=0)
    for r in range(9):
        y = int(dpi * 1.2) + r * row_h
        draw.line([(xs[0], y), (xs[-1], y)], fill=0, width=2)
    for x in xs:
        draw.line([(x, int(dpi * 1.2)), (x, int(dpi * 1.2) + 8 * row_h)], fill=0, width=2)
    return np.asarray(page)


@pytest.mark.parametrize(("turn", "expected"), [
    (None, 0), (cv2.ROTATE_180, 180), (cv2.ROTATE_90_CLOCKWISE, 270), (cv2.ROTATE_90_COUNTERCLOCKWISE, 90),
])
def test_a_landscape_table_stays_landscape(engine, turn, expected):
    """A4 landscape with the wide column on the left (the column-width rule called it upside down)."""
    image = landscape_table() if turn is None else cv2.rotate(landscape_table(), turn)
    page, report = clean_page(as_page(image, dpi=150), Settings(), engine)
    assert report.rotation == expected, report.evidence
    assert page.image.shape[1] > page.image.shape[0]
    assert "mean confidence" in report.evidence


def test_a_blank_page_is_kept_as_scanned_weak_and_says_why(engine):
    _, report = clean_page(as_page(np.full((1600, 1200), 250, np.uint8)), Settings(), engine)
    assert report.rotation == 0 and report.orientation_weak and "no text line" in report.evidence


def test_lines_stacked_down_a_photographed_page_do_not_turn_it(engine, tmp_path):
    """A phone photo of the held-out Jiading plan (tests/degrade.py's phone-photo, augraphy and OpenCV,
    at seed 16, page 2, through its PDF as a run reads it): the first characters of a cell's tightly
    set lines joined into vertical "lines" longer than the text lines, the first three lines read were
    all of them, and the upright page was turned 270° (the text lines never read) and lost. A line of
    the other direction is read in the first round too: the page is kept upright."""
    from pathlib import Path

    import degrade

    from pipeline.ingest import load_page, open_document

    csv = Path(__file__).resolve().parent / "data" / "jiading_elderly_v1.csv"
    title = "《嘉定区推进养老服务体系建设的实施方案》职责分工"
    draft = degrade.render_degraded(scangen.load_truth(csv), tmp_path / "photo.pdf", "phone-photo",
                                    scangen.VARIANTS["clean-300"], 16, title, only=[1])
    settings = Settings()
    page = load_page(open_document(Path(draft.path), settings), 0, settings)
    decision = decide_orientation(page.image, engine.quick())
    assert decision.rotation == 0, decision.evidence
