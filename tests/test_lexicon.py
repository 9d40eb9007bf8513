"""The lexicon file: parsing, error messages naming the line, and learning new agencies."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.errors import LexiconError
from pipeline.fileio import read_csv_rows
from pipeline.lexicon import (
    DISTRICTS,
    conflicts,
    district_named,
    document_key,
    learn,
    learn_agencies,
    load_lexicon,
    load_lexicons,
    normalize_district,
    numeral_of,
    numeral_value,
    parse_lexicon,
    previous_knowledge,
)
from pipeline.models import AGENCY_SEPARATOR

ROOT = Path(__file__).resolve().parent.parent
LEXICON = ROOT / "agency_lexicon.txt"
TRUTH = ROOT / "tests" / "data" / "qingpu_v1.csv"


QINGPU_TITLE = "《青浦区加强中小学幼儿园安全风险防控体系建设的实施方案》职责分工（送审稿）"


def test_qingpu_agencies_are_district_knowledge_and_its_titles_a_document_section() -> None:
    """The Qingpu draft's agencies are known to a Qingpu view of the base; its titles live in the
    section named by its document, and nowhere else."""
    lexicon = load_lexicon(LEXICON)
    qingpu = lexicon.view("青浦区")
    sections = [d for d in lexicon.documents if document_key(d.title) == document_key(QINGPU_TITLE)]
    assert len(sections) == 1 and len(lexicon.documents) == 1
    section = qingpu.view("青浦区", sections[0])
    for row in read_csv_rows(TRUTH):
        for field in ("牵头单位", "配合单位"):
            for name in filter(None, row[field].split(AGENCY_SEPARATOR)):
                assert qingpu.canonical_of.get(name) == name, name
        known = section.level2_by_number[int(row["序号"])]
        assert known.title == row["二级指标"]
        assert section.level1_by_numeral[known.parent].text == row["一级指标"]
    assert lexicon.level2 == () and qingpu.level2 == (), "no titles outside a document's view"


def test_the_base_is_more_than_one_draft() -> None:
    """The common part holds the departments every district has, not one draft's answer key."""
    lexicon = load_lexicon(LEXICON)
    common = {a.name for a in lexicon.agencies if not a.district}
    truth = {name for row in read_csv_rows(TRUTH) for field in ("牵头单位", "配合单位")
             for name in filter(None, row[field].split(AGENCY_SEPARATOR))}
    assert len(common - truth) >= 40
    for department in ("区发改委", "区卫生健康委", "区市场监管局", "区规划资源局", "区民政局", "区体育局"):
        assert department in common
    assert lexicon.canonical_of["区发展和改革委员会"] == "区发改委"
    assert lexicon.canonical_of["区卫计委"] == "区卫生健康委"  # a former name
    assert {a.district for a in lexicon.agencies if a.district} == set(DISTRICTS)


def test_district_aliases_apply_only_in_their_district() -> None:
    lexicon = load_lexicon(LEXICON)
    assert lexicon.view("松江区").canonical_of["区公安分局"] == "公安松江分局"
    assert lexicon.view("青浦区").canonical_of["区公安分局"] == "公安青浦分局"
    assert "区公安分局" not in lexicon.canonical_of  # district unknown: which district's?
    for view in (lexicon, lexicon.view("松江区"), lexicon.view("青浦区")):
        assert view.canonical_of["公安松江分局"] == "公安松江分局"  # names its district: known anywhere
        assert view.canonical_of["青浦公安分局"] == "公安青浦分局"
    # an alias of a common name that spells out a district is that district's only
    assert lexicon.view("松江区").canonical_of["国家税务总局上海市松江区税务局"] == "区税务局"
    assert "国家税务总局上海市松江区税务局" not in lexicon.view("青浦区").canonical_of
    assert "国家税务总局上海市松江区税务局" not in lexicon.canonical_of


def test_shipped_lexicon_checks_clean() -> None:
    """`lexicon check` on the shipped file: no district name in the common part, no name of one
    district in another's section; the one near pair listed is deliberate (各相关职能部门 / 相关职能部门)."""
    found = conflicts(load_lexicon(LEXICON))
    assert len(found) == 1 and "各相关职能部门" in found[0], found


def test_aliases_map_to_canonical() -> None:
    lexicon = load_lexicon(LEXICON)
    assert lexicon.canonical_of["区卫健委"] == "区卫生健康委"
    assert lexicon.canonical_of["区应急管理局"] == "区应急局"
    assert lexicon.canonical_of["区教育局"] == "区教育局"


def test_parse_all_kinds() -> None:
    text = "# comment\n\nagency: 区甲局 | 甲局\nlevel1: 二 | 某某体系\nlevel2: 7 | 二 | 某某工作\n"
    lexicon = parse_lexicon(text, "x.txt")
    assert [a.name for a in lexicon.agencies] == ["区甲局"]
    assert lexicon.agencies[0].aliases == ("甲局",)
    (untitled,) = lexicon.documents  # titles before any document line: a section without a name
    view = lexicon.view("", untitled)
    assert untitled.title == "" and view.level1_by_numeral["二"].text == "二、某某体系"
    assert view.level2_by_number[7].parent == "二"
    assert lexicon.spellings == ("区甲局", "甲局")


def test_sections() -> None:
    text = ("agency: 区甲局\ndistrict: 松江\nagency: 公安松江分局 | 区公安分局\nagency: 区甲局 | 松江甲局\n"
            "document: 《松江区某某方案》职责分工\nlevel1: 一 | 某某体系\nlevel2: 1 | 一 | 某某工作\n"
            "district: 青浦区\nagency: 公安青浦分局 | 区公安分局\ncommon:\nagency: 区乙局\n"
            "document: 松江区某某方案\nlevel2: 2 | 一 | 另一工作\n")
    lexicon = parse_lexicon(text, "x.txt")
    assert [(a.name, a.district) for a in lexicon.agencies] == [
        ("区甲局", ""), ("公安松江分局", "松江区"), ("区甲局", "松江区"), ("公安青浦分局", "青浦区"), ("区乙局", "")]
    (doc,) = lexicon.documents  # the same document named twice is one section
    assert doc.title == "《松江区某某方案》职责分工" and doc.district == "松江区"
    assert [t.title for t in doc.level2] == ["某某工作", "另一工作"]
    assert lexicon.view("松江区").canonical_of["区公安分局"] == "公安松江分局"
    assert lexicon.view("青浦区").canonical_of["区公安分局"] == "公安青浦分局"


def test_districts() -> None:
    assert [normalize_district(n) for n in ("松江", "松江区", "上海市松江区", "浦东新区", "浦东")] == [
        "松江区", "松江区", "松江区", "浦东新区", "浦东新区"]
    with pytest.raises(ValueError, match="not a Shanghai district"):
        normalize_district("苏州")
    assert district_named("《嘉定区推进某某的实施方案》") == "嘉定区"
    assert district_named("公安浦东分局") == "浦东新区"
    assert district_named("区教育局") == ""
    assert len(DISTRICTS) == 16


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("agency: 区甲局\nagnecy: 区乙局\n", 2, "expected one of"),
        ("agency: 区甲局\n\nagency: 区乙局 | 区甲局\n", 3, "already declared on line 1"),
        ("agency: 区甲 局\n", 1, "contains"),
        ("agency: 区甲局、区乙局\n", 1, "contains"),
        ("agency:\n", 1, "empty name"),
        ("level1: 5 | 保障机制\n", 1, "not a Chinese numeral"),
        ("level1: 五 | 保障机制 | 多余\n", 1, "NUMERAL | TITLE"),
        ("level1: 五 | 保障机制\nlevel1: 五 | 别的\n", 2, "declared twice"),
        ("level1: 五 | 保障机制\nlevel2: x | 五 | 加强组织领导\n", 2, "not an item number"),
        ("level1: 五 | 保障机制\nlevel2: 23 | 五\n", 2, "NUMBER | NUMERAL | TITLE"),
        ("level1: 五 | 保障机制\nlevel2: 23 | 五 | 加强 组织领导\n", 2, "without spaces"),
        ("level1: 五 | 保障机制\n# x\nlevel2: 23 | 四 | 加强组织领导\n", 3, "no level1 line of its document"),
        ("document: 甲方案\nlevel1: 五 | 保障机制\ndocument: 乙方案\nlevel2: 23 | 五 | 加强组织领导\n", 4,
         "no level1 line of its document"),
        ("district: 苏州\n", 1, "not a Shanghai district"),
        ("common: 松江\n", 1, "takes no fields"),
        ("document:\n", 1, "needs the document's title"),
        ("agency: 区甲局\ndistrict: 松江\nagency: 区乙局 | 区甲局\n", 3, "means '区甲局' on line 1"),
        ("district: 松江\nagency: 区甲局\nagency: 区乙局 | 区甲局\n", 3, "already declared on line 2"),
    ],
)
def test_malformed_line_names_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(LexiconError) as info:
        parse_lexicon(text, "lex.txt")
    message = str(info.value)
    assert message.startswith("lex.txt: "), message
    assert f"line {line}:" in message, message
    assert words in message, message


def test_load_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "lexicon.txt"
    bad.write_text("agency: 区甲局\nnonsense\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"lexicon\.txt: line 2:"):
        load_lexicon(bad)
    with pytest.raises(LexiconError, match="no such lexicon file"):
        load_lexicon(tmp_path / "missing.txt")
    bad.write_bytes("agency: 区甲局\n".encode("gbk"))
    with pytest.raises(LexiconError, match="not UTF-8"):
        load_lexicon(bad)


def test_learn_agencies_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "agency_lexicon.txt"
    original = LEXICON.read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    backup = learn_agencies(path, ["区航运服务中心", "区 港务中心", "区卫健委", "区教育局", "区航运服务中心", ""])
    assert backup.parent == tmp_path and backup != path
    assert backup.read_text(encoding="utf-8") == original
    learned = load_lexicon(path)
    assert learned.canonical_of["区航运服务中心"] == "区航运服务中心"
    assert learned.canonical_of["区港务中心"] == "区港务中心"
    before = load_lexicon(LEXICON)
    assert len(learned.agencies) == len(before.agencies) + 2  # known names and the alias skipped
    assert learned.documents == tuple(replace(d, path=str(path)) for d in before.documents)
    assert path.read_text(encoding="utf-8").startswith(original)
    # learning again adds nothing, and keeps the first backup
    second = learn_agencies(path, ["区航运服务中心"])
    assert second != backup and backup.exists()
    assert len(load_lexicon(path).agencies) == len(learned.agencies)


def test_learn_titles_aliases_and_district_agencies(tmp_path: Path) -> None:
    """Agencies and aliases go to the draft's district section, titles to its document's section."""
    path = tmp_path / "lex.txt"
    path.write_text("agency: 区甲局\ndocument: 《松江区某某方案》\nlevel1: 一 | 某某体系\n"
                    "level2: 1 | 一 | 某某工作\n", encoding="utf-8")
    done = learn(path, agencies=["区新中心"], aliases=[("区甲管理局", "区甲局"), ("区丙局", "区无此局")],
                 district="松江区", document="《松江区某某方案》职责分工（征求意见稿）",
                 level1=[("一", "某某体系"), ("二", "另一体系")],
                 level2=[(1, "一", "某某工作"), (2, "二", "新的工作"), (1, "一", "改过的工作")])
    assert done.agencies == ("区新中心",) and done.aliases == (("区甲管理局", "区甲局"),)
    assert done.titles == ("二、另一体系", "2 新的工作")
    assert any("区无此局" in s for s in done.skipped) and any("改过的工作" in s for s in done.skipped)
    lexicon = load_lexicon(path)
    songjiang, qingpu = lexicon.view("松江区"), lexicon.view("青浦区")
    assert songjiang.canonical_of["区新中心"] == "区新中心" and "区新中心" not in qingpu.canonical_of
    assert songjiang.canonical_of["区甲管理局"] == "区甲局" and "区甲管理局" not in qingpu.canonical_of
    (doc,) = lexicon.documents
    assert [(t.number, t.parent, t.title) for t in doc.level2] == [(1, "一", "某某工作"), (2, "二", "新的工作")]
    # titles of a draft without a document title are not learned (nowhere to file them)
    assert learn(path, level2=[(3, "一", "别的")]).titles == ()


def test_user_lexicon_adds_to_the_base_or_replaces_it(tmp_path: Path) -> None:
    user = tmp_path / "mine.txt"
    user.write_text("agency: 区港务中心 | 港务中心\ndistrict: 松江区\nagency: 区甲站\n", encoding="utf-8")
    both = load_lexicons(LEXICON, user)
    assert both.canonical_of["港务中心"] == "区港务中心" and both.canonical_of["区卫健委"] == "区卫生健康委"
    assert both.view("松江区").canonical_of["区甲站"] == "区甲站"
    alone = load_lexicons(LEXICON, user, replace_base=True)
    assert "区卫健委" not in alone.canonical_of and not alone.documents
    assert load_lexicons(LEXICON, LEXICON).agencies == load_lexicon(LEXICON).agencies  # the base named twice
    copy = tmp_path / "copy.txt"  # a copy of the base on top of it: identical entries merge
    copy.write_text(LEXICON.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_lexicons(LEXICON, copy).view("松江区").canonical_of["区公安分局"] == "公安松江分局"
    user.write_text("agency: 区港务站\nagency: 区港务中心 | 区卫健委\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"mine\.txt: line 2: '区卫健委' means '区港务中心' here but '区卫生健康委'"):
        load_lexicons(LEXICON, user)


def test_check_lists_conflicts() -> None:
    text = ("agency: 区城市管理局 | 松江城市管理局\nagency: 区城市管理处\ndistrict: 松江区\nagency: 公安青浦分局\n"
            "document: 甲方案\nlevel1: 一 | 体系\nlevel2: 1 | 一 | 工作\nlevel2: 2 | 一 | 工作\n")
    found = conflicts(parse_lexicon(text, "x.txt"))
    assert any("'松江城市管理局' names 松江区 but is in the common part" in f for f in found), found
    assert any("区城市管理局" in f and "区城市管理处" in f and "one edit apart" in f for f in found), found
    assert any("'公安青浦分局' names 青浦区 but is in the section of 松江区" in f for f in found), found
    assert any("level2 2 repeats the title of level2 1" in f for f in found), found
    assert len(found) == 4


def test_previous_version_as_a_document_section() -> None:
    from pipeline.tableio import read_table_csv

    truth = read_table_csv(TRUTH)
    document, agencies = previous_knowledge(truth)
    assert document.previous and len(document.level2) == 26 and len(document.level1) == 5
    assert {t.title for t in document.level2} == {row["二级指标"] for row in read_csv_rows(TRUTH)}
    assert "公安青浦分局" in {a.name for a in agencies}
    lexicon = load_lexicon(LEXICON).with_previous(truth)
    assert lexicon.documents[0] is not None and lexicon.documents[0].previous


def test_learn_refuses_names_with_separators(tmp_path: Path) -> None:
    path = tmp_path / "lex.txt"
    path.write_text("agency: 区甲局\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="cannot learn"):
        learn_agencies(path, ["区乙局、区丙局"])
    assert path.read_text(encoding="utf-8") == "agency: 区甲局\n"


def test_numerals() -> None:
    numerals = ("一", "十", "十二", "二十", "二十三", "九十九")
    assert [numeral_value(n) for n in numerals] == [1, 10, 12, 20, 23, 99]
    assert [numeral_value(n) for n in ("", "零", "十十", "二二", "一百")] == [None] * 5
    assert all(numeral_value(numeral_of(v)) == v for v in range(1, 100))
