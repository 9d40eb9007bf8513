"""build_tables on hand-made pages: header mapping by role, merged cells, page breaks, geometry."""

from dataclasses import replace as replaced

import numpy as np

from pipeline.lattice import CharLattice
from pipeline.models import (
    PAGE_NO_TABLE,
    PAGE_NOT_READ,
    PAGE_READ,
    Box,
    Cell,
    CellText,
    Grid,
    PageCells,
    RestoredBorder,
)
from pipeline.profile import load_profile
from pipeline.structure import build_table, build_tables, find_header, map_by_geometry

PROFILE = load_profile()
HEADER = ["一级\n指标", "二级\n指标", "工作要求", "牵头单位", "配合单位"]
STANDARD = {0: "level1", 1: "level2", 2: "requirement", 3: "lead", 4: "support"}
#: Row height and column width of the hand-made grids, px; character height for the geometry tolerance.
ROW_PX, COL_PX, CHAR_PX = 50, 100, 20


def page(index: int, cells: list[tuple], header: list[str] | None = HEADER, x0: int = 0,
         widths: list[int] | None = None) -> PageCells:
    """cells: (row, col, row_span, text[, col_span]); the header row is added as row 0 when given."""
    n_cols = len(widths) if widths else len(header or HEADER)
    widths = widths or [COL_PX] * n_cols
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    spec = ([(0, c, 1, t) for c, t in enumerate(header)] if header else []) + cells
    made = []
    for row, col, span, text, *rest in spec:
        col_span = rest[0] if rest else 1
        box = Box(xs[col], row * ROW_PX, xs[col + col_span], (row + span) * ROW_PX)
        made.append(CellText(Cell(index, row, col, span, col_span, box), text, 0.95, "test"))
    n_rows = max(r + s for r, _, s, *_ in spec)
    rows = tuple(range(0, (n_rows + 1) * ROW_PX, ROW_PX))
    grid = Grid(index, rows, tuple(xs), tuple(c.cell for c in made), char_height=CHAR_PX)
    return PageCells(index, grid, tuple(made))


def test_header_maps_columns_by_role():
    header = find_header(page(0, []), PROFILE)
    assert header is not None and header.roles == STANDARD and header.last_row == 0


def test_synonym_header_is_mapped_like_the_usual_one():
    p = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区教育局"), (1, 4, 1, "")],
             header=["一级任务", "二级任务", "具体措施", "牵头部门", "配合部门"])
    assert find_header(p, PROFILE).roles == STANDARD
    [table] = build_tables([p], PROFILE).tables
    assert (table.rows[0].level1, table.rows[0].requirement, table.rows[0].lead) == ("一、甲", "丙。", "区教育局")


def test_header_tolerates_one_misread_character():
    header = ["一级\n指标", "二级\n指标", "工作要求", "牵头部们", "配合部门"]
    assert find_header(page(0, [], header=header), PROFILE).roles == STANDARD


def test_a_header_read_with_noise_around_its_name_still_names_the_role():
    """A toner streak across the header row was read into the 工作要求 cell (本然4督重融城帮表量表事
    气章电海话家春名中工作要求, tests/degrade.py dirty-drum): the synonym found whole names the role.
    The longest synonym found wins, and two characters alone name nothing."""
    header = ["一级指标", "二级指标", "本然4督重融城帮表量表事气章电海话家春名中工作要求", "T牵头单位", "配合单位"]
    assert find_header(page(0, [], header=header), PROFILE).roles == STANDARD
    assert PROFILE.header_matches("章电海话家春名中牵头")[:1] == []


def test_a_header_cell_running_two_names_together_names_both_roles():
    """A 1-bit copy lost the ruling between 一级指标 and 二级指标 and both numerals: 级指标级指标 names
    neither whole, but its halves name the two, left to right (held-out fengxian/word-bilevel-200 s20)."""
    assert [m.role for m in PROFILE.header_matches("级指标级指标")] == ["level1", "level2"]
    assert [m.role for m in PROFILE.header_matches("工作要求牵头单位")] == ["requirement", "lead"]
    # two agencies or a sentence name no column
    assert PROFILE.header_matches("区教育局区体育局") == []
    assert PROFILE.header_matches("加强学校安全管理") == []


def test_a_heading_header_that_lost_its_level_takes_the_first_free_level():
    """级指标 (the 一 of 一级指标 lost on a 1-bit light-toner scan) matches 一级, 二级 and 三级 equally;
    beside 二级指标 it is 一级 (it was mapped to 三级, and 一级指标 came out empty on every row)."""
    header = ["级\n指标", "二级\n指标", "工作要求", "牵头单位", "配合单位"]
    assert find_header(page(0, [], header=header), PROFILE).roles == STANDARD


def test_heading_levels_go_from_left_to_right():
    """A toner streak took the numerals of both heading cells (songjiang/dirty-drum with the streaks'
    gray kept for the recognizer): T级指标 | 级指标. Both match every level, the right one better; the
    left one is still 一级 (the right one had taken it, and every row's titles were swapped)."""
    header = ["T级\n指标", "级\n指标", "工作要求", "牵头单位", "配合单位"]
    assert find_header(page(0, [], header=header), PROFILE).roles == STANDARD
    assert find_header(page(0, [], header=["二级指标", "一级指标", "工作要求", "牵头单位", "配合单位"]),
                       PROFILE).roles == STANDARD


def test_number_column_deadline_and_responsible_beside_support():
    p = page(0, [(1, 0, 2, "1"), (1, 1, 1, "甲。"), (1, 2, 1, "区教育局"), (1, 3, 1, "区妇联"), (1, 4, 1, "2027年底"),
                 (2, 1, 1, "乙。"), (2, 2, 1, "区科委"), (2, 3, 1, ""), (2, 4, 1, "长期")],
             header=["序号", "工作任务", "责任单位", "配合单位", "完成时限"])
    [table] = build_tables([p], PROFILE).tables
    # 责任单位 beside 配合单位 is the lead; 序号 is read from its column, merged over both rows
    assert [(r.no, r.requirement, r.lead, r.support, r.get("deadline")) for r in table.rows] == [
        ("1", "甲。", "区教育局", "区妇联", "2027年底"), ("1", "乙。", "区科委", "", "长期")]
    assert [c.name for c in table.columns] == [
        "序号", "一级指标", "二级指标", "工作要求", "牵头单位", "配合单位", "完成时限"]


def test_four_columns_single_responsible_with_the_lead_note():
    p = page(0, [(1, 0, 1, "1"), (1, 1, 1, "甲。"), (1, 2, 1, "区教育局、区妇联"), (1, 3, 1, "2027年")],
             header=["序号", "重点任务", "责任单位（列第一位的为牵头单位）", "完成时限"])
    [table] = build_tables([p], PROFILE).tables
    assert table.first_is_lead
    assert table.rows[0].get("responsible") == "区教育局、区妇联"
    assert "responsible" not in table.roles and "deadline" in table.roles


def test_single_responsible_without_note_is_kept_as_responsible():
    p = page(0, [(1, 0, 1, "1"), (1, 1, 1, "甲。"), (1, 2, 1, "区教育局、区妇联"), (1, 3, 1, "2027年")],
             header=["序号", "重点任务", "责任单位", "完成时限"])
    [table] = build_tables([p], PROFILE).tables
    assert not table.first_is_lead and "responsible" in table.roles
    assert [c.name for c in table.columns][6:] == ["责任单位", "完成时限"]
    [forced] = build_tables([p], PROFILE, first_is_lead=True).tables
    assert forced.first_is_lead and "responsible" not in forced.roles


def test_two_row_header_with_three_heading_levels():
    header = [(0, 0, 2, "一级指标"), (0, 1, 2, "二级指标"), (0, 2, 2, "三级指标"), (0, 3, 2, "工作要求"),
              (0, 4, 1, "责任单位", 2), (1, 4, 1, "牵头"), (1, 5, 1, "配合")]
    data = [(2, 0, 1, "一、甲"), (2, 1, 1, "1. 乙"), (2, 2, 1, "丙"), (2, 3, 1, "丁。"), (2, 4, 1, "区教育局"),
            (2, 5, 1, "区妇联"), (3, 0, 1, "一、甲"), (3, 1, 1, "2. 戊"), (3, 2, 1, "己"), (3, 3, 1, "庚。"),
            (3, 4, 1, "区科委"), (3, 5, 1, "")]
    p = page(0, header + data, header=None, widths=[COL_PX] * 6)
    found = find_header(p, PROFILE)
    assert found.last_row == 1
    assert found.roles == {0: "level1", 1: "level2", 2: "level3", 3: "requirement", 4: "lead", 5: "support"}
    [table] = build_tables([p], PROFILE).tables
    assert [(r.get("level3"), r.lead, r.support) for r in table.rows] == [
        ("丙", "区教育局", "区妇联"), ("己", "区科委", "")]


def test_unknown_column_is_passed_through_under_its_own_header():
    p = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区教育局"), (1, 4, 1, "A类")],
             header=["一级指标", "二级指标", "工作要求", "牵头单位", "考核等级"])
    [table] = build_tables([p], PROFILE).tables
    assert table.columns[-1].name == "考核等级" and table.rows[0].get(table.columns[-1].role) == "A类"


def test_header_without_task_column_is_not_read_and_says_why():
    p = page(0, [(1, 0, 1, "1"), (1, 1, 1, "甲"), (1, 2, 1, "乙")], header=["序号", "项目", "金额"],
             widths=[COL_PX] * 3)
    structure = build_tables([p], PROFILE)
    assert structure.tables == ()
    [report] = structure.pages
    assert report.status == PAGE_NOT_READ
    assert "「序号 | 项目 | 金额」" in report.message and "工作要求" in report.message


def test_merged_cells_fill_every_row_they_span():
    p = page(0, [
        (1, 0, 3, "一、完善\n学校"), (1, 1, 2, "1. 健全\n机制"), (1, 2, 1, "甲。"), (1, 3, 2, "区教育局"),
        (1, 4, 1, "区妇联"),
        (2, 2, 1, "乙。"), (2, 4, 1, ""),
        (3, 1, 1, "2、加强"), (3, 2, 1, "丙。"), (3, 3, 1, "区科委"), (3, 4, 1, "各街镇"),
    ])
    table = build_table([p], PROFILE)
    assert [(r.level1, r.level2, r.requirement, r.lead, r.support) for r in table.rows] == [
        ("一、完善\n学校", "1. 健全\n机制", "甲。", "区教育局", "区妇联"),
        ("一、完善\n学校", "1. 健全\n机制", "乙。", "区教育局", ""),
        ("一、完善\n学校", "2、加强", "丙。", "区科委", "各街镇"),
    ]
    assert table.rows[0].sources["lead"].cell_ids == ("p1-r1-c3",)


def test_page_break_joins_cut_cells_and_continued_rows():
    first = page(0, [
        (1, 0, 2, ""), (1, 1, 1, "18. 加强"), (1, 2, 1, "全文。"), (1, 3, 1, "各相关职能部门"), (1, 4, 1, "区教育局"),
        (2, 1, 1, "19、健全学校安全事故和突发事件应对处置机"), (2, 2, 1, "区教育部门会同有关部门指导学校建立完善安"),
        (2, 3, 1, "区教育局"), (2, 4, 1, "公安青浦分局、区卫"),
    ])
    second = page(1, [
        (1, 0, 2, "四、完善学校安全事故处理"), (1, 1, 1, "制"), (1, 2, 1, "全事故处置预案。"), (1, 3, 1, ""),
        (1, 4, 1, "生健康委"),
        (2, 1, 1, "20. 建立"), (2, 2, 1, "发生造成师生伤亡的安全事故。"), (2, 3, 1, "区教育局"), (2, 4, 1, "区法院"),
    ])
    rows = build_table([first, second], PROFILE).rows
    assert len(rows) == 3
    assert rows[1].level2 == "19、健全学校安全事故和突发事件应对处置机\n制"
    assert rows[1].requirement == "区教育部门会同有关部门指导学校建立完善安\n全事故处置预案。"
    assert rows[1].support == "公安青浦分局、区卫\n生健康委"
    # the 一级 cell's empty part on page 1 and its text on page 2 are one cell
    assert rows[0].level1 == rows[1].level1 == rows[2].level1 == "四、完善学校安全事故处理"
    assert rows[2].level2 == "20. 建立"
    # the continued row's cells were taken by the row above: nothing is named as kept out
    assert not any("kept out" in r.message for r in build_tables([first, second], PROFILE).pages)


def test_number_column_cut_by_a_page_break_is_one_item():
    header = ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"]
    first = page(0, [(1, 0, 1, "7"), (1, 1, 1, "甲。"), (1, 2, 1, "区教育局"), (1, 3, 1, ""), (1, 4, 1, "2027年")],
                 header=header)
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, "乙。"), (1, 2, 1, "区科委"), (1, 3, 1, ""), (1, 4, 1, "长期"),
                      (2, 0, 1, "8"), (2, 1, 1, "丙。"), (2, 2, 1, "区财政局"), (2, 3, 1, ""), (2, 4, 1, "")],
                  header=None)
    rows = build_table([first, second], PROFILE).rows
    assert [(r.no, r.requirement) for r in rows] == [("7", "甲。"), ("7", "乙。"), ("8", "丙。")]


def test_new_sub_row_at_top_of_page_is_not_joined():
    first = page(0, [(1, 0, 1, "三、健全"), (1, 1, 1, "13. 加强食品"), (1, 2, 1, "加强监督指导。"),
                     (1, 3, 1, "区卫生健康委"), (1, 4, 1, "")])
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, ""), (1, 2, 1, "加强食品安全监管。"), (1, 3, 1, "区市场监管局"),
                      (1, 4, 1, "各街镇")], header=None)
    rows = build_table([first, second], PROFILE).rows
    assert [r.requirement for r in rows] == ["加强监督指导。", "加强食品安全监管。"]
    assert rows[1].level2 == "13. 加强食品" and rows[1].level1 == "三、健全"


def test_a_row_running_on_in_a_cell_merged_across_the_lead_column_is_joined():
    """The ruling between 工作要求 and 牵头单位 lost at the top of a page (augraphy LinesDegradation over
    the Minhang plan laid out by LibreOffice, make eval minhang/word-lines-degradation, page 2): the
    requirement running on from the page before is read in a cell across both columns. Its text is the
    requirement's, not a lead agency's: the row is joined to the one above, which keeps its lead, and
    item 7 after it stays a row of its own (it was an extra row that named the requirement as lead)."""
    first = page(0, [(1, 0, 2, "二、甲"), (1, 1, 1, "6. 乙"), (1, 2, 1, "集成可回收物交投、志愿服务等功"),
                     (1, 3, 1, "各街镇"), (1, 4, 1, "区绿化市容局")])
    second = page(1, [(1, 0, 2, ""), (1, 1, 1, ""), (1, 2, 1, "能，2029年底前实现街镇全覆盖。", 2), (1, 4, 1, ""),
                      (2, 1, 1, "7. 丙"), (2, 2, 1, "丁。"), (2, 3, 1, "区环卫中心"), (2, 4, 1, "")])
    rows = build_table([first, second], PROFILE).rows
    assert [(r.level2, r.requirement, r.lead) for r in rows] == [
        ("6. 乙", "集成可回收物交投、志愿服务等功\n能，2029年底前实现街镇全覆盖。", "各街镇"),
        ("7. 丙", "丁。", "区环卫中心")]
    # ...and when the support agencies run on beside it (putuo/word-lines-degradation, page 4: the
    # merged cell's text had been taken for a lead below a lead that stopped lines above the break)
    first = page(0, [(1, 0, 2, "三、甲"), (1, 1, 1, "13. 乙"),
                     (1, 2, 1, "对全区危险化学品开展全覆盖检查，\n严格落实《条"), (1, 3, 1, "区应急局"),
                     (1, 4, 1, "区应急管理执法大队、区生态环境")])
    second = page(1, [(1, 0, 2, ""), (1, 1, 1, ""), (1, 2, 1, "例》，推动重大危险源企业接入。", 2),
                      (1, 4, 1, "局、区经委"), (2, 1, 1, "14. 丙"), (2, 2, 1, "丁。"), (2, 3, 1, "区交通委"),
                      (2, 4, 1, "")])
    rows = build_table([first, second], PROFILE).rows
    assert [(r.requirement, r.lead, r.support) for r in rows] == [
        ("对全区危险化学品开展全覆盖检查，\n严格落实《条\n例》，推动重大危险源企业接入。", "区应急局",
         "区应急管理执法大队、区生态环境\n局、区经委"), ("丁。", "区交通委", "")]


def test_page_without_header_is_mapped_by_geometry_despite_an_extra_border():
    first = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区教育局"), (1, 4, 1, "")],
                 x0=200)
    # a scanner-edge shadow drew a ruling left of the table: the page has a sixth, narrow column
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, "一、甲"), (1, 2, 1, "2. 丁"), (1, 3, 1, "戊。"), (1, 4, 1, "区科委"),
                      (1, 5, 1, "区妇联")], header=None, x0=170, widths=[35, 100, 100, 100, 100, 100])
    structure = build_tables([first, second], PROFILE)
    [table] = structure.tables
    assert [(r.level2, r.requirement, r.lead, r.support) for r in table.rows] == [
        ("1. 乙", "丙。", "区教育局", ""), ("2. 丁", "戊。", "区科委", "区妇联")]
    assert [r.status for r in structure.pages] == [PAGE_READ, PAGE_READ]
    assert "kept out" not in structure.pages[1].message
    # text in the sliver (the shadow's specks read as characters) is named, not lost
    specked = page(1, [(1, 0, 1, "丶丨"), (1, 1, 1, "一、甲"), (1, 2, 1, "2. 丁"), (1, 3, 1, "戊。"),
                       (1, 4, 1, "区科委"), (1, 5, 1, "区妇联")], header=None, x0=170,
                   widths=[35, 100, 100, 100, 100, 100])
    message = build_tables([first, specked], PROFILE).pages[1].message
    assert "text outside the table's columns kept out: 丶丨" in message and "text in no row" not in message


def test_a_repeated_header_over_a_streak_and_a_lost_heading_continues_the_table():
    """A toner streak down the 二级 column was kept as a ruling below the header, whose 二级指标 cell
    spans both halves; the 一级 header cell lost its ruling below and read the title under it as words
    naming no column (held-out Putuo plan under a dirty drum, seed 21, page 4: the rest of the draft
    became two more tables, 14 of 38 rows lost from the first). The page continues the table by geometry."""
    first = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区教育局"), (1, 4, 1, "")])
    streaked = page(1, [(0, 0, 1, "一四开处综援"), (0, 1, 1, "二级指标2", 2), (0, 3, 1, "工作要求"),
                        (0, 4, 1, "头单位"), (0, 5, 1, "配合单位"), (1, 0, 1, "二、丁"), (1, 1, 1, "2. 戊", 2),
                        (1, 3, 1, "己。"), (1, 4, 1, "区科委"), (1, 5, 1, "区妇联")],
                    header=None, widths=[100, 40, 60, 100, 100, 100])
    structure = build_tables([first, streaked], PROFILE)
    [table] = structure.tables
    assert [(r.level1, r.level2, r.requirement, r.lead, r.support) for r in table.rows] == [
        ("一、甲", "1. 乙", "丙。", "区教育局", ""), ("二、丁", "2. 戊", "己。", "区科委", "区妇联")]
    assert [r.status for r in structure.pages] == [PAGE_READ, PAGE_READ]


def test_a_header_cell_over_a_blot_kept_as_a_ruling_names_one_column():
    """A fax's blot down the 一级 column was kept as a ruling below the header, whose 级指标 cell (its
    一 lost) spans both halves: it named 一级 and 二级, 二级指标 beside it became 三级, and the page
    started a table of its own (held-out Jiading plan by fax, seed 21, page 4: 5 of 33 rows lost from
    the first table). One name over two grid columns names the first; the page continues the table."""
    first = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区教育局"), (1, 4, 1, "")])
    blotted = page(1, [(0, 0, 1, "级指标", 2), (0, 2, 1, "二级指标"), (0, 3, 1, "工作要求"), (0, 4, 1, "牵头单位"),
                       (0, 5, 1, "配合单位"), (1, 0, 1, ""), (1, 1, 1, "一、甲"), (1, 2, 1, "2. 戊"), (1, 3, 1, "己。"),
                       (1, 4, 1, "区科委"), (1, 5, 1, "区妇联")],
                   header=None, widths=[50, 50, 100, 100, 100, 100])
    assert find_header(blotted, PROFILE).roles == {0: "level1", 1: "other:级指标", 2: "level2", 3: "requirement",
                                                   4: "lead", 5: "support"}
    structure = build_tables([first, blotted], PROFILE)
    [table] = structure.tables
    assert [(r.level1, r.level2, r.requirement, r.lead, r.support) for r in table.rows] == [
        ("一、甲", "1. 乙", "丙。", "区教育局", ""), ("一、甲", "2. 戊", "己。", "区科委", "区妇联")]
    # two names run together over two grid columns still name one each, left to right
    two = page(0, [(0, 0, 1, "级指标级指标", 2), (1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"),
                   (1, 3, 1, "区教育局"), (1, 4, 1, "")], header=None)
    two = replaced(two, cells=(*two.cells, *page(0, [], header=HEADER).cells[2:]))
    assert find_header(two, PROFILE).roles == STANDARD


def test_a_repeated_header_page_with_an_edge_sliver_continues_the_table():
    """A fax's dark edge kept as a ruling right of the table: the header page has a sixth, narrow column
    whose header cell reads N (held-out Jiading plan's Word table by fax, seed 21, page 5: the page
    became a table of its own, 6 of 33 rows lost from the first). It continues the table, the sliver's
    text named; a column as wide as text under a header of its own words (资金来源) is another table's."""
    first = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区教育局"), (1, 4, 1, "")])

    def second(extra: str, width: int) -> PageCells:
        return page(1, [(1, 0, 1, "二、丁"), (1, 1, 1, "2. 戊"), (1, 2, 1, "己。"), (1, 3, 1, "区科委"),
                        (1, 4, 1, "区妇联"), (1, 5, 1, "丨")], header=[*HEADER, extra],
                    widths=[COL_PX] * 5 + [width])

    structure = build_tables([first, second("N", CHAR_PX + CHAR_PX // 2)], PROFILE)
    [table] = structure.tables
    assert [(r.level2, r.requirement, r.lead, r.support) for r in table.rows] == [
        ("1. 乙", "丙。", "区教育局", ""), ("2. 戊", "己。", "区科委", "区妇联")]
    assert "丨" in structure.pages[1].message
    assert len(build_tables([first, second("资金来源", COL_PX)], PROFILE).tables) == 2


def test_a_first_page_whose_header_is_above_its_grid_is_read_with_the_next_pages_header():
    """LinesDegradation erased the rulings around the first page's header and its left border (our
    renderer's Jiading plan, seed 22): the grid starts at item 1, four columns, the header read above it
    as text. The next page repeats the header over the same columns: the first page's columns are
    mapped to it, its header named as read above the grid. Without such a line it stays not read."""
    first = page(0, [(0, 0, 1, "1、甲"), (0, 1, 1, "丙。"), (0, 2, 1, "区教育局"), (0, 3, 1, "")], header=None,
                 x0=COL_PX, widths=[COL_PX] * 4)
    first = replaced(first, margin_text=("一级一级", "指标指标工作要求牵头单位配合单位"))
    second = page(1, [(1, 0, 1, "二、丁"), (1, 1, 1, "2、戊"), (1, 2, 1, "己。"), (1, 3, 1, "区科委"), (1, 4, 1, "")])
    structure = build_tables([first, second], PROFILE)
    [table] = structure.tables
    assert [(r.level2, r.requirement, r.lead) for r in table.rows] == [("1、甲", "丙。", "区教育局"),
                                                                     ("2、戊", "己。", "区科委")]
    assert structure.pages[0].status == PAGE_READ
    assert "its header printed above the grid (read 「指标指标工作要求牵头单位配合单位」" in structure.pages[0].message
    untitled = build_tables([replaced(first, margin_text=("说明",)), second], PROFILE)
    assert untitled.pages[0].status == PAGE_NOT_READ and len(untitled.tables[0].rows) == 1


def test_a_form_scanned_into_the_draft_is_named_not_read():
    first = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区教育局"), (1, 4, 1, "")])
    form = page(1, [(0, 0, 1, "收费项目"), (0, 1, 1, "金额"), (1, 0, 1, "住宿费"), (1, 1, 1, "300")], header=None,
                widths=[330, 170])
    cover = PageCells(2, Grid(2, (), (), ()), ())
    structure = build_tables([first, form, cover], PROFILE)
    assert len(structure.tables[0].rows) == 1
    assert [r.status for r in structure.pages] == [PAGE_READ, PAGE_NOT_READ, PAGE_NO_TABLE]
    assert "收费项目 | 金额" in structure.pages[1].message


def test_geometry_tolerates_a_shift_and_refuses_other_tables():
    table = (100, 200, 300, 500, 600, 700)
    assert map_by_geometry(table, tuple(x + 12 for x in table), 20) == {i: i for i in range(5)}
    assert map_by_geometry(table, (100, 400, 700), 20) is None


def test_no_table_gives_no_rows():
    empty = PageCells(0, Grid(0, (), (), ()), ())
    assert build_table([empty], PROFILE).rows == ()
    assert build_tables([empty], PROFILE).pages[0].status == PAGE_NO_TABLE


def test_misread_header_maps_each_field_once():
    p = page(0, [(1, 0, 1, "一、完善"), (1, 1, 1, "1. 健全"), (1, 2, 1, "甲。"), (1, 3, 1, "区教育局"), (1, 4, 1, "")])
    cells = tuple(
        ct if ct.cell.cell_id != "p1-r0-c1" else type(ct)(ct.cell, "三级指标", ct.confidence, ct.engine)
        for ct in p.cells
    )
    assert find_header(type(p)(p.page, p.grid, cells), PROFILE).roles == STANDARD


def test_misread_repeated_header_keeps_the_first_pages_columns():
    first = page(0, [(1, 0, 1, "一、完善"), (1, 1, 1, "1. 健全"), (1, 2, 1, "甲。"), (1, 3, 1, "区教育局"),
                     (1, 4, 1, "")])
    second = page(1, [(1, 0, 1, "二、完善"), (1, 1, 1, "2. 加强"), (1, 2, 1, "乙。"), (1, 3, 1, "区科委"),
                      (1, 4, 1, "")])
    garbled = tuple(
        type(ct)(ct.cell, {"p2-r0-c0": "级标", "p2-r0-c1": "一级指标"}.get(ct.cell.cell_id, ct.text), 0.9, "t")
        for ct in second.cells
    )
    rows = build_table([first, type(second)(1, second.grid, garbled)], PROFILE).rows
    assert [(r.level1, r.level2) for r in rows] == [("一、完善", "1. 健全"), ("二、完善", "2. 加强")]


def test_a_header_of_other_roles_starts_a_second_table():
    first = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区教育局"), (1, 4, 1, "")])
    second = page(1, [(1, 0, 1, "1"), (1, 1, 1, "丁。"), (1, 2, 1, "区科委"), (1, 3, 1, "2027年")],
                  header=["序号", "重点任务", "责任单位", "完成时限"], widths=[50, 250, 100, 100])
    tables = build_tables([first, second], PROFILE).tables
    assert [len(t.rows) for t in tables] == [1, 1]
    assert [t.caption for t in tables] == ["表1", "表2"]
    assert tables[1].rows[0].get("responsible") == "区科委"


def test_a_note_printed_under_the_title_states_the_lead_rule_and_the_title_is_kept():
    p = page(0, [(1, 0, 1, "1"), (1, 1, 1, "甲。"), (1, 2, 1, "区教育局、区妇联"), (1, 3, 1, "2027年")],
             header=["序号", "重点任务", "责任单位", "完成时限"])
    margin = ("《某区实施方案》任务分工", "注：责任单位中列第一位的为牵头单位。")
    noted = PageCells(0, p.grid, p.cells, margin_text=margin)
    structure = build_tables([noted], PROFILE)
    [table] = structure.tables
    assert table.first_is_lead and table.title == "《某区实施方案》任务分工"
    # a note printed by the table is no cell, but the page's report keeps it (a new user's 注： row of
    # an Excel draft had been in no output)
    assert structure.pages[0].message.endswith(
        "printed around the table: 《某区实施方案》任务分工 / 注：责任单位中列第一位的为牵头单位。")


def test_a_page_that_lost_a_ruling_says_which_columns_it_read_as_one():
    header = ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"]
    widths = [40, 300, 100, 160, 80]
    cells = [(1, 0, 1, "1"), (1, 1, 1, "甲。"), (1, 2, 1, "区教育局"), (1, 3, 1, "区妇联"), (1, 4, 1, "2027年")]
    first = page(0, cells, header=header, widths=widths)
    # the header on the first page only; the ruling between 配合单位 and 完成时限 was not found on page 2
    second = page(1, [(0, 0, 1, "2"), (0, 1, 1, "乙。"), (0, 2, 1, "区科委"), (0, 3, 1, "区妇联长期坚持")],
                  header=None, x0=6, widths=[40, 300, 100, 240])
    structure = build_tables([first, second], PROFILE)
    [table] = structure.tables
    assert [(r.no, r.support, r.get("deadline")) for r in table.rows] == [
        ("1", "区妇联", "2027年"), ("2", "区妇联长期坚持", "")]
    assert structure.pages[1].status == PAGE_READ
    assert "配合单位 + 完成时限 read as one column" in structure.pages[1].message
    assert "read as one" not in structure.pages[0].message


def test_a_repeated_header_page_that_lost_a_ruling_continues_the_table():
    """qingpu/dirty-drum's last page: a streak over the ruling between 一级 and 二级 left 4 columns,
    the first headed 「一级指标二级指标」. It started a second table of 2 rows. A header page whose
    columns line up with the table's, each role its header names being one of the table columns its
    column covers, is the same table; a header naming a role its column does not cover is not."""
    widths = [60, 80, 300, 100, 120]
    first = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区教育局"),
                     (1, 4, 1, "区科委")], widths=widths)
    merged = ["一级指标二级指标", "工作要求", "牵头单位", "配合单位"]
    second = page(1, [(1, 0, 1, "2. 丁"), (1, 1, 1, "戊。"), (1, 2, 1, "区科委"), (1, 3, 1, "区妇联")],
                  header=merged, x0=4, widths=[140, 300, 100, 120])
    structure = build_tables([first, second], PROFILE)
    [table] = structure.tables
    assert [(r.level2, r.requirement, r.lead) for r in table.rows] == [("1. 乙", "丙。", "区教育局"),
                                                                         ("2. 丁", "戊。", "区科委")]
    assert "一级指标 + 二级指标 read as one column" in structure.pages[1].message
    # the same page headed 配合单位 over its task column: not the table's columns, a table of its own
    other = page(1, [(1, 0, 1, "2. 丁"), (1, 1, 1, "戊。"), (1, 2, 1, "区科委"), (1, 3, 1, "区妇联")],
                 header=["一级指标二级指标", "配合单位", "牵头单位", "工作要求"], x0=4, widths=[140, 300, 100, 120])
    assert len(build_tables([first, other], PROFILE).tables) == 2


def test_a_shifted_page_with_every_ruling_reads_no_column_as_merged():
    from pipeline.structure import merged_columns

    table = (100, 150, 450, 550, 710, 790)  # a 序号 column of 50 px, character height 20
    assert merged_columns(table, tuple(x + 20 for x in table), CHAR_PX) == {}
    assert merged_columns(table, (100, 150, 450, 550, 790), CHAR_PX) == {3: [4]}
    assert merged_columns(table, (300, 600, 900), CHAR_PX) == {}  # another table: no mapping at all


def test_a_header_column_without_role_does_not_shift_the_next_pages_columns():
    """A header cell read as nothing (a photocopy's haze) has no role; a page without header is still
    mapped column by column (a list of the roles indexed by column raised IndexError here)."""
    first = page(0, [(1, 0, 1, ""), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区教育局"), (1, 4, 1, "区科委")],
                 header=["", "二级指标", "工作要求", "牵头单位", "配合单位"])
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, "2. 丁"), (1, 2, 1, "戊。"), (1, 3, 1, "区科委"), (1, 4, 1, "区妇联")],
                  header=None)
    structure = build_tables([first, second], PROFILE)
    [table] = structure.tables
    assert [(r.level2, r.requirement, r.lead, r.support) for r in table.rows] == [
        ("1. 乙", "丙。", "区教育局", "区科委"), ("2. 丁", "戊。", "区科委", "区妇联")]


def test_a_title_without_the_words_of_a_division_of_duties_is_still_the_title():
    """A new user's 闵行区2025年生活垃圾分类工作任务分解表 (under a 附件 caption) was no title: its
    district was not known and the draft's 区公安分局 was not canonicalised. A line that ends as a
    document's name ends is the title when no line has the words of a division of duties; a note, a
    caption or a page number is not."""
    from pipeline.structure import draft_title

    p = page(0, [(1, 0, 1, "1"), (1, 1, 1, "甲。"), (1, 2, 1, "区教育局、区妇联"), (1, 3, 1, "2027年")],
             header=["序号", "主要任务", "责任单位", "完成时限"])
    noted = PageCells(0, p.grid, p.cells, margin_text=("附件", "闵行区2025年生活垃圾分类工作任务分解表", "第1页"))
    [table] = build_tables([noted], PROFILE).tables
    assert table.title == "闵行区2025年生活垃圾分类工作任务分解表"
    listed = "金山区消防安全重点任务清单（征求意见稿）"
    assert draft_title(["附件1", listed]) == listed
    # the words of a division of duties go first, wherever they are
    assert draft_title(["某区工作方案", "《某区实施方案》职责分工"]) == "《某区实施方案》职责分工"
    assert draft_title(["附件", "注：列第一位的为牵头单位。", "第1页", "2025年工作安排"]) == ""


def test_full_width_section_rows_head_the_rows_under_them_across_pages():
    """一、… printed as a row merged across the whole table instead of a 一级 column (a common layout;
    a new user's 杨浦区 draft as .docx, PDF and scan): its rows had been dropped without a word. The
    section's text is the 一级 title of every row under it, on the next page too, until the next one."""
    header = ["序号", "工作任务", "牵头单位", "配合单位"]
    first = page(0, [(1, 0, 1, "一、夯实基础", 4),
                     (2, 0, 1, "1"), (2, 1, 1, "甲。"), (2, 2, 1, "区教育局"), (2, 3, 1, ""),
                     (3, 0, 1, "二、强化保障", 4),
                     (4, 0, 1, "2"), (4, 1, 1, "乙。"), (4, 2, 1, "区科委"), (4, 3, 1, "区妇联")], header=header)
    second = page(1, [(0, 0, 1, "3"), (0, 1, 1, "丙。"), (0, 2, 1, "区民政局"), (0, 3, 1, ""),
                      (1, 0, 1, "三、加强督查", 4),
                      (2, 0, 1, "4"), (2, 1, 1, "丁。"), (2, 2, 1, "区政府办"), (2, 3, 1, "")], header=None,
                  widths=[COL_PX] * 4)
    [table] = build_tables([first, second], PROFILE).tables
    assert [(r.no, r.level1, r.requirement) for r in table.rows] == [
        ("1", "一、夯实基础", "甲。"), ("2", "二、强化保障", "乙。"), ("3", "二、强化保障", "丙。"),
        ("4", "三、加强督查", "丁。")]
    assert "level1" in table.roles
    # a draft that prints its 一级 and 二级 columns keeps them; a section row is then its 三级 level
    [printed] = build_tables([page(0, [(1, 0, 1, "（一）总体", 5), (2, 0, 1, "一、甲"), (2, 1, 1, "1.乙"),
                                       (2, 2, 1, "丙。"), (2, 3, 1, "区教育局"), (2, 4, 1, "")])], PROFILE).tables
    assert [(r.level1, r.level2, r.get("level3"), r.requirement) for r in printed.rows] == [
        ("一、甲", "1.乙", "（一）总体", "丙。")]


def test_a_task_merged_with_its_agencies_by_a_lost_ruling_is_no_section():
    """A cell across the task and agency columns is a section row only alone in its row and read as a
    heading: a task merged with its agencies by a ruling the grid lost has its 序号 beside it, and a
    sentence is no heading."""
    header = ["序号", "工作任务", "牵头单位", "配合单位"]
    merged = page(0, [(1, 0, 1, "1"), (1, 1, 1, "甲。区教育局", 2), (1, 3, 1, ""),
                      (2, 0, 1, "加强学校周边治理，落实责任。", 4),
                      (3, 0, 1, "2"), (3, 1, 1, "乙。"), (3, 2, 1, "区科委"), (3, 3, 1, "")], header=header)
    [table] = build_tables([merged], PROFILE).tables
    assert [(r.no, r.level1) for r in table.rows] == [("1", ""), ("2", "")]
    [report] = build_tables([merged], PROFILE).pages
    assert report.message.endswith("text in no row kept out: 加强学校周边治理，落实责任。")


def test_a_project_list_without_a_task_column_reads_its_last_heading_column_as_the_task():
    """序号 | 重点项目 | 责任单位 | 完成时限 (a new user's 宝山区 附件2): 重点项目 names the 二级 level in
    other tables, so the table had no task column and all its rows were not read. The last heading
    column is the task column when the draft prints no other, and the page's report says so."""
    p = page(0, [(1, 0, 1, "1"), (1, 1, 1, "建设无障碍示范街区2条。"), (1, 2, 1, "区建设管理委、区残联"),
                 (1, 3, 1, "2026年")], header=["序号", "重点项目", "责任单位", "完成时限"])
    structure = build_tables([p], PROFILE)
    [table] = structure.tables
    assert [(r.no, r.requirement, r.level2) for r in table.rows] == [("1", "建设无障碍示范街区2条。", "")]
    assert "重点项目 read as the 工作要求 column" in structure.pages[0].message
    # with a task column, 重点项目 stays a heading
    both = page(0, [(1, 0, 1, "1"), (1, 1, 1, "示范街区"), (1, 2, 1, "建设2条。"), (1, 3, 1, "区残联")],
                header=["序号", "重点项目", "工作要求", "责任单位"])
    assert build_tables([both], PROFILE).tables[0].rows[0].level2 == "示范街区"


def test_a_title_printed_on_two_lines_is_read_whole():
    """杨浦区…三年行动计划 over （2025—2027年）任务分工 (a new user's draft) had been cut to its last
    line, and the draft's district was not known; a caption or a sentence above is not joined."""
    from pipeline.structure import draft_title

    two = ["杨浦区城市运行“一网统管”能力提升三年行动计划", "（2025—2027年）任务分工"]
    assert draft_title(two) == "杨浦区城市运行“一网统管”能力提升三年行动计划（2025—2027年）任务分工"
    assert draft_title(["附件", "（2025—2027年）任务分工"]) == "（2025—2027年）任务分工"
    assert draft_title(["现将有关事项通知如下。", "任务分工"]) == "任务分工"
    # a header that names a level keeps it: its task cell was lost (a toner streak), not absent
    streaked = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "建设2条。"), (1, 2, 1, "区残联")],
                    header=["一级指标", "级指标", "配合单位"])
    assert build_tables([streaked], PROFILE).pages[0].status == PAGE_NOT_READ


def _first_page_under(header: list[str]) -> PageCells:
    """A first page whose header row reads `header`, with one row of data."""
    return page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区教育局"),
                    (1, 4, 1, "区科委")], header=header)


def _second_page() -> PageCells:
    """A second page printing the usual header legibly, with one row of data."""
    return page(1, [(1, 0, 1, "二、丁"), (1, 1, 1, "2. 戊"), (1, 2, 1, "己。"), (1, 3, 1, "区民政局"),
                    (1, 4, 1, "")])


def test_a_first_page_whose_header_is_under_a_streak_is_mapped_by_the_next_pages_header():
    """A toner streak across the first page's header row (songjiang/dirty-drum): 级指标 | 级指标 | 作要 |
    ∅ | 配单位 names no task column. The next page prints the header legibly, with the same columns:
    the first page's header takes the roles it lacks from it, its rows come first, and its report
    says what was taken. A page whose columns do not line up with that header stays not read."""
    second = _second_page()
    structure = build_tables([_first_page_under(["级指标", "级指标", "作要", "", "配单位"]), second], PROFILE)
    [table] = structure.tables
    assert [(r.level1, r.requirement, r.lead, r.support) for r in table.rows] == [
        ("一、甲", "丙。", "区教育局", "区科委"), ("二、丁", "己。", "区民政局", "")]
    assert [r.status for r in structure.pages] == [PAGE_READ, PAGE_READ]
    assert "header completed from p2's, which repeats it: 工作要求 (read 「作要」), 牵头单位 (read 「」)" in \
        structure.pages[0].message
    other = page(0, [(1, 0, 1, "甲"), (1, 1, 1, "乙"), (1, 2, 1, "丙")], header=["级指标", "作要", "配单位"],
                 widths=[150, 150, 200])
    structure = build_tables([other, second], PROFILE)
    assert [r.status for r in structure.pages] == [PAGE_NOT_READ, PAGE_READ]
    assert len(structure.tables[0].rows) == 1
    # Same columns, but its own header names 牵头单位 where the next page prints 配合单位: another table.
    crossed = _first_page_under(["级指标", "级指标", "作要", "配合单位", "牵头单位"])
    structure = build_tables([crossed, second], PROFILE)
    assert [r.status for r in structure.pages] == [PAGE_NOT_READ, PAGE_READ]


def test_a_first_page_whose_header_names_one_role_is_read_when_the_next_page_repeats_it():
    """qingpu/dirty-drum's first page: streaks leave one role name legible in its header row (∅ |
    一级旨 | いはでか… | 华 | 配合单位), too few for a header. The next page prints the header, so the first
    page (a header repeated later is printed before too) has one: its first row is taken as the
    header, because its 配合单位 names the role its column has by position. A page whose first row
    names no role of its column stays not read (its first row might be data)."""
    second = _second_page()
    structure = build_tables([_first_page_under(["", "一级旨", "いはでかー1張", "华", "配合单位"]), second], PROFILE)
    assert [r.status for r in structure.pages] == [PAGE_READ, PAGE_READ]
    assert [r.level1 for r in structure.tables[0].rows] == ["一、甲", "二、丁"]
    assert "its first 1 row(s) taken as the header that page repeats" in structure.pages[0].message
    nameless = _first_page_under(["", "一级旨", "いはでかー1張", "华", "单"])
    structure = build_tables([nameless, second], PROFILE)
    assert [r.status for r in structure.pages] == [PAGE_NOT_READ, PAGE_READ]


def test_a_first_page_header_missing_roles_is_completed_from_the_next_pages_repeated_header():
    """qingpu/dirty-drum's first page with the streaks' blots left out: its header reads 一级指标 |
    一级旨 | 作要求!事、， | ∅ | 配合单位, enough for a table but with no 牵头单位 and 二级 read as a column
    of no known role. The next page repeats the full header over the same columns: the first page's
    header takes the roles it lacks from it, so both pages are one table with every column, and the
    report says what was taken. A next page whose header names a known column otherwise is another
    table and completes nothing."""
    second = _second_page()
    structure = build_tables([_first_page_under(["一级指标", "一级旨", "作要求!事、，", "", "配合单位"]), second],
                             PROFILE)
    [table] = structure.tables
    assert [(r.level1, r.level2, r.lead, r.support) for r in table.rows] == [
        ("一、甲", "1. 乙", "区教育局", "区科委"), ("二、丁", "2. 戊", "区民政局", "")]
    assert "header completed from p2's, which repeats it: 二级指标 (read 「一级旨」), 牵头单位 (read 「」)" in \
        structure.pages[0].message
    swapped = page(1, [(1, 0, 1, "二、丁"), (1, 1, 1, "2. 戊"), (1, 2, 1, "己。"), (1, 3, 1, "区民政局"),
                       (1, 4, 1, "")], header=["一级指标", "二级指标", "牵头单位", "工作要求", "配合单位"])
    structure = build_tables([_first_page_under(["一级指标", "一级旨", "作要求!事、，", "", "配合单位"]), swapped],
                             PROFILE)
    assert len(structure.tables) == 2
    assert "header completed" not in structure.pages[0].message


def test_a_header_cell_running_on_into_the_body_does_not_take_the_page():
    """The ruling under 一级指标 lost (augraphy LinesDegradation over the held-out Songjiang plan): the
    header cell runs down the whole 一级 column. The header is the row the other role names end in,
    and the page's rows are read (it had given 0 rows, reported as read)."""
    header = [(0, 0, 3, "一级指标二、提升"), (0, 1, 1, "二级指标"), (0, 2, 1, "工作要求"), (0, 3, 1, "牵头单位"),
              (0, 4, 1, "配合单位")]
    data = [(1, 1, 1, "1. 乙"), (1, 2, 1, "丁。"), (1, 3, 1, "区教育局"), (1, 4, 1, "区妇联"),
            (2, 1, 1, "2. 戊"), (2, 2, 1, "庚。"), (2, 3, 1, "区科委"), (2, 4, 1, "")]
    p = page(0, header + data, header=None)
    assert find_header(p, PROFILE).last_row == 0
    structure = build_tables([p], PROFILE)
    assert [r.requirement for r in structure.tables[0].rows] == ["丁。", "庚。"]
    assert structure.pages[0].status == PAGE_READ
    # What that cell holds below the header is in no row: the page's report says so.
    assert "a header cell runs on into the rows below it, its text not read into them: 「一级指标二、提升」" \
        in structure.pages[0].message


def test_a_page_whose_text_gives_no_row_is_not_read_and_says_so():
    """Text below the header from which no row is read (here a 一级 title alone, no task, no agency):
    the page is not read and names what it holds, never 'read, 0 rows' with its text dropped."""
    structure = build_tables([page(0, [(1, 0, 1, "一、甲")])], PROFILE)
    assert structure.pages[0].status == PAGE_NOT_READ
    assert structure.pages[0].message == "5 columns, no row read from the text below the header: 「一、甲」"


def test_a_lead_on_both_sides_of_a_page_break_is_a_new_sub_row():
    """A 1-bit scan lost the upper requirement's 。 (make eval fengxian/bilevel-200); the lower part
    names its own lead, and the upper lead stopped lines before its requirement did: it is the item's
    next sub-row, not the rest of the upper one."""
    first = page(0, [(1, 0, 1, "五、强化"), (1, 1, 1, "27. 完善"), (1, 2, 1, "探索总额\n付费，建立\n机制"),
                     (1, 3, 1, "区医保局"), (1, 4, 1, "区卫生健康委")])
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, ""), (1, 2, 1, "纳入医保支付范围。"), (1, 3, 1, "区医保局"),
                      (1, 4, 1, "区医保中心")], header=None)
    rows = build_table([first, second], PROFILE).rows
    assert [r.requirement for r in rows] == ["探索总额\n付费，建立\n机制", "纳入医保支付范围。"]
    assert rows[1].level2 == "27. 完善"


def test_a_lead_merged_down_into_the_next_item_at_a_page_top_is_that_items():
    """LinesDegradation over our renderer's Putuo plan (seed 26, held out): the 牵头 ruling under the
    row carried over to page 5 faded, and item 26's lead stood in one cell with the carried row's blank
    part. The row above the break names its own lead: the carried row runs on under it, the merged
    name is item 26's only, and the page says so. Where the row above names no lead, the merge stands."""
    def pages(upper_lead: str) -> list[PageCells]:
        first = page(0, [(1, 0, 1, "五、压实"), (1, 1, 1, "25. 压实"), (1, 2, 1, "按照“管行业必须\n管安全、管业务必"),
                         (1, 3, 1, upper_lead), (1, 4, 1, "")])
        second = page(1, [(1, 0, 2, ""), (1, 1, 1, ""), (1, 2, 1, "须管安全”的原则。"), (1, 3, 2, "区应急局"),
                          (1, 4, 1, ""), (2, 1, 1, "26. 强化"), (2, 2, 1, "推行执法检查。"), (2, 4, 1, "区城管执法局")],
                      header=None)
        return [first, second]

    structure = build_tables(pages("区安委办"), PROFILE)
    rows = structure.tables[0].rows
    assert [r.requirement for r in rows] == ["按照“管行业必须\n管安全、管业务必\n须管安全”的原则。", "推行执法检查。"]
    assert [r.lead for r in rows] == ["区安委办", "区应急局"]
    assert "「区应急局」 beside it, merged down into the row below, is taken for that row's only" \
        in structure.pages[1].message
    rows = build_tables(pages(""), PROFILE).tables[0].rows
    assert [r.lead for r in rows] == ["区应急局", "区应急局"]


def test_an_agency_name_cut_by_a_page_break_runs_the_row_on_past_a_stop():
    """A speck after the upper requirement read as 。 (held-out Putuo plan, augraphy BadPhotoCopy at a
    seed make eval does not draw): the lower part's lead is 局 alone, the rest of 公安普陀分 | 局, so the
    row runs on. A lower part naming a lead of its own after a stop is a new sub-row."""
    first = page(0, [(1, 0, 1, "二、整治"), (1, 1, 1, "11. 整治"), (1, 2, 1, "对地下室、车库。"),
                     (1, 3, 1, "区房管局、\n公安普陀分"), (1, 4, 1, "区城管执法局、各街镇")])
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, ""), (1, 2, 1, "违规住人行为发现一起。"), (1, 3, 1, "局"),
                      (1, 4, 1, "")], header=None)
    [row] = build_table([first, second], PROFILE).rows
    assert row.requirement == "对地下室、车库。\n违规住人行为发现一起。"
    assert row.lead == "区房管局、\n公安普陀分\n局"
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, ""), (1, 2, 1, "违规住人行为发现一起。"), (1, 3, 1, "区房管局"),
                      (1, 4, 1, "")], header=None)
    assert len(build_table([first, second], PROFILE).rows) == 2


def test_the_rest_of_a_cut_name_before_another_name_runs_the_row_on_past_a_stop():
    """A copier's speck after 不低于 read as 。 (the held-out Fengxian plan's Word table, photocopied at
    a seed make eval does not draw): the lower lead starts with 障局, the rest of 区人力资源社会保 | 障局,
    and names 区卫生健康委 after it. Two characters are no agency's name: the row runs on. A lower lead
    that starts with a whole name after a stop is a new sub-row, and so is one after an upper lead that
    ended at a separator."""
    def pages(upper_lead: str, lower_lead: str) -> list:
        first = page(0, [(1, 0, 1, "二、做实"), (1, 1, 1, "9. 健全"), (1, 2, 1, "完善分配办法，\n原则上不低于。"),
                         (1, 3, 1, upper_lead), (1, 4, 1, "区财政局")])
        second = page(1, [(1, 0, 1, ""), (1, 1, 1, ""), (1, 2, 1, "70%用于绩效分配。"), (1, 3, 1, lower_lead),
                          (1, 4, 1, "")], header=None)
        return [first, second]

    structure = build_tables(pages("区人力资源社会保", "障局、区卫生健康委"), PROFILE)
    [row] = structure.tables[0].rows
    assert row.requirement == "完善分配办法，\n原则上不低于。\n70%用于绩效分配。"
    # the stop it ran on past is named, for a clerk to check
    assert "first row continues the previous page's past the 。 that ends its requirement there" \
        in structure.pages[1].message
    assert row.lead == "区人力资源社会保\n障局、区卫生健康委"
    assert len(build_table(pages("区人力资源社会保障局", "区卫生健康委"), PROFILE).rows) == 2
    assert len(build_table(pages("区人力资源社会保障局、", "医院"), PROFILE).rows) == 2


def test_a_lead_that_fills_its_part_of_a_cut_row_runs_on():
    """区卫生健康委、区中医 | 医院: the lead filled the upper part of a row cut by the page break, line
    for line with the requirement, and ran on (held-out Fengxian plan, make eval lines-degradation)."""
    first = page(0, [(1, 0, 1, "四、提升"), (1, 1, 1, "21. 推进"), (1, 2, 1, "全区建成中医馆，\n每个中"),
                     (1, 3, 1, "区卫生健康委、\n区中医"), (1, 4, 1, "区医保局")])
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, ""), (1, 2, 1, "医馆能够提供技术。"), (1, 3, 1, "医院"),
                      (1, 4, 1, "")], header=None)
    [row] = build_table([first, second], PROFILE).rows
    assert row.requirement == "全区建成中医馆，\n每个中\n医馆能够提供技术。"
    assert row.lead == "区卫生健康委、\n区中医\n医院"


def test_a_page_without_the_level1_column_carries_the_title_on_flagged():
    """augraphy's LinesDegradation erased the 一级 column's rulings on the held-out Fengxian plan's last
    page (make eval lines-degradation): the grid found four columns, and the page's rows had no 一级
    title. The merged title runs on from the page before; the rows keep it, and say so."""
    first = page(0, [(1, 0, 1, "五、强化"), (1, 1, 1, "27. 完善"), (1, 2, 1, "探索。"), (1, 3, 1, "区医保局"),
                     (1, 4, 1, "")])
    second = page(1, [(1, 0, 1, "28. 加大"), (1, 1, 1, "纳入预算。"), (1, 2, 1, "区财政局"), (1, 3, 1, "")],
                  header=["二级指标", "工作要求", "牵头单位", "配合单位"], x0=COL_PX)
    structure = build_tables([first, second], PROFILE)
    [table] = structure.tables
    assert [r.level1 for r in table.rows] == ["五、强化", "五、强化"]
    assert [r.sources["level1"].carried for r in table.rows] == [False, True]
    assert "no 一级指标 column found on this page" in structure.pages[1].message


def test_a_narrow_lead_read_as_one_stitched_line_is_counted_by_its_characters():
    """A narrow cell's lines are read stitched into one (区融媒体中心、区教育局、区文化 | 旅游局 on
    qingpu/bilevel-200, make eval): its lines are counted from its characters at the pitch of the
    requirement's fullest line (a 1-bit page's measured character height is no measure of it). Three
    lines of lead beside three of requirement filled the upper part: the row runs on."""
    widths = [COL_PX, COL_PX, 420, COL_PX, COL_PX]
    requirement = ("各类新闻媒体、公共信息平台要结合季节特点\n寒暑假及重大节日，加大学生防火、防溺水、\n"
                   "交通安全、治安防范等公共安全知")
    first = page(0, [(1, 0, 1, "五、保障"), (1, 1, 1, "25. 加大"), (1, 2, 1, requirement),
                     (1, 3, 1, "区融媒体中心、区教育局、区文化"), (1, 4, 1, "")], widths=widths)
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, ""), (1, 2, 1, "识宣传力度。"), (1, 3, 1, "旅游局"), (1, 4, 1, "")],
                  header=None, widths=widths)
    [row] = build_table([first, second], PROFILE).rows
    assert row.lead == "区融媒体中心、区教育局、区文化\n旅游局"


def test_a_stitched_lead_is_counted_by_its_seams():
    """区城运中心、区大数 | 据中心 (the held-out Putuo plan in 14 pt, laid out by LibreOffice): the lead
    was read stitched, its 、 lost, as 区城运中心区大数, whose stitched lattice has two seams, three printed
    lines beside three of requirement: the row runs on. Counted from its characters at the
    requirement's pitch (the cells' padding taken for room), it made two, and the page a new row."""
    widths = [COL_PX, COL_PX, 472, 174, COL_PX]
    requirement = "依托区城运中心“一网统\n管”平台，建设城市运行\n安全风险综合监测预警系"
    first = page(0, [(1, 0, 1, "一、健全"), (1, 1, 1, "3. 建设"), (1, 2, 1, requirement),
                     (1, 3, 1, "区城运中心区大数"), (1, 4, 1, "区应急局")], widths=widths)
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, ""), (1, 2, 1, "统，推动风险隐患早发现。"), (1, 3, 1, "据中心"),
                      (1, 4, 1, "区房管局")], header=None, widths=widths)
    # without the seams (tesseract keeps no lattice) the characters count: two rows, the lead cut
    assert [r.lead for r in build_table([first, second], PROFILE).rows] == ["区城运中心区大数", "据中心"]
    text = "区城运中心区大数"
    stitched = CharLattice(text, np.array([["", ch] for ch in text]), np.zeros((len(text), 2), np.float32),
                           np.arange(len(text), dtype=np.float32) * 40 + 20, seams=(118.5, 218.5))
    cells = tuple(replaced(c, lattices=(stitched,)) if c.text == text else c for c in first.cells)
    [row] = build_table([replaced(first, cells=cells), second], PROFILE).rows
    assert row.lead.replace("\n", "") == "区城运中心区大数据中心"
    assert row.requirement.replace("\n", "").endswith("预警系统，推动风险隐患早发现。")


def test_a_header_printed_again_mid_page_is_no_row():
    """A Word table cut in two, the second with its own header (held-out probe of the Songjiang,
    Fengxian and Putuo plans): the header printed again mid-page had been read as a row (序号 15, 一级
    四、一级指标). It is no row, and the page's report names it."""
    p = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区教育局"), (1, 4, 1, ""),
                 (2, 0, 1, "一级指标"), (2, 1, 1, "二级指标"), (2, 2, 1, "工作要求"), (2, 3, 1, "牵头单位"),
                 (2, 4, 1, "配合单位"),
                 (3, 0, 1, "二、丁"), (3, 1, 1, "2. 戊"), (3, 2, 1, "己。"), (3, 3, 1, "区财政局"), (3, 4, 1, "")])
    structure = build_tables([p], PROFILE)
    [table] = structure.tables
    assert [(r.level1, r.requirement, r.lead) for r in table.rows] == [("一、甲", "丙。", "区教育局"),
                                                                      ("二、丁", "己。", "区财政局")]
    assert "the header printed again (grid row 3) is no row" in structure.pages[0].message


def test_a_mid_page_row_naming_other_columns_is_read_as_a_row():
    """Words of a header in a row that names the columns otherwise (牵头 and 配合 swapped) are no repeat
    of it: read as a row, as any row is."""
    p = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区教育局"), (1, 4, 1, ""),
                 (2, 0, 1, "一级指标"), (2, 1, 1, "二级指标"), (2, 2, 1, "工作要求"), (2, 3, 1, "配合单位"),
                 (2, 4, 1, "牵头单位")])
    structure = build_tables([p], PROFILE)
    assert len(structure.tables[0].rows) == 2
    assert "printed again" not in structure.pages[0].message


def _merged_lead_pages(merged: bool) -> list[PageCells]:
    """Page 0: items 1 and 2 (their lead one merged cell when `merged`), item 3 led by 区乙局, whose
    cell the page break cuts; page 1: item 4 under the cut cell's blank part, no header repeated."""
    leads = [(1, 3, 2, "区甲局")] if merged else [(1, 3, 1, "区甲局"), (2, 3, 1, "区甲局")]
    first = page(0, [(1, 0, 2, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 4, 1, ""), *leads,
                     (2, 1, 1, "2. 丁"), (2, 2, 1, "戊。"), (2, 4, 1, ""),
                     (3, 0, 1, "二、己"), (3, 1, 1, "3. 庚"), (3, 2, 1, "辛。"), (3, 3, 1, "区乙局"), (3, 4, 1, "")])
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, "4. 壬"), (1, 2, 1, "癸。"), (1, 3, 1, ""), (1, 4, 1, "")], header=None)
    return [first, second]


def test_an_agency_cell_merged_across_a_page_break_keeps_its_name_below_it():
    """A Word table merges equal leads down consecutive rows; a page break cut 区乙局's cell and
    LibreOffice printed the name in its first part only (held-out probe, Songjiang and Fengxian
    plans: the row under the blank part had no lead). The draft merges leads elsewhere: the rows under
    the blank part keep the row before's lead, marked carried, and the page says so."""
    structure = build_tables(_merged_lead_pages(merged=True), PROFILE)
    rows = structure.tables[0].rows
    assert [r.lead for r in rows] == ["区甲局", "区甲局", "区乙局", "区乙局"]
    assert rows[3].sources["lead"].carried and not rows[2].sources["lead"].carried
    message = structure.pages[1].message
    assert "1 rows under a 牵头单位 cell merged across the page break keep the row before's" in message


def test_a_blank_agency_at_a_page_top_stays_blank_where_the_draft_merges_none():
    structure = build_tables(_merged_lead_pages(merged=False), PROFILE)
    assert [r.lead for r in structure.tables[0].rows] == ["区甲局", "区甲局", "区乙局", ""]
    assert "merged across" not in structure.pages[1].message


def _unnumbered_pages(continues: bool) -> list[PageCells]:
    """Titles printed without item numbers and no 序号 column; page 1's first row is a new item (its
    requirement a sentence of its own, its own lead) unless `continues` (the row cut by the break)."""
    first = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "推进生态清洁小流域建设"),
                     (1, 2, 1, "丙。" if not continues else "丙，"), (1, 3, 1, "区水务局"), (1, 4, 1, "")])
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, "完善气象水文监测站网" if not continues else "设"),
                      (1, 2, 1, "丁。"), (1, 3, 1, "区气象局" if not continues else ""), (1, 4, 1, "")], header=None)
    return [first, second]


def test_an_unnumbered_title_at_a_page_top_beside_a_new_row_starts_an_item():
    """Held-out probe, a Word table of the Songjiang plan without item numbers: the next item's title
    at the top of a page was joined to the title above (推进生态清洁小流域建设完善气象水文监测站网). A merged
    title runs on into the next page only beside a row that runs on."""
    rows = build_table(_unnumbered_pages(continues=False), PROFILE).rows
    assert [r.level2 for r in rows] == ["推进生态清洁小流域建设", "完善气象水文监测站网"]
    [row] = build_table(_unnumbered_pages(continues=True), PROFILE).rows
    assert row.level2.replace("\n", "") == "推进生态清洁小流域建设设"
    assert row.requirement.replace("\n", "") == "丙，丁。"


def test_an_agency_cell_cut_by_the_first_page_break_is_carried_on_evidence_read_later():
    """The draft's first merged lead may be the one a page break cuts (the Songjiang plan with every
    structure of tests/test_word_structures_end_to_end.py: 区水务局 over items 6 and 7, pages 1 and 2):
    the whole table is read before the blank part is judged, and a merge further on decides it."""
    first = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区乙局"), (1, 4, 1, "")])
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, "2. 壬"), (1, 2, 1, "癸。"), (1, 3, 1, ""), (1, 4, 1, ""),
                      (2, 0, 1, "二、子"), (2, 1, 1, "3. 丑"), (2, 2, 1, "寅。"), (2, 3, 2, "区丙局"), (2, 4, 1, ""),
                      (3, 1, 1, "4. 卯"), (3, 2, 1, "辰。"), (3, 4, 1, "")], header=None)
    structure = build_tables([first, second], PROFILE)
    assert [r.lead for r in structure.tables[0].rows] == ["区乙局", "区乙局", "区丙局", "区丙局"]
    assert "1 rows under a 牵头单位 cell merged across the page break" in structure.pages[1].message


def test_a_misread_heading_beside_a_heading_column_is_a_heading_by_its_place():
    """A 1-bit light-toner copy of a Word table read its header 吸指标 | 级指标 (the seed-2 draw of make
    eval's Minhang recipe, never in make eval): 吸指标 names no role (ratio 57 to each level), and 级指标
    took 一级, so every row's 二级 title was read as its 一级 and its 一级 title went to a column of no
    role. A misread heading name beside a heading column is a heading column, its level by its place,
    and the report says so; text that names no heading beside one stays a column of its own."""
    structure = build_tables([_first_page_under(["吸指标", "级指标", "工作要求", "牵头单位", "配合单位"])], PROFILE)
    [table] = structure.tables
    assert [(r.level1, r.level2) for r in table.rows] == [("一、甲", "1. 乙")]
    assert "「吸指标」 read as 一级指标 by its place beside the other heading" in structure.pages[0].message
    other = build_tables([_first_page_under(["备注", "一级指标", "工作要求", "牵头单位", "配合单位"])], PROFILE)
    assert "by its place" not in other.pages[0].message
    assert [r.level1 for r in other.tables[0].rows] == ["1. 乙"]


def _from_text(p: PageCells, cols: tuple[int, ...]) -> PageCells:
    """Page `p` with its grid's column lines at `cols`, found from its text (Grid.from_text)."""
    return replaced(p, grid=replaced(p.grid, col_lines=cols, from_text=True))


def test_the_sides_of_pages_found_from_their_text_match_within_a_wider_tolerance():
    """A table whose rulings the toner lost has its sides put where stretches of ruling end or off its
    text (the seed-2 draw of make eval's Minhang recipe: a last page without header had its left side
    47 px, 1.8 characters, off the first page's, whose right side stood 37 px in; two of six lines
    missed, and the page was not read). Sides of such grids match within three characters; inner lines,
    and the sides of ruled grids, within one as before."""
    assert map_by_geometry((0, 100, 200, 300), (40, 100, 200, 340), CHAR_PX) is None
    assert map_by_geometry((0, 100, 200, 300), (40, 100, 200, 340), CHAR_PX, 3 * CHAR_PX) == {0: 0, 1: 1, 2: 2}
    columns = (0, 100, 200, 300, 400, 500)
    assert map_by_geometry(columns, (0, 140, 200, 260, 400, 500), CHAR_PX, 3 * CHAR_PX) is None  # inner lines off
    first = _first_page_under(HEADER)
    xs = first.grid.col_lines
    shifted = (xs[0] + 2 * CHAR_PX, *xs[1:-1], xs[-1] - 2 * CHAR_PX)  # both sides two characters in
    nameless = page(1, [(0, 0, 1, "二、丁"), (0, 1, 1, "2. 戊"), (0, 2, 1, "己。"), (0, 3, 1, "区民政局"),
                        (0, 4, 1, "")], header=None)
    ruled = build_tables([first, replaced(nameless, grid=replaced(nameless.grid, col_lines=shifted))], PROFILE)
    assert [r.status for r in ruled.pages] == [PAGE_READ, PAGE_NOT_READ]
    faint = build_tables([_from_text(first, xs), _from_text(nameless, shifted)], PROFILE)
    assert [r.status for r in faint.pages] == [PAGE_READ, PAGE_READ]
    assert [r.level1 for r in faint.tables[0].rows] == ["一、甲", "二、丁"]


def test_a_faint_repeat_of_a_repeated_header_is_the_header():
    """A word processor repeats a table's header on each page. The seed-2 draw of make eval's Minhang
    recipe read its last page's header 指标 | 指小 | 」作要求 | 头单位 | 配介审位: two of five columns named,
    too few for a header of its own; the row was read as data continuing the page before, and the
    page's rows numbered one item on. Where the table's header was repeated before, the first row whose
    cells name two columns' roles by geometry is that header, and the report says so; one cell naming
    its column (a requirement may hold 工作要求) leaves the row as data."""
    def third(header: list[str]) -> PageCells:
        return page(2, [(1, 0, 1, ""), (1, 1, 1, "3. 庚"), (1, 2, 1, "辛。"), (1, 3, 1, "区民政局"), (1, 4, 1, "")],
                    header=header)

    faint = ["指标", "指小", "」作要求", "头单位", "配介审位"]
    structure = build_tables([_first_page_under(HEADER), _second_page(), third(faint)], PROFILE)
    assert [r.status for r in structure.pages] == [PAGE_READ] * 3
    assert [r.level2 for r in structure.tables[0].rows] == ["1. 乙", "2. 戊", "3. 庚"]
    assert "taken as the header the table repeats on its pages" in structure.pages[2].message
    one = build_tables([_first_page_under(HEADER), _second_page(), third(["", "", "按工作要求", "", ""])], PROFILE)
    assert "taken as the header" not in one.pages[2].message
    assert "按工作要求" in one.tables[0].rows[1].requirement  # read as data, continuing 二、丁's


def test_a_new_groups_title_read_with_a_stray_mark_at_a_page_top_starts_its_group():
    """The seed-5 draw of the held-out Songjiang plan's light-toner recipe: group 四's title at the top
    of page 4 read 1四、强化监测预警和应急处置, and was taken for the rest of page 3's merged title (三、加强
    河湖水系综合治理1四、… over 13 rows). Up to two marks that are no Han character may stand before the
    numeral; a title's own tail (统一、规范) still runs on."""
    def pages(top: str) -> list[PageCells]:
        first = page(0, [(1, 0, 1, "三、加强河湖水系综合治理"), (1, 1, 1, "17. 乙"), (1, 2, 1, "丙。"),
                         (1, 3, 1, "区水务局"), (1, 4, 1, "")])
        second = page(1, [(1, 0, 1, top), (1, 1, 1, "18. 丁"), (1, 2, 1, "戊。"), (1, 3, 1, "区应急局"),
                          (1, 4, 1, "")], header=None)
        return [first, second]

    rows = build_table(pages("1四、强化监测预警和应急处置"), PROFILE).rows
    assert [r.level1 for r in rows] == ["三、加强河湖水系综合治理", "1四、强化监测预警和应急处置"]
    rows = build_table(pages("统一、规范"), PROFILE).rows
    assert [r.level1.replace("\n", "") for r in rows] == ["三、加强河湖水系综合治理统一、规范"] * 2


def test_a_new_groups_title_whose_numeral_was_misread_at_a_page_top_starts_its_group():
    """The Songjiang plan's Word table under tests/wordscan.py's lines-degradation at seed 17, page 4:
    group 四's title read 匹、强化监测预警和应急处置 beside item 18, and was joined to group 三's title on
    page 3 (15 rows under 三、…匹、…). One character and 、 beside an item that starts with its own number
    is a numbered title; beside the rest of an item cut by the break it is the title's tail."""
    def pages(level2: str) -> list[PageCells]:
        first = page(0, [(1, 0, 1, "三、加强河湖水系综合治理"), (1, 1, 1, "17. 乙"), (1, 2, 1, "丙。"),
                         (1, 3, 1, "区水务局"), (1, 4, 1, "")])
        second = page(1, [(1, 0, 1, "匹、强化监测预警和应急处置"), (1, 1, 1, level2), (1, 2, 1, "戊。"),
                          (1, 3, 1, "区应急局"), (1, 4, 1, "")], header=None)
        return [first, second]

    for level2 in ("18. 丁", "18丁"):  # the next number, its stop read or lost
        rows = build_table(pages(level2), PROFILE).rows
        assert [r.level1 for r in rows] == ["三、加强河湖水系综合治理", "匹、强化监测预警和应急处置"]
    rows = build_table(pages("丁"), PROFILE).rows
    assert len({r.level1 for r in rows}) == 1


def test_a_header_naming_only_some_of_the_tables_columns_on_the_next_page_is_not_read():
    """The Songjiang plan's Word table under tests/wordscan.py's photocopy at seed 17, page 6: a copier's
    haze left that page's grid only 工作要求 | 牵头单位, its header naming those two. Its one item was
    read as a table of its own, without its 二级 title and support agencies, and the run said ok. A
    header that names only some of the columns of the table on the page before is that table with
    columns lost, when its grid lies inside that table's sides: the page is not read, and says which.
    A second table naming a column of its own (序号 is no column of the first) is a table of its own,
    as before (and one as wide as the first: test_a_repeated_header_page_that_lost_a_ruling_…)."""
    first = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "27. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区水务局"), (1, 4, 1, "")])
    second = page(1, [(1, 0, 1, "丁。"), (1, 1, 1, "区水务局")], header=["工作要求", "牵头单位"], x0=2 * COL_PX)
    result = build_tables([first, second], PROFILE)
    assert len(result.tables) == 1 and len(result.tables[0].rows) == 1
    report = result.pages[1]
    assert report.status == PAGE_NOT_READ
    assert "一级指标, 二级指标, 配合单位 missing" in report.message
    other = page(1, [(1, 0, 1, "戊"), (1, 1, 1, "丁。"), (1, 2, 1, "区水务局")],
                 header=["序号", "工作要求", "牵头单位"])
    result = build_tables([first, other], PROFILE)
    assert len(result.tables) == 2 and result.pages[1].status == PAGE_READ


def test_a_title_numbered_next_without_its_stop_at_a_page_top_starts_an_item():
    """A drum's streak over the Songjiang plan's Word table (tests/wordscan.py dirty-drum, seed 17, page
    6) read 28.推动长三角区域防汛协作 as 28推动…, item 27's requirement lost its 。, and item 28 was joined
    to item 27. A title starting with the number after the one above starts an item, its stop lost or
    not; one starting with another number does not (a year, a count)."""
    def pages(top: str) -> list[PageCells]:
        return _page_break("27.加强防汛工作督查考核", "予以通报", top)

    rows = build_table(pages("28推动长三角区域防汛协作"), PROFILE).rows
    assert [r.level2 for r in rows] == ["27.加强防汛工作督查考核", "28推动长三角区域防汛协作"]
    assert len(build_table(pages("30推动长三角区域防汛协作"), PROFILE).rows) == 1


def _page_break(upper_title: str, upper_requirement: str, top: str) -> list[PageCells]:
    """Two pages of a table without 序号: an item titled `upper_title` at the foot of the first, a row
    whose 二级 cell reads `top` at the head of the second."""
    first = page(0, [(1, 0, 1, "五、甲"), (1, 1, 1, upper_title), (1, 2, 1, upper_requirement),
                     (1, 3, 1, "区政府督查室"), (1, 4, 1, "")])
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, top), (1, 2, 1, "依托长三角。"), (1, 3, 1, "水务局"),
                      (1, 4, 1, "")], header=None)
    return [first, second]


def test_a_title_numbered_with_a_space_for_its_stop_at_a_page_top_starts_an_item():
    """A fax read item 25's number 2.5、 (a speck) and lost item 26's stop: 26 完善老年人权益保障机制 at the
    top of page 4 was joined to item 25's title above the break (held-out Jiading plan by fax, seed 21),
    and item 26 took item 25's number and title. A number, a space and a title start an item; a
    quantity (26 个) does not."""
    def pages(top: str) -> list[PageCells]:
        return _page_break("2.5、加强养老服务资金监管", "防范风险。", top)

    rows = build_table(pages("26 完善老年人权益保障机制"), PROFILE).rows
    assert [r.level2 for r in rows] == ["2.5、加强养老服务资金监管", "26 完善老年人权益保障机制"]
    rows = build_table(pages("26 个中心"), PROFILE).rows
    assert rows[0].level2 == rows[1].level2 == "2.5、加强养老服务资金监管\n26 个中心"


def test_a_header_naming_the_tables_columns_and_one_its_pages_before_lost_continues_the_table():
    """Our renderer's Putuo plan under tests/degrade.py's lines-degradation at seed 18: pages 1-3 lost the
    table's left side and with it the 一级 column; page 4 kept it, and pages 4-5 were read as a second
    table (14 of 38 rows in the first). A header on the next page that names all of the table's columns
    and more, where every column line of the table stands, continues the table with the column added
    (the rows above have none, and the page says so). Where the table's lines do not stand there, it
    is another table, as before."""
    header4 = ["二级\n指标", "工作要求", "牵头单位", "配合单位"]
    first = page(0, [(1, 0, 1, "1. 乙"), (1, 1, 1, "丙。"), (1, 2, 1, "区水务局"), (1, 3, 1, "")],
                 header=header4, x0=COL_PX)
    second = page(1, [(1, 0, 1, "二、甲"), (1, 1, 1, "2. 丁"), (1, 2, 1, "戊。"), (1, 3, 1, "区教育局"), (1, 4, 1, "")])
    result = build_tables([first, second], PROFILE)
    [table] = result.tables
    assert [(r.level1, r.level2) for r in table.rows] == [("", "1. 乙"), ("二、甲", "2. 丁")]
    roles = [c.role for c in table.columns]
    assert roles.index("level1") == roles.index("level2") - 1
    assert "its header names 一级指标 too" in result.pages[1].message
    shifted = page(1, [(1, 0, 1, "二、甲"), (1, 1, 1, "2. 丁"), (1, 2, 1, "戊。"), (1, 3, 1, "区教育局"),
                       (1, 4, 1, "")], x0=COL_PX // 2)
    assert len(build_tables([first, shifted], PROFILE).tables) == 2


def test_a_header_naming_a_column_the_tables_first_page_read_into_its_neighbour_continues_the_table():
    """The held-out Jiading plan's Word table under tests/wordscan.py's bilevel-200 at seed 19: page 1's
    grid, found from its text, lost the 工作要求 | 牵头单位 line under a header cell read 工作要求牵头单位;
    page 2 has the line and names 牵头单位 there, and pages 2-5 were read as a second table (7 of 33
    rows in the first). The page continues the table with the column added; where the table's header
    over that place named only 工作要求, the page's 牵头单位 is another table's, as before."""
    def first(requirement_header: str) -> PageCells:
        return page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。 区民政局"), (1, 3, 1, "区科委")],
                    header=["一级指标", "二级指标", requirement_header, "配合单位"],
                    widths=[COL_PX, COL_PX, 2 * COL_PX, COL_PX])

    second = page(1, [(1, 0, 1, ""), (1, 1, 1, "2. 丁"), (1, 2, 1, "戊。"), (1, 3, 1, "区教育局"), (1, 4, 1, "")])
    result = build_tables([first("工作要求牵头单位"), second], PROFILE)
    [table] = result.tables
    assert [(r.level2, r.lead) for r in table.rows] == [("1. 乙", ""), ("2. 丁", "区教育局")]
    assert "its header names 牵头单位 too" in result.pages[1].message
    assert len(build_tables([first("工作要求"), second], PROFILE).tables) == 2


def test_a_support_merged_over_a_restored_border_is_marked_carried():
    """The seed-6 draw of the held-out Songjiang plan at light toner, page 5: item 23's third sub-row
    (lead 区卫生健康委, no support of its own) lost its ruling, and the grid restored it from the text in
    the requirement and lead columns; the support cell above ran on across it, and the sub-row showed
    the second's support unmarked. A cell merged over a restored border is the row's by the merge
    alone: marked carried (repair flags it). Over a ruled border a merge is the draft's: unmarked."""
    def pages(restored: bool) -> list[PageCells]:
        p = page(0, [(1, 0, 2, "四、甲"), (1, 1, 2, "23. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区民政局"),
                     (1, 4, 2, "区教育局"), (2, 2, 1, "丁。"), (2, 3, 1, "区卫生健康委")])
        borders = (RestoredBorder("row", 2 * ROW_PX, p.grid.col_lines[2], p.grid.col_lines[4]),) if restored else ()
        return [replaced(p, grid=replaced(p.grid, restored=borders))]

    rows = build_table(pages(restored=True), PROFILE).rows
    assert [r.support for r in rows] == ["区教育局", "区教育局"]
    assert not rows[0].sources["support"].carried and rows[1].sources["support"].carried
    assert not rows[1].sources["lead"].carried  # its own cell
    assert not any(r.sources["support"].carried for r in build_table(pages(restored=False), PROFILE).rows)


def test_a_header_page_with_a_line_inside_a_column_continues_the_table():
    """The held-out Putuo plan under a dirty drum (tests/degrade.py, seed 13), page 4: a streak the grid
    kept drew a line inside 工作要求, under the header cell that spans it. The page continues the table
    (it had started a table of its own) and says the column was read as two; a header naming another
    role over the extra column is another table."""
    first = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区教育局"),
                     (1, 4, 1, "区科委")])
    widths = [COL_PX, COL_PX, 60, 40, COL_PX, COL_PX]

    def second(over_the_line: str) -> PageCells:
        header = [(0, 0, 1, "一级指标"), (0, 1, 1, "二级指标"), (0, 2, 1, "工作要求", 2), (0, 4, 1, "牵头单位"),
                  (0, 5, 1, "配合单位")] if not over_the_line else [
            (0, 0, 1, "一级指标"), (0, 1, 1, "二级指标"), (0, 2, 1, "工作要求"), (0, 3, 1, over_the_line),
            (0, 4, 1, "牵头单位"), (0, 5, 1, "配合单位")]
        return page(1, [*header, (1, 0, 1, ""), (1, 1, 1, "2. 丁"), (1, 2, 1, "戊己"), (1, 3, 1, "庚。"),
                        (1, 4, 1, "区科委"), (1, 5, 1, "区妇联")], header=None, widths=widths)

    structure = build_tables([first, second("")], PROFILE)
    [table] = structure.tables
    assert [(r.level2, r.requirement, r.lead) for r in table.rows] == [("1. 乙", "丙。", "区教育局"),
                                                                         ("2. 丁", "戊己\n庚。", "区科委")]
    assert "工作要求 read as 2 columns" in structure.pages[1].message
    assert len(build_tables([first, second("完成时限")], PROFILE).tables) == 2


def test_a_header_page_whose_heading_repeats_over_a_line_inside_its_column_continues_the_table():
    """The held-out Fengxian plan under a dirty drum (tests/wordscan.py, seed 13), page 5: a line inside
    二级指标 under its header cell, read 二级指标 on both sides and named 二级 | 三级 by their places. Geometry
    gives both the table's 二级 column: the page continues the table (it had started a second one)."""
    first = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙。"), (1, 3, 1, "区教育局"),
                     (1, 4, 1, "区科委")])
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, "2. 丁"), (1, 2, 1, ""), (1, 3, 1, "戊。"), (1, 4, 1, "区科委"),
                      (1, 5, 1, "区妇联")],
                  header=["一级指标", "二级指标", "二级指标", "工作要求", "牵头单位", "配合单位"],
                  widths=[COL_PX, 60, 40, COL_PX, COL_PX, COL_PX])
    structure = build_tables([first, second], PROFILE)
    [table] = structure.tables
    assert [(r.level2, r.requirement, r.lead) for r in table.rows] == [("1. 乙", "丙。", "区教育局"),
                                                                         ("2. 丁", "戊。", "区科委")]
    assert "二级指标 read as 2 columns" in structure.pages[1].message


def test_a_line_of_column_names_reads_as_a_header_row_and_a_sentence_does_not():
    """TableProfile.header_row_in: the header row read line by line on a 1-bit copy (级指标级指标工作
    要求牵头单位配合单位: the 一 lost, the names run together) and a four-column one (序号 counted where it
    is printed whole) are header rows; sentences of a plan's body that name three columns among other
    words, and a note under the table, are not."""
    assert PROFILE.header_row_in(["注：各街镇按属地职责配合落实", "级指标级指标工作要求牵头单位配合单位"]) \
        == "级指标级指标工作要求牵头单位配合单位"
    assert PROFILE.header_row_in(["序号 工作任务 牵头单位 配合单位"]) == "序号 工作任务 牵头单位 配合单位"
    assert PROFILE.header_row_in(["各牵头单位、配合单位要按照工作要求抓好落实", "按照工作要求，牵头单位和配合单位",
                                  "注：各街镇按属地职责配合落实"]) == ""
    # three names run together where the rest was misread (级措标: held-out songjiang/word-bilevel-200
    # s21, page 6, 12 of 18 characters named) is a header row; names parted by marks are a list
    assert PROFILE.header_row_in(["级措标级措标工作要求牵头单位配合单位"]) == "级措标级措标工作要求牵头单位配合单位"
    assert PROFILE.header_row_in(["級措标 工作要求 牵头单位 配合单位"]) == "級措标 工作要求 牵头单位 配合单位"
    assert PROFILE.header_row_in(["表中列明工作要求、牵头单位、配合单位", "做好工作要求牵头单位的事"]) == ""


def test_a_header_cut_in_two_by_a_streak_on_the_first_page_names_its_column():
    """A dirty drum's streak through 要 of the first page's 工作要求 kept as a ruling (held-out Fengxian
    Word table, tests/wordscan.py dirty-drum at seed 23, page 1): 工作 | 求, neither a name, no column
    was the task's, and the page and its six rows were not read. Read together they name it: both
    columns are the task's, their texts joined, the page's report says so, and the streak's line is
    none of the table's: the next page, without it and missing a ruling of its own, lines up with the
    table (one table). Two cells that name nothing together stay apart."""
    widths = [100, 100, 60, 140, 100, 100]
    first = page(0, [(1, 0, 1, "一、甲"), (1, 1, 1, "1. 乙"), (1, 2, 1, "丙丁"), (1, 3, 1, "戊。"),
                     (1, 4, 1, "区教育局"), (1, 5, 1, "")],
                 header=["一级指标", "二级指标", "工作", "求", "牵头单位", "配合单位"], widths=widths)
    # the next page, without the streak, lost the 牵头 | 配合 ruling: two of the first page's lines missing
    second = page(1, [(0, 0, 1, ""), (0, 1, 1, "2. 己"), (0, 2, 1, "庚。"), (0, 3, 1, "区民政局")],
                  header=None, widths=[100, 100, 200, 200])
    result = build_tables([first, second], PROFILE)
    [table] = result.tables
    assert [(r.level2, r.requirement, r.lead, r.support) for r in table.rows] == [
        ("1. 乙", "丙丁\n戊。", "区教育局", ""), ("2. 己", "庚。", "", "区民政局")]
    assert "工作要求 read as 2 columns" in result.pages[0].message
    assert "牵头单位 + 配合单位 read as one column" in result.pages[1].message
    apart = page(0, [], header=["一级指标", "二级指标", "工作要求", "附", "件", "牵头单位", "配合单位"],
                 widths=[100, 100, 200, 40, 40, 100, 100])
    assert {c: r for c, r in find_header(apart, PROFILE).roles.items() if c in (3, 4)} == {3: "other:附", 4: "other:件"}


def test_a_page_without_the_support_column_names_it_and_flags_its_rows():
    """augraphy Folding over the held-out Fengxian plan's Word table (tests/wordscan.py folding, seed
    25), page 5: the fold bent the table's right side, the grid found four columns, geometry mapped
    them, and the page's 8 rows were written with no support agency and nothing said. The rows that
    start on the page keep the field empty, flagged, and the page's report names the column; the row
    the page continues keeps its support from the page before."""
    first = page(0, [(1, 0, 1, "五、强化"), (1, 1, 1, "27. 完善"), (1, 2, 1, "探索建立"), (1, 3, 1, "区医保局"),
                     (1, 4, 1, "区财政局")])
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, ""), (1, 2, 1, "机制。"), (1, 3, 1, ""),
                      (2, 0, 1, ""), (2, 1, 1, "28. 加大"), (2, 2, 1, "纳入预算。"), (2, 3, 1, "区财政局")],
                  header=None, widths=[COL_PX] * 4)
    structure = build_tables([first, second], PROFILE)
    [table] = structure.tables
    assert [r.support for r in table.rows] == ["区财政局", ""]
    assert [r.sources["support"].lost for r in table.rows] == [False, True]
    assert "no 配合单位 column found on this page (its rulings lost?): its 1 rows have none, flagged" \
        in structure.pages[1].message
    assert build_tables([first, page(1, [(1, 0, 1, ""), (1, 1, 1, "28. 加大"), (1, 2, 1, "纳入预算。"),
                                         (1, 3, 1, "区财政局"), (1, 4, 1, "区民政局")], header=None),
                         ], PROFILE).pages[1].message.count("column found on this page") == 0
