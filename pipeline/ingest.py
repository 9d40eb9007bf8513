"""Ingest: what kind of file a draft is, and its pages as images (plus a trusted text layer).

A PDF's text layer is used only when it is trustworthy: a born-digital page (text drawn as text,
no page-sized scan image beneath it). Text over a page-sized image is some earlier OCR of unknown
quality (a scanner's or OCRmyPDF's invisible layer), so such pages are OCR'd afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from .errors import CorruptInput, EmptyInput, EncryptedPdf, NotADraft, TooLarge
from .imaging import ink_gray
from .models import Box, Page, Word
from .officeinput import OFFICE_KINDS, OFFICE_SUFFIXES, sniff
from .settings import Settings

PDF_MAGIC = b"%PDF-"
IMAGE_MAGICS: tuple[bytes, ...] = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
TEXT_SUFFIXES = (".txt", ".tsv")
DRAFT_SUFFIXES = (".pdf", *IMAGE_SUFFIXES, *TEXT_SUFFIXES, *OFFICE_SUFFIXES)
#: pdfium's FPDF_ERR_PASSWORD: the document needs a password.
PDFIUM_ERR_PASSWORD = 4
#: An image covering this share of the page makes it a scan (the text on it is someone's OCR).
SCAN_IMAGE_PAGE_SHARE = 0.6
#: A text layer with more than this share of unmapped glyphs ("(cid:123)") cannot be read as text.
MAX_UNMAPPED_GLYPH_SHARE = 0.01
#: Assumed width of a page image in inches when it carries no resolution (A4 portrait).
A4_WIDTH_IN = 8.27
#: A resolution stated in an image file outside this range is a placeholder, not the scan's.
MIN_STATED_DPI = 72
MAX_STATED_DPI = 1200


@dataclass(frozen=True)
class Document:
    """An opened draft: its kind (pdf, image, text) and how many pages it has."""

    path: Path
    kind: str
    page_count: int


def detect_kind(path: Path) -> str:
    """pdf, image, text or an office kind (docx, xlsx, doc, wps, xls, et, odt, ods, rtf, ofd), from
    the file's first bytes (its name may lie)."""
    if not path.is_file():
        raise NotADraft(str(path), "no such file")
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if not head:
        raise EmptyInput(str(path), "the file is empty")
    if head.lstrip(b"\r\n\t \x00").startswith(PDF_MAGIC):
        return "pdf"
    if head.startswith(IMAGE_MAGICS):
        return "image"
    office = sniff(path, head)
    if office is not None:
        return office
    if path.suffix.lower() in TEXT_SUFFIXES:
        from .textinput import decode_extraction

        decode_extraction(path)  # raises NotADraft for bytes that are no text in any encoding
        return "text"
    if path.suffix.lower() == ".pdf":
        raise CorruptInput(str(path), "named .pdf but it is not a PDF (no %PDF header)")
    raise NotADraft(str(path), "not a PDF, a PNG/JPEG/TIFF image, a Word/WPS/Excel file or a text extraction")


def open_document(path: Path, settings: Settings) -> Document:
    """Check that the draft can be read at all, and count its pages; raise a PipelineError if not."""
    kind = detect_kind(path)
    if kind == "text":
        return Document(path, kind, 1)
    if kind in (*OFFICE_KINDS, "ofd"):
        return Document(path, kind, 1)  # its tables are counted when it is read
    if kind == "image":
        return Document(path, kind, len(_open_image_frames(path, settings)))
    pdf = _open_pdf(path)
    try:
        count = len(pdf)
    finally:
        pdf.close()
    if count == 0:
        raise EmptyInput(str(path), "the PDF has no pages")
    if count > settings.max_pages:
        raise TooLarge(str(path), f"{count} pages is more than the limit of {settings.max_pages} (--max-pages)")
    return Document(path, kind, count)


def load_page(doc: Document, index: int, settings: Settings) -> Page:
    """Page `index` as a grayscale image at the settings' dpi, with its text layer if trusted."""
    if doc.kind == "image":
        frame = _open_image_frames(doc.path, settings)[index]
        image, dpi = scaled_to(frame.image, frame.dpi, settings.dpi)
        return Page(index=index, image=image, dpi=dpi, source="image")
    pdf = _open_pdf(doc.path)
    try:
        page = pdf[index]
        # In colour, so that seals and pen marks can drop out (ink_gray); RGB byte order.
        bitmap = page.render(scale=settings.dpi / 72, rev_byteorder=True)
        image = ink_gray(bitmap.to_numpy().reshape(bitmap.height, bitmap.width, -1))
    except Exception as exc:  # pdfium raises bare errors for damaged page content
        raise CorruptInput(str(doc.path), f"page {index + 1} cannot be rendered: {exc}") from exc
    finally:
        pdf.close()
    words, note = _trusted_text_layer(doc.path, index, settings.dpi)
    if words:
        return Page(index=index, image=image, dpi=settings.dpi, source="text-layer", words=words, note=note)
    return Page(index=index, image=image, dpi=settings.dpi, source="scan", note=note)


def scaled_to(image: np.ndarray, dpi: int, least_dpi: int) -> tuple[np.ndarray, int]:
    """An image page scanned at less than `least_dpi`, scaled up to it, as a PDF page is rasterized at
    it; one at `least_dpi` or more as it is. The stages were measured on pages at 200 dpi. make eval's
    three 150-dpi noisy scans (Qingpu and the held-out Songjiang and Jiading), saved as TIFFs at their
    own 150 dpi, gave 2 / 13 / 1 false diff changes read as they are (Songjiang 一级 71.4%); scaled up
    by area 3 / 4 / 0 (一级 100%), bilinear 2 / 6 / 2, bicubic 1 / 4 / 7 (Jiading 一级 81.8%); their PDFs
    rasterized at 200 by pdfium give 0 / 2 / 2."""
    if dpi >= least_dpi:
        return image, dpi
    scale = least_dpi / dpi
    size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), least_dpi


def _open_pdf(path: Path):  # -> pypdfium2.PdfDocument
    import pypdfium2

    try:
        return pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        if getattr(exc, "err_code", None) == PDFIUM_ERR_PASSWORD:
            raise EncryptedPdf(str(path), "the PDF is encrypted; save an unprotected copy and retry") from None
        raise CorruptInput(str(path), f"the PDF is damaged or truncated ({exc})") from None


@dataclass(frozen=True, eq=False)
class _Frame:
    image: np.ndarray
    dpi: int


def _open_image_frames(path: Path, settings: Settings) -> list[_Frame]:
    Image.MAX_IMAGE_PIXELS = settings.max_image_pixels
    try:
        with Image.open(path) as img:
            frames = []
            for i in range(getattr(img, "n_frames", 1)):
                if i >= settings.max_pages:
                    raise TooLarge(str(path), f"more than {settings.max_pages} frames")
                img.seek(i)
                if img.width * img.height > settings.max_image_pixels:
                    raise TooLarge(str(path), f"image of {img.width}x{img.height} px is over the limit")
                frames.append(_Frame(_gray_frame(img), _image_dpi(img)))
            return frames
    except Image.DecompressionBombError:
        raise TooLarge(str(path), "image is over the decompression-bomb limit") from None
    except (OSError, SyntaxError) as exc:
        raise CorruptInput(str(path), f"the image is damaged or truncated ({exc})") from None


#: Image modes that carry no colour: converted to 8-bit gray as they are.
GRAY_MODES = ("1", "L", "I", "I;16", "I;16B", "I;16L", "F")


def _gray_frame(img: Image.Image) -> np.ndarray:
    """The frame in 8-bit gray; a colour frame through ink_gray (seals and pen marks fade), a
    transparent one laid on white paper first (its transparent pixels would read as black)."""
    if img.mode in GRAY_MODES:
        return np.asarray(img.convert("L"))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(paper, rgba)
    return ink_gray(np.asarray(img.convert("RGB")))


def _image_dpi(img: Image.Image) -> int:
    """The image's stated dpi, or the dpi at which it would be an A4 page."""
    stated = img.info.get("dpi")
    if stated and MIN_STATED_DPI <= float(stated[0]) <= MAX_STATED_DPI:
        return round(float(stated[0]))
    short_side = min(img.width, img.height)
    return max(72, round(short_side / A4_WIDTH_IN))


def _trusted_text_layer(path: Path, index: int, dpi: int) -> tuple[tuple[Word, ...], str]:
    """The page's characters in pixel coordinates if its text layer is trustworthy, and why not if not."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        page = pdf.pages[index]
        chars = [c for c in page.chars if c.get("text", "").strip()]
        if not chars:
            return (), "no text layer: OCR"
        page_area = float(page.width * page.height) or 1.0
        covering = [
            im for im in page.images
            if (im["x1"] - im["x0"]) * (im["bottom"] - im["top"]) / page_area >= SCAN_IMAGE_PAGE_SHARE
        ]
        if covering:
            return (), "text layer over a scan image (earlier OCR, untrusted): OCR"
        unmapped = sum(1 for c in chars if c["text"].startswith("(cid:"))
        if unmapped / len(chars) > MAX_UNMAPPED_GLYPH_SHARE:
            return (), "text layer has unmapped glyphs: OCR"
        scale = dpi / 72
        words = tuple(
            Word(c["text"], Box(round(c["x0"] * scale), round(c["top"] * scale),
                                round(c["x1"] * scale), round(c["bottom"] * scale)))
            for c in chars
        )
        return words, "born-digital text layer: used as is"
