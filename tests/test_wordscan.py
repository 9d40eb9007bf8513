"""tests/wordscan.py: a table laid out by LibreOffice from a Word file, the renderer make eval's
document/word-recipe cases are drawn by (not scangen)."""

from __future__ import annotations

import re
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


SONGJIANG_CSV = MINHANG_CSV.with_name("songjiang_flood_v1.csv")
FENGXIAN_CSV = MINHANG_CSV.with_name("fengxian_health_v1.csv")


def _rows_xml(table) -> list:
    return table._tbl.findall(qn("w:tr"))


def _cells_xml(tr) -> list:
    return tr.findall(qn("w:tc"))


def _vmerge(tc) -> str | None:
    """'restart', 'continue' or None (a cell merged down from above has w:vMerge without a value)."""
    found = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
    return None if found is None else found.get(qn("w:val")) or "continue"


def _text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def _repeats(tr) -> bool:
    return tr.trPr is not None and tr.trPr.find(qn("w:tblHeader")) is not None


def test_the_two_row_header_style_puts_responsible_over_lead_and_support_both_rows_repeated(tmp_path):
    rows = scangen.load_truth(SONGJIANG_CSV)
    path = officegen.write_docx(rows, tmp_path / "s.docx", style=officegen.WORD_STYLES["two-row-header"])
    (table,) = docx.Document(str(path)).tables
    first, second, *body = _rows_xml(table)
    assert _repeats(first) and _repeats(second) and not any(_repeats(tr) for tr in body)
    top, under = _cells_xml(first), _cells_xml(second)
    assert [_text(tc) for tc in top] == [*officegen.HEADERS[:3], "责任单位"]
    assert [_vmerge(tc) for tc in top[:3]] == ["restart"] * 3 and [_vmerge(tc) for tc in under[:3]] == ["continue"] * 3
    assert top[3].tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "2"
    assert [_text(tc) for tc in under] == ["", "", "", "牵头单位", "配合单位"]
    assert len(body) == len(rows) and table.cell(2, 1).text == f"1.{rows[0]['二级指标']}"
    assert [table.cell(2 + i, 2).text for i in range(len(rows))] == [r["工作要求"] for r in rows]
    assert [table.cell(2 + i, 3).text for i in range(len(rows))] == [r["牵头单位"] for r in rows]


def _shared_with_previous(rows, column: str) -> list[bool]:
    return [i > 0 and bool(r[column]) and r[column] == rows[i - 1][column] for i, r in enumerate(rows)]


@pytest.mark.parametrize("csv", [SONGJIANG_CSV, FENGXIAN_CSV], ids=["songjiang", "fengxian"])
def test_the_merged_agencies_style_merges_an_agency_down_exactly_the_rows_that_share_it(tmp_path, csv):
    rows = scangen.load_truth(csv)
    path = officegen.write_docx(rows, tmp_path / "s.docx", style=officegen.WORD_STYLES["merged-agencies"])
    (table,) = docx.Document(str(path)).tables
    body = [_cells_xml(tr) for tr in _rows_xml(table)[1:]]
    assert len(body) == len(rows)
    for c, column in ((3, "牵头单位"), (4, "配合单位")):
        shared = _shared_with_previous(rows, column)
        expected = ["continue" if shared[i] else "restart" if i + 1 < len(rows) and shared[i + 1] else None
                    for i in range(len(rows))]
        assert [_vmerge(cells[c]) for cells in body] == expected, column
        written = ["" if s else r[column] for r, s in zip(rows, shared, strict=True)]  # the name once
        assert [_text(cells[c]) for cells in body] == written
        assert [table.cell(1 + i, c).text for i in range(len(rows))] == [r[column] for r in rows]
    assert sum(_shared_with_previous(rows, "牵头单位")) >= 2  # the CSV has such rows: the style shows them
    assert [table.cell(1 + i, 0).text for i in range(len(rows))] == [r["一级指标"] for r in rows]
    assert [table.cell(1 + i, 2).text for i in range(len(rows))] == [r["工作要求"] for r in rows]


def test_the_split_table_style_cuts_the_table_at_its_middle_row_the_second_with_its_header(tmp_path):
    rows = scangen.load_truth(FENGXIAN_CSV)
    path = officegen.write_docx(rows, tmp_path / "s.docx", style=officegen.WORD_STYLES["split-table"])
    body = docx.Document(str(path)).element.body
    first, second = body.findall(qn("w:tbl"))
    half = len(rows) // 2
    for tbl, part in ((first, rows[:half]), (second, rows[half:])):
        header, *data = tbl.findall(qn("w:tr"))
        assert _repeats(header) and [_text(tc) for tc in _cells_xml(header)] == list(officegen.HEADERS)
        assert [_text(_cells_xml(tr)[2]) for tr in data] == [r["工作要求"] for r in part]


def test_a_split_table_takes_the_style_s_other_structures_in_both_parts(tmp_path):
    rows = scangen.load_truth(SONGJIANG_CSV)  # leads shared by rows on each side of the cut
    style = officegen.WordStyle(two_row_header=True, merge_agencies=True, split_at_half=True, centered=True)
    path = officegen.write_docx(rows, tmp_path / "s.docx", style=style)
    tables = docx.Document(str(path)).tables
    assert len(tables) == 2
    for table in tables:
        first, second, *_ = _rows_xml(table)
        assert _repeats(first) and _repeats(second) and _text(_cells_xml(first)[3]) == "责任单位"
        assert any(_vmerge(cells[3]) == "continue" for cells in map(_cells_xml, _rows_xml(table)[2:]))
        assert all(tc.tcPr.find(qn("w:vAlign")) is not None for tc in table._tbl.iter(qn("w:tc")))


def test_the_no_numbers_style_prints_no_item_number_anywhere(tmp_path):
    rows = scangen.load_truth(SONGJIANG_CSV)
    path = officegen.write_docx(rows, tmp_path / "s.docx", style=officegen.WORD_STYLES["no-numbers"])
    (table,) = docx.Document(str(path)).tables
    assert [table.cell(0, c).text for c in range(len(table.columns))] == list(officegen.HEADERS)
    level2 = [table.cell(1 + i, 1).text for i in range(len(rows))]
    assert level2 == [r["二级指标"] for r in rows]
    assert not any(re.match(r"\d+\.", text) for text in level2)
    with pytest.raises(ValueError, match="item_numbers"):
        officegen.WordStyle(numbered=True, item_numbers=False)


def test_make_eval_draws_each_structure_style_for_its_documents_on_the_truth_s_rows(tmp_path, monkeypatch):
    import eval_suite

    names = eval_suite.held_out_names()
    styled = [n for n in names if n.split("/")[1].removeprefix("word-") in eval_suite.WORD_STYLE_CASES]
    assert styled == ["minhang/word-14pt", "minhang/word-numbered", "minhang/word-centered", "putuo/word-14pt",
                      "putuo/word-numbered", "putuo/word-centered", "songjiang/word-two-row-header",
                      "putuo/word-two-row-header", "songjiang/word-merged-agencies", "fengxian/word-merged-agencies",
                      "fengxian/word-split-table", "putuo/word-split-table", "songjiang/word-no-numbers"]
    drawn = []

    def render(rows, path, recipe, title, style_name="plain"):  # no LibreOffice: what is drawn, and how
        drawn.append((recipe, style_name))
        return wordscan.degrade.DegradedDraft(path, 1, tuple(rows), recipe, wordscan.SCAN_DPI)

    monkeypatch.setattr(wordscan, "render_word_scan", render)
    no_numbers, split = eval_suite.prepare_cases(["songjiang/word-no-numbers", "putuo/word-split-table"], tmp_path)
    assert drawn == [(wordscan.CLEAN, "no-numbers"), (wordscan.CLEAN, "split-table")]
    truth = scangen.load_truth(SONGJIANG_CSV)
    # nothing prints 序号, but the pipeline numbers unnumbered items in order, as the truth does
    assert [r.no for r in no_numbers.truth.rows] == [r["序号"] for r in truth]
    assert [r.level2 for r in no_numbers.truth.rows] == [r["二级指标"] for r in truth]
    assert [r.no for r in split.truth.rows] == [r["序号"] for r in scangen.load_truth(MINHANG_CSV.with_name(
        "putuo_safety_v1.csv"))]
