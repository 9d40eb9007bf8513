"""The archive across drafts: corrected/index.csv (one row per draft) and archive.long.csv (every
draft's long form with its id), written after every batch; drafts are text extractions here, so the
tests read no scan and take a second."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import scangen

from pipeline.__main__ import main
from pipeline.archive import ARCHIVE_LONG_HEADER, ARCHIVE_LONG_NAME, INDEX_HEADER, INDEX_NAME, version_label
from pipeline.export import LONG_HEADER
from pipeline.fileio import read_csv_rows

QINGPU = scangen.DEFAULT_TITLE  # …职责分工（送审稿）
SONGJIANG = "《松江区加强中小学幼儿园安全风险防控体系建设的实施方案》职责分工(征求意见稿)"
#: (file, title, truth rows): two districts, two versions, overlapping items.
DRAFTS = (("a_qingpu.txt", QINGPU, slice(0, 5)), ("b_songjiang.txt", SONGJIANG, slice(3, 9)),
          ("c_untitled.txt", "职责分工", slice(9, 12)))
#: The question the README answers in one line.
LEAD = "区教育局"


def write_extraction(path: Path, title: str, rows: list[dict[str, str]]) -> None:
    """A tab-separated extraction (the clerks' tools' form) of truth rows under `title`."""
    lines = [title, "", "一级指标\t二级指标\t工作要求\t牵头单位\t配合单位"]
    lines += ["\t".join([r["一级指标"], f"{r['序号']}. {r['二级指标']}", r["工作要求"], r["牵头单位"], r["配合单位"]])
              for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def batch(tmp_path, truth_rows) -> tuple[Path, Path]:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    for name, title, rows in DRAFTS:
        write_extraction(raw / name, title, truth_rows[rows])
    (raw / "d_broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    assert main(["run", str(raw), "--out", str(out), "-q", "--workers", "1"]) == 4
    return raw, out


def index_of(out: Path) -> dict[str, dict[str, str]]:
    return {row["draft_id"]: row for row in read_csv_rows(out / INDEX_NAME)}


def test_index_has_one_row_per_draft(batch):
    raw, out = batch
    assert (out / INDEX_NAME).read_text(encoding="utf-8-sig").splitlines()[0] == ",".join(INDEX_HEADER)
    index = index_of(out)
    assert sorted(index) == ["a_qingpu", "b_songjiang", "c_untitled", "d_broken"]
    a, b, c, d = (index[k] for k in sorted(index))
    assert (a["title"], a["district"], a["version"]) == (QINGPU, "青浦区", "送审稿")
    assert (b["district"], b["version"]) == ("松江区", "征求意见稿")
    # its title names no district; its agency cells do (公安青浦分局 in more than one): repair.district_of_agencies
    assert (c["district"], c["version"]) == ("青浦区", "")
    assert [a["rows"], b["rows"], c["rows"]] == ["5", "6", "3"]
    assert all(r["status"] == "ok" and r["pages"] == "1" and r["engine"] == "rapid" and r["tables"] == "1"
               for r in (a, b, c))
    assert all(r["flagged_cells"].isdigit() and float(r["seconds"]) >= 0 and r["processed"] for r in (a, b, c))
    assert a["file"] == str((raw / "a_qingpu.txt").resolve())
    assert d["status"] == "failed" and "damaged or truncated" in d["message"] and d["rows"] == ""


def test_archive_long_is_every_drafts_long_form_with_its_id(batch):
    _, out = batch
    archive = read_csv_rows(out / ARCHIVE_LONG_NAME)
    assert tuple(archive[0]) == ARCHIVE_LONG_HEADER
    for draft in ("a_qingpu", "b_songjiang", "c_untitled"):
        own = read_csv_rows(out / f"{draft}.long.csv")
        assert [{k: r[k] for k in LONG_HEADER} for r in archive if r["draft_id"] == draft] == own
    assert {r["draft_id"] for r in archive} == {"a_qingpu", "b_songjiang", "c_untitled"}


def test_what_an_agency_leads_across_drafts_is_one_pandas_line(batch, truth_rows):
    _, out = batch
    # The README's line:
    leads = pd.read_csv(out / ARCHIVE_LONG_NAME).query("单位 == '区教育局' and 角色 == '牵头'")
    expected = {(name[:-4], int(r["序号"])) for name, _, rows in DRAFTS for r in truth_rows[rows]
                if LEAD in r["牵头单位"].split("、")}
    assert set(zip(leads["draft_id"], leads["序号"], strict=True)) == expected
    assert set(leads["district"].fillna("")) == {"青浦区", "松江区"}  # the untitled one by its agencies


def test_a_rerun_keeps_the_index_and_a_lost_index_is_rebuilt_from_the_outputs(batch):
    raw, out = batch
    before_index, before_archive = (out / INDEX_NAME).read_bytes(), (out / ARCHIVE_LONG_NAME).read_bytes()
    assert main(["run", str(raw), "--out", str(out), "-q", "--workers", "1"]) == 4  # all skipped but the broken
    after = index_of(out)
    for key in ("a_qingpu", "b_songjiang", "c_untitled"):
        assert after[key] == {k: v for k, v in zip(INDEX_HEADER, _row(before_index, key), strict=True)}
    assert (out / ARCHIVE_LONG_NAME).read_bytes() == before_archive
    (out / INDEX_NAME).unlink()
    assert main(["run", str(raw / "a_qingpu.txt"), "--out", str(out), "-q"]) == 0  # skipped
    rebuilt = index_of(out)
    assert sorted(rebuilt) == ["a_qingpu", "b_songjiang", "c_untitled"]  # the failure was not on disk
    assert rebuilt["b_songjiang"]["title"] == "" and "before the index" in rebuilt["b_songjiang"]["message"]
    assert (rebuilt["b_songjiang"]["district"], rebuilt["b_songjiang"]["rows"]) == ("松江区", "6")
    assert (out / ARCHIVE_LONG_NAME).read_bytes().count(b"\n") == before_archive.count(b"\n")


def _row(index_bytes: bytes, draft: str) -> list[str]:
    import csv
    import io

    rows = csv.reader(io.StringIO(index_bytes.decode("utf-8-sig")))
    return next(r for r in rows if r[0] == draft)


def test_a_draft_that_fails_later_keeps_its_row_and_earlier_data(batch):
    raw, out = batch
    (raw / "b_songjiang.txt").write_bytes(b"\xff\xfe\x00garbage that is not text")
    main(["run", str(raw), "--out", str(out), "-q", "--workers", "1"])
    row = index_of(out)["b_songjiang"]
    assert row["status"] == "failed" and row["message"] and row["title"] == SONGJIANG
    assert any(r["draft_id"] == "b_songjiang" for r in read_csv_rows(out / ARCHIVE_LONG_NAME))


@pytest.mark.parametrize(("title", "label"), [
    (QINGPU, "送审稿"),
    ("《关于…的实施方案》职责分工(征求意见稿)", "征求意见稿"),
    ("《实施方案》任务分工【第二稿】", "第二稿"),
    ("《实施方案》（2024年修订版）职责分工", "2024年修订版"),
    ("《实施方案》职责分工 送审稿", "送审稿"),
    ("《实施方案》（试行）职责分工", ""),
    ("", ""),
])
def test_version_label(title, label):
    assert version_label(title) == label
