"""Ingest: file kinds, bad inputs (each a clear PipelineError), text-layer trust."""

from pathlib import Path

import numpy as np
import pytest
import scangen
from PIL import Image
from reportlab.pdfgen import canvas

from pipeline.errors import CorruptInput, EmptyInput, EncryptedPdf, NotADraft, TooLarge
from pipeline.ingest import detect_kind, load_page, open_document
from pipeline.settings import Settings


def blank_pdf(path: Path, pages: int = 1, encrypt: str | None = None) -> Path:
    c = canvas.Canvas(str(path), encrypt=encrypt)
    for i in range(pages):
        c.drawString(100, 700, f"page {i + 1}")
        c.showPage()
    c.save()
    return path


def test_kinds(tmp_path):
    png = tmp_path / "scan.png"
    Image.new("L", (100, 100), 255).save(png)
    assert detect_kind(png) == "image"
    assert detect_kind(blank_pdf(tmp_path / "a.pdf")) == "pdf"
    txt = tmp_path / "draft.txt"
    txt.write_text("一级指标\t二级指标", encoding="utf-8")
    assert detect_kind(txt) == "text"


@pytest.mark.parametrize(("name", "content", "error", "words"), [
    ("empty.pdf", b"", EmptyInput, "empty"),
    ("notes.docx", b"PK\x03\x04 a zip file", CorruptInput, "damaged"),
    ("fake.pdf", b"hello, I am not a PDF", CorruptInput, "not a PDF"),
    ("binary.txt", b"\xff\xfe\x00\xd8 not utf-8 \x80\x81", NotADraft, "UTF-8"),
])
def test_bad_files_are_named_errors(tmp_path, name, content, error, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error, match=words) as info:
        open_document(path, Settings())
    assert str(path) in str(info.value)


def test_truncated_pdf_is_corrupt(tmp_path):
    good = blank_pdf(tmp_path / "good.pdf", pages=3)
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 3])
    with pytest.raises(CorruptInput, match="damaged or truncated"):
        open_document(cut, Settings())


def test_encrypted_pdf(tmp_path):
    with pytest.raises(EncryptedPdf, match="encrypted"):
        open_document(blank_pdf(tmp_path / "secret.pdf", encrypt="s3cret"), Settings())


def test_too_many_pages(tmp_path):
    with pytest.raises(TooLarge, match="500 pages"):
        open_document(blank_pdf(tmp_path / "huge.pdf", pages=500), Settings())


def test_decompression_bomb_image(tmp_path):
    bomb = tmp_path / "bomb.png"
    Image.new("1", (12_000, 12_000), 1).save(bomb)  # 144 Mpx, a few KB on disk
    with pytest.raises(TooLarge, match="limit"):
        open_document(bomb, Settings())


def test_image_page_keeps_its_dpi(tmp_path):
    png = tmp_path / "scan.png"
    Image.new("L", (1654, 2339), 255).save(png, dpi=(200, 200))
    doc = open_document(png, Settings())
    page = load_page(doc, 0, Settings())
    assert page.dpi == 200 and page.image.shape == (2339, 1654) and page.source == "image"


def test_an_image_scanned_below_the_settings_dpi_is_scaled_up_to_it(tmp_path):
    """A 150-dpi scan saved as an image is read at 200 dpi, as its PDF would be rasterized: the stages
    were measured at 200 (read at its own 150, the held-out Songjiang plan's 150-dpi noisy scan gave
    13 false changes, 4 scaled up). One at 300 dpi is read as it is (test_image_page_keeps_its_dpi)."""
    png = tmp_path / "scan150.png"
    Image.new("L", (1240, 1754), 255).save(png, dpi=(150, 150))
    page = load_page(open_document(png, Settings()), 0, Settings())
    assert page.dpi == 200 and page.image.shape == (2339, 1653)
    high = tmp_path / "scan300.png"
    Image.new("L", (2481, 3508), 255).save(high, dpi=(300, 300))
    page = load_page(open_document(high, Settings()), 0, Settings())
    assert page.dpi == 300 and page.image.shape == (3508, 2481)


def test_born_digital_text_layer_is_trusted(tmp_path, truth_rows):
    draft = scangen.render_draft(truth_rows[:6], tmp_path / "digital.pdf", scangen.VARIANTS["born-digital"])
    page = load_page(open_document(draft.path, Settings()), 0, Settings())
    assert page.source == "text-layer"
    text = "".join(w.text for w in page.words)
    assert truth_rows[0]["二级指标"][:4] in text


def test_garbled_ocr_layer_over_a_scan_is_not_trusted(tmp_path, truth_rows):
    draft = scangen.render_draft(truth_rows[:6], tmp_path / "garbled.pdf", scangen.VARIANTS["garbled-layer"])
    page = load_page(open_document(draft.path, Settings()), 0, Settings())
    assert page.source == "scan" and page.words == ()
    assert "untrusted" in page.note
    assert page.image.dtype == np.uint8 and page.image.shape[0] > 2000  # A4 at 200 dpi


# --- colour: seals and pen marks fade, black ink stays --------------------------------------------

def _marked_page() -> np.ndarray:
    """RGB: black rulings and text strokes, a red seal ring and a blue pen stroke over them, black
    ink under the seal where the two overlap (ink multiplies)."""
    import cv2

    page = np.full((400, 600, 3), 250, np.uint8)
    cv2.line(page, (20, 100), (580, 100), (20, 20, 20), 2)
    cv2.line(page, (300, 20), (300, 380), (20, 20, 20), 2)
    for k in range(6):  # text: most of a page's dark pixels are black ink, the marks a minority
        cv2.putText(page, "black ink text", (20 + 300 * (k % 2), 140 + 45 * (k // 2)), cv2.FONT_HERSHEY_SIMPLEX,
                    1.0, (25, 25, 30), 3)
    seal = np.zeros((400, 600), np.float32)
    cv2.circle(seal, (300, 100), 80, 1.0, 8)
    tint = np.array([205, 40, 40], np.float32) / 255  # RGB red
    page = (page * (1 - 0.9 * seal[..., None] * (1 - tint))).astype(np.uint8)
    cv2.line(page, (50, 300), (550, 260), (35, 70, 170), 3)  # RGB blue pen
    return page


def test_ink_gray_drops_seal_and_pen_keeps_black_ink():
    from pipeline.imaging import ink_gray

    rgb = _marked_page()
    gray = ink_gray(rgb)
    assert gray.shape == rgb.shape[:2] and gray.dtype == np.uint8
    ring, pen = [(44, 356), (44, 244)], (285, 240)  # (row, col) on the seal's ring, on the pen stroke
    assert all(gray[p] >= 240 for p in ring) and gray[pen] >= 240
    assert gray[100, 150] <= 60 and gray[100, 380] <= 60  # the ruling, also where the ring crosses it
    assert gray[30:120, 300].max() <= 60  # the column ruling all along, under the ring too
    plain = np.asarray(Image.fromarray(rgb).convert("L"))
    assert all(plain[p] < 120 for p in ring) and plain[pen] < 120  # plain luminance keeps them as ink


def test_a_page_printed_in_colour_keeps_its_ink():
    """A table printed in blue (most dark pixels coloured) is not erased."""
    from pipeline.imaging import ink_gray

    rgb = np.full((200, 300, 3), 250, np.uint8)
    rgb[50:150:10, 20:280] = (30, 60, 160)
    rgb[50:150, 20:280:20] = (30, 60, 160)
    assert ink_gray(rgb)[50, 100] < 100


def test_colour_image_and_pdf_are_read_without_marks(tmp_path):
    """Both ingest paths (a colour image file, a colour scan inside a PDF) drop the marks."""
    rgb = _marked_page()
    png = tmp_path / "marked.png"
    Image.fromarray(rgb).save(png, dpi=(200, 200))
    pdf = tmp_path / "marked.pdf"
    Image.fromarray(rgb).save(pdf, resolution=200)
    for path, settings in ((png, Settings()), (pdf, Settings(dpi=200))):
        page = load_page(open_document(path, settings), 0, settings)
        assert page.image.shape == (400, 600)
        assert page.image[44, 356] >= 230 and page.image[285, 240] >= 230, path.suffix
        assert page.image[100, 150] <= 80, path.suffix


def test_transparent_png_reads_as_white_paper(tmp_path):
    rgba = np.zeros((100, 100, 4), np.uint8)  # fully transparent black
    rgba[50, :] = (0, 0, 0, 255)  # one opaque black ruling
    png = tmp_path / "clear.png"
    Image.fromarray(rgba, "RGBA").save(png)
    page = load_page(open_document(png, Settings()), 0, Settings())
    ruling = round(50.5 * page.image.shape[0] / 100)  # the page is scaled up to the settings' dpi
    assert page.image[10, 10] == 255 and page.image[ruling, 10] == 0
