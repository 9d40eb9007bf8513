"""Measure diff.READ_EITHER_WAY_MAX_LOSS: how much less likely the truth's text is on a scan's recognizer
lattice, for OCR noise (a truth against its own scans) and for real edits (a truth against a scan of an
edited version: one character changed, a digit changed, 不 inserted, two characters deleted, on every
other row).

    .venv/bin/python tests/measure_either_way.py noise|edits DOCS STYLES [--out DIR]

DOCS: qingpu,songjiang,jiading,minhang; STYLES: scangen variants or degrade recipes. Prints one line
per differing requirement cell, lowest loss first, and a summary. Not run by make test (minutes a draft).
"""

from __future__ import annotations

import argparse
import difflib
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import degrade  # noqa: E402
import eval_suite  # noqa: E402
import scangen  # noqa: E402

from pipeline.diff import compare, reading_loss  # noqa: E402
from pipeline.evaluate import rows_to_table  # noqa: E402
from pipeline.lexicon import load_lexicon  # noqa: E402
from pipeline.run import process_draft  # noqa: E402
from pipeline.settings import Settings  # noqa: E402

DOCS = {"qingpu": scangen.TRUTH_CSV, **eval_suite.HELD_OUT}
#: Characters a substitution edit writes (common in official Chinese).
COMMON = "的是在不了有和人中大为上个以要时来用生到作地出就分对成会可主发年动同工能下过产种面而方后多定行学"
EDIT_KINDS = ("digit", "sub", "insert_bu", "delete")


def edited(rows: list[dict[str, str]], seed: int = 7) -> tuple[list[dict[str, str]], dict[int, str]]:
    """Every other row's requirement edited once (kinds in turn); -> rows, row index → kind."""
    rng = random.Random(seed)
    out, kinds = [], {}
    for i, row in enumerate(rows):
        row = dict(row)
        if i % 2 == 0:
            text, kind = row["工作要求"], EDIT_KINDS[(i // 2) % len(EDIT_KINDS)]
            digit = re.search(r"\d", text)
            han = [k for k, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
            k = han[len(han) // 2]
            if kind == "digit" and digit:
                text = text[:digit.start()] + str((int(digit.group()) + 3) % 10) + text[digit.end():]
            elif kind in ("digit", "sub"):
                kind = "sub"
                text = text[:k] + rng.choice([c for c in COMMON if c != text[k]]) + text[k + 1:]
            elif kind == "insert_bu":
                text = text[:k] + "不" + text[k:]
            else:
                text = text[:k] + text[k + 2:]
            row["工作要求"], kinds[i] = text, kind
        out.append(row)
    return out, kinds


def render(rows: list[dict[str, str]], doc: str, style: str, path: Path) -> None:
    title = eval_suite._title(doc)
    if style in scangen.VARIANTS:
        scangen.render_draft(rows, path, scangen.VARIANTS[style], title=title)
    else:
        degrade.render_degraded(rows, path, style, scangen.VARIANTS["clean-300"], 0, title=title)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=("noise", "edits"))
    parser.add_argument("docs")
    parser.add_argument("styles")
    parser.add_argument("--out", type=Path, default=Path("/tmp/measure_either_way"))
    args = parser.parse_args(argv)
    settings, lexicon = Settings(), load_lexicon(ROOT / "agency_lexicon.txt")
    found = []
    for doc in args.docs.split(","):
        rows = scangen.load_truth(DOCS[doc])
        printed, kinds = edited(rows) if args.which == "edits" else (rows, {})
        truth = rows_to_table([{k: r.get(k, "") for k in scangen.CSV_COLUMNS} for r in rows], doc)
        for style in args.styles.split(","):
            path = args.out / args.which / doc / f"{style}.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            render(printed, doc, style, path)
            table = process_draft(path, settings, lexicon).table
            for item in compare(truth, table).items:
                for old, new in item.rows:
                    if old is None or new is None or old.get("requirement") == new.get("requirement"):
                        continue
                    loss = reading_loss(new, "requirement", old.get("requirement"))
                    index = next((i for i, r in enumerate(rows) if r["工作要求"] == old.get("requirement")), -1)
                    found.append((loss, doc, style, old.no, kinds.get(index, "noise"), old.get("requirement"),
                                  new.get("requirement")))
            print(f"{doc} {style}: {len(found)} cells so far", file=sys.stderr, flush=True)
    for loss, doc, style, no, kind, old, new in sorted(found, key=lambda f: (f[0] is None, f[0] or 0.0)):
        ops = [(old[i0:i1], new[j0:j1]) for tag, i0, i1, j0, j1
               in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if tag != "equal"]
        shown = "—" if loss is None else f"{loss:.2f}"
        print(f"{shown}\t{doc}/{style}\t序号 {no}\t{kind}\t{ops[:4]}")
    for kind in ("noise", *EDIT_KINDS):
        losses = [f[0] for f in found if f[4] == kind and f[0] is not None]
        if losses:
            print(f"# {kind}: {len(losses)} cells, loss min {min(losses):.2f}, at most 4: "
                  f"{sum(loss <= 4 for loss in losses)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
