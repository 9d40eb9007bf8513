"""The agency and title lexicon: parsed from a human-editable text file (format in its header).

Repair needs to know what a right answer looks like: canonical agency names with their aliases,
and the known 一级/二级 titles with their numbers. Clerks extend it as new agencies appear, so it is
a plain text file, not code; `learn_agencies` appends to it without losing the old version.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from pipeline.errors import LexiconError
from pipeline.fileio import write_text_atomic

#: Digits of Chinese numerals as used for 一级指标 (一、二、…); 十 composes 十一 … 九十九.
NUMERAL_DIGITS = "一二三四五六七八九"
#: Characters a name may not contain: they separate names in a cell or fields in the lexicon.
NAME_FORBIDDEN = frozenset(" \t\r\n\u3000、,，;；|")
KINDS = ("agency", "level1", "level2")


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
    """A canonical agency name and the other spellings that mean it."""

    name: str
    aliases: tuple[str, ...] = ()
    line: int = 0


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
class Lexicon:
    """Parsed lexicon entries plus the lookups the repair stage needs (built once, read-only)."""

    agencies: tuple[Agency, ...]
    level1: tuple[Level1Title, ...] = ()
    level2: tuple[Level2Title, ...] = ()
    path: Path | None = None
    #: Every spelling (canonical or alias) → canonical name.
    canonical_of: Mapping[str, str] = field(init=False, repr=False, compare=False)
    level1_by_numeral: Mapping[str, Level1Title] = field(init=False, repr=False, compare=False)
    level2_by_number: Mapping[int, Level2Title] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        spellings: dict[str, str] = {}
        for agency in self.agencies:
            for name in (agency.name, *agency.aliases):
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


def _check_name(name: str, where: str) -> str:
    if not name:
        raise ValueError(f"{where}: empty name")
    bad = sorted(set(name) & NAME_FORBIDDEN)
    if bad:
        raise ValueError(f"{where}: {name!r} contains {''.join(bad)!r} (spaces and separators split names)")
    return name


def parse_lexicon(text: str, path: str = "<lexicon>") -> Lexicon:
    """Parse lexicon text; any malformed line raises LexiconError naming `path` and the line."""
    agencies: list[Agency] = []
    level1: list[Level1Title] = []
    level2: list[Level2Title] = []
    owner: dict[str, int] = {}  # spelling → line that declared it

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
            if kind == "agency":
                names = [_check_name(p, "agency") for p in parts]
                for name in names:
                    if name in owner:
                        raise ValueError(f"{name!r} already declared on line {owner[name]}")
                    owner[name] = number
                agencies.append(Agency(names[0], tuple(names[1:]), number))
            elif kind == "level1":
                if len(parts) != 2:
                    raise ValueError("level1 needs NUMERAL | TITLE")
                numeral, title = parts
                if numeral_value(numeral) is None:
                    raise ValueError(f"{numeral!r} is not a Chinese numeral 一 … 九十九")
                if any(t.numeral == numeral for t in level1):
                    raise ValueError(f"level1 {numeral} declared twice")
                level1.append(Level1Title(numeral, _check_title(title), number))
            else:
                if len(parts) != 3:
                    raise ValueError("level2 needs NUMBER | NUMERAL | TITLE")
                item, parent, title = parts
                if not item.isascii() or not item.isdigit() or int(item) < 1:
                    raise ValueError(f"{item!r} is not an item number")
                if numeral_value(parent) is None:
                    raise ValueError(f"{parent!r} is not a Chinese numeral 一 … 九十九")
                if any(t.number == int(item) for t in level2):
                    raise ValueError(f"level2 {item} declared twice")
                level2.append(Level2Title(int(item), parent, _check_title(title), number))
        except ValueError as exc:
            raise fail(str(exc)) from None

    declared = {t.numeral for t in level1}
    for title in level2:
        if title.parent not in declared:
            raise LexiconError(
                path, f"line {title.line}: level2 {title.number} belongs to 一级 {title.parent}, "
                "which no level1 line declares"
            )
    return Lexicon(tuple(agencies), tuple(level1), tuple(level2), Path(path))


def _check_title(title: str) -> str:
    if not title or any(ch.isspace() for ch in title):
        raise ValueError("a title must be non-empty and without spaces")
    return title


def load_lexicon(path: Path) -> Lexicon:
    """Read and parse the lexicon file at `path`."""
    return parse_lexicon(_read_text(Path(path)), str(path))


def _backup_path(path: Path) -> Path:
    """A fresh backup name beside `path`, stamped so that earlier backups are never overwritten."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.name}.{stamp}.bak")
    counter = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{stamp}-{counter}.bak")
        counter += 1
    return candidate


def learn_agencies(path: Path, names: Iterable[str]) -> Path:
    """Append the names not yet known as new canonical agencies; returns the backup written first.

    The backup is written even when nothing is new, so a caller can always point the clerk to it.
    Names are de-spaced (an OCR'd name never legitimately contains spaces); empty ones are skipped.
    """
    path = Path(path)
    text = _read_text(path)
    lexicon = parse_lexicon(text, str(path))
    new: list[str] = []
    for raw in names:
        name = "".join(raw.split())
        if not name or name in lexicon.canonical_of or name in new:
            continue
        try:
            new.append(_check_name(name, "cannot learn"))
        except ValueError as exc:
            raise LexiconError(str(path), str(exc)) from None
    backup = _backup_path(path)
    write_text_atomic(backup, text)
    if new:
        stamp = _dt.date.today().isoformat()
        body = text if text.endswith("\n") or not text else text + "\n"
        lines = "".join(f"agency: {name}\n" for name in new)
        write_text_atomic(path, f"{body}\n# learned {stamp}\n{lines}")
    return backup


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LexiconError(str(path), "no such lexicon file") from None
    except UnicodeDecodeError as exc:
        raise LexiconError(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
