"""All tunable numbers in one frozen dataclass, each named, with why it has its value."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

#: rapid: PP-OCRv6 tiny + small (pipeline/ocr/ppocr.py, the default); v6-small, v6-tiny: one model for every
#: line; tesseract: chi_sim, the light option.
ENGINES = ("rapid", "v6-small", "v6-tiny", "tesseract")
DEFAULT_LEXICON = Path(__file__).resolve().parent.parent / "agency_lexicon.txt"


@dataclass(frozen=True)
class Settings:
    # --- ingest -----------------------------------------------------------------------------
    #: Rasterizing resolution for PDFs. 200 dpi gives PP-OCR ~28 px per line of 10.5 pt text,
    #: in the range its recognizer was trained on; more only costs time.
    dpi: int = 200
    #: A draft of a district office is a few pages; more than this is refused, not processed for
    #: minutes (a 500-page file is almost surely the wrong file).
    max_pages: int = 200
    #: Decompression-bomb guard for page images (pixels); an A4 page at 600 dpi is ~35 Mpx.
    max_image_pixels: int = 60_000_000

    # --- clean ------------------------------------------------------------------------------
    #: Skew larger than this (degrees) is not corrected: the estimate is then unreliable.
    max_skew_deg: float = 5.0
    #: Skew below this (degrees) is left alone: rotating costs time and blurs strokes.
    min_skew_deg: float = 0.05

    # --- grid -------------------------------------------------------------------------------
    #: Ruling lines closer than this many character heights are one line (thick or doubled rule).
    line_merge_chars: float = 0.35

    # --- ocr --------------------------------------------------------------------------------
    engine: str = "rapid"
    #: Cells whose mean line confidence is below this are flagged for review (0..1).
    low_confidence: float = 0.80
    #: Parallel worker processes over pages; 0 means one per core.
    workers: int = 0
    #: Seconds one external OCR call may take before it is abandoned.
    ocr_timeout_s: float = 120.0

    # --- repair (scores are rapidfuzz 0..100) ----------------------------------------------
    # Chosen by the sweep in tests/test_repair.py (`python -m tests.test_repair`), 2000 generated
    # cases per name length and column; figures below are from that run.
    #: An agency fragment is replaced by a lexicon name only at or above this score,
    #: 100 × (1 − OSA edits / length of the lexicon name): names of ≤4 characters must match
    #: exactly (区体育局 is not 区教育局), 5-9 characters allow one edit, 10-14 two.
    #: At 80: one edit on 5-10-character names repaired 98-100% (7 characters: 1.8% land on
    #: another name, 各相关职能部门 → 相关职能部门); unknown 区…局/委/办 names snapped 0.000 of 2000
    #: per length, also when built from the lexicon's own characters. At 75 4-character names
    #: get one edit and unknowns snap 2.5% (common characters) to 12% (lexicon characters);
    #: at 85 names of 5-6 characters lose their one edit (repair 1%).
    agency_min_score: float = 80.0
    #: A title is replaced by a known title at or above this similarity (characters as a bag:
    #: vertical cells keep characters, not order) when no number was read; overriding a number
    #: that was read also needs this much in reading order. At 80: garbled titles without number
    #: repaired 83%, never to a wrong title; new titles snapped 0.4% (75: 93% / 1.9%;
    #: 85: 67% / 0.1%); a known title read with another number keeps its own title 100%.
    title_min_score: float = 80.0
    #: With the item number read, this similarity to that number's title suffices. At 70: garbled
    #: titles with their number repaired 96%; new titles at a known number snapped 0.3%, known
    #: titles removed from the lexicon 0.3% (45, the old value: 99.8% but 40% / 53% snapped;
    #: 65: 98% / 0.8% / 2.8%). The seed's worst title (16、加引学生数 和暴力) scores 74.8.
    title_min_score_with_number: float = 70.0
    #: The draft's Shanghai district (松江区) when its title does not name it (`--district`); "" reads
    #: it from the title, or leaves it unknown. District-scoped lexicon aliases apply only there.
    district: str = ""
    #: An earlier clean table (CSV) of the same document whose titles and agencies are the draft's
    #: known ones (`--previous`); "" for none.
    previous: str = ""
    #: The lexicon given replaces the shipped base instead of adding to it (`--lexicon-only`).
    lexicon_only: bool = False

    # --- structure --------------------------------------------------------------------------
    #: The table profile file (column roles and header synonyms); "" is the shipped one.
    profile: str = ""
    #: Split a single 责任单位 column into 牵头 (its first agency) and 配合 even where the draft
    #: does not say so (the draft's note "列第一位的为牵头单位" turns it on by itself).
    first_is_lead: bool = False

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, not {self.engine!r}")
        if not 72 <= self.dpi <= 600:
            raise ValueError(f"dpi must be within 72..600, not {self.dpi}")
        if self.max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        if self.workers < 0:
            raise ValueError("workers must be 0 (one per core) or more")
        for name in ("low_confidence",):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be within 0..1")
        for name in ("agency_min_score", "title_min_score", "title_min_score_with_number"):
            if not 0.0 <= getattr(self, name) <= 100.0:
                raise ValueError(f"{name} must be within 0..100")
        if self.district:
            from .lexicon import normalize_district

            object.__setattr__(self, "district", normalize_district(self.district))

    @classmethod
    def resolve(cls, **overrides: Any) -> Settings:
        """Defaults with the given overrides; None values (options not given) are ignored."""
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        return replace(cls(), **{k: v for k, v in overrides.items() if v is not None})
