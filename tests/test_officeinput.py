"""Word, WPS and Excel drafts: generated from the truth, read back exactly (no OCR), and bad files
(password-protected, damaged, a LibreOffice that hangs) named with their exit codes."""

from __future__ import annotations

import csv
import io
import os
import time
from pathlib import Path

import officegen
import pytest

from pipeline import convert as convert_module
from pipeline.__main__ import main
from pipeline.errors import ConversionTimeout, CorruptInput, EncryptedDocument, UnsupportedFormat
from pipeline.ingest import detect_kind
from pipeline.run import process_draft, process_draft_tables
from pipeline.settings import Settings

SETTINGS = Settings(workers=1)
TRUTH_COLUMNS = ("序号", "一级指标", "二级指标", "工作要求", "牵头单位", "配合单位")


def table_dicts(result) -> list[dict[str, str]]:
    names = [c.name for c in result.table.columns]
    return [dict(zip(names, values, strict=True)) for values in result.table.csv_rows()]


def assert_exact(result, truth: list[dict[str, str]]) -> None:
    got = table_dicts(result)
    assert len(got) == len(truth)
    for i, (row, want) in enumerate(zip(got, truth, strict=True)):
        assert {c: row[c] for c in TRUTH_COLUMNS} == {c: want[c] for c in TRUTH_COLUMNS}, f"row {i}"
    assert not result.flags


def test_docx_merged_cells_header_repeated(tmp_path, truth_rows, lexicon):
    """一级/二级 merged down their rows (vMerge), the header row marked to repeat on each page: exact."""
    path = officegen.write_docx(truth_rows, tmp_path / "draft.docx")
    assert detect_kind(path) == "docx"
    result = process_draft(path, SETTINGS, lexicon)
    assert_exact(result, truth_rows)
    assert result.kind == "docx"
    assert result.table.title == f"《{officegen.TITLE}》"
    # a merged 一级 cell is one cell spanning its rows, read once and filled into each
    source = result.raw_table.rows[1].sources["level1"]
    assert source.cell_ids == ("p1-r1-c0",) and source.engine == "docx" and source.confidence == 1.0


@pytest.mark.parametrize("repeat_header", [True, False])
def test_docx_table_split_in_two(tmp_path, truth_rows, lexicon, repeat_header):
    """A table cut into two Word tables (over two pages), with or without the header again: one
    table, exact; an item's merged cell cut by the split is joined."""
    path = officegen.write_docx(truth_rows, tmp_path / "split.docx", split_at=14, repeat_header_in_split=repeat_header)
    results = process_draft_tables(path, SETTINGS, lexicon)
    assert len(results) == 1
    assert_exact(results[0], truth_rows)
    assert [r.status for r in results[0].page_reports] == ["read", "read"]


def test_docx_tracked_insertion_is_read(tmp_path, truth_rows, lexicon):
    """Text inside a tracked insertion (w:ins) is part of the draft (python-docx alone drops it)."""
    path = officegen.write_docx(truth_rows, tmp_path / "tracked.docx", tracked_insert=True)
    result = process_draft(path, SETTINGS, lexicon)
    assert_exact(result, truth_rows)


def test_doc_via_libreoffice(tmp_path, truth_rows, lexicon):
    """A .doc (saved by LibreOffice from the .docx) is converted back and read exactly."""
    source = officegen.write_docx(truth_rows, tmp_path / "word97.docx")
    (tmp_path / "saved").mkdir()
    doc = officegen.saved_as(source, "doc", tmp_path / "saved")
    assert detect_kind(doc) == "doc"
    result = process_draft(doc, SETTINGS, lexicon)
    assert_exact(result, truth_rows)
    assert result.kind == "doc"


def test_xlsx_merged_ranges(tmp_path, truth_rows, lexicon):
    """序号, 一级 and 二级 merged down, a title row merged across and a note under the table: exact."""
    path = officegen.write_xlsx(truth_rows, tmp_path / "draft.xlsx")
    assert detect_kind(path) == "xlsx"
    result = process_draft(path, SETTINGS, lexicon)
    assert_exact(result, truth_rows)
    assert result.table.title == officegen.TITLE


def test_review_outputs_name_the_page_path(tmp_path, truth_rows):
    path = officegen.write_xlsx(truth_rows, tmp_path / "sheet.xlsx")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "-q"]) == 0
    with open(out / "sheet.review.csv", encoding="utf-8-sig", newline="") as handle:
        paths = {row["page_path"] for row in csv.DictReader(handle)}
    assert paths == {"xlsx"}


def test_password_protected_docx(tmp_path, truth_rows, capsys):
    """An encrypted .docx: one line naming the file, exit 5 like an encrypted PDF."""
    import msoffcrypto.format.ooxml

    plain = officegen.write_docx(truth_rows[:3], tmp_path / "plain.docx")
    secret = tmp_path / "secret.docx"
    with open(plain, "rb") as handle:
        encrypted = io.BytesIO()
        msoffcrypto.format.ooxml.OOXMLFile(handle).encrypt("s3cret", encrypted)
    secret.write_bytes(encrypted.getvalue())
    with pytest.raises(EncryptedDocument, match="password-protected"):
        detect_kind(secret)
    assert main(["run", str(secret), "--out", str(tmp_path / "out"), "--workers", "1", "-q"]) == 5
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "secret.docx" in err[0] and "password" in err[0]


@pytest.mark.parametrize(("name", "cut"), [("cut.docx", 0.5), ("cut.xlsx", 0.5)])
def test_damaged_office_file(tmp_path, truth_rows, name, cut, capsys):
    """A truncated .docx/.xlsx: CorruptInput, exit 4 like a damaged PDF."""
    writer = officegen.write_docx if name.endswith("docx") else officegen.write_xlsx
    good = writer(truth_rows[:5], tmp_path / f"good{Path(name).suffix}")
    bad = tmp_path / name
    bad.write_bytes(good.read_bytes()[: int(len(good.read_bytes()) * cut)])
    with pytest.raises(CorruptInput):
        detect_kind(bad)
    assert main(["run", str(bad), "--out", str(tmp_path / "out"), "--workers", "1", "-q"]) == 4
    assert "cut" in capsys.readouterr().err


def test_damaged_doc(tmp_path, lexicon):
    """A .doc that is random bytes after the compound-file magic: damaged, before LibreOffice."""
    bad = tmp_path / "junk.doc"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4000))
    with pytest.raises(CorruptInput):
        process_draft(bad, SETTINGS, lexicon)


def test_hanging_libreoffice_is_killed(tmp_path, monkeypatch, lexicon):
    """A LibreOffice that never finishes is killed with its children when the timeout runs out."""
    pid_file = tmp_path / "child.pid"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pid_file}\nwait\n")
    fake.chmod(0o755)
    monkeypatch.setenv(convert_module.SOFFICE_ENV, str(fake))
    monkeypatch.setattr(convert_module, "SOFFICE_TIMEOUT_S", 1.0)
    draft = tmp_path / "draft.rtf"
    draft.write_text("{\\rtf1 hello}")
    start = time.perf_counter()
    with pytest.raises(ConversionTimeout, match="did not finish"):
        process_draft(draft, SETTINGS, lexicon)
    assert time.perf_counter() - start < 10
    child = int(pid_file.read_text())
    time.sleep(0.2)
    status = Path(f"/proc/{child}/status")
    assert not status.exists() or "State:\tZ" in status.read_text(), "the conversion's child still runs"
    assert main(["run", str(draft), "--out", str(tmp_path / "out"), "--workers", "1", "-q"]) == 14


def test_missing_libreoffice_says_how_to_install(tmp_path, monkeypatch, lexicon):
    monkeypatch.setenv(convert_module.SOFFICE_ENV, str(tmp_path / "no-such-soffice"))
    draft = tmp_path / "draft.rtf"
    draft.write_text("{\\rtf1 hello}")
    with pytest.raises(Exception, match="libreoffice-writer-nogui"):
        process_draft(draft, SETTINGS, lexicon)


def test_ofd_is_refused_clearly(tmp_path, lexicon):
    """OFD (a zip holding OFD.xml): "not supported yet", exit 15, and what to do instead."""
    import zipfile

    path = tmp_path / "plan.ofd"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("OFD.xml", '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>')
    assert detect_kind(path) == "ofd"
    with pytest.raises(UnsupportedFormat, match="OFD not supported yet"):
        process_draft(path, SETTINGS, lexicon)
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--workers", "1", "-q"]) == 15
