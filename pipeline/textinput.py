"""Text-extraction input: the tab-separated text clerks' tools produce from a scan → raw table rows.

Such an extraction is one line per printed text line, cells separated by tabs, but the table
structure is damaged: a row of the table spreads over several lines, a merged cell's text appears
once (not in every row it spans, and often in its middle), one cell's text is cut into fragments
over lines, and a page's columns may collapse (the empty 一级 column dropped). This module only
rebuilds rows; `pipeline.repair.repair_table` then repairs their text like any OCR'd table.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from pipeline.errors import NotADraft
from pipeline.models import CSV_HEADER, PAGE_READ, FieldSource, PageReport, Row, Table
from pipeline.repair import MAX_TITLE_TAIL, split_item_number, split_numeral

#: The encodings Windows tools write Chinese text in; charset-normalizer chooses among them by
#: how coherent each decoding reads (GBK is a subset of GB18030, so GB18030 stands for both).
CANDIDATE_ENCODINGS = ("utf_8", "gb18030", "utf_16", "utf_16_le", "utf_16_be")
#: Byte-order marks, checked before any detection: they say the encoding outright.
BOMS = ((codecs.BOM_UTF8, "utf_8_sig"), (codecs.BOM_UTF16_LE, "utf_16"), (codecs.BOM_UTF16_BE, "utf_16"))
#: Lines sampled to tell a comma-separated extraction from a tab-separated one.
SNIFF_LINES = 40

#: The five printed columns of the extractions clerks' tools write today (the seed's form), by role.
FIELDS: tuple[str, ...] = ("level1", "level2", "requirement", "lead", "support")
FIELD_TITLES = dict(zip(FIELDS, CSV_HEADER[1:], strict=True))

#: A line is the header when at least this many of its cells are column titles (spaces removed):
#: three of five leaves room for a garbled title while no data line has three title cells.
HEADER_MIN_TITLES = 3
#: Characters after which an agency cell continues on the next line (a dangling separator).
DANGLING = ("、", ",", "，", ";", "；")
#: Requirement text ends a sentence with one of these; a row whose requirement does not is cut.
SENTENCE_END = "。！？；!?;"

_PAGE_NUMBER = re.compile(r"^[-—\s]*(?:第\s*)?\d{1,3}\s*(?:页)?[-—\s]*$")
_TAIL_NUMBER = re.compile(
    rf"^(?P<tail>[^\d\s]{{1,{MAX_TITLE_TAIL}}})\s+(?P<rest>\d{{1,3}}(?:\s*[.、．,，]|\s+).*)$", re.S
)
_SPILL = re.compile(r"^(?P<head>.+?[。！？])\s+(?P<rest>\S.*)$", re.S)


@dataclass
class _Cell:
    """A merged 一级/二级 cell under construction: its text fragments and the lines they came from."""

    parts: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    number: str = ""

    def add(self, text: str, line: int) -> None:
        self.parts.append(text)
        self.lines.append(line)

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


@dataclass
class _Draft:
    """A table row under construction."""

    group: _Cell
    item: _Cell
    fields: dict[str, _Cell] = field(default_factory=lambda: {f: _Cell() for f in FIELDS[2:]})

    def dangling(self) -> bool:
        """Does an agency cell end with a separator, i.e. continue on the next line?"""
        return any(self.fields[f].text.rstrip().endswith(DANGLING) for f in ("lead", "support"))


def _is_header(cells: list[str]) -> bool:
    titles = set(FIELD_TITLES.values())
    return sum("".join(c.split()) in titles for c in cells) >= HEADER_MIN_TITLES


def _five(cells: list[str]) -> list[str]:
    """The line's cells as the five columns.

    Fewer cells than columns: the leading (merged, empty) columns were dropped, so the cells are
    aligned to the right; one or two cells are requirement text. More: the requirement held tabs.
    """
    cells = [c.strip() for c in cells]
    while len(cells) > len(FIELDS) and not cells[-1]:
        cells.pop()
    if len(cells) > len(FIELDS):
        cells = [cells[0], cells[1], " ".join(c for c in cells[2:-2] if c), cells[-2], cells[-1]]
    if len(cells) < 3:
        return ["", "", " ".join(c for c in cells if c), "", ""]
    return [""] * (len(FIELDS) - len(cells)) + cells


@dataclass(frozen=True)
class Decoded:
    """An extraction's text, the encoding it was read in, and its cell separator."""

    text: str
    encoding: str
    separator: str


def decode_extraction(path: Path) -> Decoded:
    """The extraction's text in the encoding it was written in (a BOM; else valid UTF-8; else what
    charset-normalizer finds most coherent among CANDIDATE_ENCODINGS), and its separator."""
    data = path.read_bytes()
    encoding = next((name for bom, name in BOMS if data.startswith(bom)), "")
    if not encoding:
        try:
            data.decode("utf-8")
            encoding = "utf_8"
        except UnicodeDecodeError:
            from charset_normalizer import from_bytes

            best = from_bytes(data, cp_isolation=list(CANDIDATE_ENCODINGS)).best()
            if best is None:
                raise NotADraft(str(path), "not text in any encoding tried (UTF-8, GBK/GB18030, UTF-16)") from None
            encoding = best.encoding
    try:
        text = data.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError:
        raise NotADraft(str(path), f"not text: its bytes do not decode as {encoding}, which its start says "
                        "(UTF-8, GBK/GB18030 and UTF-16 text is read)") from None
    return Decoded(text, encoding, _separator(text))


def _separator(text: str) -> str:
    """Tab, or comma when the lines hold commas and no tabs (a CSV export); csv.Sniffer decides
    between them on a sample when both occur."""
    sample = [line for line in text.splitlines() if line.strip()][:SNIFF_LINES]
    tabs = sum(line.count("\t") for line in sample)
    commas = sum(line.count(",") for line in sample)
    if tabs == 0 and commas == 0:
        return "\t"
    if tabs == 0 or commas == 0:
        return "," if tabs == 0 else "\t"
    try:
        return csv.Sniffer().sniff("\n".join(sample), delimiters="\t,").delimiter
    except csv.Error:
        return "\t"


def as_tab_separated(text: str) -> str:
    """A comma-separated extraction (quoted cells allowed) in the tab-separated form."""
    return "\n".join("\t".join(cell.replace("\t", " ") for cell in row) for row in csv.reader(io.StringIO(text)))


def read_extraction(path: Path) -> tuple[Table, tuple[PageReport, ...]]:
    """A text draft: a tab- or comma-separated extraction of a table, or a plan whose duties are
    written inline (read by inline.py when no table line is found but duty annotations are)."""
    decoded = decode_extraction(path)
    text = decoded.text if decoded.separator == "\t" else as_tab_separated(decoded.text)
    label = f"text/{decoded.encoding}"
    how = f"text extraction, encoding {decoded.encoding}, {'tab' if decoded.separator == chr(9) else 'comma'}-separated"
    if not any(_is_header(line.split("\t")) for line in text.splitlines()):
        from pipeline.inline import paragraphs_from_lines, parse_plan

        plan = parse_plan(paragraphs_from_lines(decoded.text.splitlines()), source=str(path), path_label=label)
        if plan.table.rows:
            first, *rest = plan.reports
            return plan.table, (PageReport(first.page, first.status, first.rows, first.columns,
                                           f"{how}; {first.message}"), *rest)
    table = parse_extraction(text, source=str(path), engine=label)
    return table, (PageReport(0, PAGE_READ, len(table.rows), len(FIELDS), f"{how}: {len(table.rows)} rows"),)


def parse_extraction(text: str, source: str = "", engine: str = "text") -> Table:
    """Rebuild the table rows of a tab-separated text extraction (raw text; repair comes later).

    Lines before the header are the title; header lines (repeated per page) and blank lines are
    skipped. A numbered 二级 text (`12、…`) starts an item; within it a line with requirement text
    and an agency starts a sub-row, unless the row above ends in a dangling separator. Every other
    line continues the current row. A 一级/二级 fragment without numeral/number continues the title
    when the line above also had one (a wrapped cell), else it starts a group/item whose number was
    not read. 一级/二级 are filled into every row of their group/item, and an empty 牵头单位 of a
    sub-row is filled from the sub-row above (a merged cell).
    """
    title_lines: list[str] = []
    header_seen = False
    drafts: list[_Draft] = []
    group: _Cell | None = None
    item: _Cell | None = None
    prev_l1 = prev_l2 = False
    for lineno, raw_line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not raw_line.strip():
            continue
        cells = raw_line.split("\t")
        if _is_header(cells):
            header_seen = True
            continue
        if not header_seen and len(cells) < 3:
            title_lines.append(raw_line.strip())
            continue
        if len(cells) == 1 and _PAGE_NUMBER.match(raw_line):
            continue
        l1, l2, requirement, lead, support = _five(cells)

        new_group = None
        if l1:
            numeral, _ = split_numeral(l1)
            if numeral or not prev_l1 or group is None:
                new_group = _Cell()
                new_group.add(l1, lineno)
                group = new_group
            else:
                group.add(l1, lineno)

        starts_item = False
        if l2:
            tail_match = _TAIL_NUMBER.match(l2)
            if tail_match and item is not None:
                item.add(tail_match.group("tail"), lineno)
                l2 = tail_match.group("rest")
            number, _ = split_item_number(l2)
            if number or not prev_l2 or item is None:
                item = _Cell(number=number)
                item.add(l2, lineno)
                starts_item = True
            else:
                item.add(l2, lineno)
        prev_l1, prev_l2 = bool(l1), bool(l2)

        current = drafts[-1] if drafts else None
        new_row = (
            current is None
            or starts_item
            or bool(requirement and (lead or support) and not current.dangling())
        )
        if group is None:
            group = _Cell()
        if item is None:
            item = _Cell()
        if new_row:
            if current is not None and requirement:
                requirement = _move_spilled_head(current, requirement, lineno)
            current = _Draft(group, item)
            drafts.append(current)
        elif new_group is not None:
            current.group = new_group  # the 一级 text is printed beside this row
        for name, value in (("requirement", requirement), ("lead", lead), ("support", support)):
            if not value:
                continue
            cell = current.fields[name]
            if name == "lead" and not new_row and cell.parts and value == cell.parts[-1]:
                continue  # a merged 牵头单位 cell repeated on the continuation line
            cell.add(value, lineno)

    _fill_lead(drafts)
    rows = tuple(_row(d, engine) for d in drafts)
    return Table(title=" ".join(title_lines), rows=rows, source=source)


def _move_spilled_head(current: _Draft, requirement: str, lineno: int) -> str:
    """Give the previous row back the end of its sentence when it spilled into this line.

    After a page break the rest of a cut requirement may share a fragment with the next row's
    text (…建立完善安 | 全事故处置预案…机制。 发生造成…): the head up to the first sentence end
    followed by a space belongs to the row above when that row's text does not end a sentence.
    """
    above = current.fields["requirement"]
    if not above.parts or above.text.rstrip().endswith(tuple(SENTENCE_END)):
        return requirement
    match = _SPILL.match(requirement)
    if not match:
        return requirement
    above.add(match.group("head"), lineno)
    return match.group("rest")


def _fill_lead(drafts: list[_Draft]) -> None:
    """An empty 牵头单位 in a sub-row is the merged cell of the sub-row above (same item)."""
    for above, below in itertools.pairwise(drafts):
        lead = below.fields["lead"]
        if below.item is above.item and not lead.parts and above.fields["lead"].parts:
            lead.parts = list(above.fields["lead"].parts)
            lead.lines = list(above.fields["lead"].lines)


def _row(draft: _Draft, engine: str = "text") -> Row:
    cells = {"level1": draft.group, "level2": draft.item, **draft.fields}
    sources = {
        name: FieldSource(
            cell_ids=tuple(f"line{n}" for n in dict.fromkeys(cell.lines)), raw=cell.text, engine=engine
        )
        for name, cell in cells.items()
        if cell.parts
    }
    return Row.of(
        no=draft.item.number,
        level1=draft.group.text,
        level2=draft.item.text,
        requirement=draft.fields["requirement"].text,
        lead=draft.fields["lead"].text,
        support=draft.fields["support"].text,
        sources=MappingProxyType(sources),
    )
