"""build_table on hand-made pages: header mapping, merged cells, page breaks."""

from pipeline.models import Box, Cell, CellText, Grid, PageCells
from pipeline.structure import build_table, find_header

HEADER = ["一级\n指标", "二级\n指标", "工作要求", "牵头单位", "配合单位"]


def page(index: int, cells: list[tuple[int, int, int, str]], header: bool = True) -> PageCells:
    """cells: (row, col, row_span, text); the header row is added as row 0 when `header`."""
    spec = ([(0, c, 1, t) for c, t in enumerate(HEADER)] if header else []) + cells
    made = []
    for row, col, span, text in spec:
        cell = Cell(index, row, col, span, 1, Box(col * 100, row * 50, col * 100 + 100, (row + span) * 50))
        made.append(CellText(cell, text, 0.95, "test"))
    n_rows = max(r + s for r, _, s, _ in spec)
    rows = tuple(range(0, (n_rows + 1) * 50, 50))
    grid = Grid(index, rows, (0, 100, 200, 300, 400, 500), tuple(c.cell for c in made))
    return PageCells(index, grid, tuple(made))


def test_header_maps_columns_even_when_reordered():
    p = page(0, [])
    assert find_header(p) == (0, {0: "level1", 1: "level2", 2: "requirement", 3: "lead", 4: "support"})


def test_merged_cells_fill_every_row_they_span():
    p = page(0, [
        (1, 0, 3, "一、完善\n学校"), (1, 1, 2, "1. 健全\n机制"), (1, 2, 1, "甲。"), (1, 3, 2, "区教育局"),
        (1, 4, 1, "区妇联"),
        (2, 2, 1, "乙。"), (2, 4, 1, ""),
        (3, 1, 1, "2、加强"), (3, 2, 1, "丙。"), (3, 3, 1, "区科委"), (3, 4, 1, "各街镇"),
    ])
    table = build_table([p])
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
    rows = build_table([first, second]).rows
    assert len(rows) == 3
    assert rows[1].level2 == "19、健全学校安全事故和突发事件应对处置机\n制"
    assert rows[1].requirement == "区教育部门会同有关部门指导学校建立完善安\n全事故处置预案。"
    assert rows[1].support == "公安青浦分局、区卫\n生健康委"
    # the 一级 cell's empty part on page 1 and its text on page 2 are one cell
    assert rows[0].level1 == rows[1].level1 == rows[2].level1 == "四、完善学校安全事故处理"
    assert rows[2].level2 == "20. 建立"


def test_new_sub_row_at_top_of_page_is_not_joined():
    first = page(0, [(1, 0, 1, "三、健全"), (1, 1, 1, "13. 加强食品"), (1, 2, 1, "加强监督指导。"),
                     (1, 3, 1, "区卫生健康委"), (1, 4, 1, "")])
    second = page(1, [(1, 0, 1, ""), (1, 1, 1, ""), (1, 2, 1, "加强食品安全监管。"), (1, 3, 1, "区市场监管局"),
                      (1, 4, 1, "各街镇")], header=False)
    rows = build_table([first, second]).rows
    assert [r.requirement for r in rows] == ["加强监督指导。", "加强食品安全监管。"]
    assert rows[1].level2 == "13. 加强食品" and rows[1].level1 == "三、健全"


def test_no_table_gives_no_rows():
    empty = PageCells(0, Grid(0, (), (), ()), ())
    assert build_table([empty]).rows == ()


def test_misread_header_maps_each_field_once():
    p = page(0, [(1, 0, 1, "一、完善"), (1, 1, 1, "1. 健全"), (1, 2, 1, "甲。"), (1, 3, 1, "区教育局"), (1, 4, 1, "")])
    cells = tuple(
        ct if ct.cell.cell_id != "p1-r0-c1" else type(ct)(ct.cell, "三级指标", ct.confidence, ct.engine)
        for ct in p.cells
    )
    fixed = type(p)(p.page, p.grid, cells)
    assert find_header(fixed) == (0, {0: "level1", 1: "level2", 2: "requirement", 3: "lead", 4: "support"})


def test_misread_repeated_header_keeps_the_first_pages_columns():
    first = page(0, [(1, 0, 1, "一、完善"), (1, 1, 1, "1. 健全"), (1, 2, 1, "甲。"), (1, 3, 1, "区教育局"),
                     (1, 4, 1, "")])
    second = page(1, [(1, 0, 1, "二、完善"), (1, 1, 1, "2. 加强"), (1, 2, 1, "乙。"), (1, 3, 1, "区科委"),
                      (1, 4, 1, "")])
    garbled = tuple(
        type(ct)(ct.cell, {"p2-r0-c0": "级标", "p2-r0-c1": "一级指标"}.get(ct.cell.cell_id, ct.text), 0.9, "t")
        for ct in second.cells
    )
    rows = build_table([first, type(second)(1, second.grid, garbled)]).rows
    assert [(r.level1, r.level2) for r in rows] == [("一、完善", "1. 健全"), ("二、完善", "2. 加强")]
