"""Duties written inline in a plan (four phrasings), text extractions in Windows encodings and
comma-separated, and the xlsx output printed to PDF by LibreOffice."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import officegen
import pytest

from pipeline.__main__ import main
from pipeline.inline import parse_annotation, parse_plan
from pipeline.profile import default_profile
from pipeline.run import process_draft
from pipeline.settings import Settings

SETTINGS = Settings(workers=1)
COLUMNS = ("序号", "一级指标", "二级指标", "工作要求", "牵头单位", "配合单位")
SEED = Path(__file__).resolve().parent / "data" / "qingpu_draft_extracted.txt"


def expected_plan(truth: list[dict[str, str]]) -> list[dict[str, str]]:
    """The truth as the plan says it: `（X负责）` names X 责任 (responsible), not 牵头."""
    out = []
    for k, row in enumerate(truth):
        want = {c: row[c] for c in COLUMNS} | {"责任单位": ""}
        if officegen._phrasing(row, k) == "by-division" and not row["配合单位"]:
            want["牵头单位"], want["责任单位"] = "", row["牵头单位"]
        out.append(want)
    return out


def rows_of(result) -> list[dict[str, str]]:
    names = [c.name for c in result.table.columns]
    return [dict(zip(names, values, strict=True)) for values in result.table.csv_rows()]


@pytest.mark.parametrize(("body", "roles"), [
    ("牵头单位：区发展改革委；配合单位：区财政局、各街镇", {"lead": "区发展改革委", "support": "区财政局、各街镇"}),
    ("责任单位：区教育局、区卫生健康委，列第一位的为牵头单位", {"lead": "区教育局", "support": "区卫生健康委"}),
    ("区教育局牵头，区卫生健康委配合", {"lead": "区教育局", "support": "区卫生健康委"}),
    ("区发展改革委牵头，区财政局、区商务委等按职责分工负责", {"lead": "区发展改革委", "support": "区财政局、区商务委"}),
    ("区民政局负责", {"responsible": "区民政局"}),
    ("责任单位：区民政局、区财政局", {"responsible": "区民政局、区财政局"}),
    ("牵头部门：区教育局；协办单位：区妇联；完成时限：2025年6月底", {
        "lead": "区教育局", "support": "区妇联", "deadline": "2025年6月底"}),
    ("由区里统筹负责协调推进相关工作并及时报告进展情况", None),
    ("牵头单位：待定", {"lead": "待定"}),
    ("经费单位：区财政局", None),
])
def test_annotation_phrasings(body, roles):
    assert parse_annotation(body, default_profile()) == roles


def test_plan_docx_with_33_annotations_in_four_phrasings(tmp_path, truth_rows, lexicon):
    """A plan (headings 一、 and （一）, 33 tasks each ending in an annotation, phrasings in turn)
    gives the truth_rows: headings as 一级/二级, each （一） heading one item, its tasks sub-rows."""
    paragraphs = officegen.plan_paragraphs(truth_rows)
    used = Counter(officegen._phrasing(r, k) for k, r in enumerate(truth_rows))
    assert all(used[p] >= 5 for p in officegen.PHRASINGS), used
    path = officegen.write_plan_docx(truth_rows, tmp_path / "plan.docx")
    result = process_draft(path, SETTINGS, lexicon)
    assert [{c: r.get(c, "") for c in (*COLUMNS, "责任单位")} for r in rows_of(result)] == expected_plan(truth_rows)
    assert not result.flags
    assert [r.status for r in result.page_reports] == ["read"]
    assert len(paragraphs) > 33


def test_unparsed_annotations_are_kept_for_review(tmp_path, truth_rows, lexicon, capsys):
    """Annotations that name duties but cannot be read: the task is kept with the annotation in
    its text, flagged missing_lead, and the run says which (exit 13, partial)."""
    extra = ["（七）统筹推进", "做好学校安全信息报送工作。（由区里统筹负责协调推进相关工作并及时报告进展情况）",
             "完善应急预案。（经费单位：区财政局）"]
    path = officegen.write_plan_docx(truth_rows, tmp_path / "odd.docx", extra=extra)
    result = process_draft(path, SETTINGS, lexicon)
    rows = rows_of(result)
    assert len(rows) == len(truth_rows) + 2
    assert rows[-2]["工作要求"].endswith("（由区里统筹负责协调推进相关工作并及时报告进展情况）")
    assert rows[-1]["工作要求"] == "完善应急预案。（经费单位：区财政局）" and not rows[-1]["牵头单位"]
    flagged = {(f.row, f.reason) for f in result.flags}
    assert {(len(rows) - 2, "missing_lead"), (len(rows) - 1, "missing_lead")} <= flagged
    not_read = [r for r in result.page_reports if r.status == "not-read"]
    assert len(not_read) == 1 and "经费单位" in not_read[0].message and "由区里统筹" in not_read[0].message
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--workers", "1", "-q"]) == 13
    assert "经费单位" in capsys.readouterr().err


def test_plan_outline_levels_and_items():
    """Three outline levels head tasks: 一级/二级/三级; tasks without a heading of the deepest
    level are items of their own; a paragraph's several annotations are several tasks."""
    plan = parse_plan([
        "某区方案", "一、总体要求", "坚持问题导向。",
        "二、重点任务", "（一）优化营商环境", "1.深化改革",
        "推进一网通办（区政务服务办牵头，各部门配合）。压减审批时限（区政务服务办负责）。",
        "2.加强监管", "开展双随机检查。（牵头单位：区市场监管局）",
        "（二）稳定就业", "落实就业补贴。（区人力资源社会保障局负责）",
    ])
    rows = [dict(r.cells) for r in plan.table.rows]
    assert [r["no"] for r in rows] == ["1", "1", "2", "3"]
    assert rows[0] == {"no": "1", "level1": "二、重点任务", "level2": "优化营商环境", "level3": "深化改革",
                       "requirement": "推进一网通办。", "lead": "区政务服务办", "support": "各部门"}
    assert rows[1]["requirement"] == "压减审批时限。" and rows[1]["responsible"] == "区政务服务办"
    assert rows[3]["level2"] == "稳定就业" and "level3" not in rows[3]
    assert plan.table.title == "某区方案"


def test_plan_as_text_file(tmp_path, truth_rows, lexicon):
    """The same plan as a GB18030 text file with hard-wrapped lines."""
    lines = []
    for paragraph in officegen.plan_paragraphs(truth_rows):
        lines.append("\u3000\u3000" + paragraph[:30])
        lines.extend(paragraph[i:i + 30] for i in range(30, len(paragraph), 30))
    path = tmp_path / "plan.txt"
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    result = process_draft(path, SETTINGS, lexicon)
    assert [{c: r.get(c, "") for c in (*COLUMNS, "责任单位")} for r in rows_of(result)] == expected_plan(truth_rows)
    assert "gb18030" in result.page_reports[0].message


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-16-le", "utf-8-sig"])
def test_extraction_in_windows_encodings(tmp_path, lexicon, encoding):
    """The seed extraction re-encoded: detected (charset-normalizer), read like the UTF-8 one, and
    the encoding named in the review outputs."""
    text = SEED.read_text(encoding="utf-8-sig")
    path = tmp_path / f"seed-{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    plain = tmp_path / "seed.txt"
    plain.write_text(text, encoding="utf-8")
    got, want = process_draft(path, SETTINGS, lexicon), process_draft(plain, SETTINGS, lexicon)
    assert got.table.csv_rows() == want.table.csv_rows()
    assert len(got.table.rows) == 33
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "-q"]) == 0
    named = {"gbk": "gb18030", "utf-16-le": "utf_16"}.get(encoding, encoding.replace("-", "_"))
    with open(out / f"{path.stem}.review.csv", encoding="utf-8-sig", newline="") as handle:
        engines = {row["engine"] for row in csv.DictReader(handle) if row["engine"]}
    assert all(named.split("_")[0] in e for e in engines), engines
    assert named.split("_")[0] in (out / f"{path.stem}.run.json").read_text(encoding="utf-8")


def test_comma_separated_extraction(tmp_path, lexicon):
    """The seed extraction written as CSV (quoted cells with commas): the same rows as the tab form."""
    text = SEED.read_text(encoding="utf-8-sig")
    rows = [line.split("\t") for line in text.splitlines()]
    path = tmp_path / "seed-comma.txt"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    plain = tmp_path / "seed.txt"
    plain.write_text(text, encoding="utf-8")
    got = process_draft(path, SETTINGS, lexicon)
    assert got.table.csv_rows() == process_draft(plain, SETTINGS, lexicon).table.csv_rows()
    assert "comma-separated" in got.page_reports[0].message


def test_xlsx_output_prints_whole(tmp_path, truth_rows):
    """The xlsx output printed to PDF by LibreOffice: landscape pages, every column on the page,
    the header on each page, and every character of the table on some page (none cut off)."""
    import pdfplumber

    from pipeline.convert import convert

    draft = officegen.write_docx(truth_rows, tmp_path / "draft.docx")
    out = tmp_path / "out"
    assert main(["run", str(draft), "--out", str(out), "--workers", "1", "-q"]) == 0
    pdf = convert(out / "draft.xlsx", "pdf", tmp_path)
    with open(out / "draft.csv", encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    expected = Counter(ch for row in table for cell in row for ch in re.sub(r"\s+", "", cell))
    with pdfplumber.open(pdf) as document:
        texts = [re.sub(r"\s+", "", page.extract_text() or "") for page in document.pages]
        table_pages = [p for p, t in zip(document.pages, texts, strict=True) if "工作要求" in t]
        assert table_pages and all(p.width > p.height for p in table_pages)
        assert all(t.startswith("序号一级指标二级指标工作要求牵头单位配合单位") for t in texts[: len(table_pages)])
    printed = Counter(ch for t in texts for ch in t)
    assert sum((expected - printed).values()) == 0
