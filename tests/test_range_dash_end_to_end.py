"""A range of years whose dash ends a printed line (2027— / 2029年 in the held-out Minhang plan's last
item), the whole plan drawn as make eval draws it under the library's shadow (scangen's clean-300 style
through tests/degrade.py) and read end to end with the real OCR: the recognizer drops the dash at the
line's end there, and the repair puts it back from the line's lattice, logged and flagged
(repair.range_dashes_from_image; make eval: minhang/shadow, scanner-edge, lines-degradation and
dirty-drum read 20272029 before it)."""

from __future__ import annotations

import csv

import scangen
from conftest import MINHANG_CSV, MINHANG_TITLE, read_degraded


def test_the_dash_of_a_range_of_years_that_ended_a_line_is_put_back(tmp_path):
    truth = scangen.load_truth(MINHANG_CSV)
    assert "2027—2029年每年" in truth[-1]["工作要求"]
    got, out = read_degraded(truth, "shadow", MINHANG_TITLE, tmp_path, "shadow")
    assert got[-1]["工作要求"] == truth[-1]["工作要求"]
    with (out / "shadow.review.csv").open(encoding="utf-8-sig") as fh:
        flagged = [r for r in csv.DictReader(fh) if "range_dash_from_image: 2027—2029" in r["flags"]]
    assert [r["序号"] for r in flagged] == [truth[-1]["序号"]]
