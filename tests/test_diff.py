"""Draft diff: pairs of tables built from the truth CSV by copying rows and editing them.

Every test asserts the exact set of changes, not a count.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.diff import (
    CHANGES_HEADER,
    Change,
    Changes,
    agency_balances,
    changes_csv_rows,
    compare,
    diff_exit_status,
    render_html,
    render_terminal,
    write_changes_csv,
    write_diff_html,
)
from pipeline.fileio import UTF8_BOM, read_csv_rows
from pipeline.models import Row, Table
from pipeline.tableio import read_table_csv

TRUTH = Path(__file__).parent / "data" / "qingpu_v1.csv"
#: Seconds a headless Chromium run may take before the test gives up on it.
BROWSER_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def truth() -> Table:
    return read_table_csv(TRUTH)


def rows_of(table: Table, no: str) -> list[Row]:
    return [row for row in table.rows if row.no == no]


def title_of(table: Table, no: str) -> str:
    return rows_of(table, no)[0].level2


def text_of(table: Table, no: str, sub: int = 0) -> str:
    return rows_of(table, no)[sub].requirement


def edit(table: Table, no: str, change: Callable[[Row], Row], sub: int | None = None) -> Table:
    """A copy of `table` with the rows of item `no` (or only its sub-row `sub`) passed through `change`."""
    rows: list[Row] = []
    seen = 0
    for row in table.rows:
        if row.no == no:
            rows.append(change(row) if sub is None or sub == seen else row)
            seen += 1
        else:
            rows.append(row)
    return Table("edited", tuple(rows), "edited.csv")


def renumbered(rows: Iterable[Row], first: int, delta: int) -> list[Row]:
    return [row.replace(no=str(int(row.no) + delta)) if int(row.no) >= first else row for row in rows]


def as_set(changes: Changes) -> set[Change]:
    assert len(set(changes.changes)) == len(changes.changes), "a change is reported twice"
    return set(changes.changes)


def renumber_changes(table: Table, numbers: Iterable[int], delta: int) -> set[Change]:
    return {
        Change("renumbered", str(n), str(n + delta), title_of(table, str(n)), "序号", str(n), str(n + delta))
        for n in numbers
    }


NEW_ITEM = Row.of(
    no="13", level1="三、健全学校安全风险管控机制", level2="加强校园体育设施安全管理",
    requirement="定期检查学校体育器材和运动场地，及时维修更换老化设施，防范运动伤害事故。",
    lead="区体育局", support="区教育局、各街镇",
)


def with_inserted_item(truth: Table) -> Table:
    """NEW_ITEM inserted before item 13; items 13..26 become 14..27."""
    before = [row for row in truth.rows if int(row.no) < 13]
    after = renumbered([row for row in truth.rows if int(row.no) >= 13], 13, 1)
    return Table("inserted", (*before, NEW_ITEM, *after), "inserted.csv")


# --- the cases of issue 5 -------------------------------------------------------------------------


def test_self_diff_is_empty(truth: Table) -> None:
    changes = compare(truth, truth)
    assert changes.changes == ()
    assert all(not diff.changes for diff in changes.items)
    assert len(changes.items) == 26
    assert diff_exit_status(changes) == 0
    assert changes_csv_rows(changes) == []
    assert agency_balances(changes) == ()
    assert render_terminal(changes, color=False) == "No differences.\n"


def test_inserted_item_renumbers_the_rest(truth: Table) -> None:
    new = with_inserted_item(truth)
    added = Change("item_added", "", "13", NEW_ITEM.level2, "", "", NEW_ITEM.requirement)
    assert as_set(compare(truth, new)) == {added} | renumber_changes(truth, range(13, 27), 1)
    assert diff_exit_status(compare(truth, new)) == 1


def test_removed_item_renumbers_the_rest(truth: Table) -> None:
    rows = renumbered([row for row in truth.rows if row.no != "5"], 6, -1)
    new = Table("removed", tuple(rows))
    removed = Change("item_removed", "5", "", title_of(truth, "5"), "", text_of(truth, "5"), "")
    assert as_set(compare(truth, new)) == {removed} | renumber_changes(truth, range(6, 27), -1)


def test_removed_sub_row(truth: Table) -> None:
    assert len(rows_of(truth, "13")) == 3
    gone = rows_of(truth, "13")[1]
    new = Table("t", tuple(row for row in truth.rows if row is not gone))
    assert as_set(compare(truth, new)) == {
        Change("row_removed", "13", "13", gone.level2, "工作要求", gone.requirement, "")
    }


def test_added_sub_row(truth: Table) -> None:
    extra = rows_of(truth, "10")[0].replace(
        requirement="在学生安全区域内设置警示标志。", lead="区建设管理委", support=""
    )
    rows = list(truth.rows)
    rows.insert(rows.index(rows_of(truth, "10")[0]) + 1, extra)
    assert as_set(compare(truth, Table("t", tuple(rows)))) == {
        Change("row_added", "10", "10", extra.level2, "工作要求", "", extra.requirement)
    }


def test_edited_number_in_requirement(truth: Table) -> None:
    old_text = text_of(truth, "9", sub=1)
    assert "100米" in old_text
    new_text = old_text.replace("100米", "150米")
    new = edit(truth, "9", lambda row: row.replace(requirement=new_text), sub=1)
    assert as_set(compare(truth, new)) == {
        Change("text_changed", "9", "9", title_of(truth, "9"), "工作要求", old_text, new_text)
    }


def test_agency_added(truth: Table) -> None:
    new = edit(truth, "2", lambda row: row.replace(support=row.support + "、区民政局"))
    assert as_set(compare(truth, new)) == {
        Change("agency_added", "2", "2", title_of(truth, "2"), "配合单位", "", "区民政局")
    }


def test_agency_moved_from_support_to_lead(truth: Table) -> None:
    def move(row: Row) -> Row:
        return row.replace(lead=row.lead + "、区教育局", support=row.support.replace("区教育局、", ""))

    new = edit(truth, "7", move)
    title = title_of(truth, "7")
    assert as_set(compare(truth, new)) == {
        Change("agency_removed", "7", "7", title, "配合单位", "区教育局", ""),
        Change("agency_added", "7", "7", title, "牵头单位", "", "区教育局"),
    }
    (balance,) = agency_balances(compare(truth, new))
    assert balance.agency == "区教育局"
    assert balance.lead_gained == (f"7 {title}",) and balance.support_lost == (f"7 {title}",)
    assert balance.lead_lost == () and balance.support_gained == ()


def test_unknown_agency_added_as_support(truth: Table) -> None:
    assert "区体育局" not in TRUTH.read_text(encoding="utf-8-sig")
    new = edit(truth, "15", lambda row: row.replace(support=row.support + "、区体育局"))
    assert as_set(compare(truth, new)) == {
        Change("agency_added", "15", "15", title_of(truth, "15"), "配合单位", "", "区体育局")
    }


def test_title_changed(truth: Table) -> None:
    new = edit(truth, "10", lambda row: row.replace(level2="建立学生安全区域制度"))
    assert as_set(compare(truth, new)) == {
        Change(
            "title_changed",
            "10",
            "10",
            "建立学生安全区域制度",
            "二级指标",
            "探索建立学生安全区域制度",
            "建立学生安全区域制度",
        )
    }


def test_level1_changed(truth: Table) -> None:
    rows = tuple(
        row.replace(level1="五、组织保障") if row.level1 == "五、保障机制" else row for row in truth.rows
    )
    assert as_set(compare(truth, Table("t", rows))) == {
        Change("level1_changed", no, no, title_of(truth, no), "一级指标", "五、保障机制", "五、组织保障")
        for no in ("23", "24", "25", "26")
    }


def test_swapped_items_are_two_renumberings(truth: Table) -> None:
    rows = [row.replace(no={"3": "4", "4": "3"}.get(row.no, row.no)) for row in truth.rows]
    rows.sort(key=lambda row: int(row.no))  # stable: sub-rows keep their order
    assert as_set(compare(truth, Table("t", tuple(rows)))) == {
        Change("renumbered", "3", "4", title_of(truth, "3"), "序号", "3", "4"),
        Change("renumbered", "4", "3", title_of(truth, "4"), "序号", "4", "3"),
    }


def test_reordered_sub_rows_are_no_change(truth: Table) -> None:
    first = [row for row in truth.rows if row.no != "13" and int(row.no) < 13]
    rest = [row for row in truth.rows if int(row.no) > 13]
    new = Table("t", (*first, *reversed(rows_of(truth, "13")), *rest))
    assert compare(truth, new).changes == ()


def test_insertion_plus_edits_in_later_items(truth: Table) -> None:
    """Content matching still sees edits inside items that an insertion renumbered."""
    old_text = text_of(truth, "9", sub=1)
    new_text = old_text.replace("100米", "150米")
    before = [row for row in truth.rows if int(row.no) < 9]
    after = renumbered([row for row in truth.rows if int(row.no) >= 9], 9, 1)
    rows = [*before, NEW_ITEM.replace(no="9"), *after]
    rows = [row.replace(requirement=new_text) if row.requirement == old_text else row for row in rows]
    rows = [row.replace(support=row.support + "、区体育局") if row.no == "16" else row for row in rows]
    expected = (
        {Change("item_added", "", "9", NEW_ITEM.level2, "", "", NEW_ITEM.requirement)}
        | renumber_changes(truth, range(9, 27), 1)
        | {
            Change("text_changed", "9", "10", title_of(truth, "9"), "工作要求", old_text, new_text),
            Change("agency_added", "15", "16", title_of(truth, "15"), "配合单位", "", "区体育局"),
        }
    )
    assert as_set(compare(truth, Table("t", tuple(rows)))) == expected


# --- rendering ----------------------------------------------------------------------------------


def several_edits(truth: Table) -> Table:
    """An inserted item, a number edit, an agency moved, a new agency, a removed sub-row, a new title."""
    new = with_inserted_item(truth)
    new = edit(
        new, "9", lambda row: row.replace(requirement=row.requirement.replace("100米", "150米")), sub=1
    )
    new = edit(
        new,
        "7",
        lambda row: row.replace(lead=row.lead + "、区教育局", support=row.support.replace("区教育局、", "")),
    )
    new = edit(new, "16", lambda row: row.replace(support=row.support + "、区体育局"))
    gone = rows_of(new, "14")[1]
    new = Table("edited", tuple(row for row in new.rows if row is not gone), "edited.csv")
    return edit(new, "10", lambda row: row.replace(level2="建立学生安全区域制度"))


def test_changes_csv(truth: Table, tmp_path: Path) -> None:
    new = edit(truth, "2", lambda row: row.replace(support=row.support + "、区民政局"))
    changes = compare(truth, new)
    out = tmp_path / "changes.csv"
    write_changes_csv(changes, out)
    assert out.read_text(encoding="utf-8").startswith(UTF8_BOM + ",".join(CHANGES_HEADER))
    assert read_csv_rows(out) == [
        dict(
            zip(
                CHANGES_HEADER,
                ["agency_added", "2", "2", title_of(truth, "2"), "配合单位", "", "区民政局"],
                strict=True,
            )
        )
    ]
    assert changes_csv_rows(changes) == [[*read_csv_rows(out)[0].values()]]


def test_terminal_report(truth: Table) -> None:
    changes = compare(truth, several_edits(truth))
    plain = render_terminal(changes, color=False)
    assert "\x1b" not in plain
    assert "[-100-]{+150+}" in plain
    assert "+ 区体育局" in plain and "− 区教育局" in plain
    assert "14 → 15 加强学校集体活动用车管理" not in plain  # only renumbered: on the shared line
    assert "\n13 → 14 加强食品、饮用水卫生和传染病防控管理\n" in plain  # numbers old → new
    assert "Renumbered only (" in plain and "26→27" in plain
    lines = plain.rstrip("\n").splitlines()
    assert lines[-1].startswith(f"{len(changes.changes)} changes in ")
    assert "item_added 1" in lines[-1] and "renumbered 14" in lines[-1]
    colored = render_terminal(changes, color=True)
    assert "\x1b[31m100\x1b[0m\x1b[32m150\x1b[0m" in colored
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored).count("\n") == plain.count("\n")


def test_html_is_self_contained_and_highlights(truth: Table) -> None:
    page = render_html(compare(truth, several_edits(truth)), truth, several_edits(truth))
    assert "<del>100</del>" in page and "<ins>150</ins>" in page
    assert "<ins>区体育局</ins>" in page and "<del>区教育局</del>" in page
    assert "<style>" in page
    summary = re.search(r'<p class="summary">(.*?)</p>', page).group(1)
    assert "内容修改" in summary and not re.search(r"[a-z]_[a-z]", summary)  # no English change names
    assert not re.search(r"""(src|href)\s*=|https?://|@import|url\(""", page)


def test_html_escapes_text(truth: Table) -> None:
    nasty = '<script>alert("x")</script> & <b>'
    new = edit(truth, "3", lambda row: row.replace(requirement=row.requirement + nasty, support="区<i>局"))
    page = render_html(compare(truth, new), truth, new)
    assert "<script>" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in page
    assert "区&lt;i&gt;局" in page


def test_self_diff_html(truth: Table) -> None:
    page = render_html(compare(truth, truth), truth, truth)
    assert "两稿没有差异。" in page and "<ins>" not in page and "<del>" not in page


# --- properties ---------------------------------------------------------------------------------

AGENCY_POOL = ("区教育局", "区财政局", "公安青浦分局", "各街镇", "区卫生健康委")
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


@st.composite
def tables(draw: st.DrawFn, alphabet: st.SearchStrategy[str] = CJK) -> Table:
    """Tables of 1..12 items of 1..3 sub-rows, CJK text, agencies from a small pool."""
    agencies = st.lists(st.sampled_from(AGENCY_POOL), max_size=3, unique=True).map("、".join)
    rows: list[Row] = []
    for number in range(1, draw(st.integers(1, 12)) + 1):
        level1 = draw(st.text(alphabet, min_size=2, max_size=8))
        title = draw(st.text(alphabet, min_size=4, max_size=16))
        for _ in range(draw(st.integers(1, 3))):
            text = draw(st.text(alphabet, min_size=10, max_size=80))
            rows.append(Row.of(
                no=str(number), level1=level1, level2=title,
                requirement=text, lead=draw(agencies), support=draw(agencies),
            ))
    return Table("generated", tuple(rows))


@settings(max_examples=60, deadline=None)
@given(tables(alphabet=st.sampled_from("甲乙丙丁")))
def test_property_self_diff_is_empty_even_with_near_duplicates(table: Table) -> None:
    assert compare(table, table).changes == ()


@settings(max_examples=60, deadline=None)
@given(tables(), st.data())
def test_property_insertion_is_one_added_plus_renumberings(table: Table, data: st.DataObject) -> None:
    count = int(table.rows[-1].no)
    at = data.draw(st.integers(1, count + 1), label="insert at 序号")
    fresh = Row.of(
        no=str(at), level1="Level one", level2="A fresh item",
        requirement="Text in another script entirely.", lead="区体育局", support="",
    )
    rows = [
        *(row for row in table.rows if int(row.no) < at),
        fresh,
        *renumbered((row for row in table.rows if int(row.no) >= at), at, 1),
    ]
    expected = {
        Change("item_added", "", str(at), fresh.level2, "", "", fresh.requirement)
    } | renumber_changes(table, range(at, count + 1), 1)
    assert as_set(compare(table, Table("t", tuple(rows)))) == expected


# --- the page in a real browser -----------------------------------------------------------------


def chromium_command(profile: Path) -> list[str]:
    executable = shutil.which("chromium")
    assert executable is not None
    return [
        executable,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]


def agency_row(dom: str, agency: str) -> tuple[list[str], ...]:
    """Item labels in the four cells (lead gained, lead lost, support gained, support lost) of one
    agency's row of the per-agency summary."""
    match = re.search(rf"<tr><th>{re.escape(agency)}</th>(.*?)</tr>", dom, re.DOTALL)
    assert match is not None, f"{agency} is not in the per-agency summary"
    cells = re.findall(r"<td>(.*?)</td>", match.group(1), re.DOTALL)
    return tuple([label for label in re.findall(r"<(?:ins|del)>(.*?)</(?:ins|del)>", cell)] for cell in cells)


@pytest.mark.browser
@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="chromium is not installed (Debian: apt-get install chromium)"
)
def test_diff_html_in_headless_chromium(truth: Table, tmp_path: Path) -> None:
    new = several_edits(truth)
    page = tmp_path / "diff.html"
    write_diff_html(compare(truth, new), truth, new, page)
    command = chromium_command(tmp_path / "profile")

    dumped = subprocess.run(
        [*command, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=BROWSER_TIMEOUT_S,
        check=True,
    )
    dom = dumped.stdout
    # changed items, shown old | new
    for label in (
        "+ 13 加强校园体育设施安全管理",
        "7 加强校舍建设质量监管",
        "9 加强学校安全保卫工作",
        "10 建立学生安全区域制度",
    ):
        assert f"<h3>{label}</h3>" in dom
    assert dom.count('<section class="item">') == 6
    # character-level highlights
    assert "<del>100</del>" in dom and "<ins>150</ins>" in dom and "<del>探索</del>" in dom
    # per-agency summary
    agencies = dom[dom.index('<div id="agencies">') :]
    assert agency_row(agencies, "区体育局") == (
        ["+ 13 加强校园体育设施安全管理"],
        [],
        ["15 → 16 以信息化手段提升学校安全管理能级"],
        [],
    )
    assert agency_row(agencies, "区教育局") == (
        ["7 加强校舍建设质量监管"],
        [],
        ["+ 13 加强校园体育设施安全管理"],
        ["7 加强校舍建设质量监管"],
    )
    assert agency_row(agencies, "区市场监管局") == (
        [],
        ["13 → 14 加强食品、饮用水卫生和传染病防控管理"],
        [],
        [],
    )
    assert "<ins>+ 13 加强校园体育设施安全管理</ins>" in agencies

    shot = tmp_path / "diff.png"
    subprocess.run(
        [*command, f"--screenshot={shot}", "--window-size=1280,2400", page.as_uri()],
        capture_output=True,
        timeout=BROWSER_TIMEOUT_S,
        check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- texts read either way on a scan's image ------------------------------------------------------
from dataclasses import replace as _replace  # noqa: E402

from test_lattice import lattice_of  # noqa: E402

from pipeline.diff import READ_EITHER_WAY, summary_line, summary_line_zh  # noqa: E402
from pipeline.models import FieldSource  # noqa: E402


def _scanned(table: Table, no: str, text: str, steps: list[dict[str, float]]) -> Table:
    """`table` with item `no`'s first requirement read from a scan as `text`, with the recognizer's
    lattice of `steps` (one dict per printed character)."""
    source = FieldSource(raw=text, engine="rapid", lattices=(lattice_of(steps, text),))
    rows, done = [], False
    for row in table.rows:
        if row.no == no and not done:
            row = Row({**row.cells, "requirement": text}, {**row.sources, "requirement": source})
            done = True
        rows.append(row)
    return _replace(table, rows=tuple(rows))


def _steps(text: str, unsure: dict[int, dict[str, float]]) -> list[dict[str, float]]:
    """A sure step per character of `text`, except where `unsure` gives the step's probabilities."""
    return [unsure.get(k, {ch: 0.999}) for k, ch in enumerate(text)]


def test_a_dash_the_scan_read_as_yi_is_read_either_way_and_not_counted(truth: Table) -> None:
    """发现—派单 printed, 一 read at 0.6 with — the recognizer's second choice at 0.3: OCR noise."""
    printed = "建立发现—派单—处置闭环机制。"
    old = edit(truth, "1", lambda r: r.replace(requirement=printed), sub=0)
    read = printed.replace("—", "一")
    dashes = {k: {"一": 0.6, "—": 0.3} for k, ch in enumerate(printed) if ch == "—"}
    new = _scanned(old, "1", read, _steps(read, dashes))
    changes = compare(old, new)
    assert [(c.change, c.old, c.new) for c in changes.changes] == [(READ_EITHER_WAY, printed, read)]
    assert changes.counted == ()
    assert diff_exit_status(changes) == 0
    assert summary_line(changes) == "No differences. 1 text read either way on the scans (OCR noise, not counted)."
    assert "不计为变化" in summary_line_zh(changes)
    assert "read_either_way" in render_terminal(changes, color=False)
    page = render_html(changes, old, new)
    assert "<h2>图像两读皆可的差异（1，多为识别误差，不计为变化）</h2>" in page
    assert "<h2>变化的事项" not in page


def test_an_edit_the_scan_read_surely_is_a_change(truth: Table) -> None:
    """200米 → 250米 on the new scan, 5 read at 0.999: the old text is far less likely there."""
    old_text = text_of(truth, "10")
    assert "200米" in old_text
    new_text = old_text.replace("200米", "250米", 1)
    new = _scanned(truth, "10", new_text, _steps(new_text, {}))
    changes = compare(truth, new)
    assert [(c.change, c.old, c.new) for c in changes.changes] == [("text_changed", old_text, new_text)]
    assert diff_exit_status(changes) == 1


def test_without_lattices_every_difference_is_a_change(truth: Table) -> None:
    """Two clean CSVs (or tesseract's readings) hold no image evidence: nothing is set aside."""
    new = edit(truth, "1", lambda r: r.replace(requirement=r.requirement.replace("，", "。", 1)), sub=0)
    assert [c.change for c in compare(truth, new).changes] == ["text_changed"]


def test_a_text_edited_after_its_scan_was_read_is_a_change(truth: Table) -> None:
    """A copy of a scanned table edited by hand (the notebook's second draft) keeps the first scan's
    lattices, which read the old text: they say nothing of the new one, and the edit counts."""
    printed = text_of(truth, "10")
    scanned = _scanned(truth, "10", printed, _steps(printed, {}))
    row = next(r for r in scanned.rows if r.no == "10")
    edited_text = printed.replace("200米", "250米", 1)
    edited = _replace(scanned, rows=tuple(r.replace(requirement=edited_text) if r is row else r
                                          for r in scanned.rows))
    changes = compare(scanned, edited)
    assert [(c.change, c.old, c.new) for c in changes.changes] == [("text_changed", printed, edited_text)]
