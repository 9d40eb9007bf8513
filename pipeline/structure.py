"""Table structure: the pages' cells → the rows of the draft's logical tables, by column role.

A page's columns get their roles from its header row(s), matched against the table profile
(`profile.py`: synonyms, OCR tolerance, two-row headers such as 责任单位 over 牵头 | 配合). A page
without a header (the header printed on the first page only) is mapped onto the table's columns
by geometry: its column lines are aligned with the table's, so an extra or a missing border
still lands every column where it belongs. Columns are never taken by position alone: a ruled
table whose columns cannot be mapped is reported, page by page, and kept out of the rows.

A row is one task (requirement) cell; every other role's value is the cell beside it, so merged
cells (rowspans) fill every row they span. A table continues across pages: a merged heading or
序号 cell cut by a page break is joined with its other part, and a row whose text runs on to the
next page is joined with its continuation. A header naming other roles than the table's starts
a new table (附件2).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate, pairwise
from types import MappingProxyType

import numpy as np

from .models import (
    AGENCY_FIELDS,
    HEADING_ROLES,
    MEASURE_WORDS,
    OTHER_ROLE_PREFIX,
    PAGE_NO_TABLE,
    PAGE_NOT_READ,
    PAGE_READ,
    Cell,
    CellText,
    FieldSource,
    PageCells,
    PageReport,
    Row,
    Table,
)
from .profile import TableProfile

#: The header is looked for among the first grid rows of a page only.
HEADER_SEARCH_ROWS = 3
#: A row is a header row when at least this many of its cells name a role...
HEADER_MIN_MATCHES = 2
#: ...and the cells that do cover at least this share of the page's columns. A data row whose
#: cells happen to look like header words (a title 项目) never covers half of the columns.
HEADER_MIN_COVERAGE = 0.5
#: The numeral prefix that starts a 一级 title (一、) and the number that starts an item (12、, 3.).
#: Vertical 、 is often read as - or ·, hence the wide class of separators. Up to two marks that are
#: no Han character may be read before the numeral (1四、强化监测预警和应急处置 at the top of a page, the
#: seed-5 draw of the held-out Songjiang plan's light-toner recipe: read as the rest of the title above
#: it, 三、加强河湖水系综合治理1四、…, over 13 rows); a Han character there is the title's own (统一、).
LEVEL1_START = re.compile(r"^\s*[^\s\u4e00-\u9fff]{0,2}\s*[一二三四五六七八九十]+\s*[、.,，．\-—·:：丶]")
LEVEL2_START = re.compile(r"^\s*\d{1,3}\s*[.、,，．\-—·:：]")
#: An item's number whose stop was lost, a space before its title (26 完善老年人权益保障机制: a fax, the
#: held-out Jiading plan, seed 21, page 4, whose item was joined to item 25 above the page break, read
#: 2.5、加强养老服务资金监管); a measure word after it makes it a quantity (3 个中心).
SPACED_NUMBER_START = re.compile(r"^\s*\d{1,3}\s+([\u4e00-\u9fff])")
#: A 一级 title whose numeral was misread still has a numbered title's shape: one character and 、.
#: At a page break beside an item that starts with its own number, such a part starts a new group:
#: the Songjiang plan's Word table under tests/wordscan.py's lines-degradation at seed 17, page 4,
#: read 四、强化监测预警和应急处置 as 匹、…, and it was joined to group 三's title on page 3 (fifteen
#: rows under one title 三、…匹、…). A title cut by the break runs on mid-phrase, beside its item.
LEVEL1_MISREAD_START = re.compile(r"^\s*[^\s\d]\s*、")
ITEM_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
#: A title's leading number, whatever follows it.
LEADING_NUMBER = re.compile(r"^\s*(\d{1,3})(?!\d)")
#: A requirement that does not end a sentence is cut by the page break, not finished.
SENTENCE_END = ("。", "；", ";", ".", "！", "？")
#: The roles that name a row's lead agency, and how many Han characters an agency needs to count as one
#: (a speck read as 一 or · is none, nor the 局 a break cut off) at a page break (_leads_on_both_sides,
#: _join_across_break).
LEAD_ROLES = ("lead", "responsible")
LEAD_MIN_HAN = 2
#: An agency cell that runs on from the row above across a row border the grid restored from the text
#: (no ruling there) is that row's agency by the merge alone: a sub-row whose ruling the toner lost and
#: that names no support of its own shows the support above it (item 23 of the held-out Songjiang plan
#: at light toner, seed 6: 区教育局、区文化旅游局… under 区卫生健康委, whose sub-row has none). The rows below
#: the border are marked carried (repair flags `carried_from_row_before`). A border within this many
#: pixels of the row's top is the one.
RESTORED_BORDER_PX = 2
#: A Chinese character (counted in leads and in a draft's title line).
HAN = re.compile(r"[\u4e00-\u9fff]")
#: An agency cell whose part at a page top starts with at most this many Han characters before its
#: first separator starts with the rest of a name the break cut (障局 of 区人力资源社会保 | 障局): no
#: agency name of agency_lexicon.txt is shorter than 3 characters. The row then runs on across the
#: break, whatever ends its requirement above: a copier's speck after 不低于 read as 。 had made the
#: rest of item 9 a sub-row of its own (the held-out Fengxian plan's Word table under
#: tests/wordscan.py's photocopy at seed 15, pages 2-3, its lead cut in two and unflagged).
REST_OF_NAME_MAX_HAN = 2
#: What surely parts two agency names at a page break. Narrower than repair.AGENCY_SEPARATORS, which
#: also takes . 。 : / 丶: a speck read as . or 。 at the foot of a cut name (区人力资源社会保. | 障局)
#: must not be taken for the name's end, and the repair stage, not this one, splits names.
BREAK_NAME_SEPARATORS = re.compile(r"[、，,；;]")
#: Column lines of a page without header and of the table match when this many character heights
#: apart: the same scanner's pages differ by a few px of shift and skew, columns by ≥ 2 characters.
GEOMETRY_TOLERANCE_CHARS = 1.0
#: The outer column lines of a grid found from its text (Grid.from_text: a table whose rulings the toner
#: lost) are put where stretches of its row rulings end, or a cell's padding off its text: the border
#: may stand up to this many character heights further out (the grid stage's SIDE_REACH_CHARS). Its
#: pages' outer lines match the table's within it: on the seed-2 draw of make eval's Minhang recipe a
#: last page's left side put at its header's text stood 47 px (1.8 characters) off the first page's,
#: whose right side a broken stretch had put 37 px in, and the page was not read.
FAINT_SIDE_TOLERANCE_CHARS = 3.0
#: A page of a table whose header a later page repeated (a word processor repeats a table's header row
#: on each page) takes its first rows as that header, though they name too few roles for a header of its
#: own, when at least REPEATED_HEADER_MIN_NAMED of their cells name the role their column has by
#: geometry: the seed-2 draw of make eval's Minhang recipe read its last page's header 指标 | 指小 |
#: 」作要求 | 头单位 | 配介审位 (two of five columns named), and read it as the first row, continuing the
#: page before's, its rows numbered one item on. One cell is not enough: a requirement may hold 工作要求.
REPEATED_HEADER_MIN_NAMED = 2
#: A page without header belongs to the table when this share of its column lines (at least
#: GEOMETRY_MIN_LINES) meets the table's: a form scanned into the same PDF does not.
GEOMETRY_MIN_SHARE = 0.75
GEOMETRY_MIN_LINES = 3
#: ...and when it misses at most this many of the table's column lines (a border lost to a light
#: scan) and has at most this many lines the table lacks (a scanner-edge shadow, a page border).
#: A three-column fee form scanned after a five-column draft matched 3 of its 4 lines to the
#: table's 6 by chance (measured): it misses 3 of the table's lines, so it is not the table.
GEOMETRY_MAX_MISSING = 1
GEOMETRY_MAX_EXTRA = 2
#: A page column lands in a table column when at least this share of its width overlaps it.
COLUMN_MIN_OVERLAP = 0.5
#: A table column lies inside a page column that landed in another table column (the ruling between
#: them was not found on this page, their texts read as one) when this share of its width is
#: covered. Measured on a 150-dpi noisy landscape page (scangen tasks-landscape, zenhei-150-noisy)
#: whose 配合单位 | 完成时限 ruling was lost: 100%; a page shifted by the geometry tolerance (one
#: character) covers at most 32% of the narrowest column drawn (序号, 2.5 characters wide).
MERGED_COLUMN_MIN_SHARE = 0.75
#: A line above a table that names it among several: 附件2, 附表1, 表3.
CAPTION = re.compile(r"^(附件|附表|表)\s*[0-9一二三四五六七八九十]+")
#: A line above the table that is the draft's title: a document name in 《》 or the words of one.
TITLE_MARK = re.compile(r"《|职责分工|任务分工|责任分工|分工方案")
#: ...or, when no line has those words, a line of at least TITLE_MIN_HAN Chinese characters that ends
#: as a document's name ends (before a （送审稿） or （征求意见稿）): a new user's 闵行区2025年生活垃圾分类
#: 工作任务分解表 was no title, so its district was not known and 区公安分局 was not canonicalised.
DOCUMENT_NAME = re.compile(r"(表|清单|方案|计划|安排|要点|分工|分解|台账|任务书|细则)([（(][^（）()]*[）)])?$")
TITLE_MIN_HAN = 6
#: A title line that cannot stand alone continues the line above it: a title printed on two lines,
#: 杨浦区城市运行“一网统管”能力提升三年行动计划 over （2025—2027年）任务分工, had been cut to its
#: last line (a new user's draft), and its district was not known.
TITLE_CONTINUED = re.compile(r"^([（(]|职责分工|任务分工|责任分工|分工方案)")
#: A line that is only a caption (附件, 附件2, 附表1): never part of the title.
CAPTION_LINE = re.compile(r"^(附件|附表|表)[0-9一二三四五六七八九十]*[:：]?$")
#: Roles whose texts identify an item: their merged cells are joined across page breaks.
ITEM_ROLES = ("no", "level1", "level2", "level3")
#: Heading roles a full-width section row (一、… merged across the whole table, a common layout
#: instead of a 一级 column) can fill for the rows under it, in order: the first the draft does not
#: print. Its rows had been lost without a word (a new user's 杨浦区 draft: .docx, PDF and scan).
SECTION_ROLES = ("level1", "level2", "level3")
#: Title roles a page without that column continues from the page before (_carry_titles): a 一级 title
#: is a merged cell over many items and runs on across pages. Not item titles: a lost 二级 column
#: would fold items into one. augraphy's LinesDegradation over the held-out Fengxian plan's last page
#: (make eval lines-degradation) erased the 一级 column's rulings; its three rows had no 一级 title.
CARRIED_ROLES = ("level1",)
#: A section row reads as a heading: a numeral first (一、 （一） 1.), or at most SECTION_MAX_CHARS
#: characters and no sentence end (a task merged across by a lost ruling reads as sentences).
SECTION_HEADING = re.compile(r"^([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,3}[、.．])")
SECTION_MAX_CHARS = 30
#: Words of a header that names a heading level (一级指标, 二级任务): such a column is never the task's.
LEVEL_WORDS = re.compile(r"级|指标")


@dataclass(frozen=True)
class Header:
    """A page's header: its grid rows, each page column's role, and what the cells said."""

    first_row: int
    last_row: int
    roles: dict[int, str]
    texts: dict[int, str]
    notes: tuple[str, ...] = ()


@dataclass
class _RawRow:
    """A row under construction: per role, the cells (ids) whose text it takes."""

    page: int
    cells: dict[str, list[str]]
    #: Roles whose cells are the row before's: the page had no such column (CARRIED_ROLES).
    carried: set[str] = field(default_factory=set)
    #: Roles of the table's columns the row's page had no column for, and that nothing carried: empty.
    lost: set[str] = field(default_factory=set)


@dataclass
class _TableState:
    """The table being built: its roles in column order and the geometry of its columns."""

    roles: list[str]
    col_lines: tuple[int, ...]
    headers: dict[str, str]
    notes: list[str]
    rows: list[_RawRow] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    #: Lines printed around the table on the page where its header is (title, caption, notes).
    margin: list[str] = field(default_factory=list)
    #: Role of each column of the header page, by column index (a column no role matched has none):
    #: `roles` lists the roles only, so it cannot be indexed by column.
    role_of_col: dict[int, str] = field(default_factory=dict)
    #: The full-width section row (its cell id) the last page ended in: the next page's first rows
    #: are under it.
    section: str = ""
    #: Agency roles whose cells the draft merges down rows (one cell with text beside two rows or
    #: more on a page): a page break cuts such a cell too (_cut_agencies).
    merged_agencies: set[str] = field(default_factory=set)
    #: Blank agency cells at a page's top under a row that names one (page, role, rows under it, the
    #: row before's cells): carried once the whole table is read, if it merges that role's cells.
    cut_agencies: list[tuple[int, str, list[_RawRow], list[str]]] = field(default_factory=list)
    #: Whether the header page's grid was found from its text (Grid.from_text): its sides are estimates.
    from_text: bool = False
    #: How many grid rows the header page's header takes, and whether a later page repeats it.
    header_rows: int = 1
    repeats_header: bool = False
    #: Table columns whose header named two roles and a later page had both (`_split_by_header`): the
    #: roles each is taken as, left to right.
    split_roles: dict[str, list[str]] = field(default_factory=dict)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _by_row(page: PageCells) -> dict[int, list[CellText]]:
    by_row: dict[int, list[CellText]] = {}
    for ct in page.cells:
        by_row.setdefault(ct.cell.row, []).append(ct)
    return by_row


def _column_count(page: PageCells) -> int:
    return max(0, len(page.grid.col_lines) - 1)


def _tolerance(page: PageCells) -> float:
    """How far (px) a page's column line may sit from the table's and still be the same line."""
    return GEOMETRY_TOLERANCE_CHARS * max(1, page.grid.char_height)


def _unknown(role: str) -> bool:
    """A header cell's role that names no known column (its own words kept: other:…)."""
    return role.startswith(OTHER_ROLE_PREFIX)


def _contradicts(header: Header, roles: dict[int, str]) -> bool:
    """Whether `roles` (by column) names a column otherwise than `header`'s known roles do; a column
    `roles` leaves out contradicts nothing."""
    return any(roles.get(c, role) != role for c, role in header.roles.items() if not _unknown(role))


def _quoted_header(header: Header, n_cols: int) -> str:
    """What a header read, column by column, for a page's report (∅: nothing read)."""
    return " | ".join(header.texts.get(c, "") or "∅" for c in range(n_cols))


def find_header(page: PageCells, profile: TableProfile) -> Header | None:
    """The page's header, if one of its first rows names roles; two-row headers included: a
    column takes the role of its lowest header cell (牵头 under 责任单位)."""
    by_row = _by_row(page)
    for row in sorted(by_row)[:HEADER_SEARCH_ROWS]:
        header = _header_at(page, by_row, row, profile)
        if header is not None:
            return header
    return None


def _header_at(page: PageCells, by_row: dict[int, list[CellText]], row: int, profile: TableProfile) -> Header | None:
    """The header that starts at grid row `row`, if the row names roles (HEADER_MIN_MATCHES cells
    covering HEADER_MIN_COVERAGE of the columns)."""
    matches = {ct.cell: profile.match_header(ct.text) for ct in by_row[row]}
    matched = [c for c, m in matches.items() if m is not None]
    covered = sum(c.col_span for c in matched)
    if len(matched) < HEADER_MIN_MATCHES or covered < HEADER_MIN_COVERAGE * _column_count(page):
        return None
    last = _header_last_row(matched)
    header_cells = [ct for ct in page.cells if row <= ct.cell.row <= last]
    for ct in header_cells:
        if ct.cell.row > row:
            matches[ct.cell] = profile.match_header(ct.text)
    return _column_roles(header_cells, matches, row, last, profile)


def _repeated_headers(page: PageCells, header_end: int, roles: dict[int, str], profile: TableProfile) -> list[Header]:
    """Headers printed again below the page's first rows that name the page's columns as `roles`
    does: a Word table cut in two, the second with its own header row (held-out probe of the
    Songjiang, Fengxian and Putuo plans: the header had been read as a row, 序号 15 and 一级 四、一级指标).
    A header naming other columns is left to be read as rows (another table: not this one's)."""
    by_row = _by_row(page)
    found: list[Header] = []
    for row in sorted(r for r in by_row if r > header_end):
        if found and row <= found[-1].last_row:
            continue
        header = _header_at(page, by_row, row, profile)
        if header is not None and all(roles.get(c) == r for c, r in header.roles.items() if not _unknown(r)):
            found.append(header)
    return found


def _header_last_row(matched: Sequence[Cell]) -> int:
    """The header's last grid row: the lowest row that at least HEADER_MIN_MATCHES of the cells naming
    roles reach. A two-row header's cells reach its second row together (序号 and 一级 over both rows,
    牵头 and 配合 under 责任单位); one cell alone reaching far down is a header cell whose ruling below
    was lost and which runs on into the body (augraphy LinesDegradation over the held-out Songjiang
    plan: 一级指标 ran down the whole 一级 column, the header took the page's 11 rows, 0 rows read)."""
    ends = sorted((c.row + c.row_span - 1 for c in matched), reverse=True)
    return ends[min(len(ends), HEADER_MIN_MATCHES) - 1]


def _column_roles(cells: Sequence[CellText], matches: dict, first: int, last: int, profile: TableProfile) -> Header:
    """Each column's role from its lowest matched header cell; each role given once, best first."""
    lowest: dict[int, CellText] = {}
    for ct in sorted(cells, key=lambda ct: ct.cell.row):
        for col in range(ct.cell.col, ct.cell.col + ct.cell.col_span):
            if ct.text.strip() or col not in lowest:
                lowest[col] = ct
    order = {spec.name: k for k, spec in enumerate(profile.roles)}
    candidates = []
    for col, ct in lowest.items():
        match = matches.get(ct.cell)
        # A cell spanning columns names one column's role only when it has no cells below it.
        if match is not None and (ct.cell.col_span == 1 or all(lowest[c] is ct for c in range(
                ct.cell.col, ct.cell.col + ct.cell.col_span))):
            for alternative in profile.header_matches(ct.text):
                if col > ct.cell.col and not alternative.part:
                    # One name over two grid columns names its first: a line the grid found below it
                    # (a fax's blot down the 一级 column, the held-out Jiading plan, seed 21, page 4)
                    # must not give 级指标 to two columns and push the 二级指标 beside them to 三级.
                    continue
                candidates.append((alternative.score, -col, -order[alternative.role], col, alternative.role))
    roles: dict[int, str] = {}
    # Best score first; at equal scores the leftmost column, and for it the profile's earlier role: a
    # header read 级指标 (its 一 lost on a 1-bit scan) beside 二级指标 is 一级, not 三级.
    for _, _, _, col, role in sorted(candidates, reverse=True):
        if role not in roles.values() and col not in roles:
            roles[col] = role
    roles = _split_names(roles, lowest, profile)
    roles = _close_heading_gaps(roles)
    if "lead" not in roles.values() and "responsible" in roles.values() and "support" in roles.values():
        # 责任单位 beside 配合单位 names the lead: the draft splits the duty itself.
        roles = {c: "lead" if r == "responsible" else r for c, r in roles.items()}
    texts = {col: _compact(ct.text) for col, ct in lowest.items()}
    for col, text in texts.items():
        if col not in roles and text:
            roles[col] = OTHER_ROLE_PREFIX + text
    notes = tuple(m.note for m in matches.values() if m is not None and m.note)
    notes += tuple(ct.text for ct in cells if ct.text.strip())
    return Header(first, last, roles, texts, notes)


def _table_columns(col_lines: Sequence[int], roles: dict[int, str]) -> tuple[tuple[int, ...], dict[int, str]]:
    """The table's column lines and the role of each of its columns, from a header page's column lines
    and its columns' `roles`: a line between two columns of one role (a streak kept as a ruling that
    cut a header cell in two, _split_names) is none of the table's, and the later pages, which have
    no such line, line up with the table without it."""
    lines, out = [col_lines[0]], {}
    for col in range(len(col_lines) - 1):
        role = roles.get(col)
        if col > 0 and role is not None and not _unknown(role) and roles.get(col - 1) == role:
            lines[-1] = col_lines[col + 1]
            continue
        if role is not None:
            out[len(lines) - 1] = role
        lines.append(col_lines[col + 1])
    return tuple(lines), out


def _split_names(roles: dict[int, str], lowest: dict[int, CellText], profile: TableProfile) -> dict[int, str]:
    """`roles` with two neighbouring columns whose header cells name nothing each, but read together
    name a role no column has, both given that role: a line the grid found inside a column (a toner
    streak kept as a ruling) cuts its header in two. On a table's first page no table is there yet to
    line the page up with (_lined_up): the held-out Fengxian plan's Word table under a dirty drum
    (tests/wordscan.py dirty-drum at seed 23, page 1) read 工作 | 求 under a streak through 要, no
    column was the task's, and the page and its rows were not read. Both columns' texts are then
    joined left to right, and the page's report says so (_split_message)."""
    out = dict(roles)
    for col in sorted(lowest):
        right = col + 1
        if col in out or right in out or right not in lowest or lowest[right] is lowest[col]:
            continue
        match = profile.match_header(_compact(lowest[col].text) + _compact(lowest[right].text))
        if match is not None and not match.part and match.role not in out.values():
            out[col] = out[right] = match.role
    return out


#: A header cell that names no role at the profile's bar (header_min_score, 75) but a heading level at
#: HEADING_BY_PLACE_MIN_SCORE, beside a column that names one, is a heading column too, its level by its
#: place (_close_heading_gaps): a 1-bit light-toner copy of a Word table read 一级指标 as 吸指标 (ratio
#: 57 to each level) beside 级指标, which then took 一级, and every 二级 title was read as the 一级 (the
#: seed-2 draw of make eval's Minhang recipe). Any X指标 scores 57 against Y级指标; a header of another
#: kind (备注, 完成时限) scores 0.
HEADING_BY_PLACE_MIN_SCORE = 50.0


def _spanned_columns(page: PageCells, header: Header) -> frozenset[int]:
    """The page's columns whose header cell is also the column's to their left: one header cell over
    two grid columns, a line the grid found inside a table column (a toner streak) below the header."""
    return frozenset(col for ct in page.cells if header.first_row <= ct.cell.row <= header.last_row
                     for col in range(ct.cell.col + 1, ct.cell.col + ct.cell.col_span))


def _headings_by_place(header: Header, profile: TableProfile, spanned: frozenset[int] = frozenset()
                       ) -> tuple[Header, str]:
    """The header with each column of no known role whose header is a heading name misread
    (HEADING_BY_PLACE_MIN_SCORE) beside a heading column taken as a heading column, its level by its
    place (after what a repeated header completed, _complete_header), and words for the page's report
    ("" when none was). A column in `spanned` is under its left neighbour's header cell: that cell's
    words read again, no heading of its own (the held-out Putuo plan under a dirty drum, seed 21,
    page 4: a streak through the 二级 column, whose 二级指标 had made it 一级 and the 一级 column lost)."""
    roles = {c: r for c, r in header.roles.items() if not _unknown(r)}
    free = [r for r in HEADING_ROLES if r in profile.by_name and r not in roles.values()]
    guessed: list[int] = []
    for col in sorted(header.texts):
        beside = {roles.get(col - 1), roles.get(col + 1)} & set(HEADING_ROLES)
        if col in roles or col in spanned or not free or not beside:
            continue
        if any(m.role in HEADING_ROLES for m in profile.header_matches(header.texts[col], HEADING_BY_PLACE_MIN_SCORE)):
            roles[col] = free.pop(0)
            guessed.append(col)
    if not guessed:
        return header, ""
    roles = _close_heading_gaps(roles)
    note = "; ".join(f"「{header.texts[col]}」 read as {profile.column_name(roles[col])} by its place beside the other "
                     "heading" for col in guessed)
    return replace(header, roles={**header.roles, **roles}), note


def _close_heading_gaps(roles: dict[int, str]) -> dict[int, str]:
    """Heading levels are consecutive and go from left to right: a header that names 一级 and 三级 but
    no 二级 was misread (tesseract reads 二级指标 as 三级指标 on 楷体), so later levels move up to close
    the gap; and the leftmost heading column is the coarsest level. Two heading cells that both lost
    their level's numeral under a toner streak (songjiang/dirty-drum: T级指标 | 级指标) match every
    level, the better read one first, and it took 一级 from the column to its left."""
    columns = sorted(c for c, r in roles.items() if r in HEADING_ROLES)
    if not columns:
        return roles
    first = min(HEADING_ROLES.index(roles[c]) for c in columns)
    renamed = {c: HEADING_ROLES[first + k] for k, c in enumerate(columns)}
    return {c: renamed.get(c, r) for c, r in roles.items()}


def map_by_geometry(table_cols: Sequence[int], page_cols: Sequence[int], tolerance: float,
                    side_tolerance: float | None = None) -> dict[int, int] | None:
    """{page column: table column} by aligning column lines (the best common shift); None when
    the page's lines do not line up with the table's (another table, a form). The outer lines of
    both match within `side_tolerance` when given (see FAINT_SIDE_TOLERANCE_CHARS)."""
    fit = _geometry_fit(table_cols, page_cols, tolerance, side_tolerance)
    return fit[0] if fit else None


def merged_columns(table_cols: Sequence[int], page_cols: Sequence[int], tolerance: float,
                   side_tolerance: float | None = None) -> dict[int, list[int]]:
    """{table column: other table columns read inside the same page column}: a ruling of the table
    was not found on this page, so those columns' texts were read as one cell (kept in the first)."""
    fit = _geometry_fit(table_cols, page_cols, tolerance, side_tolerance)
    if fit is None:
        return {}
    mapping, shift = fit
    merged: dict[int, list[int]] = {}
    for j, i in mapping.items():
        a, b = page_cols[j] + shift, page_cols[j + 1] + shift
        for k in range(len(table_cols) - 1):
            width = table_cols[k + 1] - table_cols[k]
            inside = min(b, table_cols[k + 1]) - max(a, table_cols[k])
            if k != i and width > 0 and inside >= MERGED_COLUMN_MIN_SHARE * width:
                merged.setdefault(i, []).append(k)
    return merged


def _geometry_fit(table_cols: Sequence[int], page_cols: Sequence[int], tolerance: float,
                  side_tolerance: float | None = None) -> tuple[dict[int, int], int] | None:
    """map_by_geometry's mapping and the shift it aligned the page's lines with."""
    if len(table_cols) < 2 or len(page_cols) < 2:
        return None
    sides = tolerance if side_tolerance is None else side_tolerance
    outer = {(0, 0), (len(page_cols) - 1, len(table_cols) - 1)}

    def meets(j: int, p: int, shift: int) -> bool:
        """Whether page line j (at p) lies on a table line once shifted: an outer line on the table's
        outer line on its side within `sides`, any line on any within `tolerance`."""
        return any(abs(p + shift - t) <= (sides if (j, i) in outer else tolerance) for i, t in enumerate(table_cols))

    best: tuple[int, float] | None = None
    for shift in {t - p for t in table_cols for p in page_cols} | {0}:
        hits = sum(1 for j, p in enumerate(page_cols) if meets(j, p, shift))
        if best is None or (hits, -abs(shift)) > (best[0], -abs(best[1])):
            best = (hits, shift)
    assert best is not None
    hits, shift = best
    needed = max(GEOMETRY_MIN_LINES, GEOMETRY_MIN_SHARE * min(len(page_cols), len(table_cols)))
    if hits < min(needed, len(page_cols)):
        return None
    if len(table_cols) - hits > GEOMETRY_MAX_MISSING or len(page_cols) - hits > GEOMETRY_MAX_EXTRA:
        return None
    mapping: dict[int, int] = {}
    for j in range(len(page_cols) - 1):
        a, b = page_cols[j] + shift, page_cols[j + 1] + shift
        overlaps = [(min(b, table_cols[i + 1]) - max(a, table_cols[i]), i) for i in range(len(table_cols) - 1)]
        overlap, i = max(overlaps)
        if overlap >= COLUMN_MIN_OVERLAP * (b - a):
            mapping[j] = i
    return mapping, shift


def section_role(roles: Sequence[str]) -> str:
    """The heading role a full-width section row fills for the rows under it: the first of
    SECTION_ROLES the draft does not print ("" when it prints them all)."""
    return next((r for r in SECTION_ROLES if r not in roles), "")


def _section_cells(data: Sequence[CellText], cols_of: dict[str, list[int]]) -> list[Cell]:
    """Full-width section rows (一、夯实基础 merged across the table): a cell alone in its rows that
    spans the task column and an agency column (a task's own cell never reaches the agencies) and
    reads as a heading (SECTION_HEADING, or short and no sentence). Cells merged by a ruling the grid
    did not find have neighbours in their row, and a task reads as sentences."""
    def spans(cell: Cell, cols: Sequence[int]) -> bool:
        return any(cell.col <= col < cell.col + cell.col_span for col in cols)

    def alone(cell: Cell) -> bool:
        return not any(o.cell is not cell and o.cell.row < cell.row + cell.row_span and cell.row < o.cell.row
                       + o.cell.row_span for o in data)

    def heading(text: str) -> bool:
        text = _compact(text)
        return bool(SECTION_HEADING.match(text)) or (
            0 < len(text) <= SECTION_MAX_CHARS and not text.endswith(SENTENCE_END))

    task = cols_of.get("requirement", [])[:1]
    agencies = [col for role in AGENCY_FIELDS for col in cols_of.get(role, [])]
    return [ct.cell for ct in data if ct.cell.col_span > 1 and spans(ct.cell, task) and spans(ct.cell, agencies)
            and alone(ct.cell) and heading(ct.text)]


def _cols_of(roles: dict[int, str]) -> dict[str, list[int]]:
    """The page columns of each role (page column -> role turned round), left to right."""
    cols_of: dict[str, list[int]] = {}
    for col, role in sorted(roles.items()):
        cols_of.setdefault(role, []).append(col)
    return cols_of


def _page_rows(page: PageCells, header_end: int, roles: dict[int, str], section: str = "", heading: str = "",
               skipped: frozenset[str] = frozenset()) -> tuple[list[_RawRow], str]:
    """The page's rows: one per requirement cell below the header, with the cells beside it; and the
    section the page ends in. A full-width section row's cell (the cell id `section` carried over
    from the previous page) is given to every row under it as its `heading` role, when there is one
    the draft does not print. The `skipped` cells (a header printed again) are in no row."""
    cols_of = _cols_of(roles)
    below = [ct for ct in page.cells if ct.cell.row > header_end and ct.cell.cell_id not in skipped]
    data = [ct.cell for ct in below]
    sections = _section_cells(below, cols_of) if heading else []
    requirement_cols = cols_of.get("requirement", [])
    tasks = [c for c in data if c.col in requirement_cols[:1] and c not in sections]
    restored = [b.at for b in page.grid.restored if b.direction == "row"]
    rows = []
    for req in sorted([*tasks, *sections], key=lambda c: c.row):
        if req in sections:
            section = req.cell_id
            continue
        top, bottom = req.row, req.row + req.row_span
        cells: dict[str, list[str]] = {}
        merged_over: set[str] = set()
        top_restored = any(abs(at - req.box.y0) <= RESTORED_BORDER_PX for at in restored)
        for role, cols in cols_of.items():
            beside = [c for c in data if any(c.col <= col < c.col + c.col_span for col in cols)
                      and c.row < bottom and top < c.row + c.row_span and c not in sections]
            cells[role] = [c.cell_id for c in sorted(beside, key=lambda c: (c.row, c.col))]
            if top_restored and role in AGENCY_FIELDS and any(c.row < top for c in beside):
                merged_over.add(role)
        if section:
            cells[heading] = [section]
        rows.append(_RawRow(page.page, cells, merged_over))
    return rows, section


class _Cells:
    """The cells' texts, and which cells are parts of one merged cell cut by page breaks."""

    def __init__(self, pages: Sequence[PageCells]) -> None:
        self.texts = {ct.cell.cell_id: ct for page in pages for ct in page.cells}
        self._group: dict[str, str] = {}  # cell id -> first cell id of its joined cell
        self._parts: dict[str, list[str]] = {}  # first cell id -> all parts, in page order

    def parts(self, cell_id: str) -> list[str]:
        first = self._group.get(cell_id, cell_id)
        return self._parts.get(first, [first])

    def text(self, cell_ids: Sequence[str]) -> str:
        return "\n".join(self.texts[c].text for c in dict.fromkeys(cell_ids) if self.texts[c].text)

    def join(self, upper: str, lower: str) -> None:
        merged = self.parts(upper) + self.parts(lower)
        self._parts.pop(self._group.get(lower, lower), None)
        self._parts[merged[0]] = merged
        for cell_id in merged:
            self._group[cell_id] = merged[0]


@dataclass(frozen=True)
class Structure:
    """What the structure stage found: the draft's tables and how each page accounted for itself."""

    tables: tuple[Table, ...]
    pages: tuple[PageReport, ...]


def _describe_cells(page: PageCells) -> str:
    by_row = _by_row(page)
    first = sorted(by_row)[0] if by_row else None
    texts = [_compact(ct.text) for ct in sorted(by_row.get(first, []), key=lambda ct: ct.cell.col)] if by_row else []
    return " | ".join(t or "∅" for t in texts)


def build_tables(pages: Sequence[PageCells], profile: TableProfile, source: str = "",
                 first_is_lead: bool = False) -> Structure:
    """The draft's tables from its pages in order, and a report for every page."""
    cells = _Cells(pages)
    tables: list[_TableState] = []
    reports: list[PageReport] = []
    # Pages just before the current one whose header was found but not mapped, or not found (report
    # index, page, header or None): a later page's legible header of the same columns maps them (see
    # _read_waiting).
    waiting: list[tuple[int, PageCells, Header | None]] = []
    found = [_task_from_heading(find_header(page, profile), profile) if page.grid.cells else (None, "")
             for page in pages]
    for k, page in enumerate(pages):
        n_cols = _column_count(page)
        if not page.grid.cells:
            reports.append(PageReport(page.page, PAGE_NO_TABLE, message="no ruled table on this page"))
            waiting.clear()
            continue
        header, task_note = found[k]
        if header is not None:
            header, completed = _complete_header(header, page, pages[k + 1:], [h for h, _ in found[k + 1:]], profile)
            header, placed = _headings_by_place(header, profile, _spanned_columns(page, header))
            task_note = "; ".join(n for n in (task_note, completed, placed) if n)
        current = tables[-1] if tables else None
        tolerance = _tolerance(page)
        roles: dict[int, str] | None = None
        header_end = -1
        if header is not None:
            header_end = header.last_row
            same_table = current is not None and (_lined_up(current, page, header, tolerance)
                                                  or set(header.roles.values()) == set(current.roles))
            added = _columns_found_again(header, current, page, profile) if not same_table else []
            if same_table and current is not None:
                # A repeated header: geometry keeps the first page's columns (a misread repeated
                # header must not reorder them); the page's own header where geometry fails.
                roles = _roles_by_geometry(current, page, tolerance) or header.roles
                current.repeats_header = True
                roles, split = _split_by_header(current, roles, reports, profile)
                task_note = "; ".join(n for n in (task_note, split) if n)
            elif added and current is not None:
                # The table's earlier pages lost these columns; from this page on the table has them.
                roles = dict(header.roles)
                order = [r for _, r in sorted(header.roles.items())]
                for role in added:
                    later = [r for r in current.roles if r in order and order.index(r) > order.index(role)]
                    current.roles.insert(current.roles.index(later[0]) if later else len(current.roles), role)
                current.col_lines, current.role_of_col = _table_columns(page.grid.col_lines, header.roles)
                current.headers.update({r: header.texts.get(c, "") for c, r in header.roles.items() if r in added})
                current.repeats_header = True
                task_note = "; ".join(n for n in (task_note, (
                    f"its header names {', '.join(profile.column_name(r) for r in added)} too, which the table's "
                    "pages before lost (their rulings erased?): the rows above have none")) if n)
            else:
                missing = _missing_roles(header.roles, profile)
                if missing:
                    reports.append(PageReport(page.page, PAGE_NOT_READ, columns=n_cols, message=(
                        f"{n_cols} columns, header not mapped: read 「{_quoted_header(header, n_cols)}」, "
                        f"missing {missing}")))
                    _wait(waiting, len(reports) - 1, page, header)
                    continue
                lost = _columns_lost(header, current, page, profile)
                if lost:
                    reports.append(PageReport(page.page, PAGE_NOT_READ, columns=n_cols, message=(
                        f"{n_cols} columns, header 「{_quoted_header(header, n_cols)}」 names only some of the "
                        f"columns of the table on the page before ({lost} missing): their rulings lost?")))
                    waiting.clear()
                    continue
                ordered = list(dict.fromkeys(header.roles[c] for c in sorted(header.roles)))
                col_lines, role_of_col = _table_columns(page.grid.col_lines, header.roles)
                current = _TableState(ordered, col_lines,
                                      {r: "".join(header.texts.get(c, "") for c in cols)
                                       for r, cols in _cols_of(header.roles).items()},
                                      [*header.notes, *page.margin_text], margin=list(page.margin_text),
                                      role_of_col=role_of_col, from_text=page.grid.from_text,
                                      header_rows=header.last_row - header.first_row + 1)
                tables.append(current)
                roles = header.roles
                if waiting and waiting[-1][1].page == page.page - 1:
                    _read_waiting(current, waiting, reports, cells, profile, page, header)
        elif current is not None:
            roles = _roles_by_geometry(current, page, tolerance)
            if roles is None:
                reports.append(PageReport(page.page, PAGE_NOT_READ, columns=n_cols, message=(
                    f"{n_cols} columns, no header, columns do not line up with the table's: "
                    f"first row read 「{_describe_cells(page)}」")))
                waiting.clear()
                continue
            roles, split = _split_by_header(current, roles, reports, profile)
            task_note = "; ".join(n for n in (task_note, split) if n)
            repeated = (_faint_header(page, roles, current.header_rows, profile, REPEATED_HEADER_MIN_NAMED)
                        if current.repeats_header else None)
            if repeated is not None:
                header_end = repeated.last_row
                task_note = (f"header read 「{_quoted_header(repeated, n_cols)}」 too faint to name the table's "
                             "columns; taken as the header the table repeats on its pages")
        else:
            reports.append(PageReport(page.page, PAGE_NOT_READ, columns=n_cols, message=(
                f"{n_cols} columns, no header: first row read 「{_describe_cells(page)}」")))
            _wait(waiting, len(reports) - 1, page, None)
            continue
        waiting.clear()
        assert current is not None and roles is not None
        reports.append(_read_page(current, page, header_end, roles, task_note, cells, profile))
    for table in tables:
        _carry_cut_agencies(table, reports, profile)
    built = tuple(_finish(t, cells, profile, source, first_is_lead, k, len(tables)) for k, t in enumerate(tables))
    return Structure(built, tuple(reports))


def _read_page(current: _TableState, page: PageCells, header_end: int, roles: dict[int, str], note: str,
               cells: _Cells, profile: TableProfile) -> PageReport:
    """The rows of one page taken into the table, and the page's report."""
    n_cols = _column_count(page)
    tolerance = _tolerance(page)
    heading = section_role(list(roles.values()))
    again = _repeated_headers(page, header_end, roles, profile)
    skipped = frozenset(ct.cell.cell_id for h in again for ct in page.cells
                        if h.first_row <= ct.cell.row <= h.last_row)
    page_rows, current.section = _page_rows(page, header_end, roles, current.section, heading, skipped)
    taken = {cell_id for row in page_rows for ids in row.cells.values() for cell_id in ids}
    taken |= {current.section} | skipped
    if heading and any(heading in r.cells for r in page_rows) and heading not in current.roles:
        current.roles.insert(SECTION_ROLES.index(heading), heading)
    carried = _carry_titles(current, page, roles, page_rows, profile)
    top_agencies = dict(page_rows[0].cells) if page_rows else {}
    upper_stop = ""
    if current.rows and page_rows:
        upper_stop = cells.text(current.rows[-1].cells.get("requirement", [])).rstrip()[-1:]
    joined, left_below = 0, ()
    if current.rows and page_rows and current.pages and current.pages[-1] == page.page - 1:
        continues, left_below = _join_across_break(current.rows[-1], page_rows[0], cells, current.roles,
                                                   page_rows[1] if len(page_rows) > 1 else None)
        if continues:
            page_rows.pop(0)
            joined = 1
    lost_columns = _columns_not_on_page(current, roles, page_rows, profile)
    _cut_agencies(current, page, page_rows, top_agencies, cells)
    current.merged_agencies |= _merged_agency_roles(page_rows, cells)
    below = [] if page_rows or joined else [
        _compact(ct.text) for ct in sorted(page.cells, key=lambda ct: (ct.cell.row, ct.cell.col))
        if ct.cell.row > header_end and ct.text.strip()]
    if below:
        # Text below the header and no row taken from it: the page is not read, and says so.
        return PageReport(page.page, PAGE_NOT_READ, columns=n_cols, message=(
            f"{n_cols} columns, no row read from the text below the header: 「{' | '.join(below[:4])}」"))
    current.rows.extend(page_rows)
    current.pages.append(page.page)
    message = f"{len(page_rows)} rows" + (", first row continues the previous page's" if joined else "")
    if joined and upper_stop in SENTENCE_END:
        # run on past a stop (its agency cut by the break): the stop is a speck or the draft's own
        message += f" past the {upper_stop} that ends its requirement there (a speck, or the draft's own stop)"
    if left_below:
        message += (f"; 「{' | '.join(_compact(cells.text([c])) for c in left_below)}」 beside it, merged down"
                    " into the row below, is taken for that row's only")
    if note:
        message += f"; {note}"
    for h in again:
        message += f"; the header printed again (grid row {h.first_row + 1}) is no row: 「{_quoted_header(h, n_cols)}」"
    if carried:
        message += f"; {carried}"
    if lost_columns:
        message += f"; {lost_columns}"
    lost, rowless = _kept_out(page, header_end, roles, taken)
    if lost:
        message += f"; text outside the table's columns kept out: {lost}"
    if rowless:
        message += f"; text in no row kept out: {rowless}"
    merged = _merged_message(current, page, tolerance, profile)
    if merged:
        message += f"; {merged}"
    split = _split_message(roles, profile)
    if split:
        message += f"; {split}"
    running_on = [_compact(ct.text) for ct in page.cells
                  if ct.cell.row <= header_end < ct.cell.row + ct.cell.row_span - 1 and ct.text.strip()]
    if running_on:  # its ruling below lost: what it holds below the header is in no row
        message += f"; a header cell runs on into the rows below it, its text not read into them: " \
                   f"「{' | '.join(running_on)}」"
    if page.margin_text:  # title, caption, a 注： note: never a cell, but never lost either
        message += f"; printed around the table: {' / '.join(_compact(t) for t in page.margin_text)}"
    return PageReport(page.page, PAGE_READ, len(page_rows) + joined, n_cols, message)


def _merged_agency_roles(page_rows: Sequence[_RawRow], cells: _Cells) -> set[str]:
    """The agency roles of which one cell with text stands beside two rows of the page (merged)."""
    return {role for role in AGENCY_FIELDS for a, b in pairwise(page_rows)
            if a.cells.get(role) and a.cells.get(role) == b.cells.get(role) and cells.text(a.cells[role]).strip()}


def _cut_agencies(current: _TableState, page: PageCells, page_rows: list[_RawRow], top: dict[str, list[str]],
                  cells: _Cells) -> None:
    """Note the page's first rows whose agency cell is blank (`top`: the cells of the page's first row)
    under a row before that names one: the blank part of an agency cell merged down rows that the page
    break cut, when the draft merges that role's cells (see _carry_cut_agencies)."""
    if not page_rows or not current.rows or not current.pages or current.pages[-1] != page.page - 1:
        return
    for role in AGENCY_FIELDS:
        blank, before = top.get(role), current.rows[-1].cells.get(role, [])
        kept = [c for c in before if c not in (blank or [])]
        if not blank or cells.text(blank).strip() or not cells.text(kept).strip():
            continue
        under = [row for row in page_rows if row.cells.get(role) == blank]
        if under:
            current.cut_agencies.append((page.page, role, under, kept))


def _carry_cut_agencies(table: _TableState, reports: list[PageReport], profile: TableProfile) -> None:
    """An agency cell merged down rows that a page break cuts is printed in its first part only: the
    rows under its blank part on the next page keep the agency of the row before, when the draft
    merges that role's cells anywhere (one cell beside two rows of a page); each such field is marked
    carried (repair flags it) and that page's report says so. Held-out probe, Word tables of the
    Songjiang and Fengxian plans with equal leads merged down consecutive rows: 区应急局 and 区卫生健康委
    were left on the page before, the rows under them read with no lead (the draft's first merge may
    be the one cut: the whole table is read first)."""
    for page_no, role, under, kept in table.cut_agencies:
        if role not in table.merged_agencies:
            continue
        for row in under:
            row.cells[role] = list(kept)
            row.carried.add(role)
        at = next(k for k, report in enumerate(reports) if report.page == page_no)
        reports[at] = replace(reports[at], message=(
            f"{reports[at].message}; {len(under)} rows under a {profile.column_name(role)} cell merged across "
            f"the page break keep the row before's, flagged"))


def _carry_titles(current: _TableState, page: PageCells, roles: dict[int, str], page_rows: list[_RawRow],
                  profile: TableProfile) -> str:
    """A page read without a column of CARRIED_ROLES that the table has (its rulings lost: the grid
    found no such column) continues the title of the row before it, the merged title cell running on
    from the page before; each such field is marked carried (repair flags it) and the page's report
    says so. Returns those words ("" when nothing was carried)."""
    if not page_rows or not current.rows or not current.pages or current.pages[-1] != page.page - 1:
        return ""
    absent = _columns_absent(current, roles)
    carried = [r for r in CARRIED_ROLES if r in absent and current.rows[-1].cells.get(r)]
    for role in carried:
        for row in page_rows:
            row.cells[role] = list(current.rows[-1].cells[role][-1:])
            row.carried.add(role)
    return "; ".join(f"no {profile.column_name(role)} column found on this page (its rulings lost): its "
                     f"{len(page_rows)} rows keep the row before's, flagged" for role in carried)


def _columns_absent(current: _TableState, roles: dict[int, str]) -> list[str]:
    """The roles of the table's columns (not a full-width section row's) that a page read with `roles`
    has no column for, in the table's order."""
    present = set(roles.values())
    return [r for r in dict.fromkeys(current.role_of_col.values()) if r not in present]


def _columns_not_on_page(current: _TableState, roles: dict[int, str], page_rows: list[_RawRow],
                         profile: TableProfile) -> str:
    """The table's columns this page has none for and that no title carried over fills (a ruling lost at
    the table's side: the grid found fewer columns and geometry mapped the rest): the rows that start on
    the page get the field empty, marked lost (repair flags `column_not_on_page`), and the page's report
    names the column. The held-out Fengxian plan's Word table under augraphy Folding (tests/wordscan.py
    folding, seed 25), page 5, before grid._bent_row_border: the fold bent the table's right side, the
    grid lost the 配合单位 column, and the page's 8 rows were written with no support agency and nothing
    said. Returns those words ("" when the page has every column)."""
    lost = [r for r in _columns_absent(current, roles) if not any(r in row.carried for row in page_rows)] \
        if page_rows else []
    for role in lost:
        for row in page_rows:
            row.cells.setdefault(role, [])
            row.lost.add(role)
    return "; ".join(f"no {profile.column_name(role)} column found on this page (its rulings lost?): its "
                     f"{len(page_rows)} rows have none, flagged" for role in lost)


def _complete_header(header: Header, page: PageCells, later: Sequence[PageCells],
                     later_headers: Sequence[Header | None], profile: TableProfile) -> tuple[Header, str]:
    """A header that leaves columns without a known role, completed from the next header page's when
    that page repeats it: the same columns (by position), and no known role named otherwise. Toner
    streaks over a first page's header left its 牵头单位 cell blank and read 二级指标 as 一级旨 (no
    role); the page started a table of three roles and the next page's full header, whose columns no
    longer all mapped to it, started another (qingpu/dirty-drum: 3 tables, 8 rows in the first).
    Returns the header and words for the report ("" when nothing was taken)."""
    unnamed = {c for c in range(_column_count(page)) if _unknown(header.roles.get(c, OTHER_ROLE_PREFIX))}
    if not unnamed:
        return header, ""
    for other_page, other in zip(later, later_headers, strict=True):
        if not other_page.grid.cells:
            break
        if other is None:
            continue
        mapping = map_by_geometry(page.grid.col_lines, other_page.grid.col_lines, _tolerance(page))
        if mapping is None or len(mapping) != _column_count(page):
            break
        here = {i: other.roles[j] for j, i in mapping.items() if j in other.roles}
        if _contradicts(header, here):
            break
        taken = {i: here[i] for i in sorted(unnamed)
                 if not _unknown(here.get(i, OTHER_ROLE_PREFIX)) and here[i] not in header.roles.values()}
        if not taken:
            break
        texts = {i: other.texts.get(j, "") for j, i in mapping.items() if i in taken}
        names = ", ".join(f"{profile.column_name(role)} (read 「{header.texts.get(i, '')}」)"
                          for i, role in taken.items())
        return (replace(header, roles={**header.roles, **taken}, texts={**header.texts, **texts}),
                f"header completed from p{other_page.page + 1}'s, which repeats it: {names}")
    return header, ""


def _read_waiting(current: _TableState, waiting: list[tuple[int, PageCells, Header | None]],
                  reports: list[PageReport], cells: _Cells, profile: TableProfile, header_page: PageCells,
                  table_header: Header) -> None:
    """The pages just before `header_page` whose header could not be mapped (a toner streak over the
    header row of a first page: 级指标 | 级指标 | 作要 | ∅ | 配单位) read into the table that
    `header_page`'s header starts, when every one of their columns lines up with its columns (as
    pages without a header are mapped); their report says so, and keeps what their own header read.
    A header repeated on a later page is printed on the pages before it too, so a page whose header
    names fewer than two roles (配合单位 alone legible) is read when one of its first rows' cells names
    the role of its column: its first rows, as many as `table_header` has, are its header. A page whose
    columns do not line up, whose own header names a column otherwise, or whose first rows name no
    role of their column, stays not read."""
    margin: list[str] = []
    for index, page, waiting_header in waiting:
        tolerance = _tolerance(page)
        n_cols = _column_count(page)
        roles = _roles_by_geometry(current, page, tolerance)
        if roles is None or roles.keys() != set(range(n_cols)):
            continue
        if waiting_header is not None and _contradicts(waiting_header, roles):
            continue  # its own header names a column otherwise: another table
        how = f"columns mapped by their positions to the header of p{header_page.page + 1}"
        if waiting_header is not None:
            header_end = waiting_header.last_row
            note = f"header read 「{_quoted_header(waiting_header, n_cols)}」 not mapped; {how}"
        elif (faint := _faint_header(page, roles, table_header.last_row - table_header.first_row + 1,
                                     profile)) is not None:
            header_end = faint.last_row
            note = (f"header read 「{_quoted_header(faint, n_cols)}」 not mapped; {how}, its first "
                    f"{faint.last_row - faint.first_row + 1} row(s) taken as the header that page repeats")
        elif above := profile.header_row_in(page.margin_text):
            # The header printed above the grid, the rulings around it lost (LinesDegradation over our
            # renderer's Jiading plan, seed 22, page 1: its 12 rows were not read).
            header_end = -1
            note = f"its header printed above the grid (read 「{above}」, the rulings around it lost); {how}"
        else:
            continue
        margin += page.margin_text
        reports[index] = _read_page(current, page, header_end, roles, note, cells, profile)
    current.margin[:0] = margin  # in page order, ahead of the header page's own
    current.notes[:0] = margin


def _wait(waiting: list[tuple[int, PageCells, Header | None]], index: int, page: PageCells,
          header: Header | None) -> None:
    """A page not read (its report at `index`) waits for a header on the next page; the pages
    waiting are the run just before it (a gap ends the run)."""
    if waiting and waiting[-1][1].page != page.page - 1:
        waiting.clear()
    waiting.append((index, page, header))


def _faint_header(page: PageCells, roles: dict[int, str], n_rows: int, profile: TableProfile,
                  min_named: int = 1) -> Header | None:
    """The page's first `n_rows` grid rows as its header when at least `min_named` of their cells name
    the role their column has by geometry (`roles`); None when fewer do."""
    by_row = _by_row(page)
    rows = sorted(by_row)[:n_rows]
    if not rows:
        return None
    header_cells = [ct for row in rows for ct in by_row[row]]
    named = [ct for ct in header_cells
             if (match := profile.match_header(ct.text)) is not None and match.role == roles.get(ct.cell.col)]
    if len(named) < min_named:
        return None
    texts: dict[int, str] = {}
    for ct in sorted(header_cells, key=lambda ct: ct.cell.row):
        texts[ct.cell.col] = texts.get(ct.cell.col, "") + _compact(ct.text)
    return Header(rows[0], rows[-1], {}, texts)


def _task_from_heading(header: Header | None, profile: TableProfile) -> tuple[Header | None, str]:
    """A header with agency columns but no task column, whose one heading column is the task: 序号 |
    重点项目 | 责任单位 | 完成时限 (a project list; 重点项目 is a 二级 synonym in other tables, and this
    draft's second table had been not read at all, seen on a new user's 宝山区 draft). Only a heading
    that names no level (LEVEL_WORDS): a header whose 工作要求 cell a toner streak made unreadable
    still has its 一级/二级指标, and its page stays not read rather than read wrongly (dirty drum).
    The page's report says so."""
    if header is None:
        return header, ""
    present = set(header.roles.values())
    headings = [c for c, r in header.roles.items() if r in SECTION_ROLES]
    if "requirement" in present or not present & set(AGENCY_FIELDS) or len(headings) != 1 \
            or LEVEL_WORDS.search(header.texts.get(headings[0], "")):
        return header, ""
    col = headings[0]
    roles = {**header.roles, col: "requirement"}
    note = (f"{_compact(header.texts.get(col, '')) or profile.column_name(header.roles[col])} read as the "
            f"{profile.column_name('requirement')} column (the draft prints no other task column)")
    return replace(header, roles=roles), note


def _named_after(header: Header, current: _TableState | None, page: PageCells) -> set[str]:
    """The known roles a header names when its page comes right after the table's last page (set()
    otherwise): what _columns_found_again and _columns_lost weigh against the table's columns."""
    if current is None or not current.pages or current.pages[-1] != page.page - 1:
        return set()
    return {role for role in header.roles.values() if not _unknown(role)}


def _columns_found_again(header: Header, current: _TableState | None, page: PageCells,
                         profile: TableProfile) -> list[str]:
    """The roles a header on the page after the table names besides all of the table's, when the
    table's column lines all stand on this page too, the header names each of the table's columns
    there as the table does, and each column it adds lies outside the table's sides or inside a table
    column whose own header named its role too: the same table, whose pages before lost those columns
    (with a side, or a ruling between two columns), in the header's order; [] otherwise. Our renderer's
    Putuo plan under tests/degrade.py's lines-degradation at seed 18: pages 1-3 lost the table's left
    side and with it the 一级 column, page 4 kept it, and pages 4-5 were read as a second table (14 of
    38 rows in the first). The Jiading plan's Word table under tests/wordscan.py's bilevel-200 at seed
    19: page 1's grid, found from its text, lost the 工作要求 | 牵头单位 line under a header cell read
    工作要求牵头单位, and pages 2-5 were read as a second table (7 of 33 rows in the first). A column
    added inside a table column whose header names only its own role (完成时限 over a line inside
    工作要求) or a header that names the table's columns otherwise is another table."""
    named = _named_after(header, current, page)
    if current is None or not named > set(current.roles):
        return []
    sides = _side_tolerance(current, page, _tolerance(page))
    lines = page.grid.col_lines

    def at(x: int) -> int | None:
        return next((j for j, y in enumerate(lines) if abs(x - y) <= sides), None)

    where = [at(x) for x in current.col_lines]
    if any(j is None for j in where):
        return []
    for i, (j0, j1) in enumerate(pairwise(where)):
        role, own = header.roles.get(j0) if j1 == j0 + 1 else None, current.role_of_col.get(i)
        if role is not None and own is not None and not _unknown(role) and not _unknown(own) and role != own:
            return []
    added = [(col, role) for col, role in sorted(header.roles.items()) if role in named - set(current.roles)]
    left, right = current.col_lines[0], current.col_lines[-1]

    def merged_into(col: int, role: str) -> bool:
        """The page column `col` lies inside a table column whose header named `role` too."""
        inside = [i for i, (x0, x1) in enumerate(pairwise(current.col_lines))
                  if x0 - sides <= lines[col] and lines[col + 1] <= x1 + sides]
        own = current.role_of_col.get(inside[0]) if inside else None
        return own is not None and role in {m.role for m in profile.header_matches(current.headers.get(own, ""))}

    if not all(lines[col + 1] <= left + sides or lines[col] >= right - sides or merged_into(col, role)
               for col, role in added):
        return []
    return [role for _, role in added]


def _columns_lost(header: Header, current: _TableState | None, page: PageCells, profile: TableProfile) -> str:
    """The columns, in words, of the table on the page before that a header there does not name, when
    it names only some of them (and no other) and the page's grid lies inside that table's sides,
    narrower: the same table, whose other columns' rulings this page lost; "" otherwise. The Songjiang
    plan's Word table under tests/wordscan.py's photocopy at seed 17, page 6: a copier's haze left the
    grid only 工作要求 and 牵头单位, and the page's one item was read as a table of its own without its
    二级 title and support agencies, the run ending ok."""
    named = _named_after(header, current, page)
    if current is None or not named or not named < set(current.roles):
        return ""
    tolerance = _side_tolerance(current, page, _tolerance(page))
    left, right = page.grid.col_lines[0], page.grid.col_lines[-1]
    table_left, table_right = current.col_lines[0], current.col_lines[-1]
    if left < table_left - tolerance or right > table_right + tolerance \
            or right - left > table_right - table_left - tolerance:
        return ""
    return ", ".join(profile.column_name(role) for role in current.roles if role not in named)


def _missing_roles(roles: dict[int, str], profile: TableProfile) -> str:
    """The roles a header must name that it does not, in words ("" when none is missing)."""
    present = set(roles.values())
    missing = []
    if "requirement" not in present:
        missing.append(profile.column_name("requirement") + " (the task text)")
    if not present & set(AGENCY_FIELDS):
        missing.append(" or ".join(profile.column_name(r) for r in AGENCY_FIELDS))
    return ", ".join(missing)


def _side_tolerance(table: _TableState, page: PageCells, tolerance: float) -> float:
    """The tolerance the outer column lines of `table` and `page` match within (map_by_geometry): wider
    where either's grid was found from its text (FAINT_SIDE_TOLERANCE_CHARS)."""
    if not (table.from_text or page.grid.from_text):
        return tolerance
    return max(tolerance, FAINT_SIDE_TOLERANCE_CHARS * max(1, page.grid.char_height))


def _roles_by_geometry(table: _TableState, page: PageCells, tolerance: float) -> dict[int, str] | None:
    mapping = map_by_geometry(table.col_lines, page.grid.col_lines, tolerance, _side_tolerance(table, page, tolerance))
    if mapping is None or not any(table.role_of_col.get(i) == "requirement" for i in mapping.values()):
        return None
    return {j: table.role_of_col[i] for j, i in mapping.items() if i in table.role_of_col}


def _split_by_header(table: _TableState, roles: dict[int, str], reports: list[PageReport],
                     profile: TableProfile) -> tuple[dict[int, str], str]:
    """`roles` (a page's, by geometry) with a table column this page reads as two or more given the
    roles its header cell names, left to right in the profile's order, where that cell names as many
    roles as the page has columns inside it and the table has none of the others: the header page lost
    the ruling between them, this page has it (held-out fengxian/word-bilevel-200 at seed 20: page 1
    read 一级指标二级指标 as one column headed 级指标级指标, pages 2-6 have both columns and had joined
    each row's 一级 and 二级 titles). The table takes the roles from here on, and the reports of its
    pages read before the first such split say they read those columns as one; and a note."""
    out = dict(roles)
    notes = []
    order = {spec.name: k for k, spec in enumerate(profile.roles)}
    for role, cols in _cols_of(roles).items():
        if len(cols) < 2:
            continue
        header = table.headers.get(role, "")
        named = table.split_roles.get(role) or sorted({m.role for m in profile.header_matches(header)},
                                                      key=order.__getitem__)
        if len(named) != len(cols) or named[0] != role:
            continue
        names = "、".join(profile.column_name(r) for r in named)
        if role not in table.split_roles:
            if set(named[1:]) & set(table.roles):
                continue
            at = table.roles.index(role)
            table.roles[at + 1:at + 1] = named[1:]
            table.split_roles[role] = named
            joined = (f"{names} read as one column (its header 「{header}」 names them all; the ruling between "
                      f"them lost): their text kept in {profile.column_name(role)}")
            for k, report in enumerate(reports):
                if report.page in table.pages and report.status == PAGE_READ:
                    reports[k] = replace(report, message=f"{report.message}; {joined}")
        out.update(zip(sorted(cols), named, strict=True))
        notes.append(f"{profile.column_name(role)} read as {len(cols)} columns under its header 「{header}」, "
                     f"which names {names}: taken as those columns (the header page lost the ruling between them)")
    return out, "; ".join(notes)


def _lined_up(table: _TableState, page: PageCells, header: Header, tolerance: float) -> bool:
    """Whether a header page continues `table`: each of its columns lines up with one of the table's.
    A page with the table's number of column lines needs nothing more (a misread repeated header must
    not start a table). A page with an extra line needs its header to name each column as geometry
    does. A page with a ruling missing (read as one column, see merged_columns) needs its
    header to agree: each role it names is that of a table column the page column covers."""
    geometry = _roles_by_geometry(table, page, tolerance)
    if geometry is None:
        return False
    outside = set(range(_column_count(page))) - geometry.keys()
    if not all(_edge_sliver(page, col, header) for col in outside):
        return False
    header = replace(header, roles={c: r for c, r in header.roles.items() if c not in outside})
    lines = len(page.grid.col_lines) - len(outside)
    if lines == len(table.col_lines):
        return True
    if lines > len(table.col_lines):
        # A line inside one of the table's columns (a streak the grid kept: the held-out Putuo plan
        # under a dirty drum, seed 13, page 4) under a header cell that spans it: the header over the
        # extra column repeats its neighbour's, which geometry gives the same role (whatever role the
        # header's own reading gave the repeat: other:工作要求, or 三级 for a second 二级指标 on the
        # held-out Fengxian plan's page 5, seed 13). A table with other columns (附件2) names its own.
        # A header cell read as words naming no column (its ruling below lost, the title under it read
        # in: 一四开处综援 over 一级指标, the held-out Putuo plan under a dirty drum, seed 21, page 4)
        # stands where geometry puts a column the header names nowhere else.
        named = {role for role in header.roles.values() if not _unknown(role)}
        return all(role == geometry[col] or any(
            other != col and header.texts.get(col) and header.texts.get(other) == header.texts.get(col)
            and geometry[other] == geometry[col] for other in header.roles)
            or (_unknown(role) and geometry[col] not in named)
            for col, role in header.roles.items())
    sides = _side_tolerance(table, page, tolerance)
    mapping = map_by_geometry(table.col_lines, page.grid.col_lines, tolerance, sides) or {}
    merged = merged_columns(table.col_lines, page.grid.col_lines, tolerance, sides)
    covered = {j: {table.role_of_col.get(k) for k in (i, *merged.get(i, ()))} for j, i in mapping.items()}
    return any(not _unknown(r) for r in header.roles.values()) and all(
        role in covered.get(col, set()) for col, role in header.roles.items() if not _unknown(role))


#: A page column outside the table's lines narrower than this many character heights, under a header
#: cell that names no column, is an edge's sliver, not a column: a fax's dark edge kept as a ruling
#: right of the table (held-out Jiading plan's Word table by fax, seed 21, page 5, 40 px at 26 px
#: characters, its header read N) made the page a table of its own, 6 of 33 rows lost from the first.
#: A column of text holds two characters side by side and its padding; a narrow 备注 names its role.
EDGE_SLIVER_MAX_CHARS = 2.0


def _edge_sliver(page: PageCells, col: int, header: Header) -> bool:
    """Whether page column `col` (outside the table's lines) is an edge's sliver (EDGE_SLIVER_MAX_CHARS)."""
    lines = page.grid.col_lines
    narrow = lines[col + 1] - lines[col] < EDGE_SLIVER_MAX_CHARS * max(1, page.grid.char_height)
    return narrow and _unknown(header.roles.get(col, OTHER_ROLE_PREFIX))


def _column_name(table: _TableState, col: int, profile: TableProfile) -> str:
    role = table.role_of_col.get(col)
    return profile.column_name(role) if role else f"column {col + 1} (no role)"


def _merged_message(table: _TableState, page: PageCells, tolerance: float, profile: TableProfile) -> str:
    """Words for the table columns this page read as one (a ruling not found), "" when none."""
    if len(page.grid.col_lines) >= len(table.col_lines):
        return ""
    merged = merged_columns(table.col_lines, page.grid.col_lines, tolerance, _side_tolerance(table, page, tolerance))
    parts = []
    for kept, others in sorted(merged.items()):
        names = [_column_name(table, k, profile) for k in sorted([kept, *others])]
        parts.append(f"{' + '.join(names)} read as one column (a ruling not found; "
                     f"text kept in {_column_name(table, kept, profile)})")
    return "; ".join(parts)


def _split_message(roles: dict[int, str], profile: TableProfile) -> str:
    """Words for the table columns this page read as two or more (a line inside one that is no ruling
    of the table's: a streak kept), "" when none: their cells' texts are joined left to right, so a
    wrapped line cut by it reads out of order until a clerk puts it back."""
    return "; ".join(f"{profile.column_name(role)} read as {len(cols)} columns (page columns "
                     f"{', '.join(str(c + 1) for c in cols)}: a line inside it that is none of the table's), "
                     "their texts joined left to right" for role, cols in _cols_of(roles).items() if len(cols) > 1)


def _kept_out(page: PageCells, header_end: int, roles: dict[int, str], taken: set[str]) -> tuple[str, str]:
    """Texts of the page's data cells that no row took, for its report, joined by " | ": those in page
    columns that got no role (an extra border's sliver), and those in the table's columns that no row
    or section holds (`taken`: a full-width line that is no section heading, a cell beside no task)."""
    data = [ct for ct in page.cells if ct.cell.row > header_end and _compact(ct.text)]
    unmapped = [_compact(ct.text) for ct in data if ct.cell.col not in roles]
    rowless = [_compact(ct.text) for ct in data if ct.cell.col in roles and ct.cell.cell_id not in taken]
    return " | ".join(unmapped), " | ".join(rowless)


def _finish(state: _TableState, cells: _Cells, profile: TableProfile, source: str, first_is_lead: bool,
            index: int, count: int) -> Table:
    rows = []
    for raw in state.rows:
        values, sources = {}, {}
        for role, ids in raw.cells.items():
            if role in ITEM_ROLES and ids:
                ids = cells.parts(ids[0])
            values[role] = cells.text(ids)
            sources[role] = replace(_source(ids, cells.texts), carried=role in raw.carried, lost=role in raw.lost)
        rows.append(Row(values, MappingProxyType(sources)))
    lead_rule = first_is_lead or profile.states_first_is_lead(state.notes)
    roles = list(state.roles)
    if lead_rule and "responsible" in roles:
        roles = [r for r in roles if r != "responsible"]
    columns = profile.output_columns(roles, {r: t for r, t in state.headers.items()})
    caption = next((m.group(0) for m in map(CAPTION.match, (_compact(t) for t in state.margin)) if m), "")
    title = draft_title(state.margin)
    return Table(title=title, rows=tuple(rows), source=source, columns=columns,
                 caption="" if count == 1 else caption or f"表{index + 1}",
                 first_is_lead=lead_rule and "responsible" in state.roles)


def _item_joined(role: str, upper_text: str, lower_text: str, item_joined: bool, has_no: bool,
                 new_row: bool = False, new_item: bool = False) -> bool:
    """Whether the two parts of a heading/序号 column at a page break are one merged cell: an
    empty part continues the other; a part that starts with a new number starts a new one; a
    title without a number (the numbers are in a 序号 column) belongs to the item it sits beside.
    Where the draft numbers its items nowhere (no 序号 column, neither 二级 part numbered), a title
    with text on both sides runs on only beside a row that runs on (`new_row` False): a merged title
    is printed in its cell's first part, and runs on into the next page only when the row it sits
    in is cut too (held-out probe, a Word table of the Songjiang plan without item numbers: 推进生态清洁
    小流域建设 and 完善气象水文监测站网, the next item's title at the top of the next page, were one)."""
    if not upper_text or not lower_text:
        return True
    if role == "no":
        return not ITEM_NUMBER.match(lower_text)
    if role == "level1":
        return not LEVEL1_START.match(lower_text) and not (new_item and LEVEL1_MISREAD_START.match(lower_text))
    if role == "level2" and not has_no:
        if _starts_item(lower_text) or _numbers_next(upper_text, lower_text):
            return False
        return LEVEL2_START.match(upper_text) is not None or not new_row
    return item_joined


def _starts_item(text: str) -> bool:
    """Whether a 二级 title part starts with an item's number (LEVEL2_START, SPACED_NUMBER_START)."""
    spaced = SPACED_NUMBER_START.match(text)
    return bool(LEVEL2_START.match(text) or (spaced and spaced.group(1) not in MEASURE_WORDS))


def _numbers_next(upper_text: str, lower_text: str) -> bool:
    """Whether a title part starts with the number after the one the part above starts with, its stop
    lost or not: a drum's streak over the Songjiang plan's Word table (tests/wordscan.py dirty-drum,
    seed 17, page 6) read 28.推动长三角区域防汛协作 as 28推动…, and item 28, the page's one, was joined to
    item 27 on page 5."""
    upper, lower = LEADING_NUMBER.match(upper_text), LEADING_NUMBER.match(lower_text)
    if upper is None or lower is None:
        return False
    return int(lower.group(1)) == int(upper.group(1)) + 1


def _leads_on_both_sides(prev: _RawRow, first: _RawRow, cells: _Cells, roles: Sequence[str]) -> bool:
    """Whether the rows on both sides of a page break name their own lead agency. A row cut by the
    break is cut through every cell at one height, so its lead runs on to the next page only when it
    filled its upper part as the requirement did (区卫生健康委、区中医 | 医院 beside a requirement of two
    lines, held-out Fengxian plan, make eval lines-degradation). A lead that stops lines before the
    upper requirement does, and another lead below, are two rows, even when the upper requirement's
    。 is lost (a 1-bit light-toner scan, make eval bilevel-200: two sub-rows of Fengxian's item 27
    were read as one). A narrow cell's lines are read stitched into one: its lines are counted from
    the seams of its stitched lines where the recognizer keeps them, else from its characters at the
    page's character pitch (an upper bound of the cell's room: its padding is not known)."""
    role = next((r for r in LEAD_ROLES if r in roles), None)
    if role is None or not prev.cells.get(role) or not prev.cells.get("requirement"):
        return False
    upper = cells.text(prev.cells[role][-1:]).strip()
    lower = cells.text(first.cells.get(role, [])).strip()
    if len(HAN.findall(upper)) < LEAD_MIN_HAN or len(HAN.findall(lower)) < LEAD_MIN_HAN:
        return False
    requirement = cells.texts[prev.cells["requirement"][-1]]
    lines = [_compact(line) for line in requirement.text.split("\n") if line.strip()]
    if not lines:
        return False
    # the page's character pitch from the requirement's fullest line: a 1-bit page's broken strokes
    # make the measured character height no measure of it (qingpu/bilevel-200: 区文化 | 旅游局 split)
    pitch = requirement.cell.box.width / max(len(line) for line in lines)
    lead = cells.texts[prev.cells[role][-1]]
    per_line = max(1, int(lead.cell.box.width // pitch))
    # a stitched line's seams count its printed lines: held-out Putuo plan set in 14 pt by LibreOffice,
    # 区城运中心、区大数 | 据中心 read 区城运中心区大数 in three lines of three, where the characters at
    # the requirement's pitch (4 a line: the cells' padding counted as room) made two, and a new row
    own_lines = max(len([line for line in lead.text.split("\n") if line.strip()]),
                    sum(len(lattice.seams) + 1 for lattice in lead.lattices))
    lead_lines = max(own_lines, -(-len(_compact(upper)) // per_line))
    return lead_lines < len(lines)


def _name_cut_by_break(prev: _RawRow, first: _RawRow, cells: _Cells, roles: Sequence[str]) -> bool:
    """Whether an agency cell runs on across the page break: its upper part does not end at a separator
    and its lower part starts with the rest of a name (REST_OF_NAME_MAX_HAN)."""
    for role in (r for r in AGENCY_FIELDS if r in roles):
        upper = _compact(cells.text(prev.cells.get(role, [])[-1:]))
        lower = _compact(cells.text(first.cells.get(role, [])))
        head = BREAK_NAME_SEPARATORS.split(lower, maxsplit=1)[0]
        if upper and not BREAK_NAME_SEPARATORS.fullmatch(upper[-1]) \
                and 0 < len(HAN.findall(head)) <= REST_OF_NAME_MAX_HAN:
            return True
    return False


def _join_across_break(prev: _RawRow, first: _RawRow, cells: _Cells, roles: Sequence[str],
                       below: _RawRow | None = None) -> tuple[bool, tuple[str, ...]]:
    """Join what a page break cut: merged heading cells, and a row that runs on to the next page.

    Returns whether `first` continues `prev` and has been folded into it, and the ids of the agency
    cells of `first` left to the row `below`. An agency cell of the page's first row that runs down into
    the row below it is no sign that the first row is a row of its own when the row above the break
    names its own agency there: a cell the break cut shows its text on one side, and a merge that
    crossed the break would have shown it above. Its ruling was lost, and the name is the row below's.
    LinesDegradation over our renderer's Putuo plan at seed 26, held out, page 5: the 牵头 ruling under
    the row carried over from page 4 (…管业务必 | 须管安全…) faded, item 26's lead 区应急局 stood centred by
    chance in the cell so merged, and the carried rest of item 25 became a sub-row of its own with item
    26's lead (39 rows for 38).
    """
    has_no = "no" in roles
    prev_requirement = cells.text(prev.cells.get("requirement", [])).rstrip()
    first_requirement = cells.text(first.cells.get("requirement", [])).strip()
    # A cell of the requirement's that runs on across an agency column (the ruling between them lost
    # on this page) holds the requirement's text, not an agency's: held-out trial, LinesDegradation
    # over the Minhang plan laid out by LibreOffice, page 2, where 能，2029年底前实现街镇全覆盖。 ran on
    # from item 6 and was taken for a new sub-row naming its own lead.
    shared = set(first.cells.get("requirement", []))
    own = {r: [c for c in first.cells.get(r, []) if r == "requirement" or c not in shared] for r in roles}
    # A lower part names an agency of its own only with LEAD_MIN_HAN Han characters: 局 alone is the rest
    # of a name the break cut (held-out Putuo plan, augraphy BadPhotoCopy at seed 11: 公安普陀分 | 局, and
    # a speck read as 。 after the upper requirement's 车库 had made the row's rest a sub-row of its own).
    no_agencies = not any(len(HAN.findall(cells.text(own.get(r, [])))) >= LEAD_MIN_HAN for r in AGENCY_FIELDS)
    own_first = replace(first, cells=own)
    cut_name = _name_cut_by_break(prev, own_first, cells, roles)
    # an agency cell merged down into the row below, where the row above the break names its own agency
    merged_on = tuple(c for r in AGENCY_FIELDS if below is not None and cells.text(prev.cells.get(r, [])).strip()
                      for c in own.get(r, []) if c in below.cells.get(r, []))
    unmerged = replace(first, cells={r: [c for c in ids if c not in merged_on] for r, ids in own.items()})
    new_row = bool(first_requirement) and not no_agencies and not cut_name and (
        prev_requirement.endswith(SENTENCE_END) or _leads_on_both_sides(prev, unmerged, cells, roles))
    same_item = False
    # the row above from a page without the 二级 column (one that lost its ruling, _split_by_header) is
    # judged as a table without it
    item_role = "no" if has_no else ("level2" if "level2" in roles and prev.cells.get("level2") else None)
    # whether the lower row starts an item by its number (a 一级 part beside it may then be a new group)
    upper_item = cells.text(cells.parts(prev.cells[item_role][-1])) if item_role and prev.cells.get(item_role) else ""
    lower_item = cells.text(cells.parts(first.cells[item_role][0])) if item_role and first.cells.get(item_role) else ""
    new_item = bool(ITEM_NUMBER.match(lower_item) if has_no
                    else _starts_item(lower_item) or _numbers_next(upper_item, lower_item))
    for role in (r for r in ITEM_ROLES if r in roles):
        if not prev.cells.get(role) or not first.cells.get(role):
            continue
        upper, lower = prev.cells[role][-1], first.cells[role][0]
        if cells.parts(upper) == cells.parts(lower):
            same_item = same_item or role == item_role
            continue
        upper_text, lower_text = cells.text(cells.parts(upper)), cells.text(cells.parts(lower))
        if _item_joined(role, upper_text, lower_text, same_item, has_no, new_row, new_item):
            cells.join(upper, lower)
            same_item = same_item or role == item_role
    if item_role is None:
        # No item column: only a row with nothing but text continues the one above.
        same_item = not any(cells.text(first.cells.get(r, [])).strip() for r in roles if r != "requirement")
    if not same_item:
        return False, ()
    if new_row:
        return False, ()  # a new sub-row of the same item starts the page
    for role in roles:
        if role in ITEM_ROLES:
            continue
        prev.cells[role] = list(dict.fromkeys(prev.cells.get(role, []) + unmerged.cells[role]))
    return True, tuple(c for c in merged_on if cells.text([c]).strip())


def draft_title(margin: Sequence[str]) -> str:
    """The draft's title among the lines printed around its table (TITLE_MARK, else DOCUMENT_NAME),
    or "" when none reads as one."""
    lines = [_compact(t) for t in margin]
    marked = [i for i, t in enumerate(lines) if TITLE_MARK.search(t)]
    named = [i for i, t in enumerate(lines)
             if DOCUMENT_NAME.search(t) and len(HAN.findall(t)) >= TITLE_MIN_HAN]
    if not marked and not named:
        return ""
    i = (marked or named)[0]
    previous = lines[i - 1] if i else ""
    if TITLE_CONTINUED.match(lines[i]) and previous and not CAPTION_LINE.match(previous) \
            and not previous.endswith(SENTENCE_END):
        return previous + lines[i]
    return lines[i]


def _source(cell_ids: Sequence[str], texts: dict[str, CellText]) -> FieldSource:
    if not cell_ids:
        return FieldSource()
    found = [texts[c] for c in dict.fromkeys(cell_ids)]
    first: Cell = found[0].cell
    filled = [c.text for c in found if c.text]
    ends = list(accumulate(len(t) + 1 for t in filled))[:-1]
    return FieldSource(
        cell_ids=tuple(c.cell.cell_id for c in found),
        page=first.page,
        box=first.box,
        raw="\n".join(filled),
        confidence=float(np.mean([c.confidence for c in found])),
        engine=found[0].engine,
        illegible=tuple(t for c in found for t in c.illegible),
        lattices=tuple(lat for c in found for lat in c.lattices)
        if all(c.lattices or not c.text for c in found) else (),
        cell_breaks=tuple(end - 1 for end in ends),
    )


def build_table(pages: Sequence[PageCells], profile: TableProfile, source: str = "") -> Table:
    """The first table of the pages (an empty table when none): the one-table view of build_tables."""
    tables = build_tables(pages, profile, source).tables
    return tables[0] if tables else Table(title="", rows=(), source=source)
