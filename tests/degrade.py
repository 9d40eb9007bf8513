"""A second degradation path: clean scangen pages degraded by the augraphy library (and OpenCV).

scangen's own `_degrade` is the renderer the pipeline was tuned on, so figures measured on it say
little about scans it has not seen. Here scangen only lays out and rasterizes the clean page; the
damage comes from augraphy (https://github.com/sparkfish/augraphy, MIT), a maintained library of
document degradations (bad photocopy, shadow, ink bleed, low ink, folding, dirty drum, markup), and
from plain OpenCV/numpy for what augraphy lacks (a red official seal with pen strokes, a scanner-edge
shadow, a phone photograph, a light-toner 1-bit scan).

    RECIPES                        name -> Recipe, in a stable order
    render_degraded(rows, path, recipe_name, style, seed, title=...) -> DegradedDraft (.pages)
    degrade_pages(...)             the page images without the PDF (tests)
    rows_for_pages(rows, n, ...)   the leading whole items that fill at most n pages

Every pixel size is given in millimetres (or at REFERENCE_DPI) and scaled to the page's dpi, so a
recipe looks the same at 150, 200 or 300 dpi. Each page is seeded from (seed, recipe, page): the
global `random`, `numpy.random` and OpenCV generators augraphy draws from, and numba's own
generator (augraphy's jitted noise functions draw from it, and numpy's seed does not reach it).

CLI: `python tests/degrade.py render RECIPE TRUTH.csv OUT.pdf [--pages N]` writes one draft;
`python tests/degrade.py measure --out DIR [--pages 2]` runs the pipeline (rapid, one worker) on
every recipe over qingpu and songjiang and prints rows found and requirement CER.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scangen

# --- scale ------------------------------------------------------------------------------------
#: augraphy's pixel-sized defaults were read on pages of about this resolution; pixel strengths
#: below are given at it and scaled by dpi / REFERENCE_DPI.
REFERENCE_DPI = 200
MM_PER_INCH = 25.4

# --- bad photocopy (augraphy BadPhotoCopy) -----------------------------------------------------
#: Toner haze over the whole page (noise_side "all"): the noise mask's gray levels (lower is
#: darker). 120..190 reads as the gray haze of a worn copier with white halos round the text;
#: 80..150 (tried) was a mid-gray page, augraphy's default 32..128 blackens whole regions.
PHOTOCOPY_NOISE_VALUE = (120, 190)
#: Sparsity/concentration of the speckle (augraphy's 0..1 knobs): mid sparsity, low concentration
#: keep the speckle a haze around text rather than blobs over it (chosen by looking at pages).
PHOTOCOPY_SPARSITY = (0.45, 0.65)
PHOTOCOPY_CONCENTRATION = (0.1, 0.25)

# --- shadow (augraphy ShadowCast) ---------------------------------------------------------------
#: Opacity of the cast shadow: 0.35..0.55 is a hand or a lid shadow through which text still
#: shows (0.9, augraphy's top, leaves text at ~20 gray levels of contrast).
SHADOW_OPACITY = (0.35, 0.55)
#: Shadow extent as fractions of the page (augraphy default 0.3..0.8).
SHADOW_EXTENT = (0.3, 0.6)
#: Blur kernel of the shadow edge at REFERENCE_DPI (px, odd): a soft penumbra of ~2-3 cm.
SHADOW_BLUR_PX = (151, 251)

# --- ink bleed (augraphy InkBleed) -------------------------------------------------------------
#: Bleed intensity and severity (augraphy's defaults 0.4..0.7 / 0.3..0.4 are already a wet,
#: absorbent paper; kept, with the 5 px kernel at REFERENCE_DPI: ~0.6 mm of spread).
INK_BLEED_INTENSITY = (0.4, 0.7)
INK_BLEED_SEVERITY = (0.3, 0.4)
INK_BLEED_KERNEL_PX = 5

# --- low ink (augraphy LowInkRandomLines + LowInkPeriodicLines) ---------------------------------
#: Random faded streaks across the page (augraphy default 5..10, too few to see on an A4 page).
LOW_INK_RANDOM_LINES = (20, 40)
#: Periodic streaks (a worn drum): count per period and period at REFERENCE_DPI (px, ~1.5-3 mm).
LOW_INK_PERIODIC_LINES = (2, 4)
LOW_INK_PERIOD_PX = (12, 24)
#: Chance a pixel on a streak keeps its ink (augraphy default 0.1).
LOW_INK_NOISE = 0.1
#: The whole page's toner is also light: ink keeps this fraction of its darkness (1 = full).
LOW_INK_TONER = (0.65, 0.8)

# --- folding (augraphy Folding) ----------------------------------------------------------------
#: Folds of a letter folded in three or in four (two folds) and at most 2° off square.
FOLD_COUNT = 2
FOLD_ANGLE = (-2, 2)
#: Width of the fold's warp (fraction of the page) and its depth (fraction of the height).
#: augraphy's default depth 0.01..0.02 (6-12 mm on A4) is a sheet bulging off the glass and failed
#: the pipeline on every page (measured); 0.003..0.006 (1-2 mm) is a fold under a closed lid.
FOLD_GRADIENT_WIDTH = (0.1, 0.2)
FOLD_GRADIENT_HEIGHT = (0.003, 0.006)
#: augraphy's fold-edge speckle is drawn by random.random() inside a numba prange loop, whose
#: per-thread generators no seed reaches (pages differed run to run): off.
FOLD_NOISE = 0.0
#: What shows where the fold pulls the page edge in: the scanner's white lid (augraphy's black
#: drew a black wedge into the top margin).
FOLD_BACKDROP = (255, 255, 255)

# --- dirty drum (augraphy DirtyDrum) -----------------------------------------------------------
#: Streak width at REFERENCE_DPI (px) and how much of the page they cover; augraphy's default
#: 0.1 concentration with 0.5 intensity looked right, 0.3 turned the page to a bar code.
DIRTY_DRUM_WIDTH_PX = (1, 3)
DIRTY_DRUM_CONCENTRATION = 0.08
DIRTY_DRUM_INTENSITY = 0.4
#: Streak gray levels (0 black): dark toner streaks.
DIRTY_DRUM_VALUE = (0, 40)

# --- dirty rollers (augraphy DirtyRollers) ------------------------------------------------------
#: LinesDegradation's minimum line length and replacement thickness (px): augraphy's defaults, as they
#: act on make eval's pages, drawn at LINES_DEFAULTS_DPI (clean-300).
LINES_DEFAULTS_DPI = 300
LINES_MIN_LENGTH_PX = (30, 40)
LINES_THICKNESS_PX = (1, 3)
#: Band width at REFERENCE_DPI (px): augraphy's default (8, 12), gray bands across the whole page a
#: few millimetres apart. Added after a held-out trial of augraphy effects the project had not used
#: (eleventh session): with the defaults, bands across the table were taken for row rulings and a
#: page's rows cut in two (Songjiang 22 rows for 17), silently.
DIRTY_ROLLERS_WIDTH_PX = (8, 12)

# --- markup (augraphy Markup) -------------------------------------------------------------------
#: Cells marked on a page, and marks per cell. augraphy finds words by dilating text lines
#: sideways, which on a ruled table joins everything to the rulings; so it is run per cell interior.
MARKUP_CELLS = (3, 6)
MARKUP_LINES_PER_CELL = (1, 2)
#: Pen widths at REFERENCE_DPI (px).
MARKUP_THICKNESS_PX = (1, 3)
#: Inks of a reviewer (RGB): red pen, blue pen, yellow highlighter, pencil gray.
MARKUP_COLOURS_RGB = ((200, 30, 30), (30, 60, 170), (250, 225, 40), (90, 90, 90))

# --- seal and pen --------------------------------------------------------------------------------
#: A round official seal is 42 mm across (government 公章; 40 mm for departments' own): its ring
#: 1.2 mm wide, the star 0.3 of the radius, the text 5 mm characters along the upper arc.
SEAL_DIAMETER_MM = 42.0
SEAL_RING_MM = 1.2
SEAL_STAR_FRACTION = 0.32
SEAL_TEXT_MM = 5.5
#: Arc spanned by the seal's text, degrees, centred on the top.
SEAL_TEXT_ARC_DEG = 230.0
SEAL_TEXT = "上海市区人民政府办公室"
#: Seal ink (RGB): 印泥 red; coverage 0.7..0.95 with mottle, as a hand-pressed seal is uneven.
SEAL_RGB = (205, 35, 45)
SEAL_COVERAGE = (0.7, 0.95)
#: Seal tilt, degrees.
SEAL_TILT_DEG = (-15.0, 15.0)
#: Ballpoint (RGB) and its width in mm (a 0.7 mm ballpoint draws a ~0.4 mm line).
PEN_RGB = (30, 60, 170)
PEN_MM = 0.4
#: Pen strokes crossing a ruling, per page, and their length in mm.
PEN_STROKES = (2, 4)
PEN_STROKE_MM = (25.0, 70.0)
#: Handwriting-like scribbles (augraphy Scribbles, "lines"): count and size at REFERENCE_DPI (px).
SCRIBBLES = (1, 2)
SCRIBBLE_SIZE_PX = (150, 260)
#: A colour office scan is stored as JPEG at about this quality.
COLOUR_SCAN_JPEG = 85

# --- scanner edge ---------------------------------------------------------------------------------
#: Dark band of a scanner lid left open along one edge: solid part and falloff (mm), darkest gray.
#: The table starts 22 mm in (scangen.MARGIN), so the band stays in the margin.
EDGE_SOLID_MM = (3.0, 8.0)
EDGE_FALLOFF_MM = (4.0, 8.0)
EDGE_DARKEST = 25
#: Punch holes (augraphy BindingsAndFasteners "punch_holes"): how many, their size (mm, ISO 838
#: holes are 6 mm) and their distance from the edge (mm).
PUNCH_HOLES = (2, 3)
PUNCH_HOLE_MM = 6.0
PUNCH_EDGE_MM = (8.0, 14.0)

# --- phone photograph -----------------------------------------------------------------------------
#: Keystone: how far the page's sides lean (degrees), a phone held a little off square.
PHOTO_KEYSTONE_DEG = (4.0, 8.0)
#: In-plane rotation (degrees).
PHOTO_ROTATE_DEG = (-2.0, 2.0)
#: Background around the page, as a fraction of the page's size on each side.
PHOTO_BORDER = (0.05, 0.09)
#: Brightness at the darker side relative to the lit side (a window on one side).
PHOTO_DARK_SIDE = (0.55, 0.7)
#: Page curl: the page's middle lifted by this fraction of its width (a sheet not pressed flat).
PHOTO_CURL = (0.004, 0.01)
#: Paper in lamplight (RGB), the desk (RGB), sensor noise (gray levels sd) and camera blur (px at
#: REFERENCE_DPI): a phone photo, not a scan.
PHOTO_PAPER_RGB = (238, 230, 214)
PHOTO_DESK_RGB = (120, 92, 66)
PHOTO_NOISE_SD = 4.0
PHOTO_BLUR_PX = 0.8
#: Phone cameras store JPEG at about this quality.
PHOTO_JPEG = 80

# --- bilevel ---------------------------------------------------------------------------------------
#: A 1-bit fax-style scan is made at 200 dpi whatever the request.
BILEVEL_DPI = 200
#: Light toner: ink keeps this fraction of its darkness, modulated by a mottle of +-TONER_MOTTLE
#: over ~1 cm, then the scanner cuts at BILEVEL_THRESHOLD (half way, a scanner's default).
#: 0.55..0.7 breaks the thin strokes of 10.5 pt text but leaves it readable (looked at).
BILEVEL_TONER = (0.75, 0.85)
BILEVEL_TONER_MOTTLE = 0.08
BILEVEL_THRESHOLD = 128
#: The scanner's optics blur a little before the threshold (px at 200 dpi).
BILEVEL_BLUR_PX = 0.7

#: A fax machine scans at a lower resolution: Faxify divides it by a factor drawn from this range.
FAX_SCALE = (1.0, 1.25)

#: The style pages are drawn in when none is given: scangen's defaults (200 dpi, Noto Serif).
DEFAULT_STYLE = scangen.ScanStyle()

# --- PDF -------------------------------------------------------------------------------------------
POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class PageContext:
    """What a recipe knows about the page it damages: where the table's columns are, and its dice."""

    dpi: int
    page_no: int
    #: The table's vertical rulings, in pixels from the left, left to right (scangen.Layout.column_x).
    column_x: tuple[int, ...]
    #: Cell boxes on the page in pixels (x0, y0, x1, y1, column name).
    boxes: tuple[tuple[int, int, int, int, str], ...]
    rng: np.random.Generator

    def px(self, mm: float) -> int:
        """Millimetres to pixels at this page's dpi."""
        return max(1, round(mm * self.dpi / MM_PER_INCH))

    def ref(self, px: float) -> float:
        """A pixel size given at REFERENCE_DPI, at this page's dpi."""
        return px * self.dpi / REFERENCE_DPI

    def uniform(self, bounds: tuple[float, float]) -> float:
        return float(self.rng.uniform(*bounds))


Degrader = Callable[[np.ndarray, PageContext], np.ndarray]


@dataclass(frozen=True)
class Recipe:
    """A kind of damaged page: a degrader of a clean gray page, and how the page is stored."""

    what: str
    degrade: Degrader
    #: The scan's own resolution when the scanner forces one (bilevel: 200), else the style's.
    dpi: int | None = None
    #: Pages are written as JPEG at this quality (colour scans and photos), else losslessly.
    jpeg_quality: int | None = None
    #: Pages are 1-bit.
    bilevel: bool = False
    #: Pages are colour (BGR from the degrader, written as RGB).
    colour: bool = False


@dataclass(frozen=True)
class DegradedDraft:
    """A written degraded draft."""

    path: Path
    pages: int
    rows: tuple[dict[str, str], ...]
    recipe: str
    dpi: int


# --- helpers ----------------------------------------------------------------------------------------
@cache
def _augraphy() -> Any:
    """augraphy is imported on first use: it takes seconds, and eval_suite lists RECIPES without it."""
    import augraphy

    return augraphy


@cache
def _numba_seeder() -> Callable[[int], None]:
    """numba keeps its own generator per thread, which numpy.random.seed does not reach."""
    import numba

    @numba.njit(cache=False)
    def seed(value: int) -> None:  # pragma: no cover - compiled
        np.random.seed(value)
        random.seed(value)

    return seed


def _seed_all(seed: int, recipe: str, page_no: int) -> np.random.Generator:
    """Seed every generator augraphy may draw from, and return ours, for one page."""
    value = zlib.crc32(f"{seed}:{recipe}:{page_no}".encode()) & 0x7FFFFFFF
    random.seed(value)
    np.random.seed(value)
    cv2.setRNGSeed(value)
    _numba_seeder()(value)
    return np.random.default_rng(value)


def _gray(img: np.ndarray) -> np.ndarray:
    """augraphy returns BGR from some augmentations given gray; back to one channel."""
    if img.ndim == 3:
        return cv2.cvtColor(img[:, :, :3], cv2.COLOR_BGR2GRAY)
    return img


def _bgr(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 3 else cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


def _bgr_colour(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    return (rgb[2], rgb[1], rgb[0])


def _odd(x: float) -> int:
    n = max(1, round(x))
    return n if n % 2 else n + 1


def _run(aug: Any, img: np.ndarray) -> np.ndarray:
    out = aug(img, force=True)
    return out[0] if isinstance(out, tuple) else out


def _lighten_ink(img: np.ndarray, keep: float) -> np.ndarray:
    """Ink keeps `keep` of its darkness (toner running low); paper stays."""
    a = img.astype(np.float32)
    return np.clip(255.0 - (255.0 - a) * keep + 0.5, 0, 255).astype(np.uint8)


def _multiply(page: np.ndarray, mask: np.ndarray, rgb: tuple[int, int, int]) -> np.ndarray:
    """Translucent ink over a BGR page: each channel multiplied, as ink on paper (text stays black)."""
    colour = np.array(_bgr_colour(rgb), np.float32) / 255.0
    m = mask.astype(np.float32)[:, :, None]
    out = page.astype(np.float32) * (1.0 - m * (1.0 - colour))
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


# --- augraphy recipes -----------------------------------------------------------------------------
def _photocopy(img: np.ndarray, ctx: PageContext) -> np.ndarray:
    a = _augraphy()
    aug = a.BadPhotoCopy(noise_type=-1, noise_side="all", noise_iteration=(1, 2), noise_size=(1, 2),
                         noise_value=PHOTOCOPY_NOISE_VALUE, noise_sparsity=PHOTOCOPY_SPARSITY,
                         noise_concentration=PHOTOCOPY_CONCENTRATION, blur_noise=1, wave_pattern=0,
                         edge_effect=1)
    return _gray(_run(aug, img))


def _shadow(img: np.ndarray, ctx: PageContext) -> np.ndarray:
    a = _augraphy()
    k = (_odd(ctx.ref(SHADOW_BLUR_PX[0])), _odd(ctx.ref(SHADOW_BLUR_PX[1])))
    aug = a.ShadowCast(shadow_side="random", shadow_vertices_range=(2, 6), shadow_width_range=SHADOW_EXTENT,
                       shadow_height_range=SHADOW_EXTENT, shadow_opacity_range=SHADOW_OPACITY,
                       shadow_iterations_range=(1, 1), shadow_blur_kernel_range=k)
    return _gray(_run(aug, img))


def _ink_bleed(img: np.ndarray, ctx: PageContext) -> np.ndarray:
    a = _augraphy()
    k = _odd(ctx.ref(INK_BLEED_KERNEL_PX))
    aug = a.InkBleed(intensity_range=INK_BLEED_INTENSITY, kernel_size=(k, k), severity=INK_BLEED_SEVERITY)
    return _gray(_run(aug, img))


def _low_ink(img: np.ndarray, ctx: PageContext) -> np.ndarray:
    a = _augraphy()
    period = (round(ctx.ref(LOW_INK_PERIOD_PX[0])), round(ctx.ref(LOW_INK_PERIOD_PX[1])))
    img = _lighten_ink(img, ctx.uniform(LOW_INK_TONER))
    img = _run(a.LowInkRandomLines(count_range=LOW_INK_RANDOM_LINES, use_consistent_lines=False,
                                   noise_probability=LOW_INK_NOISE), img)
    img = _run(a.LowInkPeriodicLines(count_range=LOW_INK_PERIODIC_LINES, period_range=period,
                                     use_consistent_lines=False, noise_probability=LOW_INK_NOISE), img)
    return _gray(img)


def _folding(img: np.ndarray, ctx: PageContext) -> np.ndarray:
    a = _augraphy()
    aug = a.Folding(fold_count=FOLD_COUNT, fold_noise=FOLD_NOISE, fold_angle_range=FOLD_ANGLE,
                    gradient_width=FOLD_GRADIENT_WIDTH, gradient_height=FOLD_GRADIENT_HEIGHT,
                    backdrop_color=FOLD_BACKDROP)
    return _gray(_run(aug, img))


def _dirty_drum(img: np.ndarray, ctx: PageContext) -> np.ndarray:
    a = _augraphy()
    width = (max(1, round(ctx.ref(DIRTY_DRUM_WIDTH_PX[0]))), max(2, round(ctx.ref(DIRTY_DRUM_WIDTH_PX[1]))))
    aug = a.DirtyDrum(line_width_range=width, line_concentration=DIRTY_DRUM_CONCENTRATION, direction=-1,
                      noise_intensity=DIRTY_DRUM_INTENSITY, noise_value=DIRTY_DRUM_VALUE, ksize=(3, 3), sigmaX=0)
    return _gray(_run(aug, img))


def _dirty_rollers(img: np.ndarray, ctx: PageContext) -> np.ndarray:
    """augraphy DirtyRollers with its scanline mask built by the plain Python of that function
    (`py_func`), not numba: with numba 0.6x, compiling it first broke the later compiling of
    BadPhotoCopy's Worley noise in the same process (an AssertionError in numba's type inference,
    seen in a fresh venv: tests/test_degrade.py then tests/test_dehaze.py). Same algorithm; its
    random draws come from the `random` module _seed_all seeds."""
    a = _augraphy()
    width = (round(ctx.ref(DIRTY_ROLLERS_WIDTH_PX[0])), round(ctx.ref(DIRTY_ROLLERS_WIDTH_PX[1])))

    class PlainDirtyRollers(a.DirtyRollers):  # type: ignore[misc, name-defined]
        create_scanline_mask = staticmethod(a.DirtyRollers.create_scanline_mask.py_func)

    return _gray(_run(PlainDirtyRollers(line_width_range=width, scanline_type=0), img))


def _lines_degradation(img: np.ndarray, ctx: PageContext) -> np.ndarray:
    """augraphy LinesDegradation at its defaults: long stretches of the rulings erased or thinned, as
    a faded copy loses them (found by the eleventh session's held-out trial of augraphy effects). Its
    lengths in pixels are its defaults on make eval's pages (LINES_DEFAULTS_DPI), scaled to the page's:
    at 100 dpi the default minimum length found no line, and the page was left as it was."""
    scale = ctx.dpi / LINES_DEFAULTS_DPI
    length = (max(2, round(scale * LINES_MIN_LENGTH_PX[0])), max(3, round(scale * LINES_MIN_LENGTH_PX[1])))
    thickness = (max(1, round(scale * LINES_THICKNESS_PX[0])), max(1, round(scale * LINES_THICKNESS_PX[1])))
    return _gray(_run(_augraphy().LinesDegradation(line_min_length=length, line_replacement_thickness=thickness),
                      img))


def _markup(img: np.ndarray, ctx: PageContext) -> np.ndarray:
    """augraphy Markup on a few cells' interiors (strikethrough, underline, highlight, cross-out)."""
    a = _augraphy()
    page = _bgr(img).copy()
    cells = [b for b in ctx.boxes if b[4] and b[3] - b[1] > ctx.px(8)]
    if not cells:
        return page
    n = min(len(cells), int(ctx.rng.integers(MARKUP_CELLS[0], MARKUP_CELLS[1] + 1)))
    inset = ctx.px(1.0)
    thick = (max(1, round(ctx.ref(MARKUP_THICKNESS_PX[0]))), max(1, round(ctx.ref(MARKUP_THICKNESS_PX[1]))))
    for index in ctx.rng.choice(len(cells), size=n, replace=False):
        x0, y0, x1, y1, _ = cells[int(index)]
        crop = page[y0 + inset:y1 - inset, x0 + inset:x1 - inset]
        colour = MARKUP_COLOURS_RGB[int(ctx.rng.integers(len(MARKUP_COLOURS_RGB)))]
        kind = "highlight" if colour == MARKUP_COLOURS_RGB[2] else str(
            ctx.rng.choice(["strikethrough", "underline", "crossed"]))
        aug = a.Markup(num_lines_range=MARKUP_LINES_PER_CELL, markup_length_range=(0.6, 1.0),
                       markup_thickness_range=thick, markup_type=kind,
                       markup_ink="highlighter" if kind == "highlight" else "pen",
                       markup_color=_bgr_colour(colour), large_word_mode=True, single_word_mode=False)
        page[y0 + inset:y1 - inset, x0 + inset:x1 - inset] = _bgr(_run(aug, np.ascontiguousarray(crop)))
    return page


# --- seal, pen, scribbles -----------------------------------------------------------------------------
def _star(cx: float, cy: float, r: float, tilt: float) -> np.ndarray:
    pts = []
    for k in range(10):
        rad = r if k % 2 == 0 else r * 0.382
        ang = np.deg2rad(tilt - 90 + 36 * k)
        pts.append((cx + rad * np.cos(ang), cy + rad * np.sin(ang)))
    return np.round(np.array(pts)).astype(np.int32)


def seal_mask(ctx: PageContext) -> np.ndarray:
    """A round seal's ink as a 0..1 mask: ring, star, the agency's name along the upper arc, mottled."""
    d = ctx.px(SEAL_DIAMETER_MM)
    size = d + 2 * ctx.px(2)
    c = size / 2
    r = d / 2
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    ring = ctx.px(SEAL_RING_MM)
    draw.ellipse((c - r, c - r, c + r, c + r), outline=255, width=ring)
    tilt = ctx.uniform(SEAL_TILT_DEG)
    draw.polygon([tuple(p) for p in _star(c, c, r * SEAL_STAR_FRACTION, tilt)], fill=255)
    font = scangen._pil_font("noto-sans", ctx.px(SEAL_TEXT_MM))
    text_r = r - ring - ctx.px(SEAL_TEXT_MM) * 0.75
    n = len(SEAL_TEXT)
    step = SEAL_TEXT_ARC_DEG / max(1, n - 1)
    for k, ch in enumerate(SEAL_TEXT):
        ang = -SEAL_TEXT_ARC_DEG / 2 + k * step + tilt  # 0 = top, clockwise
        glyph = Image.new("L", (ctx.px(SEAL_TEXT_MM) * 2, ctx.px(SEAL_TEXT_MM) * 2), 0)
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-ang, resample=Image.Resampling.BILINEAR)
        gx = c + text_r * np.sin(np.deg2rad(ang)) - glyph.width / 2
        gy = c - text_r * np.cos(np.deg2rad(ang)) - glyph.height / 2
        img.paste(255, (round(gx), round(gy)), glyph)
    mask = np.asarray(img, np.float32) / 255.0
    mottle = ctx.rng.random((max(2, size // ctx.px(1.5)),) * 2).astype(np.float32)
    mottle = cv2.resize(mottle, (size, size), interpolation=cv2.INTER_CUBIC)
    lo, hi = SEAL_COVERAGE
    grain = ctx.rng.random((size, size)).astype(np.float32) > 0.08  # pores of the paper the paste missed
    return np.clip(mask * (lo + (hi - lo) * mottle) * grain, 0, 1)


def _paste_mask(shape: tuple[int, int], mask: np.ndarray, cx: int, cy: int) -> np.ndarray:
    """A page-sized mask with `mask` centred at (cx, cy), clipped to the page."""
    full = np.zeros(shape, np.float32)
    h, w = mask.shape
    x0, y0 = cx - w // 2, cy - h // 2
    fx0, fy0 = max(0, x0), max(0, y0)
    fx1, fy1 = min(shape[1], x0 + w), min(shape[0], y0 + h)
    if fx1 > fx0 and fy1 > fy0:
        full[fy0:fy1, fx0:fx1] = mask[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0]
    return full


def seal_centre(ctx: PageContext) -> tuple[int, int]:
    """Over the agency columns (牵头单位 | 配合单位: between the table's 4th and 6th rulings), at a row."""
    xs = ctx.column_x
    cx = (xs[-3] + xs[-1]) // 2 + int(ctx.rng.integers(-ctx.px(4), ctx.px(4) + 1))
    body = [b for b in ctx.boxes if b[4] in ("牵头单位", "配合单位")]
    top = min((b[1] for b in body), default=ctx.px(60))
    bottom = max((b[3] for b in body), default=ctx.px(240))
    cy = int(ctx.rng.integers(top + ctx.px(SEAL_DIAMETER_MM) // 2, max(top + ctx.px(25), bottom - ctx.px(25))))
    return cx, cy


def _pen_strokes(shape: tuple[int, int], ctx: PageContext) -> np.ndarray:
    """Ballpoint strokes, each crossing at least one of the table's rulings (a reviewer's arrows)."""
    mask = np.zeros(shape, np.float32)
    xs = ctx.column_x
    body = [b for b in ctx.boxes if b[4]]
    top = min((b[1] for b in body), default=shape[0] // 4)
    bottom = max((b[3] for b in body), default=shape[0] * 3 // 4)
    width = ctx.px(PEN_MM)
    for _ in range(int(ctx.rng.integers(PEN_STROKES[0], PEN_STROKES[1] + 1))):
        ruling = xs[int(ctx.rng.integers(1, len(xs) - 1))]
        length = ctx.px(ctx.uniform(PEN_STROKE_MM))
        ang = ctx.uniform((-35.0, 35.0))
        y = int(ctx.rng.integers(top, max(top + 1, bottom)))
        dx, dy = length * np.cos(np.deg2rad(ang)) / 2, length * np.sin(np.deg2rad(ang)) / 2
        p0, p2 = np.array([ruling - dx, y - dy]), np.array([ruling + dx, y + dy])
        bend = ctx.rng.normal(0, length * 0.15, 2)
        p1 = (p0 + p2) / 2 + bend
        t = np.linspace(0, 1, 60)[:, None]
        curve = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2
        cv2.polylines(mask, [np.round(curve).astype(np.int32)], False, 1.0, width, lineType=cv2.LINE_AA)
    pressure = 0.75 + 0.25 * ctx.rng.random(shape, dtype=np.float32)
    return mask * pressure


def _seal_pen(img: np.ndarray, ctx: PageContext) -> np.ndarray:
    """Colour scan: a red seal over the agency columns, blue pen strokes across rulings, scribbles."""
    a = _augraphy()
    page = _bgr(img)
    shape = img.shape[:2]
    cx, cy = seal_centre(ctx)
    page = _multiply(page, _paste_mask(shape, seal_mask(ctx), cx, cy), SEAL_RGB)
    page = _multiply(page, _pen_strokes(shape, ctx), PEN_RGB)
    size = (round(ctx.ref(SCRIBBLE_SIZE_PX[0])), round(ctx.ref(SCRIBBLE_SIZE_PX[1])))
    thick = max(1, round(ctx.ref(2)))
    aug = a.Scribbles(scribbles_type="lines", scribbles_ink="pen", scribbles_location="random",
                      scribbles_size_range=size, scribbles_count_range=SCRIBBLES,
                      scribbles_thickness_range=(1, thick), scribbles_brightness_change=[0],
                      scribbles_color=_bgr_colour(PEN_RGB), scribbles_lines_stroke_count_range=(1, 3))
    return _bgr(_run(aug, page))


# --- scanner edge -----------------------------------------------------------------------------------
def _scanner_edge(img: np.ndarray, ctx: PageContext) -> np.ndarray:
    """A dark band down one margin (lid open, page not flush) and punch holes near that edge."""
    a = _augraphy()
    h, w = img.shape
    side = "left" if ctx.rng.random() < 0.5 else "right"
    solid = ctx.px(ctx.uniform(EDGE_SOLID_MM))
    falloff = ctx.px(ctx.uniform(EDGE_FALLOFF_MM))
    wobble = cv2.resize(ctx.rng.normal(0, 1, (max(2, h // ctx.px(30)), 1)).astype(np.float32), (1, h),
                        interpolation=cv2.INTER_CUBIC)[:, 0] * ctx.px(1.0)
    x = np.arange(w, dtype=np.float32)[None, :]
    dist = (x if side == "left" else (w - 1 - x)) - (solid + wobble[:, None])
    darkness = np.clip(1.0 - dist / falloff, 0, 1) ** 1.5  # 1 in the solid part, to 0 over the falloff
    level = 255.0 - (255.0 - EDGE_DARKEST) * darkness
    out = np.minimum(img.astype(np.float32), level)
    hole = ctx.px(PUNCH_HOLE_MM)
    offset = ctx.px(ctx.uniform(PUNCH_EDGE_MM)) - hole // 2
    aug = a.BindingsAndFasteners(overlay_types="darken", effect_type="punch_holes", width_range=(hole, hole),
                                 height_range=(hole, hole), ntimes=PUNCH_HOLES, nscales=(1.0, 1.0),
                                 edge=side, edge_offset=(offset, offset + 1), use_figshare_library=0)
    return _gray(_run(aug, np.clip(out + 0.5, 0, 255).astype(np.uint8)))


# --- phone photograph ---------------------------------------------------------------------------------
def _phone_photo(img: np.ndarray, ctx: PageContext) -> np.ndarray:
    """The page photographed on a desk: keystone, tilt, curl, one side darker, noise, blur (JPEG later)."""
    h, w = img.shape
    paper = np.array(_bgr_colour(PHOTO_PAPER_RGB), np.float32)
    page = img.astype(np.float32)[:, :, None] / 255.0 * paper
    # curl: the middle of the page lifted, rows bowing
    curl = ctx.uniform(PHOTO_CURL) * w
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    map_y = yy + curl * np.sin(np.pi * xx / w) * (0.5 - yy / h) * 2
    page = cv2.remap(page, xx, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    # canvas: the desk around the page
    bx, by = round(ctx.uniform(PHOTO_BORDER) * w), round(ctx.uniform(PHOTO_BORDER) * h)
    cw, ch = w + 2 * bx, h + 2 * by
    desk = np.array(_bgr_colour(PHOTO_DESK_RGB), np.float32)
    grain = cv2.resize(ctx.rng.normal(0, 1, (ch // 40 + 2, cw // 8 + 2)).astype(np.float32), (cw, ch),
                       interpolation=cv2.INTER_CUBIC)
    canvas = desk[None, None, :] * (1.0 + 0.08 * grain[:, :, None])
    # keystone (top narrower than bottom, or the reverse) plus a small rotation
    lean = np.tan(np.deg2rad(ctx.uniform(PHOTO_KEYSTONE_DEG))) * h * (1 if ctx.rng.random() < 0.5 else -1)
    inset = abs(lean) / 2
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    if lean > 0:
        dst = [[bx + inset, by], [bx + w - inset, by], [bx + w, by + h], [bx, by + h]]
    else:
        dst = [[bx, by], [bx + w, by], [bx + w - inset, by + h], [bx + inset, by + h]]
    rot = cv2.getRotationMatrix2D((cw / 2, ch / 2), ctx.uniform(PHOTO_ROTATE_DEG), 1.0)
    dst = cv2.transform(np.float32(dst)[None], rot)[0]
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(page, m, (cw, ch), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    cover = cv2.warpPerspective(np.ones((h, w), np.float32), m, (cw, ch), flags=cv2.INTER_LINEAR)[:, :, None]
    photo = warped * cover + canvas * (1 - cover)
    # light from one side
    dark = ctx.uniform(PHOTO_DARK_SIDE)
    ramp = np.linspace(1.0, dark, cw, dtype=np.float32)
    if ctx.rng.random() < 0.5:
        ramp = ramp[::-1]
    photo = photo * ramp[None, :, None]
    photo = cv2.GaussianBlur(photo, (0, 0), ctx.ref(PHOTO_BLUR_PX))
    photo = photo + ctx.rng.normal(0, PHOTO_NOISE_SD, photo.shape).astype(np.float32)
    return np.clip(photo + 0.5, 0, 255).astype(np.uint8)


# --- bilevel --------------------------------------------------------------------------------------------
def _bilevel(img: np.ndarray, ctx: PageContext) -> np.ndarray:
    """Light toner, then the scanner's fixed threshold: 0/255 only."""
    h, w = img.shape
    cell = ctx.px(10)
    mottle = cv2.resize(ctx.rng.uniform(-1, 1, (h // cell + 2, w // cell + 2)).astype(np.float32), (w, h),
                        interpolation=cv2.INTER_CUBIC)
    keep = ctx.uniform(BILEVEL_TONER) + BILEVEL_TONER_MOTTLE * mottle
    a = 255.0 - (255.0 - img.astype(np.float32)) * keep
    a = cv2.GaussianBlur(a, (0, 0), ctx.ref(BILEVEL_BLUR_PX))
    return np.where(a < BILEVEL_THRESHOLD, 0, 255).astype(np.uint8)


def _fax(img: np.ndarray, ctx: PageContext) -> np.ndarray:
    """A worn copier's copy (the photocopy recipe) sent through augraphy Faxify: the resolution
    lowered by FAX_SCALE, cut to black and white at the scanner's fixed threshold, and restored. The copier's
    darker noise comes through as black dots and blots, some over the text."""
    a = _augraphy()
    aug = a.Faxify(scale_range=FAX_SCALE, monochrome=1, monochrome_method="cv2.threshold",
                   monochrome_arguments={"thresh": BILEVEL_THRESHOLD, "maxval": 255, "type": cv2.THRESH_BINARY},
                   halftone=0)
    faxed = _gray(_run(aug, _photocopy(img, ctx)))  # the restored resolution is interpolated: grays at edges
    return np.where(faxed < BILEVEL_THRESHOLD, 0, 255).astype(np.uint8)


RECIPES: dict[str, Recipe] = {
    "photocopy": Recipe("augraphy BadPhotoCopy: toner haze and speckle of a worn copier", _photocopy),
    "shadow": Recipe("augraphy ShadowCast: a soft shadow over part of the page", _shadow),
    "ink-bleed": Recipe("augraphy InkBleed: strokes spread into the paper", _ink_bleed),
    "low-ink": Recipe("light toner plus augraphy LowInkRandomLines and LowInkPeriodicLines streaks", _low_ink),
    "folding": Recipe("augraphy Folding: two folds, warping rulings and text across them", _folding),
    "dirty-drum": Recipe("augraphy DirtyDrum: toner streaks of a dirty drum", _dirty_drum),
    "dirty-rollers": Recipe("augraphy DirtyRollers: gray bands of a scanner's dirty rollers across the page",
                            _dirty_rollers),
    "lines-degradation": Recipe("augraphy LinesDegradation: stretches of the rulings erased", _lines_degradation),
    "markup": Recipe("augraphy Markup in a few cells: strikethrough, underline, highlight, cross-out",
                     _markup, jpeg_quality=COLOUR_SCAN_JPEG, colour=True),
    "seal-pen": Recipe("colour scan: red round seal over the agency columns, blue pen across rulings, scribbles",
                       _seal_pen, jpeg_quality=COLOUR_SCAN_JPEG, colour=True),
    "scanner-edge": Recipe("dark scanner-edge band down one margin and punch holes", _scanner_edge),
    "phone-photo": Recipe("phone photo: keystone up to 8°, one side darker, curl, desk around, JPEG",
                          _phone_photo, jpeg_quality=PHOTO_JPEG, colour=True),
    "bilevel-200": Recipe("1-bit 200-dpi scan with light toner", _bilevel, dpi=BILEVEL_DPI, bilevel=True),
    "fax": Recipe("augraphy BadPhotoCopy, then augraphy Faxify: 1-bit at 200 dpi", _fax, dpi=BILEVEL_DPI,
                  bilevel=True),
}


# --- rendering ------------------------------------------------------------------------------------------
def _context(layout: scangen.Layout, page: scangen.PageLayout, dpi: int, rng: np.random.Generator,
             page_no: int) -> PageContext:
    s = dpi / POINTS_PER_INCH
    boxes = tuple((round(b.x0 * s), round(b.y0 * s), round(b.x1 * s), round(b.y1 * s), b.column if b.item else "")
                  for b in page.boxes)
    return PageContext(dpi, page_no, tuple(round(x * s) for x in layout.column_x), boxes, rng)


def degrade_pages(
    rows: Sequence[dict[str, str]], recipe_name: str, style: scangen.ScanStyle = DEFAULT_STYLE, seed: int = 0,
    title: str = scangen.DEFAULT_TITLE, only: Sequence[int] | None = None,
) -> tuple[list[np.ndarray], int]:
    """The degraded page images (gray, or BGR for colour recipes) and their dpi: every page, or the
    pages numbered `only` (from 0; each page's damage depends on the seed, the recipe and its number
    alone, so a test that needs one page is spared the others')."""
    recipe = RECIPES[recipe_name]
    dpi = recipe.dpi or style.dpi
    clean = replace(style, dpi=dpi, skew_deg=0.0, rotate=0, noise=0.0, blur=0.0, jpeg_quality=None,
                    gray_background=False, bilevel=False, text_layer="none")
    layout = scangen.layout_table(rows, clean, title)
    pages = []
    for no, page in enumerate(layout.pages):
        if only is not None and no not in only:
            continue
        rng = _seed_all(seed, recipe_name, no)
        img = np.asarray(scangen._rasterize(page, layout.font, dpi))
        pages.append(np.ascontiguousarray(recipe.degrade(img, _context(layout, page, dpi, rng, no))))
    return pages, dpi


def _write_pdf(path: Path, pages: Sequence[np.ndarray], dpi: int, recipe: Recipe) -> None:
    """Image-only PDF, each page sized so that it is `dpi` pixels per inch."""
    c = Canvas(str(path), invariant=True)
    c.setProducer("degrade")
    for arr in pages:
        h, w = arr.shape[:2]
        size = (w * POINTS_PER_INCH / dpi, h * POINTS_PER_INCH / dpi)
        c.setPageSize(size)
        img = Image.fromarray(cv2.cvtColor(arr, cv2.COLOR_BGR2RGB) if arr.ndim == 3 else arr)
        if recipe.bilevel:
            img = img.convert("1", dither=Image.Dither.NONE)
        if recipe.jpeg_quality is not None:
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=recipe.jpeg_quality)
            src = ImageReader(io.BytesIO(buf.getvalue()))
        else:
            src = ImageReader(img)
        c.drawImage(src, 0, 0, width=size[0], height=size[1])
        c.showPage()
    c.save()


def render_degraded(
    rows: Sequence[dict[str, str]], path: Path, recipe_name: str, style: scangen.ScanStyle = DEFAULT_STYLE,
    seed: int = 0, title: str = scangen.DEFAULT_TITLE, only: Sequence[int] | None = None,
) -> DegradedDraft:
    """Draw the rows with scangen (clean, at the style's dpi and font), damage each page (or the pages
    numbered `only`), write the PDF."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pages, dpi = degrade_pages(rows, recipe_name, style, seed, title, only)
    _write_pdf(path, pages, dpi, RECIPES[recipe_name])
    return DegradedDraft(path, len(pages), tuple(dict(r) for r in rows), recipe_name, dpi)


def rows_for_pages(
    rows: Sequence[dict[str, str]], n_pages: int, style: scangen.ScanStyle = DEFAULT_STYLE,
    title: str = scangen.DEFAULT_TITLE,
) -> list[dict[str, str]]:
    """The leading whole items (by 序号) whose table takes at most `n_pages` pages."""
    items = scangen.group_items(rows)
    best: list[dict[str, str]] = []
    for k in range(1, len(items) + 1):
        take = [r for item in items[:k] for r in item]
        if len(scangen.layout_table(take, style, title).pages) > n_pages:
            break
        best = take
    return best


# --- CLI -------------------------------------------------------------------------------------------------
def _measure(args: argparse.Namespace) -> int:
    """Pipeline (rapid, one worker) on each recipe over qingpu and songjiang: rows found, requirement CER."""
    import eval_suite  # the scorer; it imports this module too

    from pipeline.lexicon import load_lexicon
    from pipeline.settings import DEFAULT_LEXICON, Settings

    settings = Settings.resolve(engine="rapid", workers=1)
    lexicon = load_lexicon(DEFAULT_LEXICON)
    style = scangen.VARIANTS["clean-300"]
    recipes = args.recipes.split(",") if args.recipes else list(RECIPES)
    lines = ["| case | pages | rows found/expected | 工作要求 CER % | agency F1 | error |", "|---|---|---|---|---|---|"]
    for doc in ("qingpu", "songjiang"):
        truth = scangen.load_truth(eval_suite.HELD_OUT[doc]) if doc in eval_suite.HELD_OUT else scangen.load_truth()
        title = eval_suite._title(doc)
        rows = rows_for_pages(truth, args.pages, style, title) if args.pages else truth
        for name in recipes:
            draft = render_degraded(rows, args.out / doc / f"{name}.pdf", name, style, args.seed, title)
            case = eval_suite.Case(f"{doc}/{name}", draft.path, eval_suite.rows_to_table(rows, name), draft.pages,
                                   draft.dpi)
            outcome = eval_suite.run_case(case, settings, lexicon, None, args.out)
            s = outcome.scores
            line = (f"| {case.name} | {draft.pages} | {s.rows_found}/{len(rows)} | {100 * s.requirement_cer:.2f} | "
                    f"{s.agency_f1:.3f} | {outcome.error} |")
            print(line, flush=True)
            lines.append(line)
    (args.out / "degrade_eval.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("render", help="write one degraded draft")
    r.add_argument("recipe", choices=list(RECIPES))
    r.add_argument("truth", type=Path)
    r.add_argument("out", type=Path)
    r.add_argument("--pages", type=int, default=0, help="only the leading items that fill this many pages")
    r.add_argument("--dpi", type=int, default=300)
    r.add_argument("--seed", type=int, default=0)
    m = sub.add_parser("measure", help="pipeline accuracy on every recipe (qingpu, songjiang)")
    m.add_argument("--out", type=Path, required=True)
    m.add_argument("--pages", type=int, default=2)
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--recipes", default="", help="comma-separated subset")
    args = parser.parse_args(argv)
    if args.command == "measure":
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        return _measure(args)
    style = scangen.ScanStyle(dpi=args.dpi)
    rows = scangen.load_truth(args.truth)
    if args.pages:
        rows = rows_for_pages(rows, args.pages, style)
    draft = render_degraded(rows, args.out, args.recipe, style, args.seed)
    print(f"{draft.path}: {draft.pages} pages, {len(draft.rows)} rows, {draft.dpi} dpi, recipe {draft.recipe}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
