"""The held-out truth files (Songjiang flood, Jiading elderly care, Minhang waste sorting, Fengxian primary
health care, Putuo urban-operation safety): well formed, and kept out of the lexicon.

Accuracy measured on these documents means something only while the repair stage has never been
told their answers. The lexicon is parsed here with a few lines of our own (the format is documented in
agency_lexicon.txt's header and in pipeline/lexicon.py), so the guard keeps working whatever the
pipeline's own parser becomes.
"""

from __future__ import annotations

import csv
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
LEXICON = ROOT / "agency_lexicon.txt"
QINGPU = DATA / "qingpu_v1.csv"

AGENCY_SEPARATOR = "、"
#: Characters no agency name may contain (the lexicon's rule: they split names or fields).
NAME_FORBIDDEN = frozenset(" \t\r\n\u3000、,，;；|")
NUMERALS = "一二三四五六七八九十"
LEVEL1_RE = re.compile(rf"^([{NUMERALS}]+)、(\S.*)$")


@dataclass(frozen=True)
class Doc:
    """One held-out truth file and the figures its brief asks of it."""

    name: str
    header: tuple[str, ...]
    district: str


SONGJIANG = Doc(
    "songjiang_flood_v1.csv", ("序号", "一级指标", "二级指标", "工作要求", "牵头单位", "配合单位", "完成时限"), "松江"
)
JIADING = Doc(
    "jiading_elderly_v1.csv",
    ("序号", "一级指标", "二级指标", "三级指标", "工作要求", "牵头单位", "配合单位", "备注"),
    "嘉定",
)
MINHANG = Doc("minhang_waste_v1.csv", ("序号", "一级指标", "二级指标", "工作要求", "牵头单位", "配合单位"), "闵行")
FENGXIAN = Doc("fengxian_health_v1.csv", ("序号", "一级指标", "二级指标", "工作要求", "牵头单位", "配合单位"), "奉贤")
PUTUO = Doc("putuo_safety_v1.csv", ("序号", "一级指标", "二级指标", "工作要求", "牵头单位", "配合单位"), "普陀")
DOCS = (SONGJIANG, JIADING, MINHANG, FENGXIAN, PUTUO)

# Size of a document, as the brief for these files sets it (a realistic district 职责分工 table).
LEVEL1_RANGE = (4, 6)
ITEM_RANGE = (26, 32)
ROW_RANGE = (32, 40)
#: At least this many items have 2-3 sub-rows (the merged-cell case the structure stage must fill).
MIN_ITEMS_WITH_SUBROWS = 3
MAX_SUBROWS = 3
# 工作要求 lengths in characters: ordinary cells, and the two or three that run across a page break.
REQUIREMENT_RANGE = (30, 220)
LONG_REQUIREMENT = 400
LONG_REQUIREMENT_COUNT = (2, 3)
#: At least this share of a file's distinct agency names is unknown to the lexicon, so that the
#: unknown-name path (kept as read, never snapped) is measured. Was 0.5 before the district base;
#: with it the files keep 42% (Songjiang) and 38% (Jiading) unknown.
MIN_UNKNOWN_AGENCY_SHARE = 0.35
#: Rows that write a name with its district inside (松江区水务局, 上海市嘉定区民政局), as real drafts do.
MIN_PREFIXED_ROWS = 3
# 三级指标 (Jiading): a short sub-heading.
LEVEL3_LEN = (4, 10)
# 备注 (Jiading): mostly empty, a few short notes.
REMARKS_RANGE = (2, 8)
REMARK_MAX_LEN = 12
DEADLINE_RE = re.compile(
    r"^(20\d\d年(\d{1,2}月底|底|汛期)前|长期坚持|持续推进|每年汛期前|每年\d{1,2}月底前)$"
)
#: Punctuation the renderer and OCR must cope with; each appears somewhere in each file.
PUNCTUATION = "、，；。“”（）《》"

#: Agency names of the held-out files that were already in agency_lexicon.txt when the files were
#: written (generic district agencies the Qingpu document also has, or the lexicon's "other agencies"
#: block). Every other held-out name must stay out of the lexicon: adding one would leak an answer.
SHARED_WITH_LEXICON = frozenset(
    {
        "区人力资源社会保障局", "区农业农村委", "区医保局", "区卫生健康委", "区发改委", "区司法局",
        "区国资委", "区城管执法局", "区妇联", "区委组织部", "区审计局", "区市场监管局", "区府办",
        "区应急局", "区建设管理委", "区总工会", "区房管局", "区教育局", "区文化旅游局", "区文明办",
        "区残联", "区民政局", "区水务局", "区消防救援支队", "区生态环境局", "区科委", "区绿化市容局",
        "区融媒体中心", "区财政局", "各街镇", "团区委",
    }
) | frozenset(
    # Added with the district base (issue 13: agencies as district knowledge), written from general
    # knowledge of a Shanghai district government before the held-out files were compared: every
    # district has a 公安X分局, and these departments are common ones. Listed here in the open; the
    # held-out files keep 16 and 20 names the lexicon does not know (区数据局, 区城运中心, 区老龄办 …).
    {"公安松江分局", "公安嘉定分局", "区交通委", "区商务委", "区经委", "区体育局", "区委老干部局", "区金融办"}
) | frozenset(
    # Minhang (written after the district base): names the lexicon already had when the file was written,
    # its common part (区机管局, 区委宣传部, 区大数据中心) and its 闵行区 section (公安闵行分局).
    {"公安闵行分局", "区机管局", "区委宣传部", "区大数据中心"}
) | frozenset(
    # Fengxian (written after Minhang): names the lexicon already had when the file was written, its common
    # part (区委编办, 区红十字会) and its 奉贤区 section (公安奉贤分局).
    {"公安奉贤分局", "区委编办", "区红十字会"}
) | frozenset(
    # Putuo file (written after Fengxian): names the lexicon already had when the file was written, its common
    # part (各相关职能部门) and its 普陀区 section (公安普陀分局).
    {"公安普陀分局", "各相关职能部门"}
)


def read_doc(doc: Doc) -> list[dict[str, str]]:
    """The file's rows; the header is checked by `test_header_and_encoding`."""
    with (DATA / doc.name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def agencies(cell: str) -> list[str]:
    return [name for name in cell.split(AGENCY_SEPARATOR) if name]


def row_agencies(row: dict[str, str]) -> list[str]:
    return agencies(row["牵头单位"]) + agencies(row["配合单位"])


def numeral_value(numeral: str) -> int:
    """一 … 九十九 → 1 … 99 (0 for anything else); enough for 一级 numbering."""
    digits = NUMERALS[:-1]
    if "十" not in numeral:
        return digits.index(numeral) + 1 if len(numeral) == 1 and numeral in digits else 0
    tens, _, ones = numeral.partition("十")
    if len(tens) > 1 or len(ones) > 1 or (tens and tens not in digits) or (ones and ones not in digits):
        return 0
    return (digits.index(tens) + 1 if tens else 1) * 10 + (digits.index(ones) + 1 if ones else 0)


@dataclass(frozen=True)
class LexiconEntries:
    """What the lexicon file declares: every agency spelling (canonical and alias) and every title."""

    spellings: frozenset[str]
    titles: frozenset[str]


def parse_lexicon_simply(text: str) -> LexiconEntries:
    """`kind: a | b | c` lines; `#` comments and blank lines skipped. agency: all fields are spellings;
    level1: NUMERAL | TITLE; level2: NUMBER | NUMERAL | TITLE (the title is the last field)."""
    spellings: set[str] = set()
    titles: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        kind, _, rest = line.partition(":")
        fields = [part.strip() for part in rest.split("|")]
        if kind.strip() == "agency":
            spellings.update(field for field in fields if field)
        elif kind.strip() in ("level1", "level2"):
            titles.add(fields[-1])
    return LexiconEntries(frozenset(spellings), frozenset(titles))


def leaks(lexicon_text: str) -> list[str]:
    """Held-out answers found in the lexicon text: agency names beyond the shared ones, and titles."""
    entries = parse_lexicon_simply(lexicon_text)
    found: list[str] = []
    for doc in DOCS:
        rows = read_doc(doc)
        names = {name for row in rows for name in row_agencies(row)}
        found += sorted(f"agency {name}" for name in names - SHARED_WITH_LEXICON if name in entries.spellings)
        for title in sorted({row["二级指标"] for row in rows}):
            # Substring of the whole text: an alias, a comment or a level2 line all give the answer away.
            if title in entries.titles or title in lexicon_text:
                found.append(f"二级 {title}")
        for heading in sorted({LEVEL1_RE.match(row["一级指标"]).group(2) for row in rows}):
            if heading in entries.titles or heading in lexicon_text:
                found.append(f"一级 {heading}")
    return found


# --- format -------------------------------------------------------------------------------------


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_header_and_encoding(doc: Doc) -> None:
    raw = (DATA / doc.name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM"
    raw.decode("utf-8")
    with (DATA / doc.name).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == doc.header
        for row in reader:
            assert None not in row and all(value is not None for value in row.values()), row


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_numbering_runs_without_gaps(doc: Doc) -> None:
    rows = read_doc(doc)
    numbers = [row["序号"] for row in rows]
    assert all(n.isascii() and n.isdigit() for n in numbers), numbers
    values = [int(n) for n in numbers]
    assert values[0] == 1
    for before, after in itertools.pairwise(values):
        assert after in (before, before + 1), (before, after)
    items = sorted(set(values))
    assert items == list(range(1, len(items) + 1))
    assert ITEM_RANGE[0] <= len(items) <= ITEM_RANGE[1], len(items)
    assert ROW_RANGE[0] <= len(rows) <= ROW_RANGE[1], len(rows)
    subrows = [values.count(item) for item in items]
    assert max(subrows) <= MAX_SUBROWS
    assert sum(count > 1 for count in subrows) >= MIN_ITEMS_WITH_SUBROWS


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_headings_run_in_order(doc: Doc) -> None:
    rows = read_doc(doc)
    level1_values: list[int] = []
    for row in rows:
        match = LEVEL1_RE.match(row["一级指标"])
        assert match, row["一级指标"]
        level1_values.append(numeral_value(match.group(1)))
    for before, after in itertools.pairwise(level1_values):
        assert after in (before, before + 1), (before, after)
    assert level1_values[0] == 1
    assert LEVEL1_RANGE[0] <= level1_values[-1] <= LEVEL1_RANGE[1]
    assert len({row["一级指标"] for row in rows}) == level1_values[-1], "one title per numeral"

    by_item: dict[str, tuple[str, str]] = {}
    for row in rows:
        title = row["二级指标"]
        assert title and not re.match(r"^[\d（(]", title), f"二级 without its number: {title!r}"
        assert not any(ch.isspace() for ch in title), title
        by_item.setdefault(row["序号"], (row["一级指标"], title))
        assert by_item[row["序号"]] == (row["一级指标"], title), "sub-rows repeat 一级 and 二级"
    titles = [title for _, title in by_item.values()]
    assert len(set(titles)) == len(titles), "each item has its own 二级 title"


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_requirements_vary_like_real_drafts(doc: Doc) -> None:
    rows = read_doc(doc)
    lengths = [len(row["工作要求"]) for row in rows]
    long = [n for n in lengths if n >= LONG_REQUIREMENT]
    assert LONG_REQUIREMENT_COUNT[0] <= len(long) <= LONG_REQUIREMENT_COUNT[1], long
    ordinary = [n for n in lengths if n < LONG_REQUIREMENT]
    assert all(REQUIREMENT_RANGE[0] <= n <= REQUIREMENT_RANGE[1] for n in ordinary), sorted(ordinary)
    text = "".join(row["工作要求"] for row in rows)
    assert not set(PUNCTUATION) - set(text), set(PUNCTUATION) - set(text)
    assert re.search(r"\d+%以上", text) and re.search(r"20\d\d年", text)
    assert re.search(r"(^|[。；：])1\.|（1）", text), "a numbered list inside a requirement"
    assert not any(ch.isspace() for ch in text), "no stray spaces or line breaks inside cells"


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_agency_cells(doc: Doc) -> None:
    rows = read_doc(doc)
    for row in rows:
        assert agencies(row["牵头单位"]), f"item {row['序号']} has a lead"
        names = row_agencies(row)
        assert len(names) == len(set(names)), f"item {row['序号']} names an agency twice: {names}"
        for field in ("牵头单位", "配合单位"):
            assert not row[field].startswith(AGENCY_SEPARATOR) and not row[field].endswith(AGENCY_SEPARATOR)
        for name in names:
            assert not set(name) & NAME_FORBIDDEN, name
    assert any(len(agencies(row["牵头单位"])) > 1 for row in rows), "some rows have two leads"
    assert any(not row["配合单位"] for row in rows), "配合 may be empty"
    prefixed = [row for row in rows if any(doc.district + "区" in name for name in row_agencies(row))]
    assert len(prefixed) >= MIN_PREFIXED_ROWS, len(prefixed)


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_agencies_mostly_unknown_to_the_lexicon(doc: Doc) -> None:
    entries = parse_lexicon_simply(LEXICON.read_text(encoding="utf-8"))
    names = {name for row in read_doc(doc) for name in row_agencies(row)}
    unknown = names - entries.spellings
    assert len(unknown) / len(names) >= MIN_UNKNOWN_AGENCY_SHARE, (len(unknown), len(names))
    # The names shared with the lexicon are written as its canonical spelling would print them,
    # never as an alias the repair stage rewrites (which would make the truth disagree with itself).
    aliases = {
        field
        for line in LEXICON.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("agency:")
        for field in (part.strip() for part in line.partition(":")[2].split("|")[1:])
    }
    assert not names & aliases, names & aliases


def test_songjiang_deadlines() -> None:
    rows = read_doc(SONGJIANG)
    for row in rows:
        assert DEADLINE_RE.match(row["完成时限"]), row["完成时限"]
    assert len({row["完成时限"] for row in rows}) >= 6, "deadlines vary"


def test_jiading_level3_and_remarks() -> None:
    rows = read_doc(JIADING)
    for row in rows:
        assert LEVEL3_LEN[0] <= len(row["三级指标"]) <= LEVEL3_LEN[1], row["三级指标"]
        assert len(row["备注"]) <= REMARK_MAX_LEN, row["备注"]
    items_of: dict[str, set[str]] = {}
    for row in rows:
        items_of.setdefault(row["三级指标"], set()).add(row["序号"])
    assert any(len(items) > 1 for items in items_of.values()), "a 三级 heading spans several items"
    remarks = [row["备注"] for row in rows if row["备注"]]
    assert REMARKS_RANGE[0] <= len(remarks) <= REMARKS_RANGE[1], remarks


# --- held out -----------------------------------------------------------------------------------


def test_documents_differ_from_qingpu() -> None:
    with QINGPU.open(encoding="utf-8", newline="") as fh:
        qingpu = list(csv.DictReader(fh))
    qingpu_titles = {row["二级指标"] for row in qingpu} | {row["一级指标"].partition("、")[2] for row in qingpu}
    for doc in DOCS:
        rows = read_doc(doc)
        titles = {row["二级指标"] for row in rows} | {row["一级指标"].partition("、")[2] for row in rows}
        assert not titles & qingpu_titles, titles & qingpu_titles
        text = (DATA / doc.name).read_text(encoding="utf-8")
        assert "青浦" not in text
        assert doc.district in text
    for one, other in itertools.combinations(DOCS, 2):
        assert not {row["二级指标"] for row in read_doc(one)} & {row["二级指标"] for row in read_doc(other)}


def test_lexicon_holds_no_heldout_answer() -> None:
    """The guard: no held-out agency the lexicon lacked, and no held-out title, may enter agency_lexicon.txt."""
    assert leaks(LEXICON.read_text(encoding="utf-8")) == []


def test_shared_names_are_in_both() -> None:
    """SHARED_WITH_LEXICON lists only names the held-out files use and the lexicon has (no stale entries
    that would silently widen the guard's exemption)."""
    entries = parse_lexicon_simply(LEXICON.read_text(encoding="utf-8"))
    used = {name for doc in DOCS for row in read_doc(doc) for name in row_agencies(row)}
    assert SHARED_WITH_LEXICON <= used
    assert SHARED_WITH_LEXICON <= entries.spellings


@pytest.mark.parametrize(
    ("addition", "expected"),
    [
        ("agency: 区气象局\n", "agency 区气象局"),
        ("agency: 区水务局 | 松江区水务局\n", "agency 松江区水务局"),
        ("level2: 27 | 五 | 推进老旧小区防汛设施改造\n", "二级 推进老旧小区防汛设施改造"),
        ("# 嘉定: 发展农村互助式养老\n", "二级 发展农村互助式养老"),
        ("level1: 六 | 推进医养康养深度融合\n", "一级 推进医养康养深度融合"),
    ],
)
def test_guard_catches_a_leak(addition: str, expected: str) -> None:
    """The guard can fail: a lexicon with one held-out answer added is caught, naming it."""
    text = LEXICON.read_text(encoding="utf-8")
    assert leaks(text + "\n" + addition) == [expected]
