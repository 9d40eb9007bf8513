"""The agency and title lexicon: parsed from human-editable text files (format in agency_lexicon.txt).

Repair needs to know what a right answer looks like, but that knowledge has a scope: an agency name
is knowledge of a district (every Shanghai district has a 区教育局; 区公安分局 means 公安松江分局 only in
Songjiang), and a title is knowledge of one document series (the items of one plan and its revisions).
So the file has a common part, district sections and document sections, and `Lexicon.view` gives the
repair stage only what applies to one draft. Clerks extend it as new names appear; `learn` appends
without losing the old version.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from pipeline.errors import LexiconError
from pipeline.fileio import write_text_atomic

if TYPE_CHECKING:
    from pipeline.models import Table

#: Digits of Chinese numerals as used for 一级指标 (一、二、…); 十 composes 十一 … 九十九.
NUMERAL_DIGITS = "一二三四五六七八九"
#: Characters a name may not contain: they separate names in a cell or fields in the lexicon.
NAME_FORBIDDEN = frozenset(" \t\r\n\u3000、,，;；|")
ENTRY_KINDS = ("agency", "level1", "level2")
SECTION_KINDS = ("common", "district", "document")
KINDS = ENTRY_KINDS + SECTION_KINDS

#: The 16 districts of Shanghai as a draft's title or a district-named agency spells them, short form
#: (松江规划资源局, 公安松江分局) → full form (松江区). 浦东 is also written 浦东新.
DISTRICT_SHORT_NAMES: Mapping[str, str] = MappingProxyType({
    "黄浦": "黄浦区", "徐汇": "徐汇区", "长宁": "长宁区", "静安": "静安区", "普陀": "普陀区", "虹口": "虹口区",
    "杨浦": "杨浦区", "闵行": "闵行区", "宝山": "宝山区", "嘉定": "嘉定区", "浦东新": "浦东新区", "浦东": "浦东新区",
    "金山": "金山区", "松江": "松江区", "青浦": "青浦区", "奉贤": "奉贤区", "崇明": "崇明区",
})
DISTRICTS: tuple[str, ...] = tuple(dict.fromkeys(DISTRICT_SHORT_NAMES.values()))
_DISTRICT_RE = re.compile("|".join(sorted(DISTRICT_SHORT_NAMES, key=len, reverse=True)))


def district_named(text: str) -> str:
    """The first Shanghai district `text` names (full form, 松江区), or "" when it names none."""
    match = _DISTRICT_RE.search(text)
    return DISTRICT_SHORT_NAMES[match.group()] if match else ""


def normalize_district(name: str) -> str:
    """`松江`, `松江区`, `上海市松江区` → `松江区`; raises ValueError for anything else."""
    bare = "".join(name.split()).removeprefix("上海市")
    full = DISTRICT_SHORT_NAMES.get(bare.removesuffix("区")) or DISTRICT_SHORT_NAMES.get(bare)
    if not full or bare not in (full, full.removesuffix("区"), "浦东"):
        raise ValueError(f"{name!r} is not a Shanghai district ({'、'.join(DISTRICTS)})")
    return full


def numeral_value(numeral: str) -> int | None:
    """The value of a Chinese numeral 一 … 九十九, or None: 一级 numbering is always this small."""
    if not numeral or any(ch not in NUMERAL_DIGITS + "十" for ch in numeral):
        return None
    if "十" not in numeral:
        return NUMERAL_DIGITS.index(numeral) + 1 if len(numeral) == 1 else None
    tens, _, ones = numeral.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    value = (NUMERAL_DIGITS.index(tens) + 1 if tens else 1) * 10
    return value + (NUMERAL_DIGITS.index(ones) + 1 if ones else 0)


def numeral_of(value: int) -> str:
    """The Chinese numeral of 1 … 99 (inverse of `numeral_value`)."""
    if not 1 <= value <= 99:
        raise ValueError(f"no 一级 numeral for {value}")
    tens, ones = divmod(value, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else NUMERAL_DIGITS[tens - 1] + "十")
    return head + (NUMERAL_DIGITS[ones - 1] if ones else "")


@dataclass(frozen=True)
class Agency:
    """A canonical agency name and the other spellings that mean it, in a district or everywhere.

    `district` "" is the common part (every district has it); a district (松江区) scopes the entry:
    its spellings that name no district (区公安分局) apply only to drafts of that district.
    """

    name: str
    aliases: tuple[str, ...] = ()
    line: int = 0
    district: str = ""
    path: str = ""


@dataclass(frozen=True)
class Level1Title:
    """A known 一级指标; `text` is how the clean CSV writes it."""

    numeral: str
    title: str
    line: int = 0

    @property
    def value(self) -> int:
        return numeral_value(self.numeral) or 0

    @property
    def text(self) -> str:
        return f"{self.numeral}、{self.title}"


@dataclass(frozen=True)
class Level2Title:
    """A known 二级指标: item number, the numeral of its 一级指标, and the title without number."""

    number: int
    parent: str
    title: str
    line: int = 0


@dataclass(frozen=True)
class Document:
    """The known titles of one document series (a plan and its revised drafts), named by its title.

    `title` "" is a section without a name (an old-format file): it can be matched by titles only.
    `previous` marks the earlier version given with `--previous`: it applies to the draft outright.
    """

    title: str
    level1: tuple[Level1Title, ...] = ()
    level2: tuple[Level2Title, ...] = ()
    line: int = 0
    path: str = ""
    previous: bool = False

    @property
    def district(self) -> str:
        return district_named(self.title)


def _names_district(spelling: str, district: str) -> bool:
    """Whether `spelling` names `district` itself (公安松江分局 names 松江区)."""
    return bool(district) and district_named(spelling) == district


@dataclass(frozen=True)
class Lexicon:
    """Parsed lexicon entries plus the lookups the repair stage needs (built once, read-only).

    A lexicon as loaded (`district` "", `document` None) knows the common agencies and, of every
    district's section, the agencies whose names spell out their district (公安松江分局 and its
    spellings that name 松江 too); `view` narrows it to one draft: its district's
    entries and its document's titles. `level1`/`level2` are the titles in scope (a view's document).
    """

    agencies: tuple[Agency, ...]
    level1: tuple[Level1Title, ...] = ()
    level2: tuple[Level2Title, ...] = ()
    path: Path | None = None
    documents: tuple[Document, ...] = ()
    #: The draft's district this lexicon is narrowed to ("" = unknown or not narrowed).
    district: str = ""
    #: The document whose titles are in scope (None: no titles known for the draft).
    document: Document | None = None
    #: The files it was read from, in order (the shipped base first).
    paths: tuple[Path, ...] = ()
    #: Narrowed to one draft by `view` (the repair stage then uses it as it is).
    narrowed: bool = False
    #: Every spelling in scope (canonical or alias) → canonical name.
    canonical_of: Mapping[str, str] = field(init=False, repr=False, compare=False)
    level1_by_numeral: Mapping[str, Level1Title] = field(init=False, repr=False, compare=False)
    level2_by_number: Mapping[int, Level2Title] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        spellings: dict[str, str] = {}
        for agency in sorted(self.agencies, key=lambda a: a.district != ""):
            for name in (agency.name, *agency.aliases):
                if agency.district in ("", self.district) or (
                        _names_district(agency.name, agency.district) and _names_district(name, agency.district)):
                    spellings.setdefault(name, agency.name)
        object.__setattr__(self, "canonical_of", MappingProxyType(spellings))
        object.__setattr__(
            self, "level1_by_numeral", MappingProxyType({t.numeral: t for t in self.level1})
        )
        object.__setattr__(self, "level2_by_number", MappingProxyType({t.number: t for t in self.level2}))

    @property
    def spellings(self) -> tuple[str, ...]:
        """All names the agency matcher may choose from, canonical names first."""
        return tuple(self.canonical_of)

    def view(self, district: str = "", document: Document | None = None) -> Lexicon:
        """The lexicon as it applies to a draft of `district` ("" unknown) and `document` (None: no
        titles known): the district's own aliases join the common names; titles are the document's."""
        return replace(self, district=district, document=document, narrowed=True,
                       level1=document.level1 if document else (), level2=document.level2 if document else ())

    def with_previous(self, table: Table) -> Lexicon:
        """This lexicon plus an earlier clean version of the draft's document as its title and agency
        knowledge (`--previous`): its titles become the document in scope, its agencies known names."""
        document, agencies = previous_knowledge(table, str(table.source))
        known = set(self.canonical_of) | {s for a in self.agencies for s in (a.name, *a.aliases)}
        new = tuple(a for a in agencies if a.name not in known)
        return replace(self, agencies=self.agencies + new, documents=(document, *self.documents))

    def merged(self, other: Lexicon) -> Lexicon:
        """This lexicon with `other`'s entries added (`--lexicon` on top of the shipped base).

        A spelling both declare for the same canonical name is merged; for different ones it is a
        conflict (LexiconError naming both places). A document both name keeps `other`'s section.
        """
        mine: dict[tuple[str, str], Agency] = {}
        for agency in self.agencies:
            for name in (agency.name, *agency.aliases):
                mine[(agency.district, name)] = agency
        added = []
        for agency in other.agencies:
            for name in (agency.name, *agency.aliases):
                before = mine.get((agency.district, name))
                if before and before.name != agency.name:
                    raise LexiconError(agency.path or "<lexicon>", f"line {agency.line}: {name!r} means "
                                       f"{agency.name!r} here but {before.name!r} in {before.path} line {before.line}")
            added.append(agency)
        titles = {d.title for d in other.documents if d.title}
        documents = other.documents + tuple(d for d in self.documents if not d.title or d.title not in titles)
        return replace(self, agencies=self.agencies + tuple(added), documents=documents,
                       paths=self.paths + other.paths)


def previous_knowledge(table: Table, source: str = "") -> tuple[Document, tuple[Agency, ...]]:
    """The titles and agency names of a clean table (an earlier version) as a document section."""
    from pipeline.models import AGENCY_FIELDS, split_agencies

    level1: dict[str, Level1Title] = {}
    level2: dict[int, Level2Title] = {}
    for row in table.rows:
        numeral, _, title = row.get("level1").partition("、")
        parent = numeral if numeral_value(numeral) and title else ""
        if parent and parent not in level1:
            level1[parent] = Level1Title(parent, title)
        no = row.no.strip()
        if no.isdigit() and row.get("level2") and int(no) not in level2 and parent:
            level2[int(no)] = Level2Title(int(no), parent, row.get("level2"))
    names: dict[str, None] = {}
    for row in table.rows:
        for name in AGENCY_FIELDS:
            for agency in split_agencies(row.get(name)):
                if agency and not set(agency) & NAME_FORBIDDEN:
                    names.setdefault(agency)
    document = Document(table.title, tuple(level1.values()), tuple(level2.values()), path=source, previous=True)
    return document, tuple(Agency(name, path=source) for name in names)


def _check_name(name: str, where: str) -> str:
    if not name:
        raise ValueError(f"{where}: empty name")
    bad = sorted(set(name) & NAME_FORBIDDEN)
    if bad:
        raise ValueError(f"{where}: {name!r} contains {''.join(bad)!r} (spaces and separators split names)")
    return name


def _check_title(title: str) -> str:
    if not title or any(ch.isspace() for ch in title):
        raise ValueError("a title must be non-empty and without spaces")
    return title


def document_key(title: str) -> str:
    """The name of a document as sections and drafts are compared: the text inside 《》 when there is
    one, else the title without 职责分工 and draft labels; Chinese characters and digits only."""
    inner = re.search(r"《([^》]+)》", title)
    text = inner.group(1) if inner else re.sub(r"[（(][^）)]*稿[）)]|(职责|任务|责任)分工(方案|表)?", "", title)
    return "".join(ch for ch in text if ch.isalnum())


@dataclass
class _DocumentBuilder:
    title: str
    line: int
    level1: list[Level1Title] = field(default_factory=list)
    level2: list[Level2Title] = field(default_factory=list)


def parse_lexicon(text: str, path: str = "<lexicon>") -> Lexicon:
    """Parse lexicon text; any malformed line raises LexiconError naming `path` and the line."""
    agencies: list[Agency] = []
    documents: dict[str, _DocumentBuilder] = {}
    owner: dict[tuple[str, str], tuple[int, str]] = {}  # (district, spelling) → (line, canonical)
    common_owner: dict[str, tuple[int, str]] = {}
    district = ""
    document: _DocumentBuilder | None = None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue

        def fail(reason: str, number: int = number, raw: str = raw) -> LexiconError:
            return LexiconError(path, f"line {number}: {reason}: {raw.strip()!r}")

        kind, colon, rest = line.partition(":")
        kind = kind.strip()
        if not colon or kind not in KINDS:
            raise fail(f"expected one of {', '.join(k + ':' for k in KINDS)}")
        parts = [part.strip() for part in rest.split("|")]
        try:
            if kind == "common":
                if rest.strip():
                    raise ValueError("common: takes no fields (it ends a district section)")
                district = ""
            elif kind == "district":
                if len(parts) != 1:
                    raise ValueError("district needs one district name (松江区)")
                district = normalize_district(parts[0])
            elif kind == "document":
                title = "".join(rest.split())
                if not title:
                    raise ValueError("document needs the document's title")
                key = document_key(title)
                document = documents.setdefault(key, _DocumentBuilder(title, number))
            elif kind == "agency":
                names = [_check_name(p, "agency") for p in parts]
                for name in names:
                    where = (district, name)
                    if where in owner:
                        raise ValueError(f"{name!r} already declared on line {owner[where][0]}")
                    if district and name in common_owner and common_owner[name][1] != names[0]:
                        raise ValueError(f"{name!r} means {common_owner[name][1]!r} on line "
                                         f"{common_owner[name][0]} for every district")
                    owner[where] = (number, names[0])
                    if not district:
                        common_owner[name] = (number, names[0])
                agencies.append(Agency(names[0], tuple(names[1:]), number, district, path))
            else:
                if document is None:
                    document = documents.setdefault("", _DocumentBuilder("", number))
                if kind == "level1":
                    if len(parts) != 2:
                        raise ValueError("level1 needs NUMERAL | TITLE")
                    numeral, title = parts
                    if numeral_value(numeral) is None:
                        raise ValueError(f"{numeral!r} is not a Chinese numeral 一 … 九十九")
                    if any(t.numeral == numeral for t in document.level1):
                        raise ValueError(f"level1 {numeral} declared twice")
                    document.level1.append(Level1Title(numeral, _check_title(title), number))
                else:
                    if len(parts) != 3:
                        raise ValueError("level2 needs NUMBER | NUMERAL | TITLE")
                    item, parent, title = parts
                    if not item.isascii() or not item.isdigit() or int(item) < 1:
                        raise ValueError(f"{item!r} is not an item number")
                    if numeral_value(parent) is None:
                        raise ValueError(f"{parent!r} is not a Chinese numeral 一 … 九十九")
                    if any(t.number == int(item) for t in document.level2):
                        raise ValueError(f"level2 {item} declared twice")
                    document.level2.append(Level2Title(int(item), parent, _check_title(title), number))
        except ValueError as exc:
            raise fail(str(exc)) from None

    built = []
    for doc in documents.values():
        declared = {t.numeral for t in doc.level1}
        for title in doc.level2:
            if title.parent not in declared:
                raise LexiconError(
                    path, f"line {title.line}: level2 {title.number} belongs to 一级 {title.parent}, "
                    "which no level1 line of its document declares"
                )
        built.append(Document(doc.title, tuple(doc.level1), tuple(doc.level2), doc.line, path))
    return Lexicon(tuple(agencies), path=Path(path), documents=tuple(built), paths=(Path(path),))


def load_lexicon(path: Path) -> Lexicon:
    """Read and parse the lexicon file at `path`."""
    return parse_lexicon(_read_text(Path(path)), str(path))


def load_lexicons(base: Path, extra: Path | None = None, replace_base: bool = False) -> Lexicon:
    """The shipped base plus a user's file (`--lexicon`), or the user's file alone (`replace_base`).

    The same file given twice (the base named as `--lexicon`) is read once.
    """
    if extra is None or Path(extra).resolve() == Path(base).resolve():
        return load_lexicon(base)
    if replace_base:
        return load_lexicon(extra)
    return load_lexicon(base).merged(load_lexicon(extra))


# --- checking ---------------------------------------------------------------------------------
#: Two spellings of different agencies closer than this (the repair stage's agency score, which
#: allows one edit in 5-9 characters at 80) are confusable: a garbled read of one may land on the other.
CONFUSABLE_SCORE = 80.0


def conflicts(lexicon: Lexicon) -> list[str]:
    """What a lexicon says that repair cannot act on safely, one line each (empty: none).

    Lines name the file and line: spellings of two agencies a single edit apart, a common-part
    alias that names a district (it would apply to every district's drafts), a name of one district
    declared in another's section, two documents of the same title, and within a document two item
    titles equal or a title under two numbers.
    """
    from rapidfuzz.distance import OSA

    out: list[str] = []
    where = {}
    for agency in lexicon.agencies:
        for name in (agency.name, *agency.aliases):
            where.setdefault((agency.district, name), agency)
            named = district_named(name)
            if not agency.district and named and name != agency.name:
                out.append(f"{agency.path} line {agency.line}: alias {name!r} names {named} but is in the common "
                           f"part: it applies to every district's drafts (move it to `district: {named}`)")
            if agency.district and named and named != agency.district:
                out.append(f"{agency.path} line {agency.line}: {name!r} names {named} but is in the section of "
                           f"{agency.district}")
    entries = sorted(where.items(), key=lambda item: item[0])
    for (district, name), agency in entries:
        for (other_district, other), other_agency in entries:
            if other <= name or other_agency.name == agency.name or min(len(name), len(other)) < 5:
                continue
            if district and other_district and district != other_district:
                continue
            longest = max(len(name), len(other))
            if 100.0 * (1 - OSA.distance(name, other) / longest) >= CONFUSABLE_SCORE:
                out.append(f"{agency.path} line {agency.line} / line {other_agency.line}: {name!r} ({agency.name}) "
                           f"and {other!r} ({other_agency.name}) are one edit apart: a garbled read of one may be "
                           "repaired to the other")
    seen: dict[str, Document] = {}
    for doc in lexicon.documents:
        key = document_key(doc.title)
        if key in seen:
            out.append(f"{doc.path} line {doc.line}: document {doc.title!r} also at {seen[key].path} line "
                       f"{seen[key].line}; the later file's section is used")
        seen[key] = doc
        titles: dict[str, Level2Title] = {}
        for t in doc.level2:
            if t.title in titles:
                out.append(f"{doc.path} line {t.line}: level2 {t.number} repeats the title of level2 "
                           f"{titles[t.title].number} (line {titles[t.title].line})")
            titles.setdefault(t.title, t)
    return out


# --- learning ---------------------------------------------------------------------------------
def _backup_path(path: Path) -> Path:
    """A fresh backup name beside `path`, stamped so that earlier backups are never overwritten."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.name}.{stamp}.bak")
    counter = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{stamp}-{counter}.bak")
        counter += 1
    return candidate


@dataclass(frozen=True)
class Learned:
    """What `learn` wrote (and what it refused, with why), and the backup it kept."""

    backup: Path
    agencies: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()
    titles: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


def learn(
    path: Path,
    agencies: Iterable[str] = (),
    aliases: Iterable[tuple[str, str]] = (),
    district: str = "",
    document: str = "",
    level1: Sequence[tuple[str, str]] = (),
    level2: Sequence[tuple[int, str, str]] = (),
    known_elsewhere: Mapping[str, str] | None = None,
) -> Learned:
    """Append new agencies, aliases (read → canonical) and titles to the lexicon file at `path`.

    Agencies and aliases go to `district`'s section (the common part when ""), titles to the section
    of `document` (the draft's title). Known spellings, titles already there, and a title for a number
    its section already names otherwise are skipped and reported. `known_elsewhere`: spelling →
    canonical of the lexicon the draft ran with (the shipped base under a user's file). A backup is
    written first, even when nothing is new, so a caller can always point the clerk to it.
    """
    path = Path(path)
    text = _read_text(path)
    lexicon = parse_lexicon(text, str(path))
    spellings = {**(known_elsewhere or {}), **lexicon.view(district).canonical_of}
    known = set(spellings)
    new_agencies: list[str] = []
    for raw in agencies:
        name = "".join(raw.split())
        if not name or name in known or name in new_agencies:
            continue
        try:
            new_agencies.append(_check_name(name, "cannot learn"))
        except ValueError as exc:
            raise LexiconError(str(path), str(exc)) from None
    new_aliases: list[tuple[str, str]] = []
    skipped: list[str] = []
    for raw, canonical in aliases:
        read = "".join(raw.split())
        if not read or read in known or read == canonical or (read, canonical) in new_aliases:
            continue
        if canonical not in known and canonical not in new_agencies:
            skipped.append(f"alias {read} → {canonical}: {canonical} is not a known agency")
            continue
        try:
            new_aliases.append((_check_name(read, "cannot learn"), spellings.get(canonical, canonical)))
        except ValueError as exc:
            raise LexiconError(str(path), str(exc)) from None
    key = document_key(document)
    section = next((d for d in lexicon.documents if key and document_key(d.title) == key), None)
    have1 = {t.numeral: t.title for t in section.level1} if section else {}
    have2 = {t.number: t.title for t in section.level2} if section else {}
    lines1: list[str] = []
    lines2: list[str] = []
    titles: list[str] = []
    if (level1 or level2) and not key:
        skipped.append("titles: the draft has no document title to file them under")
    elif level1 or level2:
        for numeral, title in level1:
            if have1.get(numeral) == title:
                continue
            if numeral in have1:
                skipped.append(f"level1 {numeral}、{title}: the section has {numeral}、{have1[numeral]}")
                continue
            have1[numeral] = title
            lines1.append(f"level1: {numeral} | {_check_title_for(path, title)}\n")
            titles.append(f"{numeral}、{title}")
        for number, parent, title in level2:
            if have2.get(number) == title:
                continue
            if number in have2:
                skipped.append(f"level2 {number} {title}: the section has {number} {have2[number]}")
                continue
            if parent not in have1:
                skipped.append(f"level2 {number} {title}: its 一级 {parent} is not known")
                continue
            have2[number] = title
            lines2.append(f"level2: {number} | {parent} | {_check_title_for(path, title)}\n")
            titles.append(f"{number} {title}")
    backup = _backup_path(path)
    write_text_atomic(backup, text)
    body_lines: list[str] = []
    if new_agencies or new_aliases:
        body_lines.append(f"district: {district}\n" if district else "common:\n")
        body_lines += [f"agency: {name}\n" for name in new_agencies]
        body_lines += [f"agency: {canonical} | {read}\n" for read, canonical in new_aliases]
    if lines1 or lines2:
        body_lines.append(f"document: {section.title if section else document}\n")
        body_lines += lines1 + lines2
    if body_lines:
        stamp = _dt.date.today().isoformat()
        body = text if text.endswith("\n") or not text else text + "\n"
        write_text_atomic(path, f"{body}\n# learned {stamp}\n{''.join(body_lines)}")
        parse_lexicon(_read_text(path), str(path))  # what was written parses (else the backup is there)
    return Learned(backup, tuple(new_agencies), tuple(new_aliases), tuple(titles), tuple(skipped))


def _check_title_for(path: Path, title: str) -> str:
    try:
        return _check_title("".join(title.split()))
    except ValueError as exc:
        raise LexiconError(str(path), f"cannot learn title {title!r}: {exc}") from None


def learn_agencies(path: Path, names: Iterable[str]) -> Path:
    """Append the names not yet known as new common agencies; returns the backup written first."""
    return learn(path, agencies=names).backup


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LexiconError(str(path), "no such lexicon file") from None
    except UnicodeDecodeError as exc:
        raise LexiconError(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
