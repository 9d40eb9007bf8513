# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # From a scanned 职责分工 draft to clean data: a walkthrough
#
# This notebook takes the sample draft `raw/qingpu_sample.pdf` (5 pages, a 200 dpi scan) through
# every stage of the pipeline, using only the package's public functions:
#
# 1. **ingest** a page, **clean** it (upright, deskew), **detect the grid** of ruled cells;
# 2. **OCR** the cells and look at a few crops beside what was read;
# 3. run the **whole draft** (`process_draft`), then **structure** and **repair** again from its
#    pages to see every repair with its score, and what is flagged for a clerk;
# 4. the **clean table** and the **responsibility matrix**;
# 5. a **diff** of two drafts: the clean table against a copy edited here.
#
# The source of this notebook is `walkthrough.py` (jupytext percent format); `walkthrough.ipynb`
# is its paired copy, committed without outputs. `tests/test_notebook.py` runs it headless.

# %% [markdown]
# ## Set-up
#
# The repository root is the first folder, from the working directory up, that holds
# `agency_lexicon.txt`; it goes on `sys.path` so that `pipeline` can be imported without
# installing it.

# %%
# %matplotlib inline
import sys
from pathlib import Path

sys.path.insert(0, str(ROOT := next(
    folder for folder in (Path.cwd().resolve(), *Path.cwd().resolve().parents)
    if (folder / "agency_lexicon.txt").is_file()
)))

import textwrap
import time
from dataclasses import asdict, replace

import cv2
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display
from matplotlib import font_manager
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from pipeline.clean import clean_page
from pipeline.diff import compare, render_terminal
from pipeline.export import ROLE_LEAD, ROLE_SUPPORT, long_rows, matrix
from pipeline.grid import detect_grid, draw_grid
from pipeline.ingest import load_page, open_document
from pipeline.lexicon import load_lexicon
from pipeline.models import Page, PageCells
from pipeline.ocr import get_engine, read_cells
from pipeline.ocr.cells import crop_cell
from pipeline.profile import load_profile
from pipeline.repair import repair_table
from pipeline.run import process_draft
from pipeline.settings import DEFAULT_LEXICON, Settings
from pipeline.structure import build_table
from pipeline.tableio import read_table_csv

profile = load_profile()  # the table profile: column roles and the header texts that name them
FIELD_TITLES = {spec.name: spec.column for spec in profile.roles}

print("repository root:", ROOT)
DRAFT = ROOT / "raw" / "qingpu_sample.pdf"
TRUTH = ROOT / "tests" / "data" / "qingpu_v1.csv"
settings = Settings()
lexicon = load_lexicon(DEFAULT_LEXICON)
pd.set_option("display.max_colwidth", 60)
pd.set_option("display.max_rows", 80)

# %% [markdown]
# Chinese labels need a CJK font in matplotlib. The first installed one of a short list is used
# (`make setup` installs Noto CJK and WenQuanYi); without one the figures still draw, with boxes
# in place of the characters.

# %%
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "AR PL UMing CN", "AR PL UKai CN")
installed = {font.name for font in font_manager.fontManager.ttflist}
cjk_font = next((name for name in CJK_FONTS if name in installed), None)
if cjk_font:
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = [cjk_font, *plt.rcParams["font.sans-serif"]]
    plt.rcParams["axes.unicode_minus"] = False
    print("CJK font:", cjk_font)
else:
    print("no CJK font found: Chinese labels will show as boxes (apt-get install fonts-noto-cjk)")
plt.rcParams["figure.dpi"] = 100


def small(image: np.ndarray, width: int = 1000) -> np.ndarray:
    """`image` scaled down to `width` pixels (area averaging keeps thin rulings visible)."""
    scale = width / image.shape[1]
    return cv2.resize(image, (width, round(image.shape[0] * scale)), interpolation=cv2.INTER_AREA)


def show_crops(crops: list[tuple[np.ndarray, str]], title: str) -> None:
    """Cell crops one under another at one scale (half size), each with its caption beside it."""
    px_per_in = 100  # a 200 dpi scan at half size
    heights = [max(crop.shape[0] / px_per_in, 0.8) for crop, _ in crops]
    image_in = max(crop.shape[1] for crop, _ in crops) / px_per_in
    text_in = 6.0
    fig = plt.figure(figsize=(image_in + text_in, sum(heights) + 0.2 * len(crops) + 0.5))
    layout = fig.add_gridspec(len(crops), 2, height_ratios=heights, width_ratios=[image_in, text_in])
    for k, (crop, caption) in enumerate(crops):
        image_ax, text_ax = fig.add_subplot(layout[k, 0]), fig.add_subplot(layout[k, 1])
        image_ax.imshow(crop, cmap="gray", vmin=0, vmax=255)
        image_ax.set_anchor("NW")
        lines = [piece for line in caption.split("\n") for piece in textwrap.wrap(line, 34)]
        if len(lines) > 9:
            lines = [*lines[:8], "…"]
        text_ax.text(0.02, 1.0, "\n".join(lines), va="top", fontsize=10)
        for ax in (image_ax, text_ax):
            ax.axis("off")
    fig.suptitle(title)
    plt.show()


# %% [markdown]
# ## 1. Ingest: one page of the scan
#
# `open_document` checks the file and counts its pages; `load_page` rasterizes one page at the
# settings' dpi (a scanned page has no text layer worth trusting, so its `source` is `scan`).

# %% tags=["picture"]
doc = open_document(DRAFT, settings)
page = load_page(doc, 0, settings)
print(f"{doc.kind}, {doc.page_count} pages; page 1: {page.image.shape[1]}×{page.image.shape[0]} px "
      f"at {page.dpi} dpi, source {page.source!r}")

fig, ax = plt.subplots(figsize=(6, 8.5))
ax.imshow(small(page.image), cmap="gray")
ax.set_title("page 1 as scanned (downscaled)")
ax.axis("off")
plt.show()

# %% [markdown]
# ## 2. Clean and detect the grid
#
# `clean_page` turns the page upright (reading a few text lines each way with the OCR engine) and
# removes the skew measured on its ruling lines;
# `detect_grid` finds the ruling segments (blue), the line positions (green) and the cells with
# their spans (red, labelled row,col). The tall 一级指标 cell on the left spans several rows.

# %% tags=["picture"]
clean, report = clean_page(page, settings, get_engine(settings))
print(f"rotated {report.rotation}°, deskewed by {report.skew_deg}°; {report.evidence}")
grid = detect_grid(clean, settings)
print(f"{len(grid.row_lines)} row lines, {len(grid.col_lines)} column lines, {len(grid.cells)} cells; "
      f"character height {grid.char_height} px, ruling width {grid.ruling_width} px")

drawn = draw_grid(clean, grid)  # BGR, as OpenCV draws
fig, ax = plt.subplots(figsize=(9, 12.7))
ax.imshow(small(drawn[:, :, ::-1], width=1400))
ax.set_title("page 1 after clean-up, with the detected grid")
ax.axis("off")
plt.show()

# %% [markdown]
# ## 3. OCR of the cells
#
# `get_engine` loads the recognizer (PP-OCRv6 by default: tiny reads every line, small the unsure
# ones); `read_cells` cuts each cell into text lines and reads them, giving each cell its text and a mean confidence.

# %% tags=["dataframe"]
start = time.perf_counter()
engine = get_engine(settings)
texts = read_cells(clean, grid, engine, settings)
print(f"{len(texts)} cells read by {engine.name} in {time.perf_counter() - start:.1f} s")
ocr_frame = pd.DataFrame(
    [{"cell": t.cell.cell_id, "text": t.text.replace("\n", "⏎"), "confidence": round(t.confidence, 3)}
     for t in texts]
)
display(ocr_frame.head(12))

# %% [markdown]
# The page's cells become rows with `build_table`, which knows which column each cell belongs to;
# each field of a row remembers the cell it came from. Here are four cells of the page's first
# row (the 二级 title, the requirement, the lead and the supporting agencies), each beside what
# OCR read from it and its confidence. Narrow cells are read as one stitched line, so a title
# broken over three lines comes out whole.

# %% tags=["picture"]
page_cells = PageCells(clean.index, grid, texts, clean.source, clean.note, report.rotation, report.skew_deg)
page_table = build_table([page_cells], profile)
first = page_table.rows[0]
crops = []
for name in ("level2", "requirement", "lead", "support"):
    source = first.sources[name]
    caption = f"{FIELD_TITLES[name]}, confidence {source.confidence:.3f}:\n{source.raw.replace(chr(10), '⏎')}"
    crops.append((crop_cell(clean, source.box, grid.ruling_width), caption))
show_crops(crops, "page 1, first row: cell crops beside their OCR text")

# %% [markdown]
# ## 4. The whole draft, structure and repair
#
# `process_draft` runs the same page stages over every page and joins them into one table. The
# structure and repair stages are re-run below from the pages it returns (no new OCR), to show
# what each one does: `build_table` joins rows and merged cells across page breaks,
# `repair_table` puts titles and agency names right against `agency_lexicon.txt`.

# %%
start = time.perf_counter()
draft = process_draft(DRAFT, settings, lexicon)
print(f"{len(draft.pages)} pages, {len(draft.table.rows)} rows in {time.perf_counter() - start:.1f} s")
for stage, spent in draft.timings.items():
    print(f"  {stage:<9} {spent.wall:5.1f} s")

raw_table = build_table(list(draft.pages), profile, source=str(DRAFT))
repaired = repair_table(raw_table, lexicon, settings)
assert repaired.table == draft.table
print(f"{len(repaired.repairs)} repairs, {len(repaired.flags)} flags")

# %% [markdown]
# Every repair, with how it was made and how sure it is (0–100). Most are routine: the item
# number moved out of the title into 序号 (`number_from_title`, `exact`), line breaks and
# half-width punctuation of the requirement text (`despace…`). The table shows the rest: agency
# lists cut into lexicon names again (`segment`), titles matched fuzzily (`fuzzy`), stray marks.

# %% tags=["dataframe"]
repairs = pd.DataFrame(
    [{"row": r.row + 1, "序号": repaired.table.rows[r.row].no, "field": FIELD_TITLES.get(r.field, r.field),
      "before": r.before.replace("\n", "⏎"), "after": r.after, "method": r.method, "score": r.score}
     for r in repaired.repairs],
    columns=["row", "序号", "field", "before", "after", "method", "score"],
)
print(repairs["method"].value_counts().to_string())
routine = {"number_from_title", "exact", "despace", "despace+punctuation"}
display(repairs[~repairs["method"].isin(routine)].sort_values("score"))

# %% [markdown]
# What a clerk must look at: the flags, lowest score first.

# %% tags=["dataframe"]
flags = pd.DataFrame(
    [{"row": f.row + 1, "序号": repaired.table.rows[f.row].no, "field": FIELD_TITLES.get(f.field, f.field),
      "text": f.text, "reason": f.reason, "score": f.score}
     for f in repaired.flags],
    columns=["row", "序号", "field", "text", "reason", "score"],  # a draft without flags is an empty table
).sort_values("score")
display(flags)

# %% [markdown]
# And the cells behind them, as `X.review.html` shows them: each crop beside what was read and
# what the table now says. The flagged cells come first (a merged cell once), then the cells
# OCR was least sure of, four in all.

# %% tags=["picture"]
fields = [(f.row, f.field, f.reason) for f in repaired.flags]
fields += sorted(((i, name, "") for i, row in enumerate(repaired.table.rows) for name in row.sources
                  if row.sources[name].confidence is not None),
                 key=lambda item: repaired.table.rows[item[0]].sources[item[1]].confidence)
crops, seen = [], set()
for row_index, name, reason in fields:
    row = repaired.table.rows[row_index]
    source = row.sources[name]
    if source.cell_ids in seen or source.box is None or source.page is None:
        continue
    seen.add(source.cell_ids)
    pc = draft.pages[source.page]
    image = Page(pc.page, draft.images[source.page], settings.dpi)  # the cleaned page the box is on
    why = f"flag {reason}" if reason else f"confidence {source.confidence:.3f}"
    caption = (f"row {row_index + 1} {FIELD_TITLES[name]}, p{source.page + 1}: {why}\n"
               f"read: {source.raw.replace(chr(10), '⏎')}\nnow: {row.get(name)}")
    crops.append((crop_cell(image, source.box, pc.grid.ruling_width), caption))
    if len(crops) == 4:
        break
show_crops(crops, "cells for a clerk to check: crop, OCR text, final text")

# %% [markdown]
# ## 5. The clean table
#
# One row per table row, merged cells filled into every row they span, agencies canonical and
# joined by 、 (the rows of `X.csv`).

# %% tags=["dataframe"]
clean_frame = pd.DataFrame(draft.table.csv_rows(), columns=[c.name for c in draft.table.columns])
display(clean_frame)

# %% [markdown]
# How close is it to the truth (`tests/data/qingpu_v1.csv`, read with `read_table_csv`)? The diff
# of the two lists what OCR still got wrong after repair.

# %%
truth = read_table_csv(TRUTH)
print(render_terminal(compare(truth, draft.table), color=False))

# %% [markdown]
# ## 6. The responsibility matrix
#
# `matrix` gives items × agencies, each cell 牵头 (lead), 配合 (support) or empty; the tidy form
# (`long_rows`) has one line per item, sub-row, agency and role.

# %% tags=["picture"]
header, body = matrix(draft.table)
agencies = header[2:]
roles = {"": 0, ROLE_LEAD: 1, ROLE_SUPPORT: 2}
grid_values = np.array([[roles[cell] for cell in item[2:]] for item in body]).T  # agencies × items
print(f"{len(agencies)} agencies × {len(body)} items; {len(long_rows(draft.table))} lines in the long form")

fig, ax = plt.subplots(figsize=(11, 0.28 * len(agencies) + 1.5))
colours = ListedColormap(["#f7f7f7", "#d62728", "#1f77b4"])
ax.imshow(grid_values, cmap=colours, vmin=0, vmax=2, aspect="auto")
ax.set_xticks(range(len(body)), [item[0] for item in body], fontsize=8)
ax.set_yticks(range(len(agencies)), agencies, fontsize=8)
ax.set_xticks(np.arange(-0.5, len(body)), minor=True)
ax.set_yticks(np.arange(-0.5, len(agencies)), minor=True)
ax.grid(which="minor", color="white", linewidth=1)
ax.tick_params(which="minor", length=0)
ax.set_xlabel("item (序号)")
ax.legend(handles=[Patch(color="#d62728", label="牵头 lead"), Patch(color="#1f77b4", label="配合 support")],
          loc="upper left", bbox_to_anchor=(1.01, 1))
ax.set_title("who does what: agencies × items")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 7. Diff of two drafts
#
# A second draft is made here by editing a copy of the clean table: in item 1 公安青浦分局 moves
# from 配合 to 牵头, and in item 9 the patrolled radius around school gates grows from 100米 to
# 150米. `compare` finds both changes; `render_terminal` is what `python -m pipeline diff` prints.

# %% tags=["dataframe"]
rows = list(draft.table.rows)
item1 = rows[0]
moved = "公安青浦分局"
assert moved in item1.support.split("、")
rows[0] = item1.replace(lead=f"{item1.lead}、{moved}",
                  support="、".join(a for a in item1.support.split("、") if a != moved))
radius = next(i for i, row in enumerate(rows) if row.no == "9" and "100米" in row.requirement)
rows[radius] = rows[radius].replace(requirement=rows[radius].requirement.replace("100米", "150米"))
second_draft = replace(draft.table, rows=tuple(rows), title="edited copy")

changes = compare(draft.table, second_draft)
print(render_terminal(changes, color=False))
display(pd.DataFrame([asdict(change) for change in changes.changes]))
