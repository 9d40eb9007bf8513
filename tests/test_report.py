"""Tests of the clerk-facing review outputs (review.html, .xlsx) on a hand-built DraftResult."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path
from types import MappingProxyType

import cv2
import numpy as np
import pytest
from openpyxl import load_workbook

from pipeline.models import (
    CSV_HEADER,
    STANDARD_ROLES,
    Box,
    Cell,
    DraftResult,
    FieldSource,
    Flag,
    Grid,
    PageCells,
    Repair,
    Row,
    Table,
)
from pipeline.report import (
    FLAG_FILL,
    REVIEW_HEADER,
    REVIEW_SHEET,
    TABLE_SHEET,
    flagged_cells,
    render_review_html,
    render_xlsx,
)

BROWSER_TIMEOUT_S = 60
#: Page geometry of the synthetic page: a header row and three body rows of five columns.
COL_LINES = (40, 120, 220, 560, 680, 860)
ROW_LINES = (60, 110, 210, 310, 410)
PAGE_SIZE = (480, 900)  # height, width
RULING = 2

#: Raw text with markup characters, to check escaping; the final text differs from it.
RAW_REQUIREMENT = "加强<b>校园</b> & 周边\n治理"
FINAL_REQUIREMENT = "加强<b>校园</b> & 周边治理。"
RAW_SUPPORT = "区公安<局>、区教育局"
FINAL_SUPPORT = "公安青浦分局、区教育局"

FIELDS = STANDARD_ROLES[1:]


def draw_page() -> np.ndarray:
    """A white page with a ruled 4×5 table and a black block of 'text' in every body cell."""
    page = np.full(PAGE_SIZE, 255, dtype=np.uint8)
    for y in ROW_LINES:
        cv2.line(page, (COL_LINES[0], y), (COL_LINES[-1], y), 0, RULING)
    for x in COL_LINES:
        cv2.line(page, (x, ROW_LINES[0]), (x, ROW_LINES[-1]), 0, RULING)
    for r in range(1, len(ROW_LINES) - 1):
        for c in range(len(COL_LINES) - 1):
            x0, y0 = COL_LINES[c] + 12, ROW_LINES[r] + 14
            for k in range(3):  # three "characters"
                cv2.rectangle(page, (x0 + k * 22, y0), (x0 + k * 22 + 16, y0 + 18), 30, -1)
    return page


def cell(row: int, col: int) -> Cell:
    return Cell(0, row, col, 1, 1, Box(COL_LINES[col], ROW_LINES[row], COL_LINES[col + 1], ROW_LINES[row + 1]))


def grid() -> Grid:
    cells = tuple(cell(r, c) for r in range(len(ROW_LINES) - 1) for c in range(len(COL_LINES) - 1))
    return Grid(0, ROW_LINES, COL_LINES, cells, char_height=20, ruling_width=RULING)


def raw_row(grid_row: int, texts: dict[str, str]) -> Row:
    sources = {}
    for col, name in enumerate(FIELDS):
        c = cell(grid_row, col)
        sources[name] = FieldSource((c.cell_id,), 0, c.box, texts.get(name, ""), 0.9, "test")
    return Row({f: texts.get(f, "") for f in FIELDS}, sources=MappingProxyType(sources))


@pytest.fixture
def result() -> DraftResult:
    raw = Table("", (
        raw_row(1, {"level1": "一、组织领导", "level2": "1.健全机制", "requirement": "建立机制。", "lead": "区教育局"}),
        raw_row(2, {"level1": "一、组织领导", "level2": "2.加强治理", "requirement": RAW_REQUIREMENT,
                    "lead": "区教盲局", "support": RAW_SUPPORT}),
        raw_row(3, {"level1": "二、保障", "level2": "3.保障", "requirement": "保障。", "lead": ""}),
    ))
    table = Table("示例职责分工", (
        Row.of(no="1", level1="一、组织领导", level2="健全机制", requirement="建立机制。", lead="区教育局", support=""),
        Row.of(
            no="2", level1="一、组织领导", level2="加强治理",
            requirement=FINAL_REQUIREMENT, lead="区教育局", support=FINAL_SUPPORT,
        ),
        Row.of(no="3", level1="二、保障", level2="保障", requirement="保障。", lead="", support=""),
    ))
    flags = (
        Flag(1, "lead", "区教盲局", "fuzzy_agency", 72.0),
        Flag(1, "requirement", RAW_REQUIREMENT, "low_confidence", 40.0),
        Flag(1, "requirement", FINAL_REQUIREMENT, "incomplete_requirement: no full stop", 30.0),
        Flag(2, "lead", "", "missing_lead", 0.0),
        Flag(1, "support", "区公安<局>", "unknown_agency", 20.0),
    )
    repairs = (
        Repair(1, "lead", "区教盲局", "区教育局", "fuzzy_agency", 72.0),
        Repair(1, "requirement", RAW_REQUIREMENT, FINAL_REQUIREMENT, "join_lines", 100.0),
        Repair(0, "level2", "1.健全机制", "健全机制", "exact", 100.0),
    )
    page = PageCells(0, grid(), ())
    return DraftResult("drafts/示例.pdf", "pdf", table, raw, repairs, flags, (page,), (draw_page(),))


# Flagged cells worst first: (entry id, score). Row 2's 牵头单位 (score 0) first; 工作要求 has two
# flags and counts once, at its lowest score.
EXPECTED_ORDER = (("p1-r3-c3", 0.0), ("p1-r2-c4", 20.0), ("p1-r2-c2", 30.0), ("p1-r2-c3", 72.0))


def test_flagged_cells_are_distinct_and_worst_first(result: DraftResult) -> None:
    cells = flagged_cells(result)
    assert [(c.entry_id, c.score) for c in cells] == list(EXPECTED_ORDER)
    requirement = cells[2]
    assert [f.reason for f in requirement.flags] == ["incomplete_requirement: no full stop", "low_confidence"]
    assert [r.method for r in requirement.repairs] == ["join_lines"]


def entry_ids(page: str) -> list[str]:
    return re.findall(r'<section class="flag" id="([^"]+)"', page)


def test_html_summary_and_order(result: DraftResult) -> None:
    page = render_review_html(result)
    assert "示例.pdf" in page and "示例职责分工" in page
    assert '<b class="pages">1</b>' in page and '<b class="rows">3</b>' in page
    assert '<b class="flagged">4</b>' in page
    assert entry_ids(page) == [i for i, _ in EXPECTED_ORDER]


def test_html_shows_crops_texts_and_repairs(result: DraftResult) -> None:
    page = render_review_html(result)
    parts = re.split(r'<section class="flag" id="[^"]+">', page)[1:]
    entries = dict(zip(entry_ids(page), (p[: p.index("</section>")] for p in parts), strict=True))
    for entry in entries.values():  # every flagged cell of a scan has its crop
        crops = re.findall(r'<img src="data:image/(?:jpeg|png);base64,([A-Za-z0-9+/=]+)"', entry)
        assert len(crops) == 1
        image = cv2.imdecode(np.frombuffer(base64.b64decode(crops[0]), np.uint8), cv2.IMREAD_GRAYSCALE)
        assert image is not None and 0 < image.shape[1] <= COL_LINES[3] - COL_LINES[2]
    requirement = entries["p1-r2-c2"]
    assert "加强&lt;b&gt;校园&lt;/b&gt; &amp; 周边\n治理" in requirement  # raw, escaped, line break kept
    assert "加强&lt;b&gt;校园&lt;/b&gt; &amp; 周边治理。" in requirement  # final
    assert "<b>校园</b>" not in page
    assert "low_confidence (40)" in requirement and "incomplete_requirement: no full stop (30)" in requirement
    assert "join_lines" in requirement and "(100)" in requirement
    assert "序号 2" in requirement and "工作要求" in requirement and "第 1 页" in requirement
    support = entries["p1-r2-c4"]
    assert "区公安&lt;局&gt;、区教育局" in support and "公安青浦分局、区教育局" in support
    assert "unknown_agency 「区公安&lt;局&gt;」 (20)" in support  # the fragment the flag is about
    assert "（空）" in entries["p1-r3-c3"]  # the missing lead's final text
    assert "exact" not in page  # a repair of a cell that is not flagged is not listed


def test_html_is_self_contained(result: DraftResult) -> None:
    page = render_review_html(result)
    references = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page)
    assert references and all(r.startswith(("data:image/", "#")) for r in references)
    assert "url(" not in page and "@import" not in page and "<script" not in page and "<link" not in page
    # the page overview: one JPEG with the grid and the flagged outlines, ~PAGE_WIDTH or less wide
    assert '<section class="page" id="page-1">' in page
    assert page.count("data:image/jpeg") == 4 + 1


def test_html_without_images(result: DraftResult) -> None:
    """Text-extraction inputs: no page images, no boxes; the texts are still there."""
    no_boxes = Table("", tuple(
        Row({"no": r.no, **{f: r.get(f) for f in FIELDS}},
            sources=MappingProxyType({k: FieldSource((f"line{i}",), raw=s.raw, engine="text")
                                      for k, s in r.sources.items()}))
        for i, r in enumerate(result.raw_table.rows)
    ))
    text = DraftResult("x.txt", "text", result.table, no_boxes, result.repairs, result.flags)
    page = render_review_html(text)
    assert "<img" not in page
    assert '<b class="flagged">4</b>' in page and entry_ids(page)[0] == "line2"
    assert "加强&lt;b&gt;校园&lt;/b&gt; &amp; 周边\n治理" in page


def test_xlsx(result: DraftResult) -> None:
    wb = load_workbook(io.BytesIO(render_xlsx(result)))
    assert wb.sheetnames == [TABLE_SHEET, REVIEW_SHEET]
    ws = wb[TABLE_SHEET]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == list(CSV_HEADER) and all(c.font.bold for c in ws[1])
    assert [c.value for c in ws[3]] == [2, "一、组织领导", "加强治理", FINAL_REQUIREMENT, "区教育局", FINAL_SUPPORT]
    assert ws.max_row == 4
    assert all(c.alignment.wrap_text and c.alignment.vertical == "top" for row in ws.iter_rows() for c in row)
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEF"}
    assert widths["A"] == min(widths.values()) and widths["D"] == max(widths.values())
    filled = {c.coordinate for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb == FLAG_FILL.fgColor.rgb}
    assert filled == {"E3", "D3", "F3", "E4"}
    assert {c.coordinate for row in ws.iter_rows() for c in row if c.comment} == filled
    assert "low_confidence (40)" in ws["D3"].comment.text and "incomplete_requirement" in ws["D3"].comment.text

    review = wb[REVIEW_SHEET]
    assert [c.value for c in review[1]] == list(REVIEW_HEADER)
    rows = [[c.value for c in row] for row in review.iter_rows(min_row=2)]
    assert len(rows) == len(result.flags)
    assert [r[5] for r in rows] == sorted(r[5] for r in rows) == [0, 20, 30, 40, 72]
    assert rows[0][:5] == ["p1-r3-c3", 1, 3, "牵头单位", "missing_lead"]
    assert rows[2][6:] == [RAW_REQUIREMENT, FINAL_REQUIREMENT]


def test_xlsx_text_stays_text(result: DraftResult) -> None:
    """A text starting with = is not a formula, and control characters (OCR garbage) are dropped."""
    row = result.table.rows[0]
    odd = Table("", (Row.of(
        no=row.no, level1="=SUM(A1)", level2=row.level2,
        requirement="要求\x07。", lead=row.lead, support=row.support,
    ),))
    wb = load_workbook(io.BytesIO(render_xlsx(DraftResult("x.pdf", "pdf", odd, odd, (), ()))))
    ws = wb[TABLE_SHEET]
    assert ws["B2"].value == "=SUM(A1)" and ws["B2"].data_type == "s"
    assert ws["D2"].value == "要求。"


# --- the page in a real browser -----------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="chromium is not installed (Debian: apt-get install chromium)"
)
def test_review_html_in_headless_chromium(result: DraftResult, tmp_path: Path) -> None:
    page = tmp_path / "review.html"
    page.write_text(render_review_html(result), encoding="utf-8")
    command = [
        str(shutil.which("chromium")), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [*command, "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S, check=True,
    ).stdout
    assert entry_ids(dom) == [i for i, _ in EXPECTED_ORDER]
    assert len(re.findall(r'<img src="data:image/jpeg;base64,', dom)) == 4 + 1
    assert "加强&lt;b&gt;校园&lt;/b&gt; &amp; 周边治理。" in dom and "公安青浦分局、区教育局" in dom
    assert "<b>校园</b>" not in dom

    shot = tmp_path / "review.png"
    subprocess.run(
        [*command, f"--screenshot={shot}", "--window-size=1200,2000", page.as_uri()],
        capture_output=True, timeout=BROWSER_TIMEOUT_S, check=True,
    )
    image = cv2.imread(str(shot))
    assert image is not None and image.shape[:2] == (2000, 1200)
    assert (image < 250).any(axis=2).mean() > 0.01  # something was drawn, not a blank page


def test_a_split_responsible_cell_is_reviewed_under_its_own_column() -> None:
    """A 责任单位 cell split into 牵头 and 配合 by the draft's rule (列第一位的为牵头单位) is no output
    column: its unknown agency was flagged on the review page as column `responsible` with an empty
    final text, and review.csv left the cell out (30 flagged cells listed of the summary's 33 on a
    new user's 闵行区 draft). It is listed under 责任单位, final text as split, in review.csv too, and
    both cells it became are highlighted in the xlsx."""
    from pipeline.export import REVIEW_HEADER as CSV_REVIEW_HEADER
    from pipeline.export import review_rows

    c = cell(1, 3)
    source = FieldSource((c.cell_id,), 0, c.box, "区绿化市容局、区城运中心", 0.99, "test")
    raw = Table("", (Row({"no": "1", "responsible": "区绿化市容局、区城运中心"},
                         sources=MappingProxyType({"responsible": source})),), first_is_lead=True)
    table = Table("", (Row.of(no="1", lead="区绿化市容局", support="区城运中心"),))
    flags = (Flag(0, "responsible", "区城运中心", "unknown_agency", 50.0),)
    result = DraftResult("b.pdf", "pdf", table, raw, (), flags, (PageCells(0, grid(), ()),), (draw_page(),))
    [flagged] = flagged_cells(result)
    assert (flagged.column, flagged.final, flagged.entry_id) == ("责任单位", "区绿化市容局、区城运中心", c.cell_id)
    listed = [dict(zip(CSV_REVIEW_HEADER, r, strict=True)) for r in review_rows(result)]
    [own] = [r for r in listed if r["column"] == "责任单位"]
    assert (own["cell_id"], own["final_text"]) == (c.cell_id, "区绿化市容局、区城运中心")
    assert own["flags"].startswith("unknown_agency") and own["flags"].endswith("(50)")
    assert sum(1 for r in listed if r["flags"]) == len(flagged_cells(result))
    sheet = load_workbook(io.BytesIO(render_xlsx(result)))[TABLE_SHEET]
    filled = {sheet.cell(row=1, column=k).value for k in range(1, sheet.max_column + 1)
              if sheet.cell(row=2, column=k).fill.fgColor.rgb == FLAG_FILL.fgColor.rgb}
    assert filled == {"牵头单位", "配合单位"}


def test_a_split_responsible_column_is_named_as_the_runs_profile_names_it(result: DraftResult) -> None:
    """A 责任单位 split into 牵头 and 配合 is no column of the table; its cells are shown under the name
    the run's profile (--profile) gives it, not the shipped profile's."""
    from dataclasses import replace

    from pipeline.report import column_title

    assert "responsible" not in result.table.roles
    assert column_title(result, "responsible") == "责任单位"  # no names given: the shipped profile's
    renamed = replace(result, column_names=MappingProxyType({"responsible": "主责部门"}))
    assert column_title(renamed, "responsible") == "主责部门"
    assert column_title(renamed, "lead") == result.table.column_name("lead")  # the table's own column
