"""The synthetic scan generator draws what the truth says, the way the real draft is laid out.

The evaluation suite trusts these scans as ground truth, so a generator that drops a row, wraps
an agency wrongly or leaks a text layer would silently corrupt every score built on it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scangen
from scangen import (
    HEADERS,
    VARIANTS,
    RenderedDraft,
    ScanStyle,
    layout_table,
    load_truth,
    long_draft_rows,
    long_row_variant,
    render_draft,
    render_pages,
    text_width,
    wrap,
)

A4 = (595.276, 841.89)


@pytest.fixture(scope="module")
def truth() -> list[dict[str, str]]:
    return load_truth()


@pytest.fixture(scope="module")
def sample_pdf(truth: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> RenderedDraft:
    return render_draft(truth, tmp_path_factory.mktemp("scan") / "sample.pdf", VARIANTS["sample"])


@pytest.fixture(scope="module")
def born_digital(truth: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> RenderedDraft:
    return render_draft(truth, tmp_path_factory.mktemp("vec") / "born.pdf", VARIANTS["born-digital"])


def _agencies(rows: list[dict[str, str]], column: str) -> set[str]:
    return {name for r in rows for name in r[column].split("、") if name}


def test_truth_loads_without_nan(truth: list[dict[str, str]]) -> None:
    assert len(truth) == 33
    assert truth[0]["序号"] == "1" and truth[-1]["序号"] == "26"
    assert all(isinstance(v, str) for r in truth for v in r.values())
    assert truth[13]["配合单位"] == ""


def test_image_only_pdf_has_no_text_and_a4_pages(sample_pdf: RenderedDraft, truth: list) -> None:
    assert sample_pdf.pages > 1
    assert sample_pdf.rows == tuple(truth)
    with pdfplumber.open(sample_pdf.path) as pdf:
        assert len(pdf.pages) == sample_pdf.pages
        for page in pdf.pages:
            assert page.chars == []
            assert (page.width, page.height) == pytest.approx(A4, abs=0.5)
            assert len(page.images) == 1
            img = page.images[0]
            assert img["srcsize"] == (1654, 2339)  # A4 at 200 dpi


def test_born_digital_text_layer_has_every_requirement_and_agency(
    born_digital: RenderedDraft, truth: list[dict[str, str]]
) -> None:
    layout = layout_table(truth, VARIANTS["born-digital"])
    xs = layout.column_x
    columns = {name: "" for name in HEADERS}
    page_text = ""
    with pdfplumber.open(born_digital.path) as pdf:
        assert len(pdf.pages) == born_digital.pages == len(layout.pages)
        for page, drawn in zip(pdf.pages, layout.pages, strict=True):
            page_text += page.extract_text() or ""
            body_top = max(b.y1 for b in drawn.boxes if not b.item)  # below title and header row
            for c, name in enumerate(HEADERS):
                strip = page.within_bbox((xs[c], body_top, xs[c + 1], page.height))
                columns[name] += (strip.extract_text() or "").replace("\n", "").replace(" ", "")
    for row in truth:
        assert row["工作要求"][:10] in page_text
        # whole requirement, even when the row was split over a page break
        assert row["工作要求"] in columns["工作要求"]
    for column in ("牵头单位", "配合单位"):
        for name in _agencies(truth, column):
            # narrow columns wrap mid-name (区卫/生健康委); read column-wise they join again
            assert name in columns[column], name
    assert truth[0]["二级指标"] in columns["二级指标"]


def test_same_seed_same_pixels_other_seed_differs(truth: list[dict[str, str]]) -> None:
    rows = truth[:5]
    style = VARIANTS["sample"]
    a = render_pages(rows, style)
    b = render_pages(rows, style)
    assert len(a) == len(b) == 1
    assert a[0].tobytes() == b[0].tobytes()
    c = render_pages(rows, ScanStyle(**{**style.__dict__, "seed": 1}))
    assert a[0].tobytes() != c[0].tobytes()


def test_vertical_level1_column_is_one_character(truth: list[dict[str, str]]) -> None:
    default = layout_table(truth, ScanStyle())
    vertical = layout_table(truth, VARIANTS["vertical-level1"])
    assert vertical.column_widths[0] < 0.5 * default.column_widths[0]
    x0, x1 = vertical.column_x[0], vertical.column_x[1]
    level1 = [
        ln.text
        for p in vertical.pages
        for ln in p.lines
        if x0 <= ln.x and ln.x + text_width(ln.text, vertical.font, ln.size) <= x1
    ]
    assert level1 and all(len(t) == 1 for t in level1)
    # the header row is drawn only on page 1
    headers = [p for p in vertical.pages if any(ln.text == "工作要求" for ln in p.lines)]
    assert headers == [vertical.pages[0]]


def test_rotate_90_gives_landscape(truth: list[dict[str, str]]) -> None:
    (img,) = render_pages(truth[:3], ScanStyle(dpi=100, rotate=90))
    assert img.width > img.height
    (upright,) = render_pages(truth[:3], ScanStyle(dpi=100))
    assert upright.size == (img.height, img.width)


def test_default_layout_cuts_items_across_pages(
    truth: list[dict[str, str]], sample_pdf: RenderedDraft
) -> None:
    layout = layout_table(truth)
    assert len(layout.pages) == sample_pdf.pages
    assert len(layout.cuts) >= 3
    assert "19" in layout.cuts  # as in the real draft
    assert sample_pdf.cuts == layout.cuts
    assert layout.split_rows, "rows themselves are split, not only moved to the next page"
    # 一级 四 crosses the break after item 19's start: its text goes to the taller (next) part
    page_19 = next(i for i, p in enumerate(layout.pages) if "19" in p.items)
    x1 = layout.column_x[1]
    level1_pages = [
        i for i, p in enumerate(layout.pages) for ln in p.lines if ln.x < x1 and "四、" in ln.text
    ]
    assert level1_pages == [page_19 + 1]
    four_boxes = [b for p in layout.pages for b in p.boxes if b.column == "一级指标" and b.item == "19"]
    assert len(four_boxes) == 2  # one ruled part per page


def test_merged_cells(truth: list[dict[str, str]]) -> None:
    layout = layout_table(truth)
    boxes = [b for p in layout.pages for b in p.boxes]
    lead_24 = [b for b in boxes if b.item == "24" and b.column == "牵头单位"]
    help_24 = [b for b in boxes if b.item == "24" and b.column == "配合单位"]
    req_24 = [b for b in boxes if b.item == "24" and b.column == "工作要求"]
    assert len(lead_24) == 1 and len(help_24) == 3 and len(req_24) == 3
    assert lead_24[0].y0 == req_24[0].y0 and lead_24[0].y1 == req_24[-1].y1
    # item 13's empty 配合 cells are still drawn, each its own cell
    assert len([b for b in boxes if b.item == "13" and b.column == "配合单位"]) == 3
    # 二级 text carries its number, with either separator
    x1, x2 = layout.column_x[1], layout.column_x[2]
    starts = [
        ln.text for p in layout.pages for ln in p.lines if x1 <= ln.x < x2 and re.match(r"\d+[.、]", ln.text)
    ]
    assert len(starts) == 26
    assert any(". " in s for s in starts) and any("、" in s for s in starts)


def test_wrap_is_per_character_with_kinsoku() -> None:
    lines = wrap("区卫生健康委、区应急局", 4 * 10.5, "noto-serif", 10.5)
    assert lines == ["区卫生健", "康委、区", "应急局"]
    # a line never starts with a closing mark: the previous character comes down with it
    lines = wrap("公安青浦分局、区", 6 * 10.5, "noto-serif", 10.5)
    assert lines == ["公安青浦分", "局、区"]
    assert wrap("", 40, "noto-serif", 10.5) == []


def test_no_line_starts_with_closing_punctuation(truth: list[dict[str, str]]) -> None:
    layout = layout_table(truth)
    assert not [ln.text for p in layout.pages for ln in p.lines if ln.text[0] in "，。、；）》"]


def test_long_row_variant_fills_a_page_with_continuation(truth: list[dict[str, str]]) -> None:
    rows = long_row_variant(truth)
    assert len(rows) == len(truth)
    assert rows[22]["工作要求"] == truth[22]["工作要求"] * 6
    layout = layout_table(rows)
    assert ("18",) in [tuple(p.items) for p in layout.pages]
    with pytest.raises(ValueError):
        long_row_variant(truth, item="99")


def test_long_draft_rows_renumbers_items_and_groups(truth: list[dict[str, str]]) -> None:
    rows = long_draft_rows(truth, 60)
    numbers = list(dict.fromkeys(r["序号"] for r in rows))
    assert numbers == [str(n) for n in range(1, 61)]
    groups = [r["一级指标"] for r in rows]
    runs = [g for i, g in enumerate(groups) if i == 0 or g != groups[i - 1]]
    assert len(runs) == len(set(runs)) == 12  # each group one consecutive run
    assert runs[5].startswith("六、") and runs[11].startswith("十二、")
    assert runs[10] == "十一、完善学校安全风险预防体系"
    assert len(layout_table(rows).pages) >= 10


def test_garbled_layer_is_invisible_and_wrong(truth: list[dict[str, str]], tmp_path: Path) -> None:
    rows = truth[:5]
    draft = render_draft(rows, tmp_path / "garbled.pdf", ScanStyle(dpi=100, text_layer="garbled", noise=0.1))
    with pdfplumber.open(draft.path) as pdf:
        page = pdf.pages[0]
        assert len(page.images) == 1
        text = page.extract_text()
    assert len(text) > 300
    misread = sum(r["工作要求"][:10] not in text for r in rows)
    assert misread >= 3
    doc = pdfium.PdfDocument(draft.path)
    try:
        objs = list(doc[0].get_objects())
        modes = {
            pdfium_c.FPDFTextObj_GetTextRenderMode(o.raw)
            for o in objs
            if o.type == pdfium_c.FPDF_PAGEOBJ_TEXT
        }
    finally:
        doc.close()
    assert modes == {pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE}, "an OCR layer is invisible (render mode 3)"


def test_artifacts_change_the_page(truth: list[dict[str, str]]) -> None:
    rows = truth[:3]
    clean = np.asarray(render_pages(rows, ScanStyle(dpi=72))[0])
    assert set(np.unique(clean)) - set(range(256)) == set()
    gray = np.asarray(render_pages(rows, ScanStyle(dpi=72, gray_background=True))[0])
    assert 195 <= np.median(gray) <= 236 and np.median(clean) == 255
    bilevel = render_pages(rows, ScanStyle(dpi=72, bilevel=True, skew_deg=1.0))[0]
    assert set(np.unique(np.asarray(bilevel.convert("L")))) <= {0, 255}
    jpeg = np.asarray(render_pages(rows, ScanStyle(dpi=72, jpeg_quality=30))[0])
    assert jpeg.shape == clean.shape and not np.array_equal(jpeg, clean)


def test_style_rejects_unknown_values() -> None:
    with pytest.raises(ValueError):
        ScanStyle(font="comic")
    with pytest.raises(ValueError):
        ScanStyle(rotate=45)
    with pytest.raises(ValueError):
        ScanStyle(text_layer="ocr")


def test_variants_cover_the_suite() -> None:
    want = {
        "sample", "clean-300", "sans-skew2", "kai-200", "uming-bilevel", "zenhei-150-noisy",
        "rotated-180", "rotated-90", "vertical-level1", "born-digital", "garbled-layer",
    }  # fmt: skip
    assert want <= set(VARIANTS)
    assert VARIANTS["clean-300"].dpi == 300 and VARIANTS["sample"].jpeg_quality == 75


def test_cli_writes_a_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.pdf"
    assert scangen.main([str(scangen.TRUTH_CSV), str(out), "--variant", "born-digital", "--items", "40"]) == 0
    assert "pages" in capsys.readouterr().out
    with pdfplumber.open(out) as pdf:
        text = "".join(page.extract_text() for page in pdf.pages)
    assert re.search(r"40(、|\. )", text) and not re.search(r"41(、|\. )", text)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_variant_renders(name: str, truth: list[dict[str, str]], tmp_path: Path) -> None:
    draft = render_draft(truth, tmp_path / f"{name}.pdf", VARIANTS[name])
    with pdfplumber.open(draft.path) as pdf:
        assert len(pdf.pages) == draft.pages >= 4
        has_text = bool(pdf.pages[0].chars)
    assert has_text == (VARIANTS[name].text_layer != "none")


# --- column layouts (other offices' tables) ---------------------------------------------------
DATA = Path(__file__).resolve().parent / "data"
#: The truth each layout is drawn from (eval_suite.LAYOUT_DOCUMENTS): it has the columns printed.
LAYOUT_TRUTH = {"synonyms": "songjiang_flood_v1.csv", "tasks-landscape": "songjiang_flood_v1.csv",
                "single-responsible": "songjiang_flood_v1.csv", "two-row": "jiading_elderly_v1.csv"}
STANDARD = ["序号", "一级指标", "二级指标", "工作要求", "牵头单位", "配合单位"]
#: Per layout: the header texts printed on page 1, and the columns of its expected CSV rows.
LAYOUT_WANTS = {
    "synonyms": (["一级任务", "二级任务", "具体措施", "牵头部门", "配合部门"], STANDARD),
    "tasks-landscape": (["序号", "工作任务", "牵头单位", "配合单位", "完成时限"], [*STANDARD, "完成时限"]),
    "single-responsible": (["序号", "重点任务", "责任单位", "完成时限"], [*STANDARD, "完成时限"]),
    "two-row": (["一级指标", "二级指标", "三级指标", "工作要求", "责任单位", "牵头", "配合", "备注"],
                [*STANDARD, "三级指标", "备注"]),
}


@pytest.fixture(scope="module")
def layout_drawn() -> dict[str, tuple[list[dict[str, str]], scangen.Layout]]:
    out = {}
    for name, layout in scangen.LAYOUTS.items():
        rows = load_truth(DATA / LAYOUT_TRUTH[name])
        out[name] = (rows, layout_table(rows, ScanStyle(), "《测试》任务分工", layout))
    return out


def _header_text(page: scangen.PageLayout) -> list[str]:
    """The texts of the header cells (boxes without an item) of a page, each cell's lines joined."""
    texts = []
    for box in sorted((b for b in page.boxes if not b.item), key=lambda b: (b.x0, b.y0)):
        lines = [ln for ln in page.lines if box.x0 <= ln.x < box.x1 and box.y0 <= ln.top < box.y1]
        texts.append("".join(ln.text for ln in lines))
    return texts


def test_load_truth_keeps_the_held_out_columns() -> None:
    songjiang = load_truth(DATA / "songjiang_flood_v1.csv")
    assert list(songjiang[0])[:6] == STANDARD and songjiang[0]["完成时限"] == "2027年6月底前"
    jiading = load_truth(DATA / "jiading_elderly_v1.csv")
    assert {"三级指标", "备注"} <= set(jiading[0])


def test_layouts_are_the_ones_eval_expects() -> None:
    assert set(scangen.LAYOUTS) == set(LAYOUT_WANTS) == set(LAYOUT_TRUTH)


@pytest.mark.parametrize("name", sorted(LAYOUT_WANTS))
def test_layout_draws_its_headers_and_expects_its_columns(name: str, layout_drawn) -> None:
    rows, drawn = layout_drawn[name]
    headers, columns = LAYOUT_WANTS[name]
    assert _header_text(drawn.pages[0]) == headers
    expected = scangen.expected_rows(rows, scangen.LAYOUTS[name])
    assert len(expected) == len(rows)
    assert all(list(r) == columns for r in expected)
    assert [r["工作要求"] for r in expected] == [r["工作要求"] for r in rows]
    assert len(drawn.column_x) == len(scangen.LAYOUTS[name].columns) + 1


def test_synonyms_layout_expects_the_truth_rows(layout_drawn) -> None:
    rows, _ = layout_drawn["synonyms"]
    assert scangen.expected_rows(rows, scangen.LAYOUTS["synonyms"]) == [{c: r[c] for c in STANDARD} for r in rows]


def test_tasks_landscape_numbers_rows_on_landscape_pages_with_one_header(layout_drawn) -> None:
    rows, drawn = layout_drawn["tasks-landscape"]
    assert drawn.page_size[0] > drawn.page_size[1]
    assert len(drawn.pages) > 1
    assert [bool(_header_text(p)) for p in drawn.pages] == [True] + [False] * (len(drawn.pages) - 1)
    expected = scangen.expected_rows(rows, scangen.LAYOUTS["tasks-landscape"])
    assert [r["序号"] for r in expected] == [str(i) for i in range(1, len(rows) + 1)]
    assert not any(r["一级指标"] or r["二级指标"] for r in expected)
    assert [r["完成时限"] for r in expected] == [r["完成时限"] for r in rows]
    # the 序号 drawn: one number per row, in order
    numbers = [b.item for p in drawn.pages for b in p.boxes if b.column == "序号" and b.item]
    assert list(dict.fromkeys(numbers)) == [r["序号"] for r in expected]
    (image,) = render_pages(rows[:2], ScanStyle(dpi=72), layout=scangen.LAYOUTS["tasks-landscape"])
    assert image.width > image.height


def test_single_responsible_prints_the_note_and_expects_the_lead_split(layout_drawn) -> None:
    rows, drawn = layout_drawn["single-responsible"]
    layout = scangen.LAYOUTS["single-responsible"]
    assert layout.first_is_lead
    table_top = min(b.y0 for b in drawn.pages[0].boxes)
    assert any(scangen.FIRST_IS_LEAD_WORDS in ln.text for ln in drawn.pages[0].lines if ln.top < table_top)
    expected = scangen.expected_rows(rows, layout)
    for row, want in zip(rows, expected, strict=True):
        names = [n for n in f"{row['牵头单位']}、{row['配合单位']}".split("、") if n]
        assert want["牵头单位"] == names[0] and want["配合单位"] == "、".join(names[1:])
    # a row with two leads: the second becomes 配合, as the note says
    two_leads = next(i for i, r in enumerate(rows) if "、" in r["牵头单位"])
    assert expected[two_leads]["配合单位"].startswith(rows[two_leads]["牵头单位"].split("、")[1])
    # without the note the column stays 责任单位, unsplit
    plain = replace(layout, note="")
    kept = scangen.expected_rows(rows, plain)
    assert list(kept[0])[6:] == ["责任单位", "完成时限"] and kept[0]["牵头单位"] == ""


def test_two_row_header_spans_its_group(layout_drawn) -> None:
    rows, drawn = layout_drawn["two-row"]
    header = [b for b in drawn.pages[0].boxes if not b.item]
    group = next(b for b in header if b.column == "责任单位")
    lead = next(b for b in header if b.column == "牵头单位")
    support = next(b for b in header if b.column == "配合单位")
    level1 = next(b for b in header if b.column == "一级指标")
    assert (group.x0, group.x1) == (lead.x0, support.x1)
    assert group.y1 == lead.y0 == support.y0 and lead.y1 == level1.y1 and level1.y0 == group.y0
    expected = scangen.expected_rows(rows, scangen.LAYOUTS["two-row"])
    assert [(r["序号"], r["三级指标"], r["备注"]) for r in expected] == [
        (r["序号"], r["三级指标"], r["备注"]) for r in rows]
    # a 三级 title shared by consecutive items is one merged cell
    shared = [b for p in drawn.pages for b in p.boxes if b.column == "三级指标" and b.item]
    assert len(shared) < len({r["序号"] for r in rows})


def test_layout_rejects_impossible_columns() -> None:
    with pytest.raises(ValueError):
        scangen.ColumnLayout("x", (scangen.LayoutColumn("牵头单位", "牵头单位", 5.0),))
    with pytest.raises(ValueError):
        layout_table(load_truth()[:3], ScanStyle(), layout=scangen.LAYOUTS["two-row"])  # no 三级指标 in Qingpu


def test_cli_draws_a_layout(tmp_path: Path) -> None:
    out = tmp_path / "landscape.pdf"
    truth = str(DATA / LAYOUT_TRUTH["tasks-landscape"])
    assert scangen.main([truth, str(out), "--variant", "born-digital", "--layout", "tasks-landscape"]) == 0
    with pdfplumber.open(out) as pdf:
        first = pdf.pages[0]
        assert first.width > first.height and "工作任务" in (first.extract_text() or "")
    with pytest.raises(SystemExit):  # Qingpu has no 三级指标 to draw
        scangen.main([str(scangen.TRUTH_CSV), str(out), "--layout", "two-row"])
