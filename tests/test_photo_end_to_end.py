"""A phone photo of a draft (tests/degrade.py's phone-photo recipe: keystone, uneven light, curl,
JPEG; augraphy and OpenCV, not our renderer) end to end with the real OCR: rectified, every row
found, agencies exact, requirement CER within the scan-robustness issue's bound for photos, and the
warp reported in run.json."""

from __future__ import annotations

import csv
import json

import degrade
import scangen

from pipeline.__main__ import main
from pipeline.evaluate import rows_to_table, score_table

ROWS = 6
#: The issue's bound for photographed pages.
MAX_PHOTO_CER = 0.015


def test_a_phone_photo_is_rectified_and_read(truth_rows, tmp_path):
    rows = truth_rows[:ROWS]
    draft = degrade.render_degraded(rows, tmp_path / "photo.pdf", "phone-photo", scangen.VARIANTS["clean-300"], 0)
    out = tmp_path / "out"
    assert main(["run", str(draft.path), "--out", str(out), "--workers", "1", "-q"]) == 0
    with (out / "photo.csv").open(encoding="utf-8-sig") as fh:
        got = list(csv.DictReader(fh))
    assert [r["序号"] for r in got] == [r["序号"] for r in rows]
    for want, row in zip(rows, got, strict=True):
        assert (row["牵头单位"], row["配合单位"]) == (want["牵头单位"], want["配合单位"])
    assert score_table(rows_to_table(got), rows_to_table(rows)).requirement_cer <= MAX_PHOTO_CER
    record = json.loads((out / "photo.run.json").read_text(encoding="utf-8"))
    assert all("corners moved" in page["rectified"] for page in record["pages"]), record["pages"]
