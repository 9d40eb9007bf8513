"""apply: a clerk's corrections rewrite every output; --learn teaches the lexicon agencies, aliases and titles."""

import csv
import shutil
from pathlib import Path

import scangen

from pipeline.__main__ import main
from pipeline.lexicon import load_lexicon

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "data" / "qingpu_draft_extracted.txt"


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def draft_with(tmp_path: Path, support: str) -> Path:
    """The seed extraction with item 3's 配合单位 replaced."""
    draft = tmp_path / "draft.txt"
    draft.write_text(SEED.read_text(encoding="utf-8").replace("\t区卫生健康委、各街镇\n", f"\t{support}\n", 1),
                     encoding="utf-8")
    return draft


def test_review_csv_corrections_and_learning(tmp_path):
    lexicon = tmp_path / "lexicon.txt"
    shutil.copy(ROOT / "agency_lexicon.txt", lexicon)
    out = tmp_path / "out"
    assert main(["run", str(draft_with(tmp_path, "区卫生健康委、区航运发展服务巾心")), "--out", str(out),
                 "--lexicon", str(lexicon)]) == 0
    review = read_rows(out / "draft.review.csv")
    cell = next(r for r in review if r["序号"] == "3" and r["column"] == "配合单位")
    assert "区航运发展服务巾心" in cell["final_text"] and "unknown" in cell["flags"]

    cell["final_text"] = "区卫生健康委、区航运发展服务中心"  # the clerk fixes the OCR error
    write_rows(out / "draft.review.csv", review)
    assert main(["apply", str(out), str(out / "draft.review.csv"), "--learn"]) == 0

    table = read_rows(out / "draft.csv")
    assert next(r for r in table if r["序号"] == "3")["配合单位"] == "区卫生健康委、区航运发展服务中心"
    long = read_rows(out / "draft.long.csv")
    assert any(r["单位"] == "区航运发展服务中心" and r["角色"] == "配合" for r in long)
    assert "区航运发展服务中心" in read_rows(out / "draft.matrix.csv")[0]
    new_review = next(r for r in read_rows(out / "draft.review.csv") if r["序号"] == "3" and r["column"] == "配合单位")
    assert "clerk" in new_review["changes"] and new_review["flags"] == ""
    assert "区航运发展服务巾心" not in (out / "draft.review.html").read_text(encoding="utf-8")  # no longer flagged
    learned = load_lexicon(lexicon)
    assert "区航运发展服务中心" in learned.view("青浦区").canonical_of  # the draft's district's section
    assert "区航运发展服务中心" not in learned.view("松江区").canonical_of
    assert list(tmp_path.glob("lexicon.txt.*.bak"))

    # the next draft with the same OCR error is repaired to the learned name
    out2 = tmp_path / "out2"
    assert main(["run", str(draft_with(tmp_path, "区卫生健康委、区航运发展服务巾心")), "--out", str(out2),
                 "--lexicon", str(lexicon)]) == 0
    item3 = next(r for r in read_rows(out2 / "draft.csv") if r["序号"] == "3")
    assert item3["配合单位"] == "区卫生健康委、区航运发展服务中心"


def test_cell_id_corrections_on_a_scan(tmp_path, truth_rows):
    draft = scangen.render_draft(truth_rows[:4], tmp_path / "scan.pdf", scangen.VARIANTS["sample"]).path
    out = tmp_path / "out"
    assert main(["run", str(draft), "--out", str(out), "--workers", "1"]) == 0
    review = read_rows(out / "scan.review.csv")
    lead = next(r for r in review if r["序号"] == "1" and r["column"] == "牵头单位")
    corrections = tmp_path / "fix.csv"
    write_rows(corrections, [{"cell_id": lead["cell_id"], "text": "区教育局、区妇联"}])
    assert main(["apply", str(out), str(corrections)]) == 0
    row1 = next(r for r in read_rows(out / "scan.csv") if r["序号"] == "1")
    assert row1["牵头单位"] == "区教育局、区妇联"
    assert row1["工作要求"] == truth_rows[0]["工作要求"]


def test_unknown_cell_is_a_clear_error(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(SEED), "--out", str(out)]) == 0
    bad = tmp_path / "fix.csv"
    write_rows(bad, [{"cell_id": "p9-r99-c9", "text": "x"}])
    assert main(["apply", str(out), str(bad)]) == 10
    assert "line 2" in capsys.readouterr().err


#: An invented document (no held-out answer): a text extraction of its 职责分工, as clerks' tools give it.
MINHANG_TITLE = "《闵行区推进滨水空间示范建设的工作方案》职责分工"
MINHANG = (MINHANG_TITLE + "\n\n一级指标\t二级指标\t工作要求\t牵头单位\t配合单位\n"
           "一、完善规划体系\t1. 编制滨水空间总体规划\t完成总体规划编制。\t区规划资源局\t区港航中心\n"
           "\t2. 优化岸线功能布局\t明确岸线功能。\t区规划资源局\t区水务局\n"
           "二、加强建设管理\t3. 推进贯通工程\t按期完成贯通工程。\t区建设管理委\t区港航中心、各街镇\n")


def test_learn_titles_into_the_documents_section_and_aliases_into_the_district(tmp_path):
    lexicon = tmp_path / "mine.txt"
    lexicon.write_text("# my additions\n", encoding="utf-8")
    draft = tmp_path / "minhang.txt"
    draft.write_text(MINHANG, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(draft), "--out", str(out), "--lexicon", str(lexicon)]) == 0
    review = read_rows(out / "minhang.review.csv")
    title = next(r for r in review if r["序号"] == "2" and r["column"] == "二级指标")
    assert title["final_text"] == "优化岸线功能布局" and "unknown_title" not in title["flags"]  # no section: as read
    title["final_text"] = "优化滨水岸线功能布局"  # the clerk fixes a title
    support = next(r for r in review if r["序号"] == "1" and r["column"] == "配合单位")
    assert support["final_text"] == "区港航中心" and "unknown_agency" in support["flags"]
    support["final_text"] = "区交通委"  # the clerk: 区港航中心 is how this draft writes 区交通委
    write_rows(out / "minhang.review.csv", review)
    assert main(["apply", str(out), str(out / "minhang.review.csv"), "--learn"]) == 0

    learned = load_lexicon(lexicon)
    (section,) = learned.documents
    assert section.title == MINHANG_TITLE
    assert [(t.number, t.parent, t.title) for t in section.level2] == [
        (1, "一", "编制滨水空间总体规划"), (2, "一", "优化滨水岸线功能布局"), (3, "二", "推进贯通工程")]
    assert learned.view("闵行区").canonical_of["区港航中心"] == "区交通委"
    assert "区港航中心" not in learned.view("松江区").canonical_of

    # the next draft of the same document: titles repaired against its section, the alias applied
    draft.write_text(MINHANG.replace("2. 优化岸线功能布局", "2. 优化滨水岸线功 能布局").replace(
        "编制滨水空间总体规划", "编制滨水空问总体规划"), encoding="utf-8")
    out2 = tmp_path / "out2"
    assert main(["run", str(draft), "--out", str(out2), "--lexicon", str(lexicon)]) == 0
    rows = read_rows(out2 / "minhang.csv")
    assert [r["二级指标"] for r in rows] == ["编制滨水空间总体规划", "优化滨水岸线功能布局", "推进贯通工程"]
    assert rows[0]["配合单位"] == "区交通委" and rows[2]["配合单位"] == "区交通委、各街镇"
    changes = next(r for r in read_rows(out2 / "minhang.review.csv") if r["序号"] == "1" and r["column"] == "配合单位")
    assert "alias: '区港航中心' -> '区交通委'" in changes["changes"]  # the rewrite is recorded
    # another document's draft does not get these titles
    other = tmp_path / "other.txt"
    other.write_text(MINHANG.replace(MINHANG_TITLE, "《闵行区另一项工作方案》职责分工").replace(
        "编制滨水空间总体规划", "编制滨水空问总体规划").replace("优化岸线功能布局", "开展河道整治").replace(
        "推进贯通工程", "完善管护机制"), encoding="utf-8")
    assert main(["run", str(other), "--out", str(out2), "--lexicon", str(lexicon)]) == 0
    assert read_rows(out2 / "other.csv")[0]["二级指标"] == "编制滨水空问总体规划"


def test_lexicon_check_command(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text("district: 闵行\nagency: 区港航中心\n", encoding="utf-8")
    assert main(["lexicon", "check", str(good)]) == 1  # on top of the base: its one deliberate near pair
    assert "各相关职能部门" in capsys.readouterr().out
    assert main(["lexicon", "check", str(good), "--only"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    bad = tmp_path / "bad.txt"
    bad.write_text("agency: 区港航中心\nlevel2: 1 | 一 | 某某\n", encoding="utf-8")
    assert main(["lexicon", "check", str(bad), "--only"]) == 8
    assert "bad.txt: line 2:" in capsys.readouterr().err
    near = tmp_path / "near.txt"
    near.write_text("agency: 区港航管理中心\nagency: 区港航管理中队\n", encoding="utf-8")
    assert main(["lexicon", "check", str(near), "--only"]) == 1
    assert "one edit apart" in capsys.readouterr().out


def test_run_options_district_and_previous(tmp_path):
    truth = ROOT / "tests" / "data" / "qingpu_v1.csv"
    draft = tmp_path / "nt.txt"
    draft.write_text(MINHANG.replace(MINHANG_TITLE + "\n", "").replace("区港航中心", "区公安分局"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(draft), "--out", str(out), "--district", "闵行"]) == 0
    assert read_rows(out / "nt.csv")[0]["配合单位"] == "公安闵行分局"
    assert main(["run", str(draft), "--out", str(out), "--district", "苏州", "--force"]) == 2
    assert main(["run", str(draft), "--out", str(out), "--previous", str(tmp_path / "none.csv"), "--force"]) == 3
    assert main(["run", str(SEED), "--out", str(out), "--previous", str(truth), "--lexicon-only",
                 "--lexicon", str(tmp_path / "nt.txt.lex")]) == 8  # a missing lexicon file
