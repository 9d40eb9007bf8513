"""Speed and memory of the pipeline against a floor and a peer: `make bench` (python tests/bench.py).

Drafts: the sample scan (scangen's `sample` variant) and generated drafts of about 5, 10 and 20
pages in the same scan style. Each measurement runs in a fresh child process (`--child MODE`),
which reports its own wall and CPU time (its process pool and OCR processes included) and the
largest max RSS of itself and its children; the parent also samples the summed PSS of the child's
whole process tree (the memory the run needs on the machine).

- run: `process_draft` as the CLI runs it (one page worker per core), per-stage times from
  `DraftResult.timings` (summed over pages, so parallel stages can exceed the run's wall time);
- floors, both measured in every run, interleaved with the run: rasterize the pages at the pipeline's
  dpi with pypdfium2 and one plain full-page OCR pass, two pages at a time: `tesseract page.png - -l
  chi_sim` per page (OMP_THREAD_LIMIT=1), and PP-OCR: rapidocr 3.10.0's RapidOCR with its shipped
  PP-OCRv6 small detection and recognition models (no angle classifier, one thread per process) in
  two processes;
- peer: img2table (pinned) over the same PDF, `implicit_rows=True, borderless_tables=False`, in its
  own venv `.venv-peer` (its opencv-contrib-python would replace the project's
  opencv-python-headless), created here when missing. With tesseract it uses tesseract; with the
  PP-OCR engines img2table's own RapidOCR class would need the `rapidocr` package without model
  paths (it downloads models at run time), so the peer uses img2table's OCR interface over
  rapidocr_onnxruntime 1.4.4 (PP-OCRv4 detection + recognition, the models inside that wheel).

Only the standard library is imported at module level, so that the peer venv can run the
`--child peer` mode of this same file (and `--child peer-cells`, which tests/eval_suite.py runs:
pages rendered at a given dpi, and every table's cells reported).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
DEFAULT_OUT = ROOT / "bench_out"
PEER_VENV = ROOT / ".venv-peer"
IMG2TABLE_PIN = "img2table==2.0.0"
#: Packages of requirements.txt / requirements-nodeps.txt that the rapid peer needs, at the same pins.
PEER_RAPID_DEPS = ("onnxruntime", "pyclipper", "shapely", "six", "PyYAML", "pillow", "tqdm")
PEER_RAPID_NODEPS = ("rapidocr-onnxruntime",)
PEER_INSTALL_TIMEOUT_S = 900
#: Parallel page work of floor and peer: the machine's cores (the pipeline uses one worker per core).
WORKERS = os.cpu_count() or 1
TESSERACT_LANG = "chi_sim"
#: A child measurement that takes longer than this is killed and reported as failed.
CHILD_TIMEOUT_S = 1800
TESSERACT_PAGE_TIMEOUT_S = 300
#: How often the parent samples the memory of a child's process tree.
SAMPLE_INTERVAL_S = 0.2
KIB = 1024
MIB = 1024 * 1024
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // KIB
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SAMPLE_DRAFT = "sample"
GIT_TIMEOUT_S = 10
STAGES = ("ingest", "clean", "grid", "ocr", "structure", "repair")
#: Generated drafts repeat the item list of the truth; this many layout passes at most to hit a page count.
MAX_LAYOUT_TRIES = 40


# --- measurements (child side) -----------------------------------------------------------------
def _rusage_totals() -> tuple[float, int]:
    """CPU seconds (user + system) of this process and its waited-for children, and their max RSS (KiB)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    return cpu, max(me.ru_maxrss, kids.ru_maxrss)


def _measured(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `work` and add its wall and CPU seconds and max RSS to what it returns."""
    cpu0, _ = _rusage_totals()
    wall0 = time.perf_counter()
    info = work()
    wall = time.perf_counter() - wall0
    cpu1, maxrss_kib = _rusage_totals()
    return {**info, "wall": wall, "cpu": cpu1 - cpu0, "maxrss_mib": maxrss_kib / KIB}


def child_pipeline(draft: Path, engine: str) -> dict[str, Any]:
    """The pipeline as the CLI runs one draft: a page pool over the cores, then structure and repair."""
    sys.path.insert(0, str(ROOT))
    from pipeline.lexicon import load_lexicon
    from pipeline.run import make_executor, process_draft
    from pipeline.settings import DEFAULT_LEXICON, Settings

    def work() -> dict[str, Any]:
        settings = Settings.resolve(engine=engine)
        lexicon = load_lexicon(DEFAULT_LEXICON)
        executor = make_executor(settings)
        try:
            result = process_draft(draft, settings, lexicon, executor)
        finally:
            if executor is not None:
                executor.shutdown()
        lines: dict[str, int] = {}
        for page in result.pages:
            for cell in page.cells:
                for line in cell.lines:
                    model = getattr(line, "model", "") or cell.engine
                    lines[model] = lines.get(model, 0) + 1
        return {
            "pages": len(result.pages), "rows": len(result.table.rows),
            "stages": {name: [t.wall, t.cpu] for name, t in result.timings.items()},
            "lines": lines,
        }

    return _measured(work)


def _rasterize(draft: Path, dpi: int, folder: Path) -> list[Path]:
    """Each page as a grayscale PNG at `dpi`, rendered as the pipeline's ingest renders it."""
    import cv2
    import numpy as np
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(draft))
    paths = []
    try:
        for index in range(len(pdf)):
            bitmap = pdf[index].render(scale=dpi / 72, grayscale=True)
            gray = np.ascontiguousarray(bitmap.to_numpy().reshape(bitmap.height, bitmap.width, -1)[:, :, 0])
            path = folder / f"page{index + 1:03d}.png"
            cv2.imwrite(str(path), gray)
            paths.append(path)
    finally:
        pdf.close()
    return paths


def _tesseract_page(png: Path) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run(["tesseract", str(png), "-", "-l", TESSERACT_LANG], capture_output=True, text=True,
                          env=env, timeout=TESSERACT_PAGE_TIMEOUT_S, check=True)
    return done.stdout


_RAPID: Any = None


def _rapid_init() -> None:
    """rapidocr 3.10.0 with the models of its wheel named explicitly (given no path it would fetch them)."""
    global _RAPID
    import rapidocr

    models = Path(rapidocr.__file__).parent / "models"
    _RAPID = rapidocr.RapidOCR(params={
        "Global.use_cls": False, "Global.log_level": "error",
        "Det.model_path": str(models / "PP-OCRv6_det_small.onnx"),
        "Rec.model_path": str(models / "PP-OCRv6_rec_small.onnx"),
        "EngineConfig.onnxruntime.intra_op_num_threads": 1, "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    })


def _rapid_page(png: Path) -> str:
    result = _RAPID(str(png), use_cls=False)
    return "".join(result.txts or ())


def child_floor(draft: Path, engine: str, dpi: int) -> dict[str, Any]:
    """Rasterize, then one plain full-page OCR pass per page, `WORKERS` pages at a time."""
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    def work() -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
            pngs = _rasterize(draft, dpi, Path(tmp))
            if engine == "tesseract":
                with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                    texts = list(pool.map(_tesseract_page, pngs))
            else:
                with ProcessPoolExecutor(max_workers=WORKERS, initializer=_rapid_init) as pool:
                    texts = list(pool.map(_rapid_page, pngs))
        return {"pages": len(pngs), "chars": sum(len("".join(t.split())) for t in texts)}

    return _measured(work)


def _rapid_peer_ocr() -> Any:
    """img2table's OCR interface over rapidocr_onnxruntime: its RapidOCR class, other package."""
    from img2table.ocr._types import OCRData, OCRInstance
    from rapidocr_onnxruntime import RapidOCR

    class RapidOnnxOCR(OCRInstance):
        def __init__(self) -> None:
            self.engine = RapidOCR(intra_op_num_threads=WORKERS, inter_op_num_threads=1)

        def of(self, document: Any) -> OCRData | None:
            records: dict[int, list[dict[str, Any]]] = {}
            for page, image in enumerate(document.images):
                result, _elapsed = self.engine(image)
                for idx, (box, text, score) in enumerate(result or []):
                    xs, ys = [p[0] for p in box], [p[1] for p in box]
                    records.setdefault(page, []).append({
                        "id": f"word_{page + 1}_{idx + 1}", "parent": f"word_{page + 1}_{idx + 1}",
                        "value": text, "confidence": int(100 * float(score)),
                        "x1": int(min(xs)), "y1": int(min(ys)), "x2": int(max(xs)), "y2": int(max(ys)),
                    })
            return OCRData(records=records) if records else None

    return RapidOnnxOCR()


def _peer_ocr(engine: str) -> Any:
    """The OCR the peer runs with: img2table's TesseractOCR, or its interface over rapidocr_onnxruntime."""
    if engine == "tesseract":
        from img2table.ocr import TesseractOCR

        return TesseractOCR(n_threads=WORKERS, lang=TESSERACT_LANG)
    return _rapid_peer_ocr()


def _peer_pdf(draft: Path, dpi: int | None) -> Any:
    """img2table's PDF document of the draft; pages rendered by img2table (200 dpi) when `dpi` is None,
    else rendered here at `dpi` as img2table renders them (RGB, then its deskew) and handed over."""
    from img2table.document import PDF

    if dpi is None:
        # detect_rotation also deskews; without it img2table finds no table on a skewed scan
        return PDF(src=str(draft), pdf_text_extraction=False, detect_rotation=True)
    import cv2
    import pypdfium2
    from img2table.document.rotation import fix_rotation_image

    pdf = pypdfium2.PdfDocument(str(draft))
    try:
        images = [fix_rotation_image(cv2.cvtColor(pdf[i].render(scale=dpi / 72).to_numpy(), cv2.COLOR_BGR2RGB))[0]
                  for i in range(len(pdf))]
    finally:
        pdf.close()
    return PDF(src=str(draft), pdf_text_extraction=False, _images=images)


def child_peer(draft: Path, engine: str, dpi: int | None = None, cells: bool = False) -> dict[str, Any]:
    """img2table over the draft (run with the peer venv's python); pages at `dpi` (None: img2table's 200).

    With `cells`, the report also holds every table's content: `tables_content` is a list (pages in
    order, tables as img2table lists them) of {"page", "bbox": [x1, y1, x2, y2], "rows": [[[text, x1, y1,
    x2, y2], ...], ...]}; a cell spanning rows or columns appears in each of them, as img2table gives it.
    """
    os.environ["OMP_THREAD_LIMIT"] = "1"

    def work() -> dict[str, Any]:
        ocr = _peer_ocr(engine)
        doc = _peer_pdf(draft, dpi)
        tables = doc.extract_tables(ocr=ocr, implicit_rows=True, borderless_tables=False, max_workers=WORKERS)
        found = [t for page in tables.values() for t in page]
        table_cells = [c for t in found for row in t.content.values() for c in row]
        info: dict[str, Any] = {"pages": len(tables), "tables": len(found), "cells": len(table_cells),
                                "filled_cells": sum(1 for c in table_cells if c.value)}
        if cells:
            info["tables_content"] = [
                {"page": page, "bbox": [int(v) for v in (t.bbox.x1, t.bbox.y1, t.bbox.x2, t.bbox.y2)],
                 "rows": [[[c.value or "", *map(int, (c.bbox.x1, c.bbox.y1, c.bbox.x2, c.bbox.y2))] for c in row]
                          for row in t.content.values()]}
                for page in sorted(tables) for t in tables[page]
            ]
        return info

    return _measured(work)


# --- running children (parent side) ------------------------------------------------------------
def _descendants(pid: int) -> list[int]:
    """The process and all its descendants, from /proc/<pid>/task/<tid>/children."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{current}/task/{tid}/children", encoding="ascii") as fh:
                    todo.extend(int(c) for c in fh.read().split())
            except OSError:
                continue
    return out


def _pss_kib(pid: int) -> int:
    """Proportional set size of a process (shared pages split among sharers), RSS if unavailable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * PAGE_KIB
    except OSError:
        return 0


class TreeMemory(threading.Thread):
    """Samples the summed PSS of a process and all its descendants until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(p) for p in _descendants(self.pid)))
            self._stop_event.wait(SAMPLE_INTERVAL_S)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _busy_cpu_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores, from /proc/stat)."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = [int(v) for v in fh.readline().split()[1:]]
    except OSError:
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    guest = sum(fields[8:10]) if len(fields) > 9 else 0  # already counted in user / nice
    return (sum(fields) - idle - guest) / CLOCK_TICKS


@dataclass(frozen=True)
class Measurement:
    """One child's report, or its error; `others_cores` is the load of other processes meanwhile."""

    info: dict[str, Any] = field(default_factory=dict)
    tree_mib: float = 0.0
    others_cores: float = 0.0
    error: str = ""


def run_child(python: Path | str, mode: str, draft: Path, engine: str, dpi: int) -> Measurement:
    """Run this file in `--child mode` in a fresh process; its report comes back through a JSON file."""
    with tempfile.TemporaryDirectory(prefix="bench-child-") as tmp:
        report = Path(tmp) / "report.json"
        cmd = [str(python), str(Path(__file__).resolve()), "--child", mode, "--draft", str(draft),
               "--engine", engine, "--dpi", str(dpi), "--report", str(report)]
        busy0, own0, kids0, wall0 = _busy_cpu_s(), _own_cpu_s(), _children_cpu_s(), time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True, cwd=ROOT)
        sampler = TreeMemory(proc.pid)
        sampler.start()
        try:
            _out, err = proc.communicate(timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the child's own session: it and its workers only
            proc.communicate()
            sampler.stop()
            return Measurement(error=f"timed out after {CHILD_TIMEOUT_S} s")
        sampler.stop()
        if proc.returncode != 0 or not report.exists():
            tail = " | ".join(err.strip().splitlines()[-3:])
            return Measurement(error=f"exit {proc.returncode}: {tail}")
        wall = time.perf_counter() - wall0
        others = _busy_cpu_s() - busy0 - (_children_cpu_s() - kids0) - (_own_cpu_s() - own0)
        info = json.loads(report.read_text(encoding="utf-8"))
        return Measurement(info, sampler.peak_kib / KIB, max(0.0, others) / wall if wall else 0.0)


def _children_cpu_s() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def _own_cpu_s() -> float:
    """CPU of this process (the memory sampler's included)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


# --- the peer's venv ---------------------------------------------------------------------------
def _pins(names: Sequence[str]) -> list[str]:
    """The pinned requirement lines of the project for these package names."""
    wanted = {n.lower() for n in names}
    pins = []
    for req in ("requirements.txt", "requirements-nodeps.txt"):
        for line in (ROOT / req).read_text(encoding="utf-8").splitlines():
            spec = line.split("#", 1)[0].strip()
            if "==" in spec and spec.split("==", 1)[0].strip().lower() in wanted:
                pins.append(spec)
    return pins


def _peer_modules(engine: str) -> str:
    return "import img2table, pypdfium2" + (", rapidocr_onnxruntime" if engine != "tesseract" else "")


def ensure_peer(engine: str) -> tuple[Path | None, str]:
    """The peer venv's python, created and filled when missing; or None and why it is unavailable."""
    python = PEER_VENV / "bin" / "python"

    def works() -> bool:
        if not python.exists():
            return False
        try:
            done = subprocess.run([str(python), "-c", _peer_modules(engine)], capture_output=True,
                                  timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return done.returncode == 0

    if works():
        return python, ""
    print(f"setting up the peer venv {PEER_VENV} ({IMG2TABLE_PIN}) ...", file=sys.stderr, flush=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    steps = [] if python.exists() else [["python3", "-m", "venv", str(PEER_VENV)]]
    steps.append([*pip, IMG2TABLE_PIN, *_pins(["pypdfium2"])])
    if engine != "tesseract":
        steps.append([*pip, *_pins(PEER_RAPID_DEPS)])
        steps.append([*pip, "--no-deps", *_pins(PEER_RAPID_NODEPS)])
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=PEER_INSTALL_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"peer unavailable: {' '.join(step[:4])} failed ({exc})"
        if done.returncode != 0:
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-2:])
            return None, f"peer unavailable: {' '.join(step[:6])} exited {done.returncode}: {tail}"
    if not works():
        return None, f"peer unavailable: `{_peer_modules(engine)}` fails in {PEER_VENV}"
    return python, ""


# --- drafts ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Draft:
    name: str
    path: Path
    pages: int
    items: int
    rows: int


def _items_for_pages(rows: list[dict[str, str]], target: int, style: Any) -> int:
    """The smallest item count whose generated draft has `target` pages (or the closest above)."""
    import scangen

    sample_pages = len(scangen.layout_table(rows, style).pages)
    item_count = len(dict.fromkeys(r["序号"] for r in rows))
    pages_of: dict[int, int] = {}

    def pages(n: int) -> int:
        if n not in pages_of:
            pages_of[n] = len(scangen.layout_table(scangen.long_draft_rows(rows, n), style).pages)
        return pages_of[n]

    n = max(1, math.floor(target * item_count / sample_pages))
    for _ in range(MAX_LAYOUT_TRIES):
        if pages(n) < target:
            n += 1
        elif n > 1 and pages(n - 1) >= target:
            n -= 1
        else:
            break
    return n


def prepare_drafts(targets: Sequence[int], folder: Path) -> list[Draft]:
    """The sample scan and generated drafts of about `targets` pages, in the sample's scan style."""
    sys.path[:0] = [str(ROOT), str(TESTS)]
    import scangen

    style = scangen.VARIANTS[SAMPLE_DRAFT]
    rows = scangen.load_truth()
    drafts = []
    rendered = scangen.render_draft(rows, folder / f"{SAMPLE_DRAFT}.pdf", style)
    items = len(dict.fromkeys(r["序号"] for r in rows))
    drafts.append(Draft(SAMPLE_DRAFT, rendered.path, rendered.pages, items, len(rendered.rows)))
    for target in targets:
        n = _items_for_pages(rows, target, style)
        rendered = scangen.render_draft(scangen.long_draft_rows(rows, n), folder / f"gen-{target}p.pdf", style)
        drafts.append(Draft(f"gen-{target}p", rendered.path, rendered.pages, n, len(rendered.rows)))
    return drafts


# --- report ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DraftBench:
    """The measurements of one draft."""

    draft: Draft
    runs: tuple[Measurement, ...]
    floors: tuple[Measurement, ...]  # tesseract full-page
    peers: tuple[Measurement, ...]
    pp_floors: tuple[Measurement, ...] = ()  # PP-OCRv6 full-page (detection + recognition)


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _med(measurements: Sequence[Measurement], key: str) -> float | None:
    return _median([m.info[key] for m in measurements if not m.error and key in m.info])


def _med_tree(measurements: Sequence[Measurement]) -> float | None:
    return _median([m.tree_mib for m in measurements if not m.error])


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or not b else f"{a / b:.2f}"


def _ok(measurements: Sequence[Measurement]) -> str:
    good = sum(1 for m in measurements if not m.error)
    return f"{good}/{len(measurements)}" if measurements else "0"


def _lines(measurements: Sequence[Measurement]) -> str:
    """Lines read by each model in the first good run."""
    m = next((m for m in measurements if not m.error and "lines" in m.info), None)
    return "—" if m is None else ", ".join(f"{k} {v}" for k, v in sorted(m.info["lines"].items()))


def main_table(benches: Sequence[DraftBench]) -> str:
    from pipeline.evaluate import format_markdown

    header = ["draft", "pages", "items", "n", "run s", "run cpu s", "run maxRSS MiB", "run tree MiB", "pages/min",
              "tesseract floor s", "run/tesseract", "PP-OCR floor s", "run/PP-OCR", "floor tree MiB (tess/PP)",
              "peer s", "run/peer", "peer maxRSS MiB", "lines read by model", "others' load"]
    rows = []
    for b in benches:
        run_wall, floor_wall, peer_wall = _med(b.runs, "wall"), _med(b.floors, "wall"), _med(b.peers, "wall")
        pp_wall = _med(b.pp_floors, "wall")
        rows.append([
            b.draft.name, str(b.draft.pages), str(b.draft.items), _ok(b.runs),
            _fmt(run_wall), _fmt(_med(b.runs, "cpu")), _fmt(_med(b.runs, "maxrss_mib"), 0),
            _fmt(_med_tree(b.runs), 0),
            _fmt(b.draft.pages * 60 / run_wall if run_wall else None),
            _fmt(floor_wall), _ratio(run_wall, floor_wall), _fmt(pp_wall), _ratio(run_wall, pp_wall),
            f"{_fmt(_med_tree(b.floors), 0)}/{_fmt(_med_tree(b.pp_floors), 0)}",
            _fmt(peer_wall), _ratio(run_wall, peer_wall), _fmt(_med(b.peers, "maxrss_mib"), 0),
            _lines(b.runs),
            _fmt(_median([m.others_cores for m in (*b.runs, *b.floors, *b.pp_floors, *b.peers) if not m.error]), 2),
        ])
    return format_markdown(header, rows)


def linearity(benches: Sequence[DraftBench]) -> str:
    """Run time per page of each draft against the smallest generated draft's (issue 15: 50 pages within
    10.5 times 5 pages)."""
    timed = [(b.draft.pages, _med(b.runs, "wall")) for b in benches if b.draft.name != SAMPLE_DRAFT]
    timed = [(p, w) for p, w in timed if w]
    if len(timed) < 2:
        return ""
    p0, w0 = min(timed)
    return "Linearity: " + "; ".join(f"{p} pages take {w / w0:.2f}x the time of {p0} ({p / p0:.1f}x the pages)"
                                     for p, w in sorted(timed) if p != p0) + "."


def stage_table(benches: Sequence[DraftBench]) -> str:
    from pipeline.evaluate import format_markdown

    header = ["draft", *(f"{s} wall/cpu s" for s in STAGES)]
    rows = []
    for b in benches:
        cells = [b.draft.name]
        for stage in STAGES:
            walls = [m.info["stages"][stage][0] for m in b.runs if not m.error and stage in m.info.get("stages", {})]
            cpus = [m.info["stages"][stage][1] for m in b.runs if not m.error and stage in m.info.get("stages", {})]
            cells.append(f"{_fmt(_median(walls), 2)}/{_fmt(_median(cpus), 2)}")
        rows.append(cells)
    return format_markdown(header, rows)


def notes(benches: Sequence[DraftBench], peer_note: str, engine: str) -> list[str]:
    out = []
    if peer_note:
        out.append(f"- {peer_note}")
    for b in benches:
        for kind, ms in (("run", b.runs), ("tesseract floor", b.floors), ("PP-OCR floor", b.pp_floors),
                         ("peer", b.peers)):
            for m in ms:
                if m.error:
                    out.append(f"- {b.draft.name} {kind} failed: {m.error}")
        for m in b.runs:
            if not m.error and m.info.get("pages") != b.draft.pages:
                out.append(f"- {b.draft.name}: the run processed {m.info.get('pages')} of {b.draft.pages} pages")
                break
        peer = next((m for m in b.peers if not m.error), None)
        if peer is not None:
            out.append(f"- {b.draft.name} peer found {peer.info['tables']} tables, {peer.info['filled_cells']} "
                       f"of {peer.info['cells']} cells with text; the run output {_first(b.runs, 'rows')} rows "
                       f"of {b.draft.rows} drawn")
    return out


def _first(measurements: Sequence[Measurement], key: str) -> str:
    return next((str(m.info[key]) for m in measurements if not m.error and key in m.info), "—")


def legend(engine: str, dpi: int, peer_python: Path | None) -> str:
    floor = ("`tesseract page.png - -l chi_sim` per page, OMP_THREAD_LIMIT=1; PP-OCR: rapidocr 3.10.0 RapidOCR "
             "det+rec (PP-OCRv6 small, shipped in its wheel, no angle classifier), 1 onnxruntime thread per process")
    peer = ("img2table TesseractOCR(chi_sim, n_threads=2)" if engine == "tesseract"
            else "img2table with its OCR interface over rapidocr_onnxruntime (PP-OCRv4; img2table's own RapidOCR "
                 "class needs the `rapidocr` package without model paths, which downloads models at run time)")
    return "\n".join([
        f"Medians over n repeats (n = successful/total runs of the pipeline). Engine {engine}, dpi {dpi}, "
        f"{WORKERS} cores. Times are in-process wall/CPU seconds of each fresh child process, "
        "model loading and worker start included; CPU includes all its worker and OCR processes. "
        "Run, tesseract floor and PP-OCR floor are interleaved in the same bench run; compare their ratios, "
        "not seconds across runs (the machine is shared).",
        "maxRSS = the largest max RSS of any one process of the measurement (getrusage RUSAGE_SELF/CHILDREN); "
        "tree = peak of the summed PSS of the whole process tree, sampled every 0.2 s.",
        f"floors = rasterize with pypdfium2 at {dpi} dpi + one plain full-page OCR pass, {WORKERS} pages at a time: "
        f"{floor}.",
        f"peer = {peer} ({IMG2TABLE_PIN}; PDF pages rendered by img2table at 200 dpi), "
        "extract_tables(implicit_rows=True, borderless_tables=False, max_workers=2); "
        + ("run once per draft." if peer_python else "not run."),
        "others' load = median CPU cores busy with processes outside the measurement while it ran (from "
        "/proc/stat): above ~0.1 the machine was shared and times are inflated.",
        "Stage times are summed over pages (pages run two at a time, so ingest..ocr can exceed the run's wall)"
        + ("; ocr CPU leaves out the tesseract processes the workers start." if engine == "tesseract" else "."),
    ])


def commit_label() -> str:
    """HEAD's short hash, with the pipeline files that differ from it (others may be editing them)."""
    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                                  timeout=GIT_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = [line[3:] for line in git("status", "--porcelain", "--", "pipeline", "agency_lexicon.txt").splitlines()]
    return head + (f" (uncommitted: {', '.join(dirty)})" if dirty else "")


def bench(args: argparse.Namespace) -> int:
    sys.path[:0] = [str(ROOT), str(TESTS)]
    from pipeline.settings import Settings

    dpi = Settings.resolve(engine=args.engine).dpi
    out: Path = args.out
    started = time.perf_counter()
    commit = commit_label()  # children import the tree as it is when they start; noted if it is not HEAD
    print("rendering drafts ...", file=sys.stderr, flush=True)
    drafts = prepare_drafts(args.pages, out / "drafts")
    print("  " + ", ".join(f"{d.name}: {d.pages} pages, {d.items} items" for d in drafts), file=sys.stderr)
    peer_python, peer_note = (None, "peer skipped (--no-peer)") if args.no_peer else ensure_peer(args.engine)
    if peer_python is None:
        print(peer_note, file=sys.stderr, flush=True)
    benches = []
    for draft in drafts:
        repeats = args.repeats if draft.name == SAMPLE_DRAFT else args.long_repeats
        runs, floors, pp_floors, peers = [], [], [], []
        for r in range(repeats):
            runs.append(run_child(sys.executable, "pipeline", draft.path, args.engine, dpi))
            floors.append(run_child(sys.executable, "floor", draft.path, "tesseract", dpi))
            pp_floors.append(run_child(sys.executable, "floor", draft.path, "rapid", dpi))
            _progress(draft, r, repeats, runs[-1], floors[-1], pp_floors[-1])
        if peer_python is not None:
            for _ in range(args.peer_repeats):
                peers.append(run_child(peer_python, "peer", draft.path, args.engine, dpi))
                _progress_peer(draft, peers[-1])
        benches.append(DraftBench(draft, tuple(runs), tuple(floors), tuple(peers), tuple(pp_floors)))
    elapsed = time.perf_counter() - started
    title = (f"## bench, engine {args.engine}, commit {commit}, "
             f"{dt.datetime.now().astimezone().isoformat(timespec='seconds')}, {platform.python_version()}, "
             f"total {elapsed / 60:.1f} min")
    text = "\n".join([
        title, "", main_table(benches), "", "Per-stage wall/CPU seconds of the run (medians):", "",
        stage_table(benches), "", linearity(benches), "", legend(args.engine, dpi, peer_python),
        *(["", *notes(benches, peer_note, args.engine)]),
    ]) + "\n"
    print(text, flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"bench_{args.engine}.md").write_text(text, encoding="utf-8")
    return 0


def _progress(draft: Draft, r: int, repeats: int, run: Measurement, floor: Measurement, pp: Measurement) -> None:
    def show(m: Measurement) -> str:
        return m.error or f"{m.info['wall']:.1f} s"

    print(f"  {draft.name} {r + 1}/{repeats}: run {show(run)}, tesseract floor {show(floor)}, "
          f"PP-OCR floor {show(pp)}", file=sys.stderr, flush=True)


def _progress_peer(draft: Draft, peer: Measurement) -> None:
    shown = peer.error or f"{peer.info['wall']:.1f} s"
    print(f"  {draft.name}: peer {shown}", file=sys.stderr, flush=True)


# --- command line --------------------------------------------------------------------------------
def _page_list(text: str) -> list[int]:
    try:
        pages = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of page counts: {text!r}") from None
    if any(p < 1 for p in pages):
        raise argparse.ArgumentTypeError("page counts must be at least 1")
    return pages


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=_page_list, default=[5, 20, 50],
                        help="page counts of the generated drafts (default 5,20,50)")
    parser.add_argument("--repeats", type=int, default=3, help="measurements of the sample draft (default 3)")
    parser.add_argument("--long-repeats", type=int, default=1, dest="long_repeats",
                        help="measurements of each generated draft (default 1, to keep a run near 15 minutes)")
    parser.add_argument("--peer-repeats", type=int, default=1, dest="peer_repeats",
                        help="peer measurements per draft (default 1)")
    parser.add_argument("--engine", choices=("rapid", "v6-small", "v6-tiny", "tesseract"), default="rapid")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default bench_out/)")
    parser.add_argument("--no-peer", action="store_true", dest="no_peer", help="skip the img2table peer")
    parser.add_argument("--child", choices=("pipeline", "floor", "peer", "peer-cells"), help=argparse.SUPPRESS)
    parser.add_argument("--draft", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--dpi", type=int, default=200, help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.repeats, args.long_repeats) < 1 or args.peer_repeats < 0:
        parser.error("repeats must be at least 1 (peer repeats at least 0)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        if args.child == "pipeline":
            info = child_pipeline(args.draft, args.engine)
        elif args.child == "floor":
            info = child_floor(args.draft, args.engine, args.dpi)
        elif args.child == "peer":
            info = child_peer(args.draft, args.engine)
        else:  # the accuracy suite's peer: pages at the draft's dpi, table contents reported
            info = child_peer(args.draft, args.engine, args.dpi, cells=True)
        args.report.write_text(json.dumps(info), encoding="utf-8")
        return 0
    if shutil.which("tesseract") is None and args.engine == "tesseract":
        print("error: tesseract is not installed (make setup)", file=sys.stderr)
        return 2
    return bench(args)


if __name__ == "__main__":
    sys.exit(main())
