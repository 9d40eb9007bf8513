"""Drafts laid out by a word processor, then scanned: a second renderer, independent of scangen.

The truth is written as a Word table by python-docx (`officegen.write_docx`: 一级 and 二级 merged
down their rows, the header row repeated on each page, a title above and a note below), in one of
`officegen.WORD_STYLES` (as offices set it: 四号 with fixed spacing, a 序号 column, centred cells;
or in a structure of real drafts: a two-row header, equal agencies merged down, the table cut in
two, no item numbers), laid out and printed to PDF by LibreOffice, rasterized by pdfium and
damaged by one of `degrade`'s recipes (augraphy), or not at all (CLEAN). Line breaks, cell
padding, the faces LibreOffice falls back to for the Chinese and the Latin text, and where pages
break are LibreOffice's, none of them ours: what scangen draws can agree with the pipeline by
construction; this cannot.

    python tests/wordscan.py fax tests/data/minhang_waste_v1.csv out.pdf --title "《…》任务分工"
    python tests/wordscan.py clean tests/data/putuo_safety_v1.csv out.pdf --style 14pt
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import degrade
import officegen
import scangen

#: A serif Chinese face (a 宋体 as offices print tables) and Word's usual Latin serif stand-in; the
#: machine has neither SimSun nor Times New Roman, so LibreOffice substitutes, as on a clerk's PC.
FACES = ("Noto Serif CJK SC", "DejaVu Serif")
#: Resolution of the scan when the recipe does not force one (degrade's recipes assume 300).
SCAN_DPI = 300
#: Recipes that place damage by the table's cells (markup, seal-pen) need scangen's boxes: not here.
RECIPES = tuple(name for name in degrade.RECIPES if name not in ("markup", "seal-pen"))
#: Not a damage recipe: the printed page rasterized in gray at SCAN_DPI and written as is (a clean
#: scan), so that a style's effect is measured alone.
CLEAN = "clean"
CLEAN_RECIPE = degrade.Recipe("no damage: the printed page in gray at SCAN_DPI", lambda page, ctx: page)


def _recipe(name: str) -> degrade.Recipe:
    return CLEAN_RECIPE if name == CLEAN else degrade.RECIPES[name]


def printed_pdf(rows: Sequence[dict[str, str]], out_dir: Path, title: str,
                style: officegen.WordStyle = officegen.WORD_STYLES["plain"]) -> Path:
    """The Word table in `style` printed to PDF by LibreOffice (A4, FACES)."""
    docx = officegen.write_docx(rows, out_dir / "draft.docx", title=title, a4=True, faces=FACES, style=style)
    return officegen.saved_as(docx, "pdf", out_dir)


def scanned_pages(pdf: Path, recipe_name: str, seed: int = 0,
                  only: Sequence[int] | None = None) -> tuple[list[np.ndarray], int]:
    """Each page of the printed PDF (or the pages numbered `only`, from 0) rasterized in gray and damaged
    by the recipe (CLEAN: none), and the dpi. A page's damage depends on its number and the seed alone,
    so a page scanned on its own is the page of the whole draft."""
    import pypdfium2 as pdfium

    recipe = _recipe(recipe_name)
    dpi = recipe.dpi or SCAN_DPI
    document = pdfium.PdfDocument(str(pdf))
    pages = []
    try:
        for no in range(len(document)) if only is None else only:
            gray = np.asarray(document[no].render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
            if recipe is CLEAN_RECIPE:  # no damage, so no generator to seed (augraphy is not loaded)
                pages.append(np.ascontiguousarray(gray))
                continue
            ctx = degrade.PageContext(dpi, no, (), (), degrade._seed_all(seed, f"word-{recipe_name}", no))
            pages.append(np.ascontiguousarray(recipe.degrade(gray.copy(), ctx)))
    finally:
        document.close()
    return pages, dpi


def render_word_scan(rows: Sequence[dict[str, str]], path: Path, recipe_name: str,
                     title: str = scangen.DEFAULT_TITLE, seed: int = 0,
                     style_name: str = "plain", only: Sequence[int] | None = None) -> degrade.DegradedDraft:
    """Write the rows as a Word table in the named officegen.WORD_STYLES style, print it with
    LibreOffice, scan it through the recipe (or CLEAN) to `path`: every page, or the pages numbered
    `only` (from 0; a test that needs one page is spared the others' damage)."""
    if recipe_name not in (*RECIPES, CLEAN):
        raise ValueError(f"recipe {recipe_name!r} is not one a printed page can take: {', '.join(RECIPES)}, {CLEAN}")
    if style_name not in officegen.WORD_STYLES:
        raise ValueError(f"unknown Word style {style_name!r}: {', '.join(officegen.WORD_STYLES)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wordscan-") as tmp:
        printed = printed_pdf(rows, Path(tmp), title, officegen.WORD_STYLES[style_name])
        pages, dpi = scanned_pages(printed, recipe_name, seed, only)
    degrade._write_pdf(path, pages, dpi, _recipe(recipe_name))
    return degrade.DegradedDraft(path, len(pages), tuple(dict(r) for r in rows), recipe_name, dpi)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("recipe", choices=(*RECIPES, CLEAN))
    parser.add_argument("truth", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--title", default=scangen.DEFAULT_TITLE)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--style", choices=officegen.WORD_STYLES, default="plain")
    args = parser.parse_args(argv)
    draft = render_word_scan(scangen.load_truth(args.truth), args.out, args.recipe, args.title, args.seed,
                             args.style)
    print(f"{draft.path}: {draft.pages} pages at {draft.dpi} dpi")
    return 0


if __name__ == "__main__":
    sys.exit(main())
