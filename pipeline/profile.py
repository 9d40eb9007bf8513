"""The table profile: column roles, the header texts that name them, and their output columns.

The column schema is data (`table_profile.toml`, documented there and in the README), not a fixed
record: the structure stage maps a page's header cells to roles with this, and every later stage
works on roles. A user extends the file or replaces it with `--profile FILE`.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from rapidfuzz import fuzz

from .errors import ProfileError
from .models import CSV_HEADER, OTHER_ROLE_PREFIX, STANDARD_ROLES, Column

DEFAULT_PROFILE = Path(__file__).resolve().parent / "table_profile.toml"
KINDS = ("number", "heading", "text", "agencies", "plain")
#: A parenthesised note inside a header cell (责任单位（列第一位的为牵头单位）) is not part of its name.
_NOTE = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]?")
#: Spaces, line breaks and punctuation OCR adds or drops inside a header cell.
_NOISE = re.compile(r"[\s\W_]+")


_HAN = re.compile(r"[\u4e00-\u9fff]")
#: A text line reads as a table's header row when it names at least HEADER_LINE_MIN_ROLES of the
#: profile's columns (a synonym of at least HEADER_WORD_MIN_CHARS characters inside it at the header
#: OCR tolerance; the two-character 牵头, 配合, 项目 are everyday words) and those names make up at least
#: HEADER_LINE_MIN_SHARE of its Han characters (a short name such as 序号 counted where it is printed
#: whole): a header row is its names alone, run together where the page's text is read line by
#: line, while a sentence of a plan's body that names three columns holds other words too
#: (按照工作要求，牵头单位和配合单位: 12 of 16). Used on a page where no table was found (run: a
#: table whose rulings were lost there, not a page without one). The header rows of the Songjiang
#: plan's Word table on a 1-bit copy at 200 dpi (seed 16, page 6: 级指标级指标工作要求…, the 一 lost)
#: name six columns over 24 characters of 18.
HEADER_LINE_MIN_ROLES = 3
HEADER_WORD_MIN_CHARS = 4
HEADER_LINE_MIN_SHARE = 0.9


@dataclass(frozen=True)
class RoleSpec:
    """One column role: its name, output column, kind and header synonyms."""

    name: str
    column: str
    kind: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class HeaderMatch:
    """The role a header cell names, how well (0..100), and the note it carried."""

    role: str
    score: float
    note: str = ""
    #: 0: the cell's whole text names the role; 1 or 2: the first or second of two names run together
    #: (see TableProfile._two_names).
    part: int = 0


#: A synonym at least this long found whole inside a longer header cell names its role: noise read
#: around the header (a toner streak across the header row read 本然4督…工作要求, tests/degrade.py
#: dirty-drum) or words printed with it.
CONTAINED_SYNONYM_MIN_CHARS = 3
#: Characters at least in each of two column names run together in one header cell (`_two_names`):
#: the shortest synonym a fuzzy match can tell (级指标 for 一级指标).
TWO_NAMES_MIN_CHARS = 3


def _header_score(name: str, synonym: str, floor: float) -> float:
    """How well a header cell's text names a synonym: 100 when equal, the rapidfuzz ratio, and at least
    `floor` (plus a hundredth per character, so that the longest contained synonym wins) when it
    holds the synonym whole."""
    if name == synonym:
        return 100.0
    score = float(fuzz.ratio(name, synonym))
    if len(synonym) >= CONTAINED_SYNONYM_MIN_CHARS and synonym in name:
        score = max(score, floor + len(synonym) / 100)
    return score


@dataclass(frozen=True)
class TableProfile:
    roles: tuple[RoleSpec, ...]
    header_min_score: float = 75.0
    first_is_lead_notes: tuple[str, ...] = ()
    path: str = ""
    by_name: Mapping[str, RoleSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", MappingProxyType({r.name: r for r in self.roles}))

    def kind(self, role: str) -> str:
        spec = self.by_name.get(role)
        return spec.kind if spec else "plain"

    def column_name(self, role: str) -> str:
        if role.startswith(OTHER_ROLE_PREFIX):
            return role[len(OTHER_ROLE_PREFIX):]
        spec = self.by_name.get(role)
        return spec.column if spec else role

    def match_header(self, text: str) -> HeaderMatch | None:
        """The role a header cell's text names best, or None; ties go to the earlier role."""
        matches = self.header_matches(text)
        return matches[0] if matches else None

    def header_matches(self, text: str, min_score: float | None = None) -> list[HeaderMatch]:
        """Every role the header text may name (best synonym per role at or above the OCR
        tolerance, or `min_score`), best first: a misread 二级指标 (一级指标) may still be the only
        二级 column."""
        floor = self.header_min_score if min_score is None else min_score
        notes = "".join(_NOTE.findall(text))
        name = _NOISE.sub("", _NOTE.sub("", text))
        if not name:
            return []
        found = []
        for order, spec in enumerate(self.roles):
            score = max(_header_score(name, s, self.header_min_score) for s in spec.synonyms)
            if score >= floor:
                found.append((-score, order, HeaderMatch(spec.name, score, notes)))
        if not found:
            found = self._two_names(name, floor, notes)
        return [m for _, _, m in sorted(found)]

    @functools.cached_property
    def _longest_synonym(self) -> int:
        """Characters in the profile's longest header synonym (a bound of _two_names)."""
        return max(len(synonym) for spec in self.roles for synonym in spec.synonyms)

    def _two_names(self, name: str, floor: float, notes: str) -> list[tuple[float, int, HeaderMatch]]:
        """The two roles of a header cell that runs two column names together (the ruling between
        them lost), each name at the OCR tolerance though neither is printed whole: 级指标级指标, a 1-bit
        copy's 一级指标二级指标 that lost 一 and 二 (held-out fengxian/word-bilevel-200, seed 20). The
        split whose worse half matches best; each half names a different role, the first the earlier."""
        best: list[tuple[float, int, HeaderMatch]] = []
        best_score = 0.0
        # A half of n characters matches a name of m at most 2m / (n + m) (rapidfuzz's ratio): past
        # this length neither half of a cell can reach the floor, and it is a row's text.
        if len(name) > 2 * self._longest_synonym * (200 / max(floor, 1.0) - 1):
            return best
        for cut in range(TWO_NAMES_MIN_CHARS, len(name) - TWO_NAMES_MIN_CHARS + 1):
            halves = []
            for part in (name[:cut], name[cut:]):
                scored = sorted(((max(fuzz.ratio(part, s) for s in spec.synonyms), -order, spec.name)
                                 for order, spec in enumerate(self.roles)), reverse=True)
                halves.append([(score, -neg, role) for score, neg, role in scored if score >= floor])
            pairs = [(min(a[0], b[0]), a, b) for a in halves[0] for b in halves[1] if a[1] < b[1]]
            if pairs:
                score, first, second = max(pairs, key=lambda p: (p[0], -p[1][1], -p[2][1]))
                if score > best_score:
                    best_score = score
                    best = [(-score, first[1], HeaderMatch(first[2], score, notes, part=1)),
                            (-score, second[1], HeaderMatch(second[2], score, notes, part=2))]
        return best

    def header_row_in(self, lines: Sequence[str]) -> str:
        """The first of a page's text lines that reads as this table's header row (see
        HEADER_LINE_MIN_ROLES), or "" when none does."""
        for line in lines:
            han = "".join(_HAN.findall(line))
            named, covered = [], 0
            for spec in self.roles:
                words = [w for w in spec.synonyms if len(w) >= HEADER_WORD_MIN_CHARS]
                score, best = max(((fuzz.partial_ratio(w, han), w) for w in words), key=lambda sw: sw[0],
                                  default=(0.0, "")) if han else (0.0, "")
                if best and score >= self.header_min_score:
                    named.append(spec.column)
                    covered += len(best)
                else:  # a short name (序号) only as printed
                    covered += max((len(w) for w in spec.synonyms if len(w) < HEADER_WORD_MIN_CHARS and w in han),
                                   default=0)
            if len(named) >= HEADER_LINE_MIN_ROLES and covered >= HEADER_LINE_MIN_SHARE * len(han):
                return line
            if self._names_run_together(line) >= HEADER_LINE_MIN_ROLES:
                return line
        return ""

    def _names_run_together(self, line: str) -> int:
        """The most column names (of HEADER_WORD_MIN_CHARS or more, distinct roles) printed whole one
        right after another in the line, nothing but spaces between: a header row read line by line
        whose other names were misread (级措标级措标工作要求牵头单位配合单位, a 1-bit copy of the held-out
        Songjiang plan, seed 21: 12 of 18 characters named). A sentence parts names with words or
        marks (按照工作要求，牵头单位和配合单位)."""
        found = sorted((m.start(), m.end(), spec.name) for spec in self.roles for word in spec.synonyms
                       if len(word) >= HEADER_WORD_MIN_CHARS for m in re.finditer(re.escape(word), line))
        best: dict[int, tuple[int, frozenset[str]]] = {}  # chain ending at a name's end: (length, roles)
        for start, end, role in found:
            before = [best[e] for e in best if e <= start and not line[e:start].strip()]
            length, roles = max(((n, r) for n, r in before if role not in r), default=(0, frozenset()))
            if length + 1 > best.get(end, (0, frozenset()))[0]:
                best[end] = (length + 1, roles | {role})
        return max((n for n, _ in best.values()), default=0)

    def states_first_is_lead(self, texts: Sequence[str]) -> bool:
        """True when one of the texts (header cells, notes around the table) says the first
        agency of a 责任单位 cell is the lead."""
        compact = [_NOISE.sub("", t) for t in texts]
        return any(note in t for t in compact for note in self.first_is_lead_notes)

    def output_columns(self, roles: Sequence[str], headers: Mapping[str, str] | None = None) -> tuple[Column, ...]:
        """The outputs' columns for a draft whose printed columns have these roles, in its order:
        the six standard ones first, then its other roles, then columns of no known role under
        the draft's own header (`headers`: role → printed header)."""
        standard = [Column(role, name) for role, name in zip(STANDARD_ROLES, CSV_HEADER, strict=True)]
        extra = [r for r in dict.fromkeys(roles) if r not in STANDARD_ROLES and not r.startswith(OTHER_ROLE_PREFIX)]
        other = [r for r in dict.fromkeys(roles) if r.startswith(OTHER_ROLE_PREFIX)]
        named = [Column(r, self.column_name(r)) for r in extra]
        passed = [Column(r, (headers or {}).get(r) or self.column_name(r)) for r in other]
        return tuple(standard + named + passed)

    def role_of_column(self, name: str) -> str:
        """The role of an output column name (reading a clean CSV back)."""
        for spec in self.roles:
            if spec.column == name:
                return spec.name
        return OTHER_ROLE_PREFIX + name


@functools.cache
def default_profile() -> TableProfile:
    """The shipped profile, loaded once (for naming columns where no draft says otherwise)."""
    return load_profile(DEFAULT_PROFILE)


def load_profile(path: Path | None = None) -> TableProfile:
    """The profile in `path` (the shipped one by default); a bad file raises ProfileError."""
    path = Path(path or DEFAULT_PROFILE)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(str(path), f"cannot read the table profile ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(str(path), f"not a valid TOML table profile ({exc})") from None
    roles = []
    for i, entry in enumerate(data.get("role", []), start=1):
        if not isinstance(entry, dict) or not {"name", "column", "synonyms"} <= set(entry):
            raise ProfileError(str(path), f"[[role]] number {i} needs name, column and synonyms")
        kind = entry.get("kind", "plain")
        if kind not in KINDS:
            raise ProfileError(str(path), f"role {entry['name']!r}: kind must be one of {KINDS}, not {kind!r}")
        synonyms = tuple(_NOISE.sub("", str(s)) for s in entry["synonyms"])
        if not synonyms or not all(synonyms):
            raise ProfileError(str(path), f"role {entry['name']!r}: synonyms must be non-empty texts")
        roles.append(RoleSpec(str(entry["name"]), str(entry["column"]), kind, synonyms))
    names = [r.name for r in roles]
    if len(set(names)) != len(names):
        raise ProfileError(str(path), "a role is declared twice")
    if "requirement" not in names:
        raise ProfileError(str(path), "the profile needs a `requirement` role (the task text)")
    score = data.get("header_min_score", 75)
    if not isinstance(score, int | float) or not 0 <= score <= 100:
        raise ProfileError(str(path), "header_min_score must be a number within 0..100")
    notes = tuple(_NOISE.sub("", str(n)) for n in data.get("first_is_lead_notes", []))
    return TableProfile(tuple(roles), float(score), notes, str(path))
