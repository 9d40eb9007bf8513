"""tests/wordscan.py: a table laid out by LibreOffice from a Word file, the renderer make eval's
document/word-recipe cases are drawn by (not scangen)."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
import scangen
import wordscan

MINHANG_CSV = Path(__file__).resolve().parent / "data" / "minhang_waste_v1.csv"
TITLE = "《闵行区生活垃圾分类和资源化利用三年行动方案（2027—2029年）》任务分工"
#: A4 in points, as pdfplumber gives a page's size.
A4 = (595, 842)


def test_the_printed_table_is_libreoffice_s_on_a4_with_the_title_and_every_item(tmp_path):
    rows = scangen.load_truth(MINHANG_CSV)
    pdf = wordscan.printed_pdf(rows, tmp_path, TITLE)
    with pdfplumber.open(pdf) as document:
        assert len(document.pages) >= 4
        assert all((round(p.width), round(p.height)) == A4 for p in document.pages)
        text = "".join((p.extract_text() or "") for p in document.pages).replace("\n", "")
        assert "LibreOffice" in str(document.metadata.get("Producer", ""))
    assert TITLE in text
    assert all(f"{r['序号']}.{r['二级指标']}"[:6] in text for r in rows)


def test_a_scan_of_it_is_one_image_per_page_at_the_recipe_s_dpi(tmp_path):
    rows = scangen.load_truth(MINHANG_CSV)[:6]
    draft = wordscan.render_word_scan(rows, tmp_path / "fax.pdf", "fax", TITLE)
    assert (draft.pages, draft.dpi) == (1, 200)
    with pdfplumber.open(draft.path) as document:
        assert len(document.pages) == 1
        assert not document.pages[0].chars  # a scan: no text layer
        assert len(document.pages[0].images) == 1


def test_a_recipe_that_needs_scangen_s_cell_boxes_is_refused(tmp_path):
    with pytest.raises(ValueError, match="seal-pen"):
        wordscan.render_word_scan(scangen.load_truth(MINHANG_CSV)[:2], tmp_path / "x.pdf", "seal-pen", TITLE)
