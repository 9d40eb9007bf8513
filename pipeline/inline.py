"""Duties written inline in a plan's body text → the rows of a responsibility table.

Many plans assign duties not in a table but after each task, in parentheses. Four phrasings are
read (the first three from district plans, the fourth the State Council's 重点工作分工 style):

1. `（牵头单位：区发展改革委；配合单位：区财政局、各街镇）` — `key：agencies` parts whose keys the
   table profile names (牵头单位, 配合部门, 责任单位, 完成时限 …, matched like a table header);
2. `（责任单位：区教育局、区卫生健康委，列第一位的为牵头单位）` — the first agency leads;
3. `（区教育局牵头，区卫生健康委配合）` — agencies followed by the verb of their role;
4. `（区发展改革委牵头，区财政局等按职责分工负责）` / `（区民政局负责）` — 负责 is 责任, or 配合
   beside a lead.

The outline (一、 / （一） / 1. / （1）) gives the heading levels: the marker kinds that head
paragraphs without a duty, in that order, become 一级 / 二级 / 三级指标. Each text before an
annotation is one task (工作要求), numbered in order. A parenthesis that names duties (牵头, 配合,
负责, 单位 …) but cannot be read is never dropped: its task is kept with the annotation in its
text and no agency (the repair stage flags it), and the draft's report lists it (exit 13).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .models import PAGE_NOT_READ, PAGE_READ, FieldSource, PageReport, Row, Table
from .profile import TableProfile, default_profile

#: Outline markers, outermost first (GB/T 9704: 一、 （一） 1. （1）).
MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("一、", re.compile(r"^[一二三四五六七八九十]{1,3}、")),
    ("（一）", re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")),
    ("1.", re.compile(r"^\d{1,2}(?:[.．、](?!\d)|\s)")),
    ("（1）", re.compile(r"^[（(]\d{1,2}[）)]")),
)
HEADING_ROLES = ("level1", "level2", "level3")
#: Words that make a parenthesis a duty annotation (what it names is read or reported).
DUTY_WORDS = re.compile(r"牵头|配合|协办|协同|协助|参与|负责|责任|主责|单位[:：]|部门[:：]")
#: Role of the verb ending a part of phrasing 3/4 (longest first).
VERB_ROLES: tuple[tuple[str, str], ...] = (
    ("按职责分工负责", "responsible"), ("按职责负责", "responsible"), ("分别负责", "responsible"),
    ("共同负责", "responsible"), ("牵头负责", "lead"), ("牵头", "lead"), ("主责", "lead"),
    ("配合", "support"), ("协办", "support"), ("协同", "support"), ("协助", "support"), ("参与", "support"),
    ("负责", "responsible"),
)
#: The note that makes a 责任单位 list's first agency the lead.
FIRST_IS_LEAD = re.compile(r"列?第一位的?(?:单位)?为牵头单位|排名第一的为牵头单位|排在首位的为牵头单位")
PART_SPLIT = re.compile(r"[；;]")
CLAUSE_SPLIT = re.compile(r"[，,；;]")
AGENCY_SPLIT = re.compile(r"[、，,/／]")
KEY_VALUE = re.compile(r"^\s*(?P<key>[^：:]{1,8})[：:]\s*(?P<value>.*)$", re.S)
#: An agency name longer than this is a sentence, not a name (the longest district body in the
#: lexicon, 区人民政府办公室机关事务管理中心, is 15 characters).
MAX_AGENCY_CHARS = 20
#: A heading's title is its text up to the first sentence end (（一）加强组织领导。各部门要…).
HEADING_END = re.compile(r"[。；;：:]")
#: Punctuation after an annotation that ends the sentence before it (…机制（牵头单位：X）。).
TRAILING_PUNCT = "。；;，,！？"
OPEN, CLOSE = "（(", "）)"


@dataclass(frozen=True)
class Annotation:
    """One duty parenthesis: where it is in its paragraph, its text, and what it says."""

    start: int
    end: int
    text: str
    roles: dict[str, str]
    parsed: bool


@dataclass(frozen=True, eq=False)
class PlanRead:
    """The plan's tasks as a table, how its text accounted for itself, and what was not parsed."""

    table: Table
    reports: tuple[PageReport, ...]
    unparsed: tuple[str, ...]


def parentheses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost parenthesis (full- or half-width, nesting allowed)."""
    found, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif ch in CLOSE and depth:
            depth -= 1
            if depth == 0:
                found.append((start, i + 1))
    return found


def _agencies(value: str) -> list[str] | None:
    """The agency names of a list (、 or ，), a trailing 等 dropped; None when one is no name."""
    names = [re.sub(r"等$", "", "".join(p.split())) for p in AGENCY_SPLIT.split(value)]
    names = [n for n in names if n]
    if not names or any(len(n) > MAX_AGENCY_CHARS or DUTY_WORDS.search(n) for n in names):
        return None
    return names


def parse_annotation(body: str, profile: TableProfile) -> dict[str, str] | None:
    """role → agencies (joined by 、) or text (完成时限) of an annotation's inside; None if unreadable."""
    roles: dict[str, list[str]] = {}
    first_is_lead = bool(FIRST_IS_LEAD.search(body))
    body = FIRST_IS_LEAD.sub("", body)
    if KEY_VALUE.match(body):
        for part in (p for p in PART_SPLIT.split(body) if p.strip()):
            match = KEY_VALUE.match(part)
            if not match:
                return None
            header = profile.match_header(match.group("key"))
            if header is None:
                return None
            kind = profile.kind(header.role)
            if kind == "agencies":
                names = _agencies(match.group("value").strip(" ，,。"))
                if names is None:
                    return None
                roles.setdefault(header.role, []).extend(names)
            else:
                roles.setdefault(header.role, []).append(match.group("value").strip(" ，,。"))
    else:
        for clause in (c.strip() for c in CLAUSE_SPLIT.split(body) if c.strip()):
            for verb, role in VERB_ROLES:
                if clause.endswith(verb):
                    names = _agencies(clause[: -len(verb)])
                    if names is None:
                        return None
                    roles.setdefault(role, []).extend(names)
                    break
            else:
                return None
        if "lead" in roles and "responsible" in roles:
            roles.setdefault("support", []).extend(roles.pop("responsible"))
    if first_is_lead and "responsible" in roles:
        names = roles.pop("responsible")
        roles.setdefault("lead", []).append(names[0])
        if names[1:]:
            roles.setdefault("support", []).extend(names[1:])
    if not roles:
        return None
    return {role: "、".join(dict.fromkeys(values)) if profile.kind(role) == "agencies" else "；".join(values)
            for role, values in roles.items()}


def annotations(text: str, profile: TableProfile) -> list[Annotation]:
    """The duty parentheses of a paragraph, parsed or not (other parentheses are text)."""
    out = []
    for start, end in parentheses(text):
        body = text[start + 1: end - 1]
        if not DUTY_WORDS.search(body):
            continue
        roles = parse_annotation(body, profile)
        out.append(Annotation(start, end, text[start:end], roles or {}, roles is not None))
    return out


def _marker(text: str) -> tuple[int, str] | None:
    """(outline level, marker text) when the paragraph starts with an outline marker."""
    for level, (_, pattern) in enumerate(MARKERS):
        match = pattern.match(text)
        if match:
            return level, match.group(0)
    return None


def _strip_marker(text: str) -> str:
    found = _marker(text)
    return text[len(found[1]):].strip() if found else text


def _heading_title(text: str) -> str:
    return HEADING_END.split(text, maxsplit=1)[0].strip()


def parse_plan(paragraphs: Sequence[str], source: str = "", path_label: str = "text",
               profile: TableProfile | None = None, page: int = 0) -> PlanRead:
    """The plan's tasks with their duties, headings from its outline (see the module doc)."""
    profile = profile or default_profile()
    paragraphs = [" ".join(p.split()) if "\n" in p else p.strip() for p in paragraphs]
    headings: dict[int, tuple[int, str]] = {}  # level -> (paragraph number, title)
    tasks: list[tuple[dict[int, tuple[int, str]], str, Annotation, int, str]] = []
    unparsed: list[str] = []
    title = ""
    for number, text in enumerate(paragraphs, start=1):
        notes = annotations(text, profile)
        marker = _marker(text)
        if not notes:
            if marker:
                level = marker[0]
                headings = {lv: t for lv, t in headings.items() if lv < level}
                kept = _heading_title(text)
                headings[level] = (number, kept if level == 0 else _strip_marker(kept))
            elif not tasks and not title:
                title = text
            continue
        start = 0
        for note in notes:
            task = text[start:note.start].strip()
            end = note.end
            while end < len(text) and text[end] in TRAILING_PUNCT:
                task += text[end]
                end += 1
            start = end
            task = _strip_marker(task) if note is notes[0] else task
            if not note.parsed:
                unparsed.append(f"「{note.text}」 after 「{task[-20:]}」")
            tasks.append((dict(headings), task, note, number, text))
    # The outline levels that head tasks become 一级 / 二级 / 三级, outermost first; deeper ones
    # than three are joined into 三级.
    used = sorted({lv for heads, *_ in tasks for lv in heads})
    role_of_level = {lv: HEADING_ROLES[min(k, len(HEADING_ROLES) - 1)] for k, lv in enumerate(used)}
    # An item is the tasks under one heading of the deepest level used (its sub-rows, like a
    # merged 二级 cell's); a task with no such heading is an item of its own.
    deepest = used[-1] if used else None
    items: dict[object, str] = {}
    rows: list[Row] = []
    extra_roles: list[str] = []
    for k, (heads, task, note, number, text) in enumerate(tasks):
        cells = {role: "" for role in HEADING_ROLES}
        for level, (_, heading) in sorted(heads.items()):
            role = role_of_level[level]
            cells[role] = f"{cells[role]} {heading}".strip()
        cells["requirement"] = task if note.parsed else f"{task}{note.text}"
        cells.update(note.roles)
        item = heads[deepest][0] if deepest in heads else ("task", k)
        cells["no"] = items.setdefault(item, str(len(items) + 1))
        extra_roles.extend(r for r in note.roles if r not in extra_roles)
        ref = FieldSource(cell_ids=(f"para{number}",), raw=text, engine=path_label)
        rows.append(Row({k: v for k, v in cells.items() if v}, MappingProxyType({r: ref for r in cells if cells[r]})))
    roles = ["no", *dict.fromkeys(role_of_level.values()), "requirement", "lead", "support", *extra_roles]
    columns = profile.output_columns(list(dict.fromkeys(roles)))
    table = Table(title=title, rows=tuple(rows), source=source, columns=columns)
    reports = [PageReport(page, PAGE_READ, len(rows), message=(
        f"{len(rows)} tasks with inline duties ({path_label}); headings "
        + (" / ".join(MARKERS[lv][0] for lv in used) or "none")))]
    if unparsed:
        reports.append(PageReport(page, PAGE_NOT_READ, message=(
            f"{len(unparsed)} duty annotations could not be parsed (tasks kept, no agency, for review): "
            + "; ".join(unparsed))))
    return PlanRead(table, tuple(reports), tuple(unparsed))


#: A wrapped line fills the text width; a line shorter than this share of the longest line ends
#: its paragraph (a heading, a paragraph's last line). Lines of a justified A4 text are within a
#: character of each other, and a heading is under half of one.
PARAGRAPH_END_SHARE = 0.85


def paragraphs_from_lines(lines: Sequence[str]) -> list[str]:
    """Paragraphs of a text whose lines are wrapped (a PDF text layer, a text file with hard
    line breaks): a line that starts with an outline marker or an indent starts a paragraph, a
    line clearly shorter than the text width ends one; other lines continue it."""
    texts = [line.rstrip() for line in lines if line.strip()]
    width = max((len(t.strip()) for t in texts), default=0)
    out: list[str] = []
    ended = True
    for line in texts:
        text = line.strip()
        if ended or _marker(text) or line.startswith(("\u3000", "  ")):
            out.append(text)
        else:
            out[-1] += text
        ended = len(text) < PARAGRAPH_END_SHARE * width
    return out


def plan_from_pdf(path: Path) -> PlanRead | None:
    """A born-digital PDF plan's inline duties, from its text layer read as lines; None when it
    has no duty annotation."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        lines = [line for page in pdf.pages for line in (page.extract_text() or "").splitlines()]
    plan = parse_plan(paragraphs_from_lines(lines), source=str(path), path_label="text-layer")
    return plan if plan.table.rows else None


def plan_from_lines(lines: Sequence[str], source: str, path_label: str) -> PlanRead | None:
    """A plan's inline duties from its text lines in reading order (an OCR'd scan's body lines);
    None when it has no duty annotation."""
    plan = parse_plan(paragraphs_from_lines(lines), source=source, path_label=path_label)
    return plan if plan.table.rows else None
