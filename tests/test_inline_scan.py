"""A scanned plan whose duties are written inline (no table on any page): its body lines are OCR'd
and read like a Word plan's paragraphs, end to end with the real OCR on pages drawn here."""

from __future__ import annotations

import csv
from pathlib import Path

import officegen
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.__main__ import main
from pipeline.evaluate import rows_to_table, score_table

DPI = 200
FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
#: Body text size: 14 pt, between 四号 and 三号 (official documents print body text in 三号, 16 pt).
FONT_PT = 14
#: Characters per line on the page (an A4 text width at that size).
LINE_CHARS = 30
ROWS = 6
#: The issue's bound for a 200-dpi scan.
MAX_REQUIREMENT_CER = 0.005


def plan_pages(paragraphs: list[str]) -> list[Image.Image]:
    """A4 pages of the paragraphs, wrapped at LINE_CHARS, each paragraph's first line indented two characters."""
    size = round(FONT_PT / 72 * DPI)
    font = ImageFont.truetype(FONT, size)
    lines: list[str] = []
    for text in paragraphs:
        first = "\u3000\u3000" + text
        lines += [first[i:i + LINE_CHARS] for i in range(0, len(first), LINE_CHARS)]
    per_page = int((11.69 - 2.0) * DPI / (size * 1.6))
    pages = []
    for start in range(0, len(lines), per_page):
        page = Image.new("L", (int(8.27 * DPI), int(11.69 * DPI)), 255)
        draw = ImageDraw.Draw(page)
        for k, line in enumerate(lines[start:start + per_page]):
            draw.text((int(1.1 * DPI), int(1.0 * DPI) + int(k * size * 1.6)), line, font=font, fill=0)
        pages.append(page)
    return pages


@pytest.fixture(scope="module")
def scanned_plan(tmp_path_factory, truth_rows) -> tuple[Path, list[dict[str, str]]]:
    rows = truth_rows[:ROWS]
    pages = plan_pages(officegen.plan_paragraphs(rows))
    path = tmp_path_factory.mktemp("plan") / "plan_scan.pdf"
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=DPI)
    return path, rows


def test_a_scanned_plan_with_inline_duties_gives_its_tasks(scanned_plan, tmp_path):
    path, rows = scanned_plan
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--workers", "1"]) == 0
    with (out / "plan_scan.csv").open(encoding="utf-8-sig") as fh:
        got = list(csv.DictReader(fh))
    assert len(got) == len(rows)
    for want, row in zip(rows, got, strict=True):
        assert row["牵头单位"] == want["牵头单位"] and row["配合单位"] == want["配合单位"], (want, row)
        assert row["二级指标"] == want["二级指标"] and row["一级指标"] == want["一级指标"]
        assert row["序号"] == want["序号"]
    # measured: 0 errors in 674 characters
    assert score_table(rows_to_table(got), rows_to_table(rows)).requirement_cer <= MAX_REQUIREMENT_CER
    review = (out / "plan_scan.review.csv").read_text(encoding="utf-8-sig")
    assert "scan" in review


def test_a_born_digital_plan_pdf_is_read_from_its_text_layer(truth_rows, tmp_path):
    """The same plan printed to PDF by LibreOffice: its text layer is exact, so every cell is."""
    rows = truth_rows[:ROWS]
    docx = officegen.write_plan_docx(rows, tmp_path / "plan.docx")
    pdf = officegen.saved_as(docx, "pdf", tmp_path)
    out = tmp_path / "out"
    assert main(["run", str(pdf), "--out", str(out), "--workers", "1"]) == 0
    with (out / "plan.csv").open(encoding="utf-8-sig") as fh:
        got = list(csv.DictReader(fh))
    keys = ("序号", "一级指标", "二级指标", "工作要求", "牵头单位", "配合单位")
    assert [{k: r[k] for k in keys} for r in got] == [{k: r[k] for k in keys} for r in rows]
    assert "text-layer" in (out / "plan.review.csv").read_text(encoding="utf-8-sig")
