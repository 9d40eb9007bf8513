"""apply: a clerk's corrections rewrite every output; --learn teaches the lexicon new agencies."""

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
    assert "区航运发展服务中心" in load_lexicon(lexicon).canonical_of
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
