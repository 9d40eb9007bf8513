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
    ("notes.docx", b"PK\x03\x04 a zip file", NotADraft, "not a PDF"),
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
