"""Accuracy over every synthetic scan variant: `make eval` (python tests/eval_suite.py --engine both).

Each variant of `scangen.VARIANTS` is drawn from the truth, run through the pipeline and scored
against the rows that were drawn; so are a `long-row` draft (one row taller than a page, so that a
page holds only that row's continuation) and the seed text extraction of the real draft
(`seed-extraction`, scored against the truth CSV). One table per engine is printed and saved as
DIR/eval_<engine>.md; each variant's outputs and a list of its wrong cells go to DIR/<variant>/.
It reports; it does not assert (exit 0 unless the arguments are wrong).

Peer (on by default, `--no-peer` skips it): every scanned case (the scan variants and `long-row`;
not `born-digital`, not the seed text) is also run through img2table, with the same engine, in
bench.py's peer venv (`bench.ensure_peer`, `bench.run_child` in its `peer-cells` mode), over the
same rendered PDF, its pages rendered at the variant's scan dpi. The peer outputs tables, not our
CSV, so only its requirement text is scored, generously: per table, the cells of the column whose
header reads 工作要求 (the widest column when the table has no such header), in reading order
across pages (tables by page, then top to bottom; a cell img2table repeats in the rows it spans
is taken once), header rows dropped, are concatenated and compared with the concatenated truth
requirements, both normalised as `pipeline.evaluate.normalize` does (NFKC, whitespace removed).
That CER needs no row alignment, so a row split, merged, shifted or put on another row costs the
peer nothing; the pipeline's CER beside it is the row-aligned one of the main table (stricter).
Peer rows = non-header rows of its tables with any text, against the rows drawn. The peer table
is printed after the engine's table and saved under a "peer" heading in the same eval_<engine>.md;
the peer's raw cells and requirement text go to DIR/<variant>/<variant>.<engine>.peer.{json,txt}.
When the peer venv cannot be built, that is printed and the suite goes on without it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import bench  # noqa: E402
import scangen  # noqa: E402
from rapidfuzz.distance import Levenshtein  # noqa: E402

from pipeline.diff import READ_EITHER_WAY, compare  # noqa: E402
from pipeline.errors import PipelineError  # noqa: E402
from pipeline.evaluate import (  # noqa: E402
    COLUMN_TITLES,
    COLUMNS,
    Scores,
    WrongCell,
    align_rows,
    format_markdown,
    format_scores_table,
    normalize,
    rows_to_table,
    score_table,
    silent_cells,
    wrong_cells,
)
from pipeline.export import write_outputs  # noqa: E402
from pipeline.lexicon import Lexicon, load_lexicon  # noqa: E402
from pipeline.models import AGENCY_FIELDS, Table  # noqa: E402
from pipeline.repair import repair_table  # noqa: E402
from pipeline.run import make_executor, process_draft, worker_count  # noqa: E402
from pipeline.settings import DEFAULT_LEXICON, ENGINES, Settings  # noqa: E402
from pipeline.tableio import read_table_csv  # noqa: E402

LONG_ROW = "long-row"
SEED = "seed-extraction"
SEED_TXT = ROOT / "tests" / "data" / "qingpu_draft_extracted.txt"
#: The long-row draft is drawn in the sample's scan style (the realistic one).
LONG_ROW_STYLE = "sample"
DEFAULT_OUT = Path("eval_out")
#: `--engine both`: the default engine and the light one (v6-small and v6-tiny, the default's two
#: models alone, are measured on cut lines by tests/ocr_lines.py and can be named here one at a time).
BOTH = ("rapid", "tesseract")
#: `make eval` also runs this engine and sets the default beside it (issue 15: the cascade must be
#: at least as accurate as v6 small reading every line, on every variant).
REFERENCE = "v6-small"
#: Characters of a cell shown in the list of wrong cells before it is cut.
PREVIEW_CHARS = 60
#: Differences of a long cell listed, and characters of context shown around each.
MAX_EDITS_SHOWN = 6
EDIT_CONTEXT = 4
#: Header of the requirement column, and the headers whose cells mark a header row of the peer's tables.
REQUIREMENT_HEADER = "工作要求"
HEADER_TITLES = ("序号", "一级指标", "二级指标", REQUIREMENT_HEADER, "牵头单位", "配合单位")
#: A peer cell reads a header title when its normalised text is at least this similar (normalized
#: Levenshtein similarity) to the title: one wrong or missing character of four.
HEADER_SIMILARITY = 0.75
PEER_HEADER = ["variant", "pipeline 工作要求 CER %", "peer 工作要求 CER %", "peer rows", "pipeline rows", "peer s"]


@dataclass(frozen=True)
class Case:
    """One draft to score: where it is, the truth table, and how many pages it has."""

    name: str
    path: Path
    truth: Table
    pages: int
    #: Resolution of the scan (None for the born-digital draft and the seed text: no peer run).
    scan_dpi: int | None = None
    #: The title printed above the table (it names the draft's district and document).
    title: str = scangen.DEFAULT_TITLE


@dataclass(frozen=True)
class Outcome:
    """What one case gave with one engine."""

    scores: Scores
    seconds: float
    pages: int
    error: str = ""
    #: Pages whose rows were taken (or that hold no table) / pages: a lost page shows here.
    pages_read: str = ""
    #: Changes `diff` reports between the truth and the output: each one is OCR noise.
    false_changes: int | None = None
    #: Texts `diff` set aside as read either way on the scan's image (listed, not counted).
    read_either_way: int | None = None
    #: Wrong cells of paired rows (standard columns), and how many of them no flag points at.
    wrong_cells: int | None = None
    silent_cells: int | None = None


#: Held-out documents (never in the lexicon): name → truth CSV. Present when their files are.
HELD_OUT = {
    "songjiang": ROOT / "tests" / "data" / "songjiang_flood_v1.csv",
    "jiading": ROOT / "tests" / "data" / "jiading_elderly_v1.csv",
    "minhang": ROOT / "tests" / "data" / "minhang_waste_v1.csv",
    "fengxian": ROOT / "tests" / "data" / "fengxian_health_v1.csv",
    "putuo": ROOT / "tests" / "data" / "putuo_safety_v1.csv",
}
#: Scan variants every held-out document is drawn in (the realistic one, and the two hardest).
HELD_OUT_VARIANTS = ("sample", "uming-bilevel", "zenhei-150-noisy", "rotated-180")
#: Column layouts (scangen.LAYOUTS) and the document each is drawn from: a layout needs the
#: truth's columns (三级指标 is jiading's, 完成时限 songjiang's).
LAYOUT_DOCUMENTS = {"synonyms": "songjiang", "tasks-landscape": "songjiang", "single-responsible": "songjiang",
                    "two-row": "jiading"}
#: Degradations of the library path (tests/degrade.py RECIPES) are applied to these documents.
RECIPE_DOCUMENTS = ("qingpu", "songjiang", "minhang", "fengxian")
#: Drafts laid out by a word processor (tests/wordscan.py: python-docx, LibreOffice, pdfium), then
#: damaged by each of the library's recipes a printed page can take (all but markup and seal-pen,
#: which place their marks by scangen's cells): named document/word-recipe.
WORD_PREFIX = "word-"
WORD_DOCUMENTS = ("minhang", "putuo")
#: Office styles of the same Word table (officegen.WORD_STYLES: 四号 at fixed 28 pt spacing in
#: another face, a 序号 column, centred cells; structures of real drafts: a two-row header with
#: 责任单位 over 牵头|配合, equal agencies of consecutive rows merged into one cell, the table cut in two
#: at its middle row, items numbered nowhere), each scanned clean at 300 dpi (wordscan.CLEAN) so that
#: the style alone is measured: named document/word-style, after the recipes' cases. Each style is
#: drawn for the documents it matters on: merged agencies only where consecutive rows share one
#: (Songjiang 3 runs of leads, Fengxian 3; Minhang none, Putuo one).
WORD_STYLE_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "14pt": WORD_DOCUMENTS,
    "numbered": WORD_DOCUMENTS,
    "centered": WORD_DOCUMENTS,
    "two-row-header": ("songjiang", "putuo"),
    "merged-agencies": ("songjiang", "fengxian"),
    "split-table": ("fengxian", "putuo"),
    "no-numbers": ("songjiang",),
}
WORD_STYLE_CASES = tuple(WORD_STYLE_DOCUMENTS)
#: Word recipes drawn for more documents than WORD_DOCUMENTS, after the styles: LinesDegradation over
#: Word tables of three more plans (a held-out probe at seeds make eval does not draw found rows read
#: into the row above on them: an item's ruling erased whole, or beside a title that began a page).
WORD_RECIPE_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "lines-degradation": ("songjiang", "fengxian", "jiading"),
}


def _word_recipes() -> tuple[str, ...]:
    wordscan = _wordscan_module()
    return tuple(wordscan.RECIPES) if wordscan else ()


def _degrade_module() -> Any | None:
    try:
        import degrade
    except ImportError:
        return None
    return degrade


def _wordscan_module() -> Any | None:
    try:
        import wordscan
    except ImportError:
        return None
    return wordscan


def held_out_names() -> list[str]:
    names = []
    for doc, path in HELD_OUT.items():
        if path.exists():
            names += [f"{doc}/{variant}" for variant in HELD_OUT_VARIANTS]
    layouts = getattr(scangen, "LAYOUTS", {})
    names += [f"{doc}/{layout}" for layout, doc in LAYOUT_DOCUMENTS.items()
              if layout in layouts and (doc == "qingpu" or HELD_OUT[doc].exists())]
    degrade = _degrade_module()
    for recipe in getattr(degrade, "RECIPES", {}) if degrade else {}:
        names += [f"{doc}/{recipe}" for doc in RECIPE_DOCUMENTS if doc == "qingpu" or HELD_OUT[doc].exists()]
    if _wordscan_module():
        # The recipes and the styles drawn for every Word document, document by document; then each
        # style drawn for documents of its own, style by style.
        everywhere = [style for style, docs in WORD_STYLE_DOCUMENTS.items() if docs == WORD_DOCUMENTS]
        pairs = [(doc, kind) for kinds in (_word_recipes(), everywhere) for doc in WORD_DOCUMENTS for kind in kinds]
        pairs += [(doc, style) for style, docs in WORD_STYLE_DOCUMENTS.items() if docs != WORD_DOCUMENTS
                  for doc in docs]
        pairs += [(doc, recipe) for recipe, docs in WORD_RECIPE_DOCUMENTS.items() if recipe in _word_recipes()
                  for doc in docs]
        names += [f"{doc}/{WORD_PREFIX}{kind}" for doc, kind in pairs if doc == "qingpu" or HELD_OUT[doc].exists()]
    return names


def all_case_names() -> list[str]:
    return [*scangen.VARIANTS, LONG_ROW, SEED, *held_out_names()]


def _prepare_held_out(name: str, out: Path) -> Case:
    """A case named document/variant, document/layout, document/recipe, document/word-recipe or
    document/word-style."""
    doc, kind = name.split("/", 1)
    rows = scangen.load_truth(HELD_OUT[doc]) if doc in HELD_OUT else scangen.load_truth()
    path = out / doc / f"{kind}.pdf"
    layouts = getattr(scangen, "LAYOUTS", {})
    if kind in scangen.VARIANTS:
        style = scangen.VARIANTS[kind]
        draft = scangen.render_draft(rows, path, style, title=_title(doc))
        printed = [{k: r.get(k, "") for k in scangen.CSV_COLUMNS} for r in draft.rows]  # the five-column layout
        return Case(name, draft.path, rows_to_table(printed, name), draft.pages, style.dpi, _title(doc))
    if kind in layouts:
        layout = layouts[kind]
        style = scangen.VARIANTS["sample"]
        draft = scangen.render_draft(rows, path, style, title=_title(doc), layout=layout)
        expected = scangen.expected_rows(rows, layout)
        return Case(name, draft.path, rows_to_table(expected, name), draft.pages, style.dpi, _title(doc))
    # The five-column layout; a numbered Word style prints the same 序号 in a column of its own.
    printed = [{k: r.get(k, "") for k in scangen.CSV_COLUMNS} for r in rows]
    if kind.startswith(WORD_PREFIX):
        wordscan = _wordscan_module()
        assert wordscan is not None, name
        word = kind.removeprefix(WORD_PREFIX)
        if word in WORD_STYLE_CASES:
            # no-numbers prints no 序号, yet the truth's is expected: the pipeline numbers the items of
            # a draft that numbers none in order (repair item_order), the outputs' key, and the truth
            # numbers them so; an empty expected 序号 would charge that key as 35 wrong cells and 29
            # diff changes (score_table would pair the rows, by ("", sub-row) or by requirement).
            draft = wordscan.render_word_scan(rows, path, wordscan.CLEAN, _title(doc), style_name=word)
        else:
            draft = wordscan.render_word_scan(rows, path, word, _title(doc))
        return Case(name, path, rows_to_table(printed, name), draft.pages, draft.dpi, _title(doc))
    degrade = _degrade_module()
    assert degrade is not None, name
    draft = degrade.render_degraded(rows, path, kind, scangen.VARIANTS["clean-300"], 0, title=_title(doc))
    pages = getattr(draft, "pages", 1) if not isinstance(draft, int) else draft
    return Case(name, path, rows_to_table(printed, name), int(pages), scangen.VARIANTS["clean-300"].dpi, _title(doc))


#: Titles of the held-out documents as their drafts print them.
TITLES = {
    "songjiang": "《松江区防汛防台能力提升三年行动计划（2027—2029年）》任务分工",
    "jiading": "《嘉定区推进养老服务体系建设的实施方案》职责分工",
    "minhang": "《闵行区生活垃圾分类和资源化利用三年行动方案（2027—2029年）》任务分工",
    "fengxian": "《奉贤区加强基层医疗卫生服务能力建设的实施方案》职责分工",
    "putuo": "《普陀区城市运行安全风险隐患排查整治三年行动方案（2027—2029年）》任务分工",
}


def _title(doc: str) -> str:
    return TITLES.get(doc, scangen.DEFAULT_TITLE)


def prepare_cases(names: Sequence[str], out: Path) -> list[Case]:
    """Render each named variant's draft into out/<name>/<name>.pdf (engine independent)."""
    truth_rows = scangen.load_truth()
    cases = []
    for name in names:
        if name == SEED:
            cases.append(Case(name, SEED_TXT, read_table_csv(scangen.TRUTH_CSV), 1))
            continue
        if "/" in name:
            cases.append(_prepare_held_out(name, out))
            continue
        rows = scangen.long_row_variant(truth_rows) if name == LONG_ROW else truth_rows
        style = scangen.VARIANTS[LONG_ROW_STYLE if name == LONG_ROW else name]
        draft = scangen.render_draft(rows, out / name / f"{name}.pdf", style)
        scan_dpi = None if style.text_layer == "born-digital" else style.dpi
        cases.append(Case(name, draft.path, rows_to_table(draft.rows, name), draft.pages, scan_dpi))
    return cases


def _preview(text: str) -> str:
    flat = text.replace("\n", "⏎")
    return flat if len(flat) <= PREVIEW_CHARS else flat[:PREVIEW_CHARS] + "…"


def edits(expected: str, read: str) -> str:
    """The differences of two long texts as [expected→read] with a little context each."""
    ops = [op for op in SequenceMatcher(None, expected, read, autojunk=False).get_opcodes() if op[0] != "equal"]
    shown = []
    for _tag, i0, i1, j0, j1 in ops[:MAX_EDITS_SHOWN]:
        before = expected[max(0, i0 - EDIT_CONTEXT):i0].replace("\n", "⏎")
        after = expected[i1:i1 + EDIT_CONTEXT].replace("\n", "⏎")
        shown.append(f"{before}[{_preview(expected[i0:i1])}→{_preview(read[j0:j1])}]{after}")
    more = f" (+{len(ops) - MAX_EDITS_SHOWN} more)" if len(ops) > MAX_EDITS_SHOWN else ""
    return "; ".join(shown) + more


def mismatch_report(name: str, engine: str, predicted: Table, truth: Table) -> str:
    """Markdown list of unmatched rows and of wrong cells (truth vs read), in truth order."""
    lines = [f"# {name} ({engine}): wrong rows and cells", ""]
    for ti, pi in align_rows(truth, predicted):
        if ti is None and pi is not None:
            row = predicted.rows[pi]
            lines.append(f"- extra row (output row {pi + 1}): 序号 {row.no!r}, 工作要求 {_preview(row.requirement)!r}")
        elif pi is None and ti is not None:
            row = truth.rows[ti]
            lines.append(f"- missing row (truth row {ti + 1}): 序号 {row.no!r}, 工作要求 {_preview(row.requirement)!r}")
        elif ti is not None and pi is not None:
            t_row, p_row = truth.rows[ti], predicted.rows[pi]
            for column in COLUMNS:
                expected, read = t_row.get(column), p_row.get(column)
                if expected == read:
                    continue
                where = f"- truth row {ti + 1} (序号 {t_row.no}) {COLUMN_TITLES[column]}: "
                if len(expected) > PREVIEW_CHARS or len(read) > PREVIEW_CHARS:
                    lines.append(where + "edits " + edits(expected, read))
                else:
                    lines.append(where + f"expected {_preview(expected)!r}, read {_preview(read)!r}")
    return "\n".join(lines) + "\n"


def canonical_agencies(truth: Table, title: str, lexicon: Lexicon, settings: Settings) -> Table:
    """The truth with its agency names as the lexicon spells them for the draft's district.

    A held-out truth writes agencies as a draft prints them (松江区水务局, 上海市嘉定区民政局); the
    repair stage must canonicalise a known name for the draft's own district and record it (issue
    13), so the expected cell is the lexicon's canonical spelling of the printed, exact text. Names
    the lexicon does not know are unchanged (they must come out as printed). Only agency cells are
    taken from the repair of the exact truth; the rules themselves are tested in tests/test_repair.py.
    """
    repaired = repair_table(replace(truth, title=title), lexicon, settings).table
    if len(repaired.rows) != len(truth.rows):
        return truth
    rows = tuple(row.replace(**{role: fixed.get(role) for role in AGENCY_FIELDS if row.get(role)})
                 for row, fixed in zip(truth.rows, repaired.rows, strict=True))
    return replace(truth, rows=rows)


def run_case(case: Case, settings: Settings, lexicon: Lexicon, executor: Executor | None, out: Path) -> Outcome:
    """Process one draft, write its outputs and wrong cells, and score it; failures score as empty."""
    start = time.perf_counter()
    case = replace(case, truth=canonical_agencies(case.truth, case.title, lexicon, settings))
    stem = f"{case.name}.{settings.engine}"
    try:
        result = process_draft(case.path, settings, lexicon, executor)
    except PipelineError as exc:
        return _failed(case, start, f"{type(exc).__name__}: {exc.reason}")
    except Exception as exc:  # a bug in the pipeline: reported, and the suite goes on
        return _failed(case, start, f"internal error: {type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - start
    write_outputs(result, out / case.name, stem)
    wrong = wrong_cells(result.table, case.truth)
    silent = silent_cells(wrong, {(f.row, f.field) for f in result.flags})
    report = mismatch_report(case.name, settings.engine, result.table, case.truth) + silent_report(silent)
    (out / case.name / f"{stem}.errors.md").write_text(report, encoding="utf-8")
    pages = max(1, len(result.pages))
    read = sum(1 for r in result.page_reports if r.status != "not-read") if result.page_reports else pages
    changes = compare(case.truth, result.table)
    return Outcome(score_table(result.table, case.truth), seconds, pages, pages_read=f"{read}/{pages}",
                   false_changes=len(changes.counted), read_either_way=changes.count(READ_EITHER_WAY),
                   wrong_cells=len(wrong), silent_cells=len(silent))


def _failed(case: Case, start: float, message: str) -> Outcome:
    empty = Table(case.name, ())
    return Outcome(score_table(empty, case.truth), time.perf_counter() - start, case.pages, message)


# --- the img2table peer ------------------------------------------------------------------------
@dataclass(frozen=True)
class PeerOutcome:
    """The peer's requirement CER and data rows on one case, or why it has none."""

    cer: float | None = None
    rows: int = 0
    seconds: float | None = None
    error: str = ""


def _header_like(text: str, title: str) -> bool:
    return Levenshtein.normalized_similarity(normalize(text), title) >= HEADER_SIMILARITY


def is_header_row(row: Sequence[Sequence[Any]]) -> bool:
    """A row of a peer table (cells [text, x1, y1, x2, y2]) is a header row when a cell reads a title."""
    return any(_header_like(str(cell[0]), title) for cell in row for title in HEADER_TITLES)


def requirement_column(rows: Sequence[Sequence[Sequence[Any]]]) -> int:
    """The column of a peer table whose header cell reads 工作要求, else the widest column (by the
    median width of its cells)."""
    best, best_similarity = -1, 0.0
    for row in rows:
        if not is_header_row(row):
            continue
        for index, cell in enumerate(row):
            similarity = Levenshtein.normalized_similarity(normalize(str(cell[0])), REQUIREMENT_HEADER)
            if similarity >= HEADER_SIMILARITY and similarity > best_similarity:
                best, best_similarity = index, similarity
    if best >= 0:
        return best
    columns = max((len(row) for row in rows), default=0)
    widths = [sorted(int(row[i][3]) - int(row[i][1]) for row in rows if i < len(row)) for i in range(columns)]
    return max(range(columns), key=lambda i: widths[i][len(widths[i]) // 2], default=-1)


def peer_requirement_text(tables: Sequence[Mapping[str, Any]]) -> tuple[str, int]:
    """The normalised concatenated requirement text of the peer's tables, and their data rows.

    `tables` as bench's `peer-cells` child reports them ({"page", "bbox", "rows"}); see the module
    docstring for what is taken.
    """
    def reading_order(table: Mapping[str, Any]) -> tuple[int, int, int]:
        return int(table["page"]), int(table["bbox"][1]), int(table["bbox"][0])

    parts: list[str] = []
    data_rows = 0
    for table in sorted(tables, key=reading_order):
        rows = table["rows"]
        column = requirement_column(rows)
        previous: tuple[int, ...] | None = None
        for row in rows:
            if is_header_row(row):
                continue
            data_rows += any(normalize(str(cell[0])) for cell in row)
            if not 0 <= column < len(row):
                continue
            box = tuple(int(v) for v in row[column][1:5])
            if box != previous:  # a cell spanning rows is repeated in each of them
                parts.append(normalize(str(row[column][0])))
            previous = box
    return "".join(parts), data_rows


def requirement_text_cer(truth: Table, text: str) -> float:
    """CER of a normalised text against the concatenated normalised truth requirements."""
    expected = "".join(normalize(row.requirement) for row in truth.rows)
    return Levenshtein.distance(expected, normalize(text)) / len(expected) if expected else float(bool(text))


def run_peer(case: Case, engine: str, python: Path, out: Path) -> PeerOutcome:
    """img2table on one case's PDF at its scan dpi (bench's `peer-cells` child), scored."""
    assert case.scan_dpi is not None
    measurement = bench.run_child(python, "peer-cells", case.path.resolve(), engine, case.scan_dpi)
    if measurement.error:
        return PeerOutcome(error=measurement.error)
    tables = measurement.info.get("tables_content", [])
    text, rows = peer_requirement_text(tables)
    stem = f"{case.name}.{engine}.peer"  # beside, not over, the pipeline's <variant>.<engine>.{json,txt}
    (out / case.name / f"{stem}.json").write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")
    (out / case.name / f"{stem}.txt").write_text(text + "\n", encoding="utf-8")
    return PeerOutcome(requirement_text_cer(case.truth, text), rows, float(measurement.info["wall"]))


def evaluate_peer(engine: str, cases: Sequence[Case], named: Mapping[str, Scores], out: Path) -> str:
    """The peer table of one engine (or a line saying why the peer did not run)."""
    scanned = [case for case in cases if case.scan_dpi is not None]
    if not scanned:
        return "no scanned variant selected: peer not run"
    python, why = bench.ensure_peer(engine)
    if python is None:
        print(f"  {why}; going on without it", file=sys.stderr, flush=True)
        return why
    rows, notes = [], []
    for case in scanned:
        peer = run_peer(case, engine, python, out)
        print(f"  {engine} peer {case.name}: "
              + (f"FAILED {peer.error}" if peer.error else f"{peer.seconds:.1f} s"), file=sys.stderr, flush=True)
        if peer.error:
            notes.append(f"- {case.name}: peer failed: {peer.error}")
        ours = named.get(case.name)
        expected = len(case.truth.rows)
        rows.append([
            case.name,
            f"{100 * ours.requirement_cer:.2f}" if ours else "—",
            "—" if peer.cer is None else f"{100 * peer.cer:.2f}",
            "—" if peer.error else f"{peer.rows}/{expected}",
            f"{ours.rows_found}/{expected}" if ours else "—",
            "—" if peer.seconds is None else f"{peer.seconds:.1f}",
        ])
    legend = (f"peer = {bench.IMG2TABLE_PIN}, extract_tables(implicit_rows=True, borderless_tables=False), "
              f"engine {engine}, pages at the variant's scan dpi. Peer CER: its 工作要求-column cells "
              "concatenated in reading order vs the concatenated truth requirements (NFKC, no whitespace), "
              "no row alignment (generous to the peer); pipeline CER: row-aligned, as in the table above. "
              "Rows = data rows found/drawn; peer s = the peer child's wall time, model loading included.")
    return "\n".join([format_markdown(PEER_HEADER, rows), "", legend, *(["", *notes] if notes else [])])


def _warm(settings: Settings) -> None:
    """Load the OCR engine in a pool worker, so the first variant's time is not model loading."""
    from pipeline.ocr import get_engine

    get_engine(settings)
    time.sleep(1.0)  # hold this worker so the next warm-up task goes to another one


def silent_report(silent: Sequence[WrongCell]) -> str:
    """Markdown list of the wrong cells no flag points at (what a clerk checking the flags misses)."""
    if not silent:
        return ""
    lines = ["", "## wrong cells no flag points at", ""]
    lines += [f"- truth row {c.truth_row + 1} {COLUMN_TITLES[c.role]}: expected {_preview(c.expected)!r}, "
              f"read {_preview(c.read)!r}" for c in silent]
    return "\n".join(lines) + "\n"


def evaluate_engine(
    engine: str, cases: Sequence[Case], out: Path, lexicon_path: Path, peer: bool = True
) -> tuple[str, str, str, dict[str, Outcome]]:
    """Run every case with one engine, then the peer (unless not `peer`); returns (table, notes, peer
    table, outcome by case name)."""
    settings = Settings.resolve(engine=engine)
    lexicon = load_lexicon(lexicon_path)
    executor = make_executor(settings)
    named: dict[str, Scores] = {}
    outcomes: dict[str, Outcome] = {}
    extra: dict[str, dict[str, str]] = {}
    notes: list[str] = []
    try:
        if executor is not None:
            list(executor.map(_warm, [settings] * worker_count(settings)))
        for case in cases:
            outcome = run_case(case, settings, lexicon, executor, out)
            named[case.name] = outcome.scores
            outcomes[case.name] = outcome
            extra[case.name] = {"pages read": outcome.pages_read or f"0/{outcome.pages}",
                                "diff changes": "—" if outcome.false_changes is None else str(outcome.false_changes),
                                "read either way": "—" if outcome.read_either_way is None
                                else str(outcome.read_either_way),
                                "unflagged wrong cells": "—" if outcome.wrong_cells is None
                                else f"{outcome.silent_cells}/{outcome.wrong_cells}",
                                "seconds": f"{outcome.seconds:.1f}"}
            if outcome.error:
                notes.append(f"- {case.name}: failed: {outcome.error}")
            print(f"  {engine} {case.name}: {outcome.seconds:.1f} s"
                  + (f" FAILED {outcome.error}" if outcome.error else ""), file=sys.stderr, flush=True)
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    peer_text = evaluate_peer(engine, cases, named, out) if peer else ""
    return format_scores_table(named, extra), "\n".join(notes), peer_text, outcomes


#: Exact rates set side by side (by Scores attribute: exact_<name>), beside the CER, F1 and diff changes.
SIDE_BY_SIDE_EXACT = ("level1", "level2", "requirement", "lead", "support")


def _pages_read(outcome: Outcome) -> int:
    return int(outcome.pages_read.split("/")[0] or 0) if outcome.pages_read else 0


def _worse_in(a: Outcome, b: Outcome) -> list[str]:
    """What `a` does worse than `b` (empty: at least as accurate): rows found, pages read, the
    requirement CER, each exact rate, agency F1, false changes of the diff."""
    worse = []
    if a.scores.rows_found < min(b.scores.rows_found, b.scores.rows_expected):
        worse.append("rows")
    if _pages_read(a) < _pages_read(b):
        worse.append("pages")
    if round(a.scores.requirement_cer, 4) > round(b.scores.requirement_cer, 4):
        worse.append("CER")
    worse += [COLUMN_TITLES[c] for c in SIDE_BY_SIDE_EXACT
              if round(getattr(a.scores, f"exact_{c}"), 4) < round(getattr(b.scores, f"exact_{c}"), 4)]
    if round(a.scores.agency_f1, 4) < round(b.scores.agency_f1, 4):
        worse.append("F1")
    if (a.false_changes or 0) > (b.false_changes or 0):
        worse.append("changes")
    return worse


def side_by_side(a_name: str, a: Mapping[str, Outcome], b_name: str, b: Mapping[str, Outcome]) -> str:
    """One row per variant both engines ran: requirement CER, exact rates and the diff's false changes
    of `a` beside `b`'s, and what `a` does worse (a pure rendering of the two runs' outcomes)."""
    header = ["variant", "rows", f"工作要求 CER % ({a_name} / {b_name})",
              *(f"{COLUMN_TITLES[c]} %" for c in SIDE_BY_SIDE_EXACT), "agency F1 %", "diff changes",
              f"{a_name} worse in"]
    rows = []
    for name in [n for n in a if n in b]:
        x, y = a[name], b[name]
        pair = [f"{100 * getattr(x.scores, f'exact_{c}'):.1f} / {100 * getattr(y.scores, f'exact_{c}'):.1f}"
                for c in SIDE_BY_SIDE_EXACT]
        rows.append([name, f"{x.scores.rows_found} / {y.scores.rows_found} of {x.scores.rows_expected}",
                     f"{100 * x.scores.requirement_cer:.2f} / {100 * y.scores.requirement_cer:.2f}", *pair,
                     f"{100 * x.scores.agency_f1:.1f} / {100 * y.scores.agency_f1:.1f}",
                     f"{x.false_changes} / {y.false_changes}", ", ".join(_worse_in(x, y)) or "—"])
    worse = sum(1 for r in rows if r[-1] != "—")
    return (format_markdown(header, rows) + f"\n\n{a_name} is worse than {b_name} on {worse} of {len(rows)} "
            f"variants (each pair: {a_name} / {b_name}).")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--engine", choices=[*ENGINES, "both"], default="rapid")
    parser.add_argument("--variants", default="", help=f"comma-separated subset of: {', '.join(all_case_names())}")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default eval_out/)")
    parser.add_argument("--lexicon", type=Path, default=DEFAULT_LEXICON)
    parser.add_argument("--against", choices=ENGINES, default=None,
                        help=f"also run this engine and set the default engine beside it (make eval: {REFERENCE})")
    parser.add_argument("--peer", action=argparse.BooleanOptionalAction, default=True,
                        help="also score the img2table peer on every scanned variant (default on; --no-peer skips)")
    args = parser.parse_args(argv)
    names = [v.strip() for v in args.variants.split(",") if v.strip()] or all_case_names()
    unknown = [n for n in names if n not in all_case_names()]
    if unknown:
        parser.error(f"unknown variants {unknown}; known: {', '.join(all_case_names())}")
    args.names = names
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    engines = list(BOTH) if args.engine == "both" else [args.engine]
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    print(f"rendering {len(args.names)} drafts into {out}/ ...", file=sys.stderr, flush=True)
    commit = bench.commit_label()  # the code this run imported, whatever is committed while it runs
    cases = prepare_cases(args.names, out)
    legend = ("rows = rows output/expected; column % = exact matches over truth rows; CER over 工作要求 "
              "(NFKC, no whitespace); agency F1 over (序号, sub-row, agency, role); expected agencies are the "
              "truth's names as the lexicon spells them for the draft's district (a held-out truth writes "
              "松江区水务局 as printed; the repair must canonicalise and record it); pages read = pages whose "
              "rows were taken or that hold no table / pages; diff changes = what `diff` reports between the "
              "truth and the output as changes (every one is OCR noise); read either way = texts it set aside "
              "because the scan's recognizer lattice supports the truth's text within READ_EITHER_WAY_MAX_LOSS "
              "(listed, not counted); unflagged wrong cells = wrong cells of paired rows (standard columns) that no "
              "flag of the review outputs points at / all wrong cells of paired rows (each listed in the "
              "variant's errors.md); seconds = process_draft wall time (engine loaded "
              "beforehand). Cases: plain names are the Qingpu document drawn by tests/scangen.py (our renderer); "
              "document/variant = a held-out document (tests/data; its titles never in the lexicon, its agencies "
              "only where the district base holds them from general knowledge) in a scangen style; "
              "document/layout = a column layout of scangen (scored against scangen.expected_rows); "
              "document/recipe = tests/degrade.py (augraphy, seals, pen, photos: the library's degradations); "
              "document/word-recipe = a Word table printed by LibreOffice (tests/wordscan.py), damaged by a recipe; "
              "document/word-style = that table in an office style (14pt, numbered, centered) or with a structure "
              "of real drafts (two-row-header, merged-agencies, split-table, no-numbers: items numbered in order), "
              "scanned clean. "
              "None of these is a real scan: those are measured by tests/test_real_scans.py.")
    ran: dict[str, dict[str, Outcome]] = {}
    for engine in engines:
        table, notes, peer, ran[engine] = evaluate_engine(engine, cases, out, args.lexicon, args.peer)
        title = (f"## eval, engine {engine}, commit {commit}, "
                 f"{dt.datetime.now().astimezone().isoformat(timespec='seconds')}")
        peer_part = ["", f"### peer (img2table), engine {engine}", "", peer] if peer else []
        text = "\n".join([title, "", table, "", legend, *(["", notes] if notes else []), *peer_part]) + "\n"
        print(text, flush=True)
        (out / f"eval_{engine}.md").write_text(text, encoding="utf-8")
    if args.against:
        default = Settings.resolve().engine
        for engine in (default, args.against):
            if engine not in ran:
                ran[engine] = evaluate_engine(engine, cases, out, args.lexicon, peer=False)[3]
        text = (f"## eval, {default} beside {args.against}, commit {commit}\n\n"
                + side_by_side(default, ran[default], args.against, ran[args.against]) + "\n")
        print(text, flush=True)
        (out / f"eval_{default}_vs_{args.against}.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
