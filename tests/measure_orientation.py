"""Orientation decided by reading, measured: `make eval` runs it (python tests/measure_orientation.py).

Every page below is turned by 0/90/180/270° and handed to `orient.decide_orientation` with each
engine (the default engine's quick look, PP-OCRv6 tiny, as clean.py uses it; the whole PP-OCRv6
cascade; tesseract), and, for comparison, to tesseract's own orientation
classifier (OSD, `--psm 0`, osd.traineddata from Debian's tesseract-ocr). Pages: the Qingpu draft
in the shipped sample's style (our renderer), the three held-out documents on a 1-bit scan (our
renderer, documents never tuned on), the held-out Songjiang page under three of the library's
degradations (dirty drum, 1-bit light toner, phone photo), an A4 landscape table drawn with PIL, and the real
third-party scans of ../shared/real when present (none of which is a 职责分工 table). Prints one
line per method: pages right / pages, mean seconds per page, and every page it got wrong.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import degrade  # noqa: E402
import pytesseract  # noqa: E402
import scangen  # noqa: E402
from test_clean import landscape_table  # noqa: E402

from pipeline.ocr import get_engine  # noqa: E402
from pipeline.orient import decide_orientation, turned  # noqa: E402
from pipeline.settings import Settings  # noqa: E402

REAL = ROOT.parent / "shared" / "real"
#: Pages of each held-out document measured (the first three: header page and two without).
HELD_OUT_PAGES = 3
HELD_OUT_DOCS = ("songjiang_flood_v1", "jiading_elderly_v1", "minhang_waste_v1")
#: The library's degradations (tests/degrade.py) whose first Songjiang page is measured too: the
#: hardest to read (streaks, strokes lost to a 1-bit threshold, a photographed page).
LIBRARY_RECIPES = ("dirty-drum", "bilevel-200", "phone-photo")


def pages() -> dict[str, np.ndarray]:
    """Name → upright grayscale page."""
    out = {}
    for i, im in enumerate(scangen.render_pages(scangen.load_truth(), scangen.VARIANTS["sample"])):
        out[f"qingpu-sample-p{i + 1}"] = np.asarray(im.convert("L"))
    for doc in HELD_OUT_DOCS:
        rows = scangen.load_truth(ROOT / "tests" / "data" / f"{doc}.csv")
        for i, im in enumerate(scangen.render_pages(rows, scangen.VARIANTS["uming-bilevel"])[:HELD_OUT_PAGES]):
            out[f"{doc}-bilevel-p{i + 1}"] = np.asarray(im.convert("L"))
    rows = scangen.load_truth(ROOT / "tests" / "data" / "songjiang_flood_v1.csv")
    for recipe in LIBRARY_RECIPES:
        images, _ = degrade.degrade_pages(degrade.rows_for_pages(rows, 1), recipe, scangen.VARIANTS["clean-300"])
        image = images[0]
        out[f"songjiang-{recipe}-p1"] = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    out["landscape-table"] = landscape_table()
    if REAL.is_dir():
        for path in sorted(REAL.iterdir()):
            if path.suffix.lower() in (".png", ".jpg", ".jpeg"):
                out[f"real:{path.name}"] = np.asarray(Image.open(path).convert("L"))
    else:
        print(f"(real scans skipped: {REAL} is absent)")
    return out


def tesseract_osd(image: np.ndarray) -> int | None:
    """The clockwise turn tesseract's orientation classifier asks for, None when it gives up."""
    try:
        out = pytesseract.image_to_osd(Image.fromarray(image), config="--psm 0 -c min_characters_to_try=10")
    except pytesseract.TesseractError:
        return None
    found = re.search(r"Rotate: (\d+)", out)
    return int(found.group(1)) if found else None


def measure(name: str, decide: Callable[[np.ndarray], int | None], material: dict[str, np.ndarray]) -> None:
    right, total, seconds, wrong = 0, 0, 0.0, []
    for page, image in material.items():
        for turn in (0, 90, 180, 270):
            want = (360 - turn) % 360
            start = time.perf_counter()
            got = decide(turned(image, turn))
            seconds += time.perf_counter() - start
            total += 1
            right += got == want
            if got != want:
                wrong.append(f"{page} turned {turn}°: said {got}")
    print(f"{name:28s} {right}/{total} right, {seconds / total:.2f} s a page" + (f"; wrong: {wrong}" if wrong else ""))


def main() -> int:
    material = pages()
    print(f"orientation over {len(material)} pages x 4 turns")
    rapid = get_engine(Settings(engine="rapid"))
    readers = {"read by rapid (v6 tiny)": rapid.quick(), "read by the v6 cascade": rapid,
               "read by tesseract": get_engine(Settings(engine="tesseract"))}
    for label, reader in readers.items():
        measure(label, lambda im, r=reader: decide_orientation(im, r).rotation, material)
    measure("tesseract OSD (classifier)", tesseract_osd, material)
    return 0


if __name__ == "__main__":
    sys.exit(main())
