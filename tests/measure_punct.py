"""The dot check of pipeline/ocr/punct.py measured: python tests/measure_punct.py.

Lines of the three truth documents (tests/data) that hold 、 or ， between Chinese characters are drawn
in the five scangen fonts at 28 px (10.5 pt at 200 dpi), plain and as a 1-bit light-toner scan, cut as
the pipeline cuts them and read by PP-OCRv6 small. Where the reading has 、 or ， between Chinese
characters it is replaced by `·` (the confusion of issue 15) and `punct.restore` must give the mark
back; a `·` put between two Chinese characters with no ink there (a speck the cutting already
removed) and over a speck drawn at the middle of the line must be dropped. Lines ending in a mark
(。，、；：) must keep it; they also measure the blank before a real line-end mark, and how many specks
drawn 0.6-1.5 character heights after a line's last character and read as a mark are dropped (a dot is
decided from its ink as any line-end dot; a speck read as 。 is kept: the blank before a real mark
reaches 0.78 text heights, UKai and UMing centre their marks, and a 150-dpi 黑体 ， with blank 0.52,
size 0.22 and elongation 1.4-1.7 looks like such a speck).
Prints the rates.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import scangen  # noqa: E402

from pipeline.ocr import punct  # noqa: E402
from pipeline.ocr.cells import cut_lines  # noqa: E402
from pipeline.ocr.ppocr import Recognizer  # noqa: E402

SIZE = 28
#: Lines per document and font.
PER_DOC = 12


def draw(text: str, font: str, bilevel: bool, speck_after: int = -1) -> np.ndarray:
    path, _name = scangen._FONT_FILES[font]
    face = ImageFont.truetype(path, SIZE, index=scangen._face_index(path, _name))
    img = Image.new("L", (40 + SIZE * len(text), 2 * SIZE), 255)
    d = ImageDraw.Draw(img)
    d.text((20, SIZE // 2), text, font=face, fill=15 if not bilevel else 90)
    a = np.asarray(img)
    if bilevel:
        a = np.where(a < 150, 0, 255).astype(np.uint8)
    return a


def _segments(pattern: str) -> list[str]:
    """The first PER_DOC distinct runs matching `pattern` in each truth document's cells."""
    out = []
    for csv in sorted((ROOT / "tests" / "data").glob("*.csv")):
        texts = [v for r in scangen.load_truth(csv) for v in r.values()]
        segs = [m.group(0) for t in texts for m in re.finditer(pattern, t)]
        out += list(dict.fromkeys(segs))[:PER_DOC]
    return out


def samples() -> list[str]:
    """Runs of Chinese characters with 、 or ， between them."""
    return _segments(r"[\u4e00-\u9fff]{2,8}[、，][\u4e00-\u9fff]{2,8}")


def ending_samples() -> list[str]:
    """Runs of Chinese characters ending in a mark, as cell lines end."""
    return _segments(r"[\u4e00-\u9fff]{3,8}[。，、；：]")


def trailing_gap(image: np.ndarray) -> float:
    """The blank before the line's last run of ink columns, in text heights (0 for a single run)."""
    ink = punct._ink(image)
    top, bottom = punct.text_band(ink)
    cols = np.flatnonzero(ink.any(axis=0))
    breaks = np.flatnonzero(np.diff(cols) > 1) if cols.size else cols
    if breaks.size == 0:
        return 0.0
    return (cols[breaks[-1] + 1] - cols[breaks[-1]] - 1) / max(1, bottom - top)


def with_speck(image: np.ndarray, distance_chars: float) -> np.ndarray:
    """The line with a round speck (0.15 character wide) `distance_chars` after its last ink, low in the line."""
    out = image.copy()
    ink = np.flatnonzero((image < 128).any(axis=0))
    rows = np.flatnonzero((image < 128).any(axis=1))
    r = max(2, int(0.075 * SIZE))
    cx = min(out.shape[1] - r - 1, int(ink[-1] + distance_chars * SIZE + r))
    cy = int(rows[-1] - r)
    yy, xx = np.ogrid[:out.shape[0], :out.shape[1]]
    out[(yy - cy) ** 2 + (xx - cx) ** 2 <= r * r] = 20
    return out


def line_ends(rec: Recognizer) -> None:
    """The blank before real line-end marks, and specks after the line's end."""
    gaps: list[float] = []
    kept = {"kept": 0, "dropped": 0}
    specks = {"dropped": 0, "kept": 0}
    for text in ending_samples():
        for font in scangen.FONTS:
            for bilevel in (False, True):
                image = draw(text, font, bilevel)
                image = np.pad(image, ((0, 0), (0, 2 * SIZE)), constant_values=255)
                lines = cut_lines(image, SIZE)
                if len(lines) != 1:
                    continue
                gaps.append(trailing_gap(lines[0]))
                (r,) = rec.read(lines)
                if r.text.endswith(text[-1]):
                    kept["kept" if punct.restore(lines[0], r.text, r.xs) == r.text else "dropped"] += 1
                for distance in (0.6, 1.0, 1.5):
                    speckled = cut_lines(with_speck(image, distance), SIZE)
                    if len(speckled) != 1:
                        continue
                    (s,) = rec.read(speckled)
                    if s.text[-1:] in "·.・。，、,‘" and len(s.text) > len(r.text):
                        specks["dropped" if punct.restore(speckled[0], s.text, s.xs) == r.text else "kept"] += 1
    print(f"blank before a real line-end mark, text heights: max {max(gaps):.2f}, "
          f"99th percentile {np.percentile(gaps, 99):.2f} ({len(gaps)} lines)")
    print(f"real line-end marks kept: {kept['kept']}/{sum(kept.values())}")
    print(f"specks after the line end read as a mark, dropped: {specks['dropped']}/{sum(specks.values())}")


def main() -> int:
    rec = Recognizer("v6-small")
    marks = {"right": 0, "wrong": 0}
    confusion: dict[tuple[str, str], int] = {}
    specks = {"dropped": 0, "kept": 0}
    for text in samples():
        for font in scangen.FONTS:
            for bilevel in (False, True):
                lines = cut_lines(draw(text, font, bilevel), SIZE)
                if len(lines) != 1:
                    continue
                (r,) = rec.read(lines)
                for k in range(1, len(r.text) - 1):
                    ch = r.text[k]
                    if ch in "、，" and punct.is_han(r.text[k - 1]) and punct.is_han(r.text[k + 1]):
                        got = punct.restore(lines[0], r.text[:k] + "·" + r.text[k + 1:], r.xs)[k:k + 1]
                        marks["right" if got == ch else "wrong"] += 1
                        confusion[(ch, got)] = confusion.get((ch, got), 0) + 1
                # a dot where there is no ink: between the first two Chinese characters
                if len(r.text) >= 3 and punct.is_han(r.text[0]) and punct.is_han(r.text[1]):
                    xs = (r.xs[0], (r.xs[0] + r.xs[1]) / 2, *r.xs[1:])
                    fixed = punct.restore(lines[0], r.text[0] + "·" + r.text[1:], xs)
                    specks["dropped" if fixed == r.text else "kept"] += 1
    total = max(1, marks["right"] + marks["wrong"])
    print(f"、/， written as · and restored: {marks['right']}/{total} right "
          f"({100 * marks['wrong'] / total:.1f}% wrong); "
          f"confusions {sorted(confusion.items())}")
    print(f"· with no ink between two characters dropped: {specks['dropped']}/{sum(specks.values())}")
    line_ends(rec)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
