"""Text-extraction input: rebuilding table rows from tab-separated lines."""

from __future__ import annotations

from pathlib import Path

from pipeline.textinput import parse_extraction

SEED = Path(__file__).resolve().parent / "data" / "qingpu_draft_extracted.txt"
HEADER = "一级 指标\t二级 指标\t工作要求\t牵头单位\t配合单位"


def _seed_rows():
    return parse_extraction(SEED.read_text(encoding="utf-8"), source=str(SEED)).rows


def test_seed_rows_and_items() -> None:
    table = parse_extraction(SEED.read_text(encoding="utf-8"), source="seed")
    assert table.title.startswith("《青浦区加强中小学幼儿园安全风险防控体系建设的实施方案》")
    assert table.source == "seed"
    numbers = [r.no for r in table.rows]
    assert len(numbers) == 33
    assert list(dict.fromkeys(numbers)) == [str(n) for n in range(1, 27)]
    counts = {n: numbers.count(n) for n in set(numbers)}
    assert {n: c for n, c in counts.items() if c > 1} == {"9": 2, "13": 3, "16": 2, "17": 2, "24": 3}


def test_seed_merged_cells_filled_and_fragments_joined() -> None:
    rows = _seed_rows()
    by_no: dict[str, list] = {}
    for row in rows:
        by_no.setdefault(row.no, []).append(row)
    # 一级 of items 12-18 split over two lines, filled into every row of the group
    assert {r.level1 for n in range(12, 19) for r in by_no[str(n)]} == {"三、健全\n学校安全 风险管控 机制"}
    # 二级 of item 13 over two lines, in all three sub-rows
    assert {r.level2 for r in by_no["13"]} == {"13、加强食品、饮\n用水卫生 和传染病 防控管理"}
    # item 19's last character sits on item 20's line
    assert by_no["19"][0].level2.endswith("对处置机\n制")
    assert by_no["20"][0].level2 == "20 学事认任处建安责、究制"
    # ... and so does the end of its requirement
    tail = "建立完善安\n全事故处置预案,健全学校安全事故报告、处置和部门协调机制。"
    assert by_no["19"][0].requirement.endswith(tail)
    assert by_no["20"][0].requirement.startswith("发生造成师生伤亡的安全事故")
    # item 24: the lead of the first sub-row is a merged cell
    assert [r.lead for r in by_no["24"]] == ["区府办"] * 3
    supports = ["区教育局、公安青浦分局、区应 急局、各街镇", "区委编办", "区财政局"]
    assert [r.support for r in by_no["24"]] == supports
    # item 16: the line after a dangling 、 continues the row (its repeated lead not doubled)
    first, second = by_no["16"]
    assert first.lead == "区教育局"
    assert first.support == "区委宣传部、区法院、区检察院、\n公安青浦分局、区司法局、团区 委、各街镇"
    assert second.lead == "团区委"
    assert second.requirement.endswith("参与\n学生欺凌和暴力行为防控工作。")
    # item 13: sub-rows keep their own agencies, empty support stays empty
    assert [(r.lead, r.support) for r in by_no["13"]] == [
        ("区卫生健康 委", ""), ("区市场监管 局", "各街镇"), ("区教育局", "")
    ]
    # item 25 keeps the seed's roles (agencies in the 配合 column)
    assert (by_no["25"][0].lead, by_no["25"][0].support) == ("", "区融媒体中心、区教育局、区文化旅游局")


def test_sources_name_the_lines() -> None:
    rows = _seed_rows()
    assert rows[0].sources["level1"].cell_ids == ("line4",)
    assert rows[0].sources["requirement"].raw == rows[0].requirement
    assert rows[0].sources["lead"].engine == "text"
    assert rows[0].sources["lead"].confidence is None


def test_short_lines_align_right_and_page_numbers_are_skipped() -> None:
    text = "\n".join([
        "标题",
        "",
        HEADER,
        "一、甲体系\t1. 甲工作\t做甲事。\t区教育局\t区妇联",
        "- 2 -",
        HEADER,  # repeated on the next page
        "2. 乙工作\t做乙事。\t区财政局\t",
        "\t做丙事。\t区妇联\t各街镇",
        "继续写丙事。",
    ])
    rows = parse_extraction(text).rows
    assert [(r.no, r.level1, r.level2, r.requirement, r.lead, r.support) for r in rows] == [
        ("1", "一、甲体系", "1. 甲工作", "做甲事。", "区教育局", "区妇联"),
        ("2", "一、甲体系", "2. 乙工作", "做乙事。", "区财政局", ""),
        ("2", "一、甲体系", "2. 乙工作", "做丙事。\n继续写丙事。", "区妇联", "各街镇"),
    ]


def test_unnumbered_title_not_beside_the_last_starts_a_new_item() -> None:
    text = "\n".join([
        HEADER,
        "一、甲\t1. 甲工作\t做甲事。\t区教育局\t",
        "\t\t再做甲事。\t区妇联\t",
        "\t乙工作\t做乙事。\t区财政局\t",
    ])
    rows = parse_extraction(text).rows
    assert [(r.no, r.level2) for r in rows] == [("1", "1. 甲工作"), ("1", "1. 甲工作"), ("", "乙工作")]


def test_extra_cells_join_the_requirement_and_no_header_still_parses() -> None:
    rows = parse_extraction("一、甲\t1. 甲\t前半\t后半。\t区教育局\t区妇联\t\t").rows
    assert len(rows) == 1
    assert rows[0].requirement == "前半 后半。"
    assert (rows[0].lead, rows[0].support) == ("区教育局", "区妇联")


def test_empty_text_gives_no_rows() -> None:
    assert parse_extraction("").rows == ()
    assert parse_extraction("只有标题\n\n").title == "只有标题"


def test_extraction_of_another_districts_plan_keeps_its_titles_and_cuts_its_district() -> None:
    """An invented Fengxian plan as an extraction: the district comes from its title line, its titles
    (no section for them) are kept as read, its agencies spelled with their district are cut to the
    district form, recorded, never split into a junk agency 奉贤."""
    from pipeline.lexicon import load_lexicon
    from pipeline.repair import repair_table
    from pipeline.settings import DEFAULT_LEXICON, Settings

    text = ("《奉贤区推进海岸带生态修复的工作方案》任务分工\n\n" + HEADER + "\n"
            "一、保障措施\t1. 加强组织保障\t建立工作专班。\t奉贤区绿化市容局\t奉贤区水务局、区公安分局\n"
            "\t2. 强化经费保障\t落实资金。\t上海市奉贤区财政局\t奉贤海事处\n")
    table = parse_extraction(text, source="fengxian")
    result = repair_table(table, load_lexicon(DEFAULT_LEXICON), Settings())
    rows = result.table.rows
    assert [(r.level1, r.level2) for r in rows] == [("一、保障措施", "加强组织保障"), ("一、保障措施", "强化经费保障")]
    assert [(r.lead, r.support) for r in rows] == [
        ("区绿化市容局", "区水务局、公安奉贤分局"), ("区财政局", "奉贤海事处")]
    assert {r.method for r in result.repairs if r.field in ("lead", "support")} >= {"district_prefix", "alias"}
    assert {f.text for f in result.flags if f.reason == "unknown_agency"} == {"奉贤海事处"}
    assert result.scope.startswith("奉贤区 (title); no known titles")
