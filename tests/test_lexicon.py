"""The lexicon file: parsing, error messages naming the line, and learning new agencies."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import LexiconError
from pipeline.fileio import read_csv_rows
from pipeline.lexicon import learn_agencies, load_lexicon, numeral_of, numeral_value, parse_lexicon
from pipeline.models import AGENCY_SEPARATOR

ROOT = Path(__file__).resolve().parent.parent
LEXICON = ROOT / "agency_lexicon.txt"
TRUTH = ROOT / "tests" / "data" / "qingpu_v1.csv"


def test_repo_lexicon_covers_the_truth() -> None:
    lexicon = load_lexicon(LEXICON)
    canonical = {a.name for a in lexicon.agencies}
    for row in read_csv_rows(TRUTH):
        for field in ("牵头单位", "配合单位"):
            for name in filter(None, row[field].split(AGENCY_SEPARATOR)):
                assert name in canonical, name
        known = lexicon.level2_by_number[int(row["序号"])]
        assert known.title == row["二级指标"]
        assert lexicon.level1_by_numeral[known.parent].text == row["一级指标"]


def test_repo_lexicon_leaves_test_unknowns_out() -> None:
    lexicon = load_lexicon(LEXICON)
    for unknown in ("区体育局", "区商务委"):
        assert unknown not in lexicon.canonical_of


def test_aliases_map_to_canonical() -> None:
    lexicon = load_lexicon(LEXICON)
    assert lexicon.canonical_of["区卫健委"] == "区卫生健康委"
    assert lexicon.canonical_of["区应急管理局"] == "区应急局"
    assert lexicon.canonical_of["青浦公安分局"] == "公安青浦分局"
    assert lexicon.canonical_of["区教育局"] == "区教育局"


def test_parse_all_kinds() -> None:
    text = "# comment\n\nagency: 区甲局 | 甲局\nlevel1: 二 | 某某体系\nlevel2: 7 | 二 | 某某工作\n"
    lexicon = parse_lexicon(text, "x.txt")
    assert [a.name for a in lexicon.agencies] == ["区甲局"]
    assert lexicon.agencies[0].aliases == ("甲局",)
    assert lexicon.level1_by_numeral["二"].text == "二、某某体系"
    assert lexicon.level2_by_number[7].parent == "二"
    assert lexicon.spellings == ("区甲局", "甲局")


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
        ("level1: 五 | 保障机制\n# x\nlevel2: 23 | 四 | 加强组织领导\n", 3, "no level1 line declares"),
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
    backup = learn_agencies(path, ["区体育局", "区 商务委", "区卫健委", "区教育局", "区体育局", ""])
    assert backup.parent == tmp_path and backup != path
    assert backup.read_text(encoding="utf-8") == original
    learned = load_lexicon(path)
    assert learned.canonical_of["区体育局"] == "区体育局"
    assert learned.canonical_of["区商务委"] == "区商务委"
    before = load_lexicon(LEXICON)
    assert len(learned.agencies) == len(before.agencies) + 2  # known names and the alias skipped
    assert learned.level2 == before.level2
    assert path.read_text(encoding="utf-8").startswith(original)
    # learning again adds nothing, and keeps the first backup
    second = learn_agencies(path, ["区体育局"])
    assert second != backup and backup.exists()
    assert len(load_lexicon(path).agencies) == len(learned.agencies)


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
