"""Recognizers measured on the line crops the pipeline itself cuts (issue 15): python tests/ocr_lines.py.

Material: pages drawn by tests/scangen.py from the truth CSVs of tests/data (Qingpu and the two
held-out documents), in scangen styles without skew and in tests/degrade.py recipes without
geometric change, so that every grid cell the pipeline finds can be matched to the cell drawn
there and its truth is the text drawn in it. Cells are cut into lines exactly as
`pipeline.ocr.cells.read_cells` cuts them (`cell_lines`). Each recognizer reads every line image,
one line per call; CER is counted per cell (lines joined) against the drawn text, NFKC and
whitespace removed, and split by the class of the truth character (Han / punctuation / other; an
inserted character counts in its own class). Readings are cached in --cache so that reading
strategies (`--strategy`) are compared on exactly the same readings.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import degrade  # noqa: E402
import scangen  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402

from pipeline.evaluate import normalize  # noqa: E402
from pipeline.grid import detect_grid  # noqa: E402
from pipeline.models import Page  # noqa: E402
from pipeline.ocr.cells import cell_lines  # noqa: E402
from pipeline.settings import Settings  # noqa: E402

DATA = ROOT / "tests" / "data"
DOCS = {"qingpu": DATA / "qingpu_v1.csv", "songjiang": DATA / "songjiang_flood_v1.csv",
        "jiading": DATA / "jiading_elderly_v1.csv"}
#: scangen styles without skew or turn (cells stay where they were drawn).
STYLES = {
    "sample": scangen.ScanStyle(noise=0.15, jpeg_quality=75),
    "kai-200": scangen.VARIANTS["kai-200"],
    "uming-bilevel": replace(scangen.VARIANTS["uming-bilevel"], skew_deg=0.0),
    "zenhei-150-noisy": scangen.VARIANTS["zenhei-150-noisy"],
}
#: degrade.py recipes that change no geometry.
RECIPES = ("bilevel-200", "ink-bleed", "low-ink", "photocopy", "dirty-drum")
#: Conditions measured on two pages per document (the others on one).
TWO_PAGES = ("bilevel-200", "ink-bleed", "low-ink", "sample")
DEFAULT_CACHE = Path("/tmp/ocr_lines2")


@dataclass(frozen=True)
class CellSample:
    doc: str
    cond: str
    page: int
    column: str
    images: tuple[np.ndarray, ...]
    truth: str


def _truth_cells(layout_page: scangen.PageLayout, dpi: int) -> list[tuple[tuple[int, int, int, int], str, str]]:
    """Each drawn box in pixels, its column and the text drawn inside it."""
    s = dpi / degrade.POINTS_PER_INCH
    out = []
    for b in layout_page.boxes:
        inside = [ln for ln in layout_page.lines
                  if b.x0 <= ln.x + ln.size / 2 < b.x1 and b.y0 <= ln.top + ln.height / 2 < b.y1]
        inside.sort(key=lambda ln: (round(ln.top, 1), ln.x))
        out.append(((round(b.x0 * s), round(b.y0 * s), round(b.x1 * s), round(b.y1 * s)), b.column,
                    "".join(ln.text for ln in inside)))
    return out


#: A grid cell is scored only when it covers the drawn cell this well (intersection over union): a
#: grid that missed rulings (photocopy, dirty drum) is the grid's failure, not the recognizer's.
MIN_IOU = 0.7


def _iou(box: object, drawn: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = box.x0, box.y0, box.x1, box.y1  # type: ignore[attr-defined]
    ix = max(0, min(x1, drawn[2]) - max(x0, drawn[0]))
    iy = max(0, min(y1, drawn[3]) - max(y0, drawn[1]))
    inter = ix * iy
    union = (x1 - x0) * (y1 - y0) + (drawn[2] - drawn[0]) * (drawn[3] - drawn[1]) - inter
    return inter / union if union else 0.0


def _page_samples(doc: str, cond: str, no: int, image: np.ndarray, dpi: int,
                  layout_page: scangen.PageLayout) -> list[CellSample]:
    page = Page(index=no, image=image, dpi=dpi, source="scan")
    grid = detect_grid(page, Settings())
    boxes = _truth_cells(layout_page, dpi)
    out = []
    for item in cell_lines(page, grid):
        cx, cy = (item.cell.box.x0 + item.cell.box.x1) / 2, (item.cell.box.y0 + item.cell.box.y1) / 2
        match = [(col, text, box) for box, col, text in boxes
                 if box[0] <= cx < box[2] and box[1] <= cy < box[3]]
        if len(match) == 1 and item.images and _iou(item.cell.box, match[0][2]) >= MIN_IOU:
            out.append(CellSample(doc, cond, no, match[0][0], item.images, match[0][1]))
    return out


@dataclass(frozen=True)
class RenderedPage:
    doc: str
    cond: str
    no: int
    image: np.ndarray
    dpi: int
    layout: scangen.PageLayout


def render(max_pages: int = 2) -> list[RenderedPage]:
    """Every condition of every document: the first page (two for TWO_PAGES) and what was drawn on it."""
    out: list[RenderedPage] = []
    for doc, csv in DOCS.items():
        rows = scangen.load_truth(csv)
        for cond in [*STYLES, *RECIPES]:
            n = max_pages if cond in TWO_PAGES else 1
            if cond in STYLES:
                layout, images, _ = scangen._scan(rows, STYLES[cond], scangen.DEFAULT_TITLE, scangen.DEFAULT_LAYOUT)
                pages = [np.asarray(im.convert("L")) for im in images]
                dpi = STYLES[cond].dpi
            else:
                pages, dpi = degrade.degrade_pages(rows, cond)
                clean = replace(degrade.DEFAULT_STYLE, dpi=dpi, skew_deg=0.0, rotate=0, noise=0.0, blur=0.0,
                                jpeg_quality=None, gray_background=False, bilevel=False, text_layer="none")
                layout = scangen.layout_table(rows, clean, scangen.DEFAULT_TITLE)
            out += [RenderedPage(doc, cond, no, pages[no], dpi, layout.pages[no]) for no in range(min(n, len(pages)))]
            print(f"rendered {doc} {cond}", file=sys.stderr, flush=True)
    return out


def build(pages: Sequence[RenderedPage]) -> list[CellSample]:
    """Every page cut into cells of lines as the pipeline cuts them (the code as it is now)."""
    samples: list[CellSample] = []
    for p in pages:
        samples += _page_samples(p.doc, p.cond, p.no, p.image, p.dpi, p.layout)
    return samples


# --- recognizers ---------------------------------------------------------------------------------------
Reader = Callable[[Sequence[np.ndarray]], list[tuple[str, float, object]]]


def make_reader(name: str) -> Reader:
    """One line per call, as the pipeline reads them; the third item is the raw reading (or None)."""
    if name in ("v6-small", "v6-tiny"):
        from pipeline.ocr.ppocr import Recognizer

        rec = Recognizer(name)
        return lambda imgs: [(r.text, r.confidence, r) for r in rec.read(imgs)]
    if name == "v4":  # PP-OCRv4 mobile as the pipeline ran it before issue 15 (rapidocr-onnxruntime 1.4.4)
        import cv2
        import rapidocr_onnxruntime
        from rapidocr_onnxruntime.ch_ppocr_rec.text_recognize import TextRecognizer
        from rapidocr_onnxruntime.utils import read_yaml

        root = Path(rapidocr_onnxruntime.__file__).parent
        config = read_yaml(str(root / "config.yaml"))["Rec"]
        config.update(model_path=str(root / config["model_path"]), intra_op_num_threads=1, inter_op_num_threads=1,
                      rec_batch_num=1)
        v4 = TextRecognizer(config)
        return lambda imgs: [(t, float(c), None)
                             for t, c in v4([cv2.cvtColor(i, cv2.COLOR_GRAY2BGR) for i in imgs])[0]]
    if name == "tesseract":
        from pipeline.ocr.tesseract import TesseractEngine

        tess = TesseractEngine(timeout_s=120)
        return lambda imgs: [(r.text, r.confidence, None) for r in tess.read_lines(imgs)]
    raise ValueError(name)


def read_all(samples: Sequence[CellSample], name: str, cache: Path) -> tuple[list[list[tuple]], float]:
    """Readings per cell (cached) and ms per line. Tesseract reads a page's lines in one call (as the
    pipeline does); the PP-OCR models one line per call."""
    path = cache / f"read_{name}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    reader = make_reader(name)
    out: list[list[tuple]] = []
    lines = 0
    t0 = time.perf_counter()
    if name == "tesseract":
        by_page: dict[tuple, list[int]] = {}
        for i, s in enumerate(samples):
            by_page.setdefault((s.doc, s.cond, s.page), []).append(i)
        out = [[] for _ in samples]
        for idx in by_page.values():
            flat = [img for i in idx for img in samples[i].images]
            read = reader(flat)
            k = 0
            for i in idx:
                out[i] = read[k:k + len(samples[i].images)]
                k += len(samples[i].images)
            lines += len(flat)
    else:
        for s in samples:
            out.append([reader([img])[0] for img in s.images])
            lines += len(s.images)
    ms = 1000 * (time.perf_counter() - t0) / max(1, lines)
    path.write_bytes(pickle.dumps((out, ms)))
    return out, ms


# --- scoring -------------------------------------------------------------------------------------------
def char_class(ch: str) -> str:
    if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff":
        return "han"
    if unicodedata.category(ch).startswith(("P", "S")) or ch in "·・":
        return "punct"
    return "other"


def errors(truth: str, read: str) -> dict[str, list[int]]:
    """class -> [errors, truth characters]."""
    t, r = normalize(truth), normalize(read)
    out = {c: [0, 0] for c in ("han", "punct", "other")}
    for ch in t:
        out[char_class(ch)][1] += 1
    for op in Levenshtein.editops(t, r):
        ch = r[op.dest_pos] if op.tag == "insert" else t[op.src_pos]
        out[char_class(ch)][0] += 1
    return out


def score(samples: Sequence[CellSample], texts: Sequence[str]) -> dict[str, dict[str, list[int]]]:
    """cond -> class -> [errors, truth characters]; cond 'all' sums them."""
    out: dict[str, dict[str, list[int]]] = {}
    for s, text in zip(samples, texts, strict=True):
        for key in (s.cond, "all"):
            agg = out.setdefault(key, {c: [0, 0] for c in ("han", "punct", "other", "total")})
            for c, (e, n) in errors(s.truth, text).items():
                agg[c][0] += e
                agg[c][1] += n
                agg["total"][0] += e
                agg["total"][1] += n
    return out


def pct(pair: list[int]) -> str:
    return f"{100 * pair[0] / max(1, pair[1]):.2f}"


def table(rows: dict[str, dict[str, dict[str, list[int]]]], ms: dict[str, float]) -> str:
    """Markdown: per recognizer, CER total / Han / punct per condition and ms per line."""
    conds = list(next(iter(rows.values())))
    lines = ["| reader | ms/line | " + " | ".join(conds) + " |", "|---|--:|" + "--:|" * len(conds)]
    for name, sc in rows.items():
        cells = [f"{pct(sc[c]['total'])} (H {pct(sc[c]['han'])}, P {pct(sc[c]['punct'])})" for c in conds]
        lines.append(f"| {name} | {ms.get(name, float('nan')):.1f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--readers", default="v6-tiny,v6-small,v4,tesseract")
    parser.add_argument("--strategy", action="store_true", help="compare reading strategies (cached readings)")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    rendered = args.cache / "pages.pkl"
    if not rendered.exists():
        rendered.write_bytes(pickle.dumps(render()))
    data = args.cache / "samples.pkl"
    if data.exists():
        samples = pickle.loads(data.read_bytes())
    else:
        samples = build(pickle.loads(rendered.read_bytes()))
        data.write_bytes(pickle.dumps(samples))
    print(f"{len(samples)} cells, {sum(len(s.images) for s in samples)} lines", file=sys.stderr)
    if args.strategy:
        print(strategies(samples, args.cache))
        return 0
    results: dict[str, dict] = {}
    ms: dict[str, float] = {}
    for name in [n for n in args.readers.split(",") if n]:
        read, ms[name] = read_all(samples, name, args.cache)
        results[name] = score(samples, ["".join(r[0] if r[2] is None else _legible(r[0], r[1]) for r in cell)
                                        for cell in read])
        print(f"{name}: {ms[name]:.1f} ms/line", file=sys.stderr, flush=True)
    print(table(results, ms))
    return 0



def _legible(text: str, confidence: float) -> str:
    """A PP-OCR line's text as the pipeline keeps it: a line read below the illegible-line floor is
    left out of the cell (ppocr.ILLEGIBLE_MEAN, the same for every PP-OCR model), so it is
    scored as nothing read, for every reader and strategy alike."""
    from pipeline.ocr.ppocr import ILLEGIBLE_MEAN

    return text if confidence >= ILLEGIBLE_MEAN else ""


# --- reading strategies ---------------------------------------------------------------------------------
#: Recheck thresholds tried by --strategy (least sure character of the first reading).
RECHECK_GRID = (0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99)
#: Gaps between neighbouring characters (in the line's median pitch) that also send a line to be reread.
GAP_GRID = (1.5, 1.7, 2.0)


#: (neighbours, context characters, share of the line read whole) of the windowed second reading
#: tried by --strategy.
WINDOW_GRID = ((0, 1.0, 0.7), (1, 1.0, 0.7), (1, 2.0, 0.7), (2, 2.0, 0.7), (2, 2.0, 0.9), (2, 3.0, 0.7),
               (2, 2.0, 0.5), (2, 2.0, 0.0))


def _windowed(tiny: list[list[tuple]], samples: Sequence[CellSample], cache: Path, neighbours: int,
              context: float, whole: float, fix: bool, tiny_ms: float) -> tuple[list[str], float]:
    """v6 small reads again only the windows around the unsure characters (pipeline.ocr.ppocr.reread_windows);
    its readings of the crops are cached per setting. ms per line: tiny's plus the crops' time spread
    over all lines."""
    from pipeline.ocr import punct
    from pipeline.ocr.ppocr import (
        RECHECK_GAP_PITCH,
        RECHECK_LOOKALIKE_PROB,
        RECHECK_MIN_MEAN,
        RECHECK_MIN_PROB,
        Recognizer,
        reread_windows,
        splice,
        unsure_spots,
    )

    path = cache / f"windows_{neighbours}_{context}_{whole}.pkl"
    plan = []
    for tc, s in zip(tiny, samples, strict=True):
        for t, img in zip(tc, s.images, strict=True):
            spots = (unsure_spots(t[2], RECHECK_MIN_PROB, RECHECK_GAP_PITCH, RECHECK_LOOKALIKE_PROB)
                     if t[2].confidence >= RECHECK_MIN_MEAN else [])
            plan.append(reread_windows(t[2], img.shape[1], img.shape[0], spots, neighbours, context, whole)
                        if spots else [])
    cached = pickle.loads(path.read_bytes()) if path.exists() else None
    if cached is not None and [len(s) for s in cached[0]] == [len(ws) for ws in plan]:
        seconds, spent = cached
    else:  # none cached, or cached for other unsure spots (the rules changed since)
        small = Recognizer("v6-small")
        images = [img for s in samples for img in s.images]
        t0 = time.perf_counter()
        seconds = [small.read([img[:, w.read[0]:w.read[1]] for w in ws]) if ws else []
                   for ws, img in zip(plan, images, strict=True)]
        spent = time.perf_counter() - t0
        path.write_bytes(pickle.dumps((seconds, spent)))
    texts, k = [], 0
    for tc, s in zip(tiny, samples, strict=True):
        parts = []
        for t, img in zip(tc, s.images, strict=True):
            reading = splice(t[2], plan[k], seconds[k]) if plan[k] else t[2]
            parts.append(_legible(punct.restore(img, reading.text, reading.xs) if fix else reading.text,
                                  reading.confidence))
            k += 1
        texts.append("".join(parts))
    return texts, tiny_ms + 1000 * spent / max(1, k)


def strategies(samples: Sequence[CellSample], cache: Path) -> str:
    """PP-OCRv6 tiny first, v6 small again on the lines tiny is unsure of, at each threshold: CER and
    the share of lines read twice; the time per line is tiny's plus that share of small's."""
    from pipeline.ocr import punct
    from pipeline.ocr.ppocr import RECHECK_GAP_PITCH, RECHECK_LOOKALIKE_PROB, RECHECK_MIN_MEAN, RECHECK_MIN_PROB, unsure

    tiny, tiny_ms = read_all(samples, "v6-tiny", cache)
    small, small_ms = read_all(samples, "v6-small", cache)
    rows: dict[str, dict] = {}
    ms: dict[str, float] = {}

    def text(reading: object, img: np.ndarray, fix: bool) -> str:
        return _legible(punct.restore(img, reading.text, reading.xs) if fix else reading.text,  # type: ignore[attr-defined]
                        reading.confidence)  # type: ignore[attr-defined]

    for fix in (False, True):
        tag = " +punct" if fix else ""
        for name, cells in (("v6-tiny", tiny), ("v6-small", small)):
            rows[name + tag] = score(samples, ["".join(text(r[2], img, fix) for r, img in zip(c, s.images, strict=True))
                                               for c, s in zip(cells, samples, strict=True)])
            ms[name + tag] = tiny_ms if name == "v6-tiny" else small_ms
        tried = ([(t, "small", 0.0) for t in RECHECK_GRID] + [(t, "surer", 0.0) for t in RECHECK_GRID[3:6]]
                 + [(t, "small", g) for t in RECHECK_GRID[2:6] for g in GAP_GRID])
        for theta, rule, gap in tried:
            texts, again, total = [], 0, 0
            for tc, sc, s in zip(tiny, small, samples, strict=True):
                parts = []
                for t, sm, img in zip(tc, sc, s.images, strict=True):
                    twice = unsure(t[2], theta, gap)
                    pick = sm if twice and (rule == "small" or sm[1] >= t[1]) else t
                    again += twice
                    total += 1
                    parts.append(text(pick[2], img, fix))
                texts.append("".join(parts))
            gaps = f", gap>{gap}" if gap else ""
            key = f"tiny→{rule}<{theta}{gaps}{tag} ({100 * again / max(1, total):.0f}% twice)"
            rows[key] = score(samples, texts)
            ms[key] = tiny_ms + small_ms * again / max(1, total)
        texts, again, total = [], 0, 0
        for tc, sc, s in zip(tiny, small, samples, strict=True):
            parts = []
            for t, sm, img in zip(tc, sc, s.images, strict=True):
                twice = (t[2].confidence >= RECHECK_MIN_MEAN
                         and unsure(t[2], RECHECK_MIN_PROB, RECHECK_GAP_PITCH, RECHECK_LOOKALIKE_PROB))
                again += twice
                total += 1
                parts.append(text((sm if twice else t)[2], img, fix))
            texts.append("".join(parts))
        key = f"rapid as shipped{tag} ({100 * again / max(1, total):.0f}% twice)"
        rows[key] = score(samples, texts)
        ms[key] = tiny_ms + small_ms * again / max(1, total)
        for neighbours, context, whole in WINDOW_GRID:
            key = f"rapid, windows ±{neighbours} +{context} ctx, whole ≥{whole}{tag}"
            texts, ms[key] = _windowed(tiny, samples, cache, neighbours, context, whole, fix, tiny_ms)
            rows[key] = score(samples, texts)
    return table(rows, ms)


if __name__ == "__main__":
    raise SystemExit(main())
