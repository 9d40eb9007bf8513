"""Measure repair.image_agency (IMAGE_MAX_LOSS, IMAGE_MIN_MARGIN): the agency cells of tests/ocr_lines.py
(3 documents, its scan styles and degrade recipes, cut as the pipeline cuts them) read by PP-OCRv6
small with its lattices, segmented against the shipped lexicon in each document's district, every
unknown fragment put to the image. Prints, per style, the truth's names, those right as segmented and
those right with the image, the names the image changed and how many of them wrongly, then every
change with its score (100 × e^−loss). Not run by make test (it renders and reads ~800 cells).

    .venv/bin/python tests/measure_agency_image.py [--styles bilevel-200,sample,...] [--samples PICKLE]
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import ocr_lines  # noqa: E402

from pipeline.lexicon import load_lexicon  # noqa: E402
from pipeline.ocr.ppocr import Recognizer  # noqa: E402
from pipeline.repair import agencies_by_image, segment_agencies  # noqa: E402
from pipeline.settings import Settings  # noqa: E402

DISTRICTS = {"qingpu": "青浦区", "songjiang": "松江区", "jiading": "嘉定区"}
AGENCY_COLUMNS = ("牵头单位", "配合单位")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--styles", default="", help="comma-separated styles/recipes (default: all of ocr_lines)")
    parser.add_argument("--samples", type=Path, default=Path("/tmp/measure_agency_image.pkl"),
                        help="cache of the cut cells (built when absent)")
    args = parser.parse_args(argv)
    if args.styles:
        wanted = set(args.styles.split(","))
        ocr_lines.STYLES = {k: v for k, v in ocr_lines.STYLES.items() if k in wanted}
        ocr_lines.RECIPES = tuple(r for r in ocr_lines.RECIPES if r in wanted)
    if args.samples.exists():
        samples = pickle.loads(args.samples.read_bytes())
    else:
        samples = [s for s in ocr_lines.build(ocr_lines.render()) if s.column in AGENCY_COLUMNS]
        args.samples.write_bytes(pickle.dumps(samples))
    base, settings = load_lexicon(ROOT / "agency_lexicon.txt"), Settings()
    lexicons = {doc: base.view(district) for doc, district in DISTRICTS.items()}
    model = Recognizer("v6-small")
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    changed = []
    for sample in samples:
        lexicon = lexicons[sample.doc]
        lattices = [r.lattice for r in model.read(list(sample.images)) if r.lattice is not None and r.text]
        text = "".join(lat.text for lat in lattices)
        truth = [name for name in sample.truth.replace("\n", "").split("、") if name]
        fragments = segment_agencies(text, lexicon, settings)
        names = []
        for before, after in zip(fragments, agencies_by_image(fragments, lattices, lexicon), strict=True):
            if after.method == "agency_by_image":  # score: 100 × e^−loss, the likelihood against the reading
                changed.append((after.score, sample.doc, sample.cond, before.read, after.name, after.name in truth))
            names.append(after.name)
        row = counts[sample.cond]
        row["names"] += len(truth)
        row["right as segmented"] += sum(1 for n in truth if n in [f.name for f in fragments])
        row["right with the image"] += sum(1 for n in truth if n in names)
    for cond, row in counts.items():
        made = [c for c in changed if c[2] == cond]
        print(f"{cond}: {dict(row)}, changed {len(made)}, wrongly {sum(1 for c in made if not c[5])}")
    for score, doc, cond, read, name, right in sorted(changed, reverse=True):
        print(f"{score:5.1f}\t{doc}/{cond}\t{read} → {name}\t{'right' if right else 'WRONG'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
