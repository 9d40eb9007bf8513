"""tests/wordscan.py: a table laid out by LibreOffice from a Word file, the renderer make eval's
document/word-recipe cases are drawn by (not scangen)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import officegen
import pdfplumber
import pytest
import scangen
import wordscan
from docx.oxml.ns import qn

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


def _docx_parts(path: Path) -> tuple[bytes, bytes]:
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml"), z.read("word/styles.xml")


def test_the_plain_style_writes_the_document_written_without_a_style(tmp_path):
    rows = scangen.load_truth(MINHANG_CSV)
    default = officegen.write_docx(rows, tmp_path / "default.docx", a4=True, faces=wordscan.FACES)
    plain = officegen.write_docx(rows, tmp_path / "plain.docx", a4=True, faces=wordscan.FACES,
                                 style=officegen.WORD_STYLES["plain"])
    assert _docx_parts(default) == _docx_parts(plain)
    assert b"vAlign" not in _docx_parts(plain)[0] and b'w:lineRule="exact"' not in _docx_parts(plain)[1]


def test_the_14pt_style_sets_the_body_at_14_pt_with_exact_28_pt_lines_in_uming(tmp_path):
    path = officegen.write_docx(scangen.load_truth(MINHANG_CSV)[:4], tmp_path / "s.docx",
                                style=officegen.WORD_STYLES["14pt"])
    normal = docx.Document(str(path)).styles["Normal"].element.xml
    assert '<w:sz w:val="28"/>' in normal
    assert 'w:line="560"' in normal and 'w:lineRule="exact"' in normal
    assert 'w:eastAsia="AR PL UMing CN"' in normal


def test_the_numbered_style_puts_the_item_number_in_a_first_column_merged_down_its_rows(tmp_path):
    rows = scangen.load_truth(MINHANG_CSV)
    path = officegen.write_docx(rows, tmp_path / "s.docx", style=officegen.WORD_STYLES["numbered"])
    (table,) = docx.Document(str(path)).tables
    assert len(table.columns) == 6
    assert [table.cell(0, c).text for c in range(6)] == ["序号", *officegen.HEADERS]
    assert table.cell(1, 2).text == rows[0]["二级指标"]  # no "1." prefix: the number has its column
    assert [table.cell(1 + i, 0).text for i in range(len(rows))] == [r["序号"] for r in rows]
    widths = [table.cell(0, c).width.cm for c in range(6)]
    assert widths[0] == pytest.approx(officegen.SEQ_WIDTH_CM, abs=0.01)
    assert sum(widths) == pytest.approx(sum(officegen.WIDTHS_CM), abs=0.01)
    merged_rows = sum(1 for r in range(2, len(rows) + 1) if table.cell(r, 0)._tc is table.cell(r - 1, 0)._tc)
    assert merged_rows == len(rows) - len({r["序号"] for r in rows}) > 0


def test_the_centered_style_centres_every_cell_across_and_down(tmp_path):
    path = officegen.write_docx(scangen.load_truth(MINHANG_CSV), tmp_path / "s.docx",
                                style=officegen.WORD_STYLES["centered"])
    tbl = docx.Document(str(path)).tables[0]._tbl
    cells = list(tbl.iter(qn("w:tc")))
    assert cells and all(tc.tcPr.find(qn("w:vAlign")).get(qn("w:val")) == "center" for tc in cells)
    paragraphs = list(tbl.iter(qn("w:p")))
    assert all(p.pPr.find(qn("w:jc")).get(qn("w:val")) == "center" for p in paragraphs)


def test_make_eval_s_numbered_word_case_is_a_clean_300_dpi_scan_scored_on_the_truth_s_rows(tmp_path):
    from eval_suite import prepare_cases

    (case,) = prepare_cases(["minhang/word-numbered"], tmp_path)
    assert case.scan_dpi == wordscan.SCAN_DPI
    assert [r.no for r in case.truth.rows] == [r["序号"] for r in scangen.load_truth(MINHANG_CSV)]
    with pdfplumber.open(case.path) as document:
        assert len(document.pages) == case.pages > 0
        assert all((round(p.width), round(p.height)) == A4 for p in document.pages)
        assert not any(p.chars for p in document.pages)
        assert all(len(p.images) == 1 for p in document.pages)
