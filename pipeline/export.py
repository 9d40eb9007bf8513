"""Outputs of one draft, each written atomically: nothing is written until all are computed.

- `<stem>.csv`: the clean table (UTF-8 with BOM so that Excel and WPS open it as UTF-8);
- `<stem>.long.csv`: one row per (item, sub-row, agency, role), the tidy form;
- `<stem>.matrix.csv`: items × agencies, 牵头 / 配合 / empty;
- `<stem>.review.csv`: every cell with its place, raw and final text, confidence and changes;
- `<stem>.review.html`: the clerk's review page; `<stem>.xlsx`: the table for Excel (report.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from .errors import CorruptInput, NotADraft
from .fileio import csv_text, write_bytes_atomic, write_text_atomic
from .models import DraftResult, Flag, PageCells, PageReport, Table, split_agencies, sub_rows
from .report import column_title, flag_reason, render_review_html, render_xlsx
from .settings import Settings

LONG_HEADER = ("序号", "子行", "二级指标", "单位", "角色")
ROLE_LEAD, ROLE_SUPPORT, ROLE_RESPONSIBLE = "牵头", "配合", "责任"
#: The role word of each agency role in the long form and the matrix (责任: a single 责任单位
#: column whose lead the draft does not name).
ROLE_WORDS = {"lead": ROLE_LEAD, "support": ROLE_SUPPORT, "responsible": ROLE_RESPONSIBLE}
REVIEW_HEADER = (
    "cell_id", "page", "序号", "sub_row", "column", "x0", "y0", "x1", "y1", "page_path",
    "raw_text", "final_text", "confidence", "engine", "changes", "flags", "score",
)


def long_rows(table: Table) -> list[list[str]]:
    rows = []
    for row, sub in zip(table.rows, sub_rows(table), strict=True):
        for role, word in ROLE_WORDS.items():
            for agency in split_agencies(row.get(role)):
                rows.append([row.no, str(sub), row.get("level2"), agency, word])
    return rows


#: Items without a 二级 title are named in the matrix by the start of their task text.
MATRIX_TITLE_CHARS = 20


def _short(text: str) -> str:
    return text if len(text) <= MATRIX_TITLE_CHARS else text[:MATRIX_TITLE_CHARS] + "…"


def matrix(table: Table) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the items × agencies matrix. An agency that leads any sub-row of an
    item is 牵头 for the item; 配合 (or 责任) otherwise. Agencies in order of first appearance."""
    order: dict[str, None] = {}
    items: dict[str, dict[str, str]] = {}
    titles: dict[str, str] = {}
    for row in table.rows:
        titles.setdefault(row.no, row.get("level2") or _short(row.get("requirement")))
        roles = items.setdefault(row.no, {})
        for agency in split_agencies(row.get("lead")):
            order.setdefault(agency)
            roles[agency] = ROLE_LEAD
        for role in ("responsible", "support"):
            for agency in split_agencies(row.get(role)):
                order.setdefault(agency)
                roles.setdefault(agency, ROLE_WORDS[role])
    header = ["序号", "二级指标", *order]
    body = [[no, titles[no], *(roles.get(a, "") for a in order)] for no, roles in items.items()]
    return header, body


def review_rows(result: DraftResult) -> list[list[object]]:
    """One row per (table row, column): where it came from, what was read, what came out."""
    changes: dict[tuple[int, str], list[str]] = {}
    scores: dict[tuple[int, str], float] = {}
    for r in result.repairs:
        changes.setdefault((r.row, r.field), []).append(f"{r.method}: {r.before!r} -> {r.after!r} ({r.score:.0f})")
        scores[(r.row, r.field)] = min(scores.get((r.row, r.field), 100.0), r.score)
    flags: dict[tuple[int, str], list[Flag]] = {}
    for f in result.flags:
        flags.setdefault((f.row, f.field), []).append(f)
        scores[(f.row, f.field)] = min(scores.get((f.row, f.field), 100.0), f.score)
    page_paths = {p.page: p.source for p in result.pages}
    out: list[list[object]] = []
    for i, (row, sub) in enumerate(zip(result.table.rows, sub_rows(result.table), strict=True)):
        raw_row = result.raw_table.rows[i] if i < len(result.raw_table.rows) else None
        # The table's columns, then cells read under a role that is no output column: a 责任单位
        # cell split into 牵头 and 配合 by the draft's rule keeps its own line, flags and all.
        unlisted = [f for f in dict.fromkeys([*(raw_row.sources if raw_row else ()),
                                              *(f for r, f in flags if r == i)]) if f not in result.table.roles]
        for f in [*result.table.roles, *unlisted]:
            source = raw_row.sources.get(f) if raw_row else None
            box = source.box if source and source.box else None
            page = source.page if source and source.page is not None else None
            raw = source.raw if source else (raw_row.get(f) if raw_row else "")
            key = (i, f)
            out.append([
                ";".join(source.cell_ids) if source else "",
                page + 1 if page is not None else "",
                row.no, sub, column_title(result, f),
                *((box.x0, box.y0, box.x1, box.y1) if box else ("", "", "", "")),
                page_paths.get(page, result.kind) if page is not None else result.kind,
                raw, result.table.text_of(row, f),
                f"{source.confidence:.3f}" if source and source.confidence is not None else "",
                source.engine if source else "",
                " | ".join(changes.get(key, [])),
                " | ".join(f"{flag_reason(flag, raw, result.table.text_of(row, f))} ({flag.score:.0f})"
                           for flag in flags.get(key, [])),
                f"{scores[key]:.0f}" if key in scores else "",
            ])
    return out


def output_paths(out_dir: Path, stem: str) -> dict[str, Path]:
    return {kind: out_dir / f"{stem}{suffix}" for kind, suffix in (
        ("csv", ".csv"), ("long", ".long.csv"), ("matrix", ".matrix.csv"), ("review", ".review.csv"),
        ("review_html", ".review.html"), ("xlsx", ".xlsx"),
    )}


def render_outputs(result: DraftResult) -> dict[str, bytes]:
    """Every output file's bytes, computed before any is written."""
    header, body = matrix(result.table)
    return {
        "csv": csv_text([c.name for c in result.table.columns], result.table.csv_rows()).encode(),
        "long": csv_text(LONG_HEADER, long_rows(result.table)).encode(),
        "matrix": csv_text(header, body).encode(),
        "review": csv_text(REVIEW_HEADER, review_rows(result)).encode(),
        "review_html": render_review_html(result).encode(),
        "xlsx": render_xlsx(result),
    }


def write_outputs(result: DraftResult, out_dir: Path, stem: str) -> list[Path]:
    """Render all outputs first, then write each atomically; returns the paths written."""
    rendered = render_outputs(result)
    paths = output_paths(out_dir, stem)
    for kind, data in rendered.items():
        write_bytes_atomic(paths[kind], data)
    return [paths[k] for k in rendered]


def run_record_path(out_dir: Path, stem: str) -> Path:
    return out_dir / f"{stem}.run.json"


def write_run_record(out_dir: Path, stem: str, draft: Path, settings: Settings, lexicon_path: Path,
                     pages: Sequence[PageReport] = (), page_cells: Sequence[PageCells] = (),
                     scope: str = "") -> None:
    """What `apply` needs to redo the run (the draft, the lexicon and the settings used), how
    every page accounted for itself (with how its orientation was decided), and which district
    and document knowledge the repair used."""
    orientation = {c.page: {"rotation": c.rotation, "orientation_weak": c.orientation_weak,
                            "orientation": c.orientation_evidence, "rectified": c.rectified,
                            "cleaned": c.cleaned, "streaks": list(c.grid.streaks),
                            "bands": list(c.grid.bands),
                            "restored_rulings": [asdict(b) for b in c.grid.restored],
                            "grid_from_text": c.grid.from_text,
                            "columns_from_page": None if c.grid.columns_from is None else c.grid.columns_from + 1,
                            "column_lines_from_page": (None if c.grid.column_lines_from is None
                                                       else c.grid.column_lines_from + 1)}
                   for c in page_cells}
    record = {"draft": str(draft.resolve()), "lexicon": str(lexicon_path.resolve()), "settings": asdict(settings),
              "knowledge": scope,
              "pages": [asdict(p) | {"page": p.page + 1} | orientation.get(p.page, {}) for p in pages]}
    write_text_atomic(run_record_path(out_dir, stem), json.dumps(record, ensure_ascii=False, indent=2) + "\n")


def read_run_record(out_dir: Path, stem: str) -> tuple[Path, Path, Settings]:
    """(draft, lexicon, settings) of an earlier run into `out_dir`."""
    path = run_record_path(out_dir, stem)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return Path(record["draft"]), Path(record["lexicon"]), Settings(**record["settings"])
    except FileNotFoundError:
        raise NotADraft(str(path), "no run record: process the draft with `run` into this folder first") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise CorruptInput(str(path), f"unreadable run record ({exc})") from None
