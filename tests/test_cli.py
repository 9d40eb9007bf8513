"""The command line: batches with bad files, up-to-date skipping, atomic outputs, diff exit codes."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import scangen
from reportlab.pdfgen import canvas

from pipeline.__main__ import main
from pipeline.fileio import write_bytes_atomic

ROOT = Path(__file__).resolve().parent.parent
TRUTH = ROOT / "tests" / "data" / "qingpu_v1.csv"
SEED = ROOT / "tests" / "data" / "qingpu_draft_extracted.txt"


@pytest.fixture(scope="module")
def small_draft(tmp_path_factory, truth_rows) -> Path:
    """A two-page scan of the first items: quick to OCR."""
    folder = tmp_path_factory.mktemp("drafts")
    return scangen.render_draft(truth_rows[:9], folder / "small.pdf", scangen.VARIANTS["sample"]).path


def text_only_pdf(path: Path) -> Path:
    c = canvas.Canvas(str(path))
    c.drawString(100, 700, "Minutes of the meeting. No table here.")
    c.save()
    return path


def test_batch_goes_on_past_bad_files(tmp_path, small_draft, capsys):
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "a_good.pdf").write_bytes(small_draft.read_bytes())
    (folder / "b_empty.pdf").write_bytes(b"")
    (folder / "c_truncated.pdf").write_bytes(small_draft.read_bytes()[:5000])
    (folder / "d_not_a_pdf.pdf").write_bytes(b"GIF89a not really")
    text_only_pdf(folder / "e_no_table.pdf")
    secret = canvas.Canvas(str(folder / "f_encrypted.pdf"), encrypt="pw")
    secret.drawString(100, 700, "secret")
    secret.save()
    out = tmp_path / "out"
    code = main(["run", str(folder), "--out", str(out), "--workers", "1"])
    err = capsys.readouterr().err
    assert code != 0
    assert (out / "a_good.csv").exists() and (out / "a_good.review.html").exists()
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 5
    for name, words in [("b_empty", "empty"), ("c_truncated", "damaged or truncated"), ("d_not_a_pdf", "not a PDF"),
                        ("e_no_table", "no ruled"), ("f_encrypted", "encrypted")]:
        assert any(name in line and words in line for line in errors), (name, errors)
    assert "Traceback" not in err
    # Only the good draft's outputs, and the batch's archive index (pipeline/archive.py).
    assert not [p for p in out.iterdir() if not p.name.startswith("a_good")
                and p.name not in ("index.csv", "archive.long.csv")]


def test_up_to_date_drafts_are_skipped(tmp_path, small_draft, capsys):
    out = tmp_path / "out"
    assert main(["run", str(small_draft), "--out", str(out), "--workers", "1", "--debug", str(tmp_path / "dbg")]) == 0
    import pypdfium2

    pages = len(pypdfium2.PdfDocument(str(small_draft)))
    drawn = sorted(p.name for p in (tmp_path / "dbg").iterdir())
    assert pages >= 2 and drawn == [f"small.p{i}.grid.png" for i in range(1, pages + 1)]
    first = (out / "small.csv").stat().st_mtime_ns
    assert main(["run", str(small_draft), "--out", str(out), "--workers", "1"]) == 0
    assert "skipped" in capsys.readouterr().out
    assert (out / "small.csv").stat().st_mtime_ns == first


def test_failed_run_keeps_the_good_outputs(tmp_path, small_draft):
    draft = tmp_path / "small.pdf"
    draft.write_bytes(small_draft.read_bytes())
    out = tmp_path / "out"
    assert main(["run", str(draft), "--out", str(out), "--workers", "1"]) == 0
    good = (out / "small.csv").read_bytes()
    draft.write_bytes(draft.read_bytes()[:3000])  # a broken re-scan of the same draft
    assert main(["run", str(draft), "--out", str(out), "--workers", "1", "--force"]) != 0
    assert (out / "small.csv").read_bytes() == good


def test_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "x.csv"
    target.write_text("good")

    def boom(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        write_bytes_atomic(target, b"new content")
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_interrupted_run_leaves_no_partial_files(tmp_path):
    # Two copies of the draft's rows (10 pages): long enough that the run is still going after 4 s on a
    # fast machine (the 5-page draft once finished before the signal in CI).
    rows = scangen.load_truth() * 2
    draft = scangen.render_draft(rows, tmp_path / "whole.pdf", scangen.VARIANTS["sample"]).path
    out = tmp_path / "out"
    # The child must not inherit an ignored SIGINT: something earlier in a full test session sets
    # SIG_IGN in pytest's process, and Python then installs no KeyboardInterrupt handler (the run
    # finished with 0 in CI). A user's shell gives the default disposition, as this does.
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(draft), "--out", str(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(4)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert not out.exists() or [p for p in out.iterdir()] == []


def test_text_extraction_input(tmp_path):
    assert main(["run", str(SEED), "--out", str(tmp_path)]) == 0
    rows = (tmp_path / "qingpu_draft_extracted.csv").read_text(encoding="utf-8-sig").splitlines()
    numbers = {line.split(",")[0] for line in rows[1:]}
    assert numbers == {str(n) for n in range(1, 27)}


def test_diff_exit_codes(tmp_path, capsys):
    same = main(["diff", str(TRUTH), str(TRUTH), "--out", str(tmp_path / "same")])
    assert same == 0
    edited = tmp_path / "edited.csv"
    edited.write_text(TRUTH.read_text(encoding="utf-8").replace("100米", "150米"), encoding="utf-8")
    assert main(["diff", str(TRUTH), str(edited), "--out", str(tmp_path / "d")]) == 1
    changes = (tmp_path / "d" / "changes.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(changes) == 2 and changes[1].startswith("text_changed,9,9,")
    assert (tmp_path / "d" / "diff.html").exists()
    assert main(["diff", str(TRUTH), str(tmp_path / "missing.csv"), "--out", str(tmp_path / "x")]) == 2
    assert "missing.csv" in capsys.readouterr().err


def test_diff_of_a_scan_against_its_own_csv_is_empty(tmp_path, small_draft):
    out = tmp_path / "out"
    assert main(["run", str(small_draft), "--out", str(out), "--workers", "1"]) == 0
    assert main(["diff", str(small_draft), str(out / "small.csv"), "--out", str(tmp_path / "d"),
                 "--workers", "1"]) == 0


def test_bad_settings_are_one_line_errors(capsys):
    assert main(["run", str(SEED), "--dpi", "5"]) == 2
    assert "dpi" in capsys.readouterr().err


def test_verbose_prints_stage_times_and_quiet_prints_nothing(tmp_path, capsys):
    assert main(["run", str(SEED), "--out", str(tmp_path / "a"), "-v"]) == 0
    assert "repair" in capsys.readouterr().out
    assert main(["run", str(SEED), "--out", str(tmp_path / "b"), "-q"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_bar_counts_pages_and_cells():
    import io

    from pipeline.__main__ import Progress

    stream = io.StringIO()
    progress = Progress(True, stream)
    progress.page_done(Path("draft.pdf"), 1, 3, 40)
    progress.page_done(Path("draft.pdf"), 3, 3, 118)
    progress.file_done(Path("draft.pdf"))
    shown = stream.getvalue()
    assert "draft.pdf" in shown and "3/3" in shown and "cells=118" in shown
    quiet = io.StringIO()
    Progress(False, quiet).page_done(Path("draft.pdf"), 1, 3, 40)
    assert quiet.getvalue() == ""
