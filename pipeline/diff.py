"""Compare two clean tables (two drafts of one document) and render what changed.

`compare` is pure: it matches items (rows sharing one 序号) by content, then the sub-rows of each
matched pair, and lists the changes. The renderers only read its result: `changes_csv_rows` /
`write_changes_csv` (changes.csv), `render_terminal` (a report) and `render_html` / `write_diff_html`
(diff.html, side by side with character-level highlights and a per-agency summary).
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from pipeline import lattice, models
from pipeline.fileio import write_csv_atomic, write_text_atomic
from pipeline.models import AGENCY_FIELDS, AGENCY_SEPARATOR, Row, Table
from pipeline.profile import default_profile

#: Every kind of change `compare` reports, in the order a report lists them.
CHANGE_KINDS: tuple[str, ...] = (
    "item_added",
    "item_removed",
    "renumbered",
    "level1_changed",
    "title_changed",
    "row_added",
    "row_removed",
    "text_changed",
    "agency_added",
    "agency_removed",
    "field_changed",
    "read_either_way",
)
#: A text that differs between the versions where one scan's image supports the other's text about as
#: well as its own (OCR noise, most likely): listed and shown, but not counted as a change.
READ_EITHER_WAY = "read_either_way"


class _Titles(dict):
    """Column title of a role (序号, 一级指标 …, 完成时限, or a draft's own header)."""

    def __missing__(self, role: str) -> str:
        return default_profile().column_name(role)


FIELD_TITLES = _Titles()
#: Roles compared by their own rules; any other role (完成时限, 备注, 三级指标, a draft's own
#: column) is compared as text and reported as field_changed.
_OWN_RULES = frozenset(("no", "level1", "level2", "requirement", *AGENCY_FIELDS))
#: Header of changes.csv.
CHANGES_HEADER: tuple[str, ...] = ("change", "old_no", "new_no", "title", "field", "old", "new")

NO_FIELD = "序号"

# --- matching (scores are rapidfuzz 0..100) ---------------------------------------------------
#: Weights of 二级 title, requirement text and agencies in an item's similarity. The text carries
#: most of an item; the title is short but distinctive; agencies repeat across many items
#: (区教育局 leads most of them), so they only break near-ties.
ITEM_TITLE_WEIGHT = 0.3
ITEM_TEXT_WEIGHT = 0.5
ITEM_AGENCY_WEIGHT = 0.2
#: Items scoring below this are different items (one removed, one added). Unrelated items of the
#: Qingpu table score at most 39 against each other (shared boilerplate characters and agencies);
#: an item whose title was rewritten but whose text and agencies stayed scores at least 70.
MIN_ITEM_SCORE = 55.0
#: Weights of requirement text and agencies in the similarity of two sub-rows of matched items.
ROW_TEXT_WEIGHT = 0.8
ROW_AGENCY_WEIGHT = 0.2
#: Sub-rows scoring below this are different rows (one removed, one added). Unrelated sub-rows of
#: one item share agencies but little text and score at most ~45; a lightly edited row scores 80+.
MIN_ROW_SCORE = 55.0

#: A text change is read either way when, on a scanned version's recognizer lattice (FieldSource
#: .lattices), the other version's text and its own are within this many nats of each other.
#: Measured with tests/measure_either_way.py (README, Accuracy): OCR noise between a truth and its
#: scans (4 documents, 9 styles) lies at -0.85 and up, real one-character edits (5 styles) at 7.46 and up.
READ_EITHER_WAY_MAX_LOSS = 4.0

# --- rendering --------------------------------------------------------------------------------
#: Unchanged characters kept on each side of an edit in the terminal; requirement texts run to
#: hundreds of characters, and a 3-character edit must stay visible.
CONTEXT_CHARS = 12
#: Added or removed sub-rows are cut to this many characters in the terminal (full text in the CSV).
PREVIEW_CHARS = 60


@dataclass(frozen=True)
class Change:
    """One difference. `title` is the item's 二级 title (the new one where the item still exists);
    `field` is a CSV column name; an agency change names one agency in `old` or `new`."""

    change: str
    old_no: str
    new_no: str
    title: str
    field: str
    old: str
    new: str

    def as_csv_row(self) -> list[str]:
        return [self.change, self.old_no, self.new_no, self.title, self.field, self.old, self.new]


@dataclass(frozen=True)
class Item:
    """Consecutive rows of a table sharing one 序号; `index` is its position among the items."""

    index: int
    rows: tuple[Row, ...]

    @property
    def no(self) -> str:
        return self.rows[0].no

    @property
    def level1(self) -> str:
        return self.rows[0].get("level1")

    @property
    def title(self) -> str:
        return self.rows[0].get("level2")

    @property
    def text(self) -> str:
        return "\n".join(row.get("requirement") for row in self.rows)

    @property
    def agencies(self) -> frozenset[str]:
        return frozenset(name for row in self.rows for name in row_agencies(row))


#: A sub-row of the old item and its counterpart in the new one; None on the side where it is absent.
RowPair = tuple[Row | None, Row | None]


@dataclass(frozen=True)
class ItemDiff:
    """An old item and its counterpart (None for an added / removed item), their sub-rows paired."""

    old: Item | None
    new: Item | None
    rows: tuple[RowPair, ...]
    changes: tuple[Change, ...]

    @property
    def label(self) -> str:
        """序号 and title as a reader sees them: `9 → 10 title`, `+ 25 title`, `− 9 title`."""
        if self.old is None and self.new is not None:
            return f"+ {self.new.no} {self.new.title}"
        if self.new is None and self.old is not None:
            return f"− {self.old.no} {self.old.title}"
        assert self.old is not None and self.new is not None
        number = self.new.no if self.old.no == self.new.no else f"{self.old.no} → {self.new.no}"
        return f"{number} {self.new.title}"

    @property
    def renumbered_only(self) -> bool:
        return bool(self.changes) and all(change.change == "renumbered" for change in self.changes)

    @property
    def either_way_only(self) -> bool:
        """Changed only in texts read either way: nothing counted."""
        return bool(self.changes) and all(change.change == READ_EITHER_WAY for change in self.changes)


@dataclass(frozen=True)
class Changes:
    """What `compare` found: the flat list of changes and every item pair (changed or not),
    in reading order (new table order, a removed item after its old predecessor's counterpart)."""

    changes: tuple[Change, ...]
    items: tuple[ItemDiff, ...]

    @property
    def changed_items(self) -> tuple[ItemDiff, ...]:
        return tuple(item for item in self.items if item.changes)

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.change == kind)

    @property
    def counted(self) -> tuple[Change, ...]:
        """The changes, without the texts read either way (OCR noise, most likely)."""
        return tuple(change for change in self.changes if change.change != READ_EITHER_WAY)

    @property
    def counted_items(self) -> int:
        """How many items hold a counted change."""
        return sum(1 for item in self.changed_items if not item.either_way_only)


@dataclass(frozen=True)
class AgencyBalance:
    """Duties (item labels) one agency gained and lost, as lead (牵头) and as support (配合)."""

    agency: str
    lead_gained: tuple[str, ...]
    lead_lost: tuple[str, ...]
    support_gained: tuple[str, ...]
    support_lost: tuple[str, ...]


# --- comparing ----------------------------------------------------------------------------------


def split_agencies(text: str) -> tuple[str, ...]:
    """The agency names of a lead/support cell, in order, each once."""
    return tuple(dict.fromkeys(models.split_agencies(text)))


def row_agencies(row: Row) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for field in AGENCY_FIELDS for name in split_agencies(row.get(field))))


def table_items(table: Table) -> tuple[Item, ...]:
    """The items of `table`: runs of consecutive rows with the same 序号."""
    runs = (tuple(rows) for _, rows in groupby(table.rows, key=lambda row: row.no))
    return tuple(Item(index, rows) for index, rows in enumerate(runs))


def _jaccard(old: Sequence[frozenset[str]], new: Sequence[frozenset[str]]) -> np.ndarray:
    """Pairwise set similarity 0..100; two empty sets are alike."""
    scores = np.empty((len(old), len(new)))
    for i, a in enumerate(old):
        for j, b in enumerate(new):
            union = len(a | b)
            scores[i, j] = 100.0 * len(a & b) / union if union else 100.0
    return scores


def _ratios(old: Sequence[str], new: Sequence[str]) -> np.ndarray:
    """Pairwise normalized Indel similarity 0..100 (rapidfuzz), characters compared as they are."""
    if not old or not new:
        return np.zeros((len(old), len(new)))
    return process.cdist(old, new, scorer=fuzz.ratio, dtype=np.float64)


def _assign(scores: np.ndarray, min_score: float) -> dict[int, int]:
    """Greedy by best score: the highest-scoring free pair is taken first; ties go to the earliest
    old, then the earliest new index, so duplicated content pairs in order even after an insertion
    shifted it. Returns old index → new index."""
    n_old, n_new = scores.shape
    candidates = sorted(
        (-float(scores[i, j]), i, j) for i in range(n_old) for j in range(n_new) if scores[i, j] >= min_score
    )
    matches: dict[int, int] = {}
    taken: set[int] = set()
    for _, i, j in candidates:
        if i not in matches and j not in taken:
            matches[i] = j
            taken.add(j)
    return matches


def _reading_order(matches: dict[int, int], n_old: int, n_new: int) -> list[tuple[int | None, int | None]]:
    """All (old, new) index pairs in new order; an unmatched old index follows the counterpart of
    the nearest matched old index before it."""
    new_to_old = {j: i for i, j in matches.items()}
    keyed: list[tuple[tuple[int, int, int], tuple[int | None, int | None]]] = [
        ((j, 0, 0), (new_to_old.get(j), j)) for j in range(n_new)
    ]
    anchor = -1
    for i in range(n_old):
        if i in matches:
            anchor = matches[i]
        else:
            keyed.append(((anchor, 1, i), (i, None)))
    keyed.sort(key=lambda entry: entry[0])
    return [pair for _, pair in keyed]


def _match_items(old: Sequence[Item], new: Sequence[Item]) -> dict[int, int]:
    scores = (
        ITEM_TITLE_WEIGHT * _ratios([item.title for item in old], [item.title for item in new])
        + ITEM_TEXT_WEIGHT * _ratios([item.text for item in old], [item.text for item in new])
        + ITEM_AGENCY_WEIGHT * _jaccard([item.agencies for item in old], [item.agencies for item in new])
    )
    return _assign(scores, MIN_ITEM_SCORE)


def _match_rows(old: Sequence[Row], new: Sequence[Row]) -> dict[int, int]:
    if len(old) == 1 and len(new) == 1:
        return {0: 0}  # the items matched, so their only rows are one row, however much it changed
    scores = ROW_TEXT_WEIGHT * _ratios(
        [row.get("requirement") for row in old], [row.get("requirement") for row in new]
    ) + ROW_AGENCY_WEIGHT * _jaccard(
        [frozenset(row_agencies(row)) for row in old], [frozenset(row_agencies(row)) for row in new]
    )
    return _assign(scores, MIN_ROW_SCORE)


def reading_loss(row: Row, role: str, other: str) -> float | None:
    """How many nats less likely `other` is than the row's own text of `role` on the image the row was
    read from (its recognizer lattice; negative when `other` is the likelier); None when the row has
    none (a clean CSV, a text layer, tesseract)."""
    source = row.sources.get(role)
    if source is None or not source.lattices:
        return None
    steps = lattice.concatenate(source.lattices)
    return lattice.log_likelihood(steps, row.get(role)) - lattice.log_likelihood(steps, other)


def read_either_way(old: Row, new: Row, role: str) -> bool:
    """Either version's image supports both texts of `role` alike: they are within
    READ_EITHER_WAY_MAX_LOSS of each other on it. Not when the image clearly prefers one: the other
    version's (a misread the image does not support) or its own row's (a text edited by hand after the
    scan was read keeps lattices that read the old text, and says nothing of the new one)."""
    losses = [loss for loss in (reading_loss(new, role, old.get(role)), reading_loss(old, role, new.get(role)))
              if loss is not None]
    return bool(losses) and min(abs(loss) for loss in losses) <= READ_EITHER_WAY_MAX_LOSS


def _text_change(kind: str, old: Row, new: Row, role: str, old_no: str, new_no: str, title: str) -> Change:
    """A change of a whole text (`kind`), or READ_EITHER_WAY when an image supports both texts."""
    kind = READ_EITHER_WAY if read_either_way(old, new, role) else kind
    return Change(kind, old_no, new_no, title, FIELD_TITLES[role], old.get(role), new.get(role))


def _row_changes(old: Row | None, new: Row | None, old_no: str, new_no: str, title: str) -> Iterator[Change]:
    requirement = FIELD_TITLES["requirement"]
    if new is None:
        assert old is not None
        yield Change("row_removed", old_no, new_no, title, requirement, old.get("requirement"), "")
        return
    if old is None:
        yield Change("row_added", old_no, new_no, title, requirement, "", new.get("requirement"))
        return
    if old.get("requirement") != new.get("requirement"):
        yield _text_change("text_changed", old, new, "requirement", old_no, new_no, title)
    for field in AGENCY_FIELDS:
        before, after = split_agencies(old.get(field)), split_agencies(new.get(field))
        for name in before:
            if name not in after:
                yield Change("agency_removed", old_no, new_no, title, FIELD_TITLES[field], name, "")
        for name in after:
            if name not in before:
                yield Change("agency_added", old_no, new_no, title, FIELD_TITLES[field], "", name)
    for role in dict.fromkeys([*old.cells, *new.cells]):
        if role not in _OWN_RULES and old.get(role) != new.get(role):
            yield _text_change("field_changed", old, new, role, old_no, new_no, title)


def _item_diff(old: Item | None, new: Item | None) -> ItemDiff:
    if old is None:
        assert new is not None
        added = Change("item_added", "", new.no, new.title, "", "", new.text)
        return ItemDiff(None, new, tuple((None, row) for row in new.rows), (added,))
    if new is None:
        removed = Change("item_removed", old.no, "", old.title, "", old.text, "")
        return ItemDiff(old, None, tuple((row, None) for row in old.rows), (removed,))
    title = new.title
    changes: list[Change] = []
    if old.no != new.no:
        changes.append(Change("renumbered", old.no, new.no, title, NO_FIELD, old.no, new.no))
    if old.level1 != new.level1:
        changes.append(_text_change("level1_changed", old.rows[0], new.rows[0], "level1", old.no, new.no, title))
    if old.title != new.title:
        changes.append(_text_change("title_changed", old.rows[0], new.rows[0], "level2", old.no, new.no, title))
    matches = _match_rows(old.rows, new.rows)
    pairs = tuple(
        (None if i is None else old.rows[i], None if j is None else new.rows[j])
        for i, j in _reading_order(matches, len(old.rows), len(new.rows))
    )
    for old_row, new_row in pairs:
        changes.extend(_row_changes(old_row, new_row, old.no, new.no, title))
    return ItemDiff(old, new, pairs, tuple(changes))


def compare(old: Table, new: Table) -> Changes:
    """The differences from `old` to `new`, items matched by content rather than by 序号."""
    old_items, new_items = table_items(old), table_items(new)
    matches = _match_items(old_items, new_items)
    diffs = tuple(
        _item_diff(None if i is None else old_items[i], None if j is None else new_items[j])
        for i, j in _reading_order(matches, len(old_items), len(new_items))
    )
    return Changes(tuple(change for diff in diffs for change in diff.changes), diffs)


def diff_exit_status(changes: Changes) -> int:
    """0 when the tables do not differ, 1 when they do (2, for trouble, is the CLI's to decide)."""
    return 1 if changes.counted else 0


def agency_balances(changes: Changes) -> tuple[AgencyBalance, ...]:
    """Per agency, the items where it gained or lost a duty as lead or as support, by agency name."""
    gained: dict[tuple[str, str], list[str]] = {}
    lost: dict[tuple[str, str], list[str]] = {}
    for diff in changes.items:
        for old_row, new_row in diff.rows:
            for field in AGENCY_FIELDS:
                before = split_agencies(old_row.get(field)) if old_row else ()
                after = split_agencies(new_row.get(field)) if new_row else ()
                for name in after:
                    if name not in before:
                        _add_once(gained.setdefault((name, field), []), diff.label)
                for name in before:
                    if name not in after:
                        _add_once(lost.setdefault((name, field), []), diff.label)
    names = sorted({name for name, _ in gained} | {name for name, _ in lost})
    return tuple(
        AgencyBalance(
            name,
            tuple(gained.get((name, "lead"), ())),
            tuple(lost.get((name, "lead"), ())),
            tuple(gained.get((name, "support"), ())),
            tuple(lost.get((name, "support"), ())),
        )
        for name in names
    )


def _add_once(labels: list[str], label: str) -> None:
    if label not in labels:
        labels.append(label)


# --- changes.csv --------------------------------------------------------------------------------


def changes_csv_rows(changes: Changes) -> list[list[str]]:
    """The body rows of changes.csv, in CHANGES_HEADER order."""
    return [change.as_csv_row() for change in changes.changes]


def write_changes_csv(changes: Changes, path: Path) -> None:
    """changes.csv: UTF-8 with BOM (Excel, WPS), written atomically."""
    write_csv_atomic(path, CHANGES_HEADER, changes_csv_rows(changes))


# --- character-level diffs ----------------------------------------------------------------------


#: Units of a character-level diff: a number (100, 1.5) or a Latin word is one unit, so that
#: 100米 → 150米 reads as 100 → 150 rather than 0 → 5; every other character is a unit of its own.
_DIFF_UNIT = re.compile(r"\d+(?:\.\d+)*|[A-Za-z]+|.", re.DOTALL)


def char_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(op, text) segments from difflib opcodes: '=' common, '-' only in old, '+' only in new."""
    old_units, new_units = _DIFF_UNIT.findall(old), _DIFF_UNIT.findall(new)
    # autojunk off: in long Chinese text, frequent characters (的, 、, ，) would otherwise be
    # ignored as junk and the diff would fall apart into large replaced blocks.
    matcher = difflib.SequenceMatcher(None, old_units, new_units, autojunk=False)
    segments: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(("=", "".join(old_units[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("-", "".join(old_units[i1:i2])))
        if j2 > j1:
            segments.append(("+", "".join(new_units[j1:j2])))
    return segments


# --- terminal -----------------------------------------------------------------------------------

_RESET, _BOLD, _RED, _GREEN, _YELLOW, _CYAN = (
    "\x1b[0m",
    "\x1b[1m",
    "\x1b[31m",
    "\x1b[32m",
    "\x1b[33m",
    "\x1b[36m",
)


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color and text else text


def _one_line(text: str) -> str:
    return text.replace("\r", "").replace("\n", "⏎")


def _preview(text: str) -> str:
    text = _one_line(text)
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"


def _terminal_char_diff(old: str, new: str, color: bool) -> str:
    """Inline diff with edits as [-old-]{+new+} (or red/green), long common stretches elided."""
    segments = char_diff(_one_line(old), _one_line(new))
    parts: list[str] = []
    for index, (op, text) in enumerate(segments):
        if op == "=":
            first, last = index == 0, index == len(segments) - 1
            if first and len(text) > CONTEXT_CHARS:
                text = "…" + text[-CONTEXT_CHARS:]
            elif last and len(text) > CONTEXT_CHARS:
                text = text[:CONTEXT_CHARS] + "…"
            elif not first and not last and len(text) > 2 * CONTEXT_CHARS:
                text = text[:CONTEXT_CHARS] + "…" + text[-CONTEXT_CHARS:]
            parts.append(text)
        elif op == "-":
            parts.append(_paint(text, _RED, color) if color else f"[-{text}-]")
        else:
            parts.append(_paint(text, _GREEN, color) if color else f"{{+{text}+}}")
    return "".join(parts)


def _terminal_change(change: Change, color: bool) -> str:
    kind = f"{change.change:<15}"
    field = change.field or "item"
    if change.change in ("text_changed", "title_changed", "level1_changed", READ_EITHER_WAY):
        body = _terminal_char_diff(change.old, change.new, color)
    elif change.change in ("agency_added", "row_added", "item_added"):
        body = _paint("+ " + _preview(change.new), _GREEN, color)
    elif change.change in ("agency_removed", "row_removed", "item_removed"):
        body = _paint("− " + _preview(change.old), _RED, color)
    else:
        body = f"{change.old} → {change.new}"
    return f"    {kind} {field}: {body}"


def summary_line(changes: Changes) -> str:
    """One line: how many items changed and how many changes of each kind (texts read either way
    named apart, not counted)."""
    either = changes.count(READ_EITHER_WAY)
    aside = f" {either} text{'s' if either != 1 else ''} read either way on the scans (OCR noise, not counted)." \
        if either else ""
    if not changes.counted:
        return "No differences." + aside
    counts = ", ".join(f"{kind} {changes.count(kind)}" for kind in CHANGE_KINDS
                       if kind != READ_EITHER_WAY and changes.count(kind))
    items = changes.counted_items
    return f"{len(changes.counted)} changes in {items} item{'s' if items != 1 else ''}: {counts}.{aside}"


#: The change kinds in the words of the Chinese pages (diff.html); changes.csv and the terminal
#: keep the kind names, which scripts match on.
CHANGE_WORDS = {
    "item_added": "新增事项", "item_removed": "删除事项", "renumbered": "序号变化", "level1_changed": "一级指标变化",
    "title_changed": "二级指标变化", "row_added": "新增子行", "row_removed": "删除子行", "text_changed": "内容修改",
    "agency_added": "增加单位", "agency_removed": "减少单位", "field_changed": "其他栏目变化",
    READ_EITHER_WAY: "图像两读皆可（多为识别误差，不计）",
}


def summary_line_zh(changes: Changes) -> str:
    """summary_line in Chinese, for diff.html."""
    either = changes.count(READ_EITHER_WAY)
    aside = f"另有 {either} 处文字两稿图像皆可读作对方（多为识别误差），不计为变化。" if either else ""
    if not changes.counted:
        return "两稿没有差异。" + aside
    counts = "，".join(f"{CHANGE_WORDS[kind]} {changes.count(kind)}" for kind in CHANGE_KINDS
                      if kind != READ_EITHER_WAY and changes.count(kind))
    return f"{changes.counted_items} 个事项共 {len(changes.counted)} 处变化：{counts}。{aside}"


def render_terminal(changes: Changes, color: bool) -> str:
    """A report grouped per item; items that were only renumbered share one line at the end."""
    lines: list[str] = []
    renumbered: list[str] = []
    for diff in changes.changed_items:
        if diff.renumbered_only:
            assert diff.old is not None and diff.new is not None
            renumbered.append(f"{diff.old.no}→{diff.new.no}")
            continue
        lines.append(_paint(diff.label, _BOLD + _CYAN, color))
        lines.extend(_terminal_change(change, color) for change in diff.changes)
    if renumbered:
        lines.append(
            _paint(f"Renumbered only ({len(renumbered)}):", _YELLOW, color) + " " + ", ".join(renumbered)
        )
    lines.append(_paint(summary_line(changes), _BOLD, color))
    return "\n".join(lines) + "\n"


# --- diff.html ----------------------------------------------------------------------------------

_CSS = """
.crops img { display: block; max-width: 100%; margin-top: .3em; border: 1px solid #ccc; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 1.5em; color: #222; line-height: 1.6; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; } h3 { font-size: 1.02em; margin: 0; }
.summary { background: #f4f6f8; padding: .6em 1em; border-radius: 4px; }
.item { border: 1px solid #ccd; border-radius: 4px; margin: 1em 0; padding: .6em .8em; }
.kinds { color: #666; font-size: .85em; margin: .2em 0 .5em; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 1px solid #dde; padding: .3em .5em; vertical-align: top; text-align: left;
         white-space: pre-wrap; overflow-wrap: anywhere; }
th { background: #f4f6f8; font-weight: normal; color: #555; }
th.field { width: 6em; }
tr.same td { color: #888; }
ins { background: #c9f2c9; text-decoration: none; }
del { background: #f6c6c6; text-decoration: line-through; }
.absent { color: #aaa; font-style: italic; }
table.agencies td { white-space: normal; }
"""


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _html_char_diff(old: str, new: str) -> tuple[str, str]:
    """The old and the new text as HTML, deletions in <del> (old side), insertions in <ins> (new side)."""
    old_html: list[str] = []
    new_html: list[str] = []
    for op, text in char_diff(old, new):
        if op == "=":
            old_html.append(_escape(text))
            new_html.append(_escape(text))
        elif op == "-":
            old_html.append(f"<del>{_escape(text)}</del>")
        else:
            new_html.append(f"<ins>{_escape(text)}</ins>")
    return "".join(old_html), "".join(new_html)


def _html_agencies(old: str, new: str) -> tuple[str, str]:
    """Agency lists, a removed name in <del> on the old side, an added one in <ins> on the new side."""
    before, after = split_agencies(old), split_agencies(new)
    old_html = AGENCY_SEPARATOR.join(
        _escape(name) if name in after else f"<del>{_escape(name)}</del>" for name in before
    )
    new_html = AGENCY_SEPARATOR.join(
        _escape(name) if name in before else f"<ins>{_escape(name)}</ins>" for name in after
    )
    return old_html, new_html


_ABSENT = '<span class="absent">（无）</span>'


def _html_side(text: str, tag: str) -> str:
    return f"<{tag}>{_escape(text)}</{tag}>" if text else ""


#: Given a row of one version and a role, the image crops of that cell as HTML ("" for none):
#: how diff.html shows beside a changed cell of a scan what the paper says.
CropHtml = Callable[[Row, str], str]


def _html_field_row(title: str, old: str | None, new: str | None, agencies: bool,
                    crops: tuple[str, str] = ("", "")) -> str:
    """One <tr>: field title, old cell, new cell; a side that does not exist shows (无)."""
    if old is None or new is None:
        old_html = _ABSENT if old is None else _html_side(old, "del")
        new_html = _ABSENT if new is None else _html_side(new, "ins")
        css = ""
    else:
        old_html, new_html = _html_agencies(old, new) if agencies else _html_char_diff(old, new)
        css = ' class="same"' if old == new else ""
    if css:
        crops = ("", "")
    old_crop = f'<div class="crops">{crops[0]}</div>' if crops[0] else ""
    new_crop = f'<div class="crops">{crops[1]}</div>' if crops[1] else ""
    return (f'<tr{css}><th class="field">{_escape(title)}</th><td>{old_html}{old_crop}</td>'
            f"<td>{new_html}{new_crop}</td></tr>")


def _html_item(diff: ItemDiff, old_crop: CropHtml | None = None, new_crop: CropHtml | None = None) -> str:
    old, new = diff.old, diff.new
    kinds = sorted({change.change for change in diff.changes}, key=CHANGE_KINDS.index)
    rows = [
        '<tr><th class="field"></th><th>旧稿</th><th>新稿</th></tr>',
        _html_field_row(NO_FIELD, old.no if old else None, new.no if new else None, agencies=False),
        _html_field_row(
            FIELD_TITLES["level1"], old.level1 if old else None, new.level1 if new else None, agencies=False
        ),
        _html_field_row(
            FIELD_TITLES["level2"], old.title if old else None, new.title if new else None, agencies=False
        ),
    ]
    for old_row, new_row in diff.rows:
        for field in ("requirement", *AGENCY_FIELDS):
            crops = (old_crop(old_row, field) if old_crop and old_row else "",
                     new_crop(new_row, field) if new_crop and new_row else "")
            rows.append(
                _html_field_row(
                    FIELD_TITLES[field],
                    old_row.get(field) if old_row else None,
                    new_row.get(field) if new_row else None,
                    agencies=field in AGENCY_FIELDS,
                    crops=crops,
                )
            )
    return (
        f'<section class="item"><h3>{_escape(diff.label)}</h3>'
        f'<div class="kinds">{_escape("，".join(CHANGE_WORDS.get(k, k) for k in kinds))}</div>'
        f"<table>{''.join(rows)}</table></section>"
    )


def _html_labels(labels: Sequence[str], tag: str) -> str:
    return "<br>".join(f"<{tag}>{_escape(label)}</{tag}>" for label in labels)


def _html_agency_summary(changes: Changes) -> str:
    balances = agency_balances(changes)
    if not balances:
        return "<p>没有单位的职责变化。</p>"
    head = "<tr><th>单位</th><th>牵头 新增</th><th>牵头 减少</th><th>配合 新增</th><th>配合 减少</th></tr>"
    body = "".join(
        f"<tr><th>{_escape(b.agency)}</th><td>{_html_labels(b.lead_gained, 'ins')}</td>"
        f"<td>{_html_labels(b.lead_lost, 'del')}</td><td>{_html_labels(b.support_gained, 'ins')}</td>"
        f"<td>{_html_labels(b.support_lost, 'del')}</td></tr>"
        for b in balances
    )
    return f'<table class="agencies">{head}{body}</table>'


def render_html(changes: Changes, old: Table, new: Table, old_crop: CropHtml | None = None,
                new_crop: CropHtml | None = None) -> str:
    """A self-contained page (inline CSS, nothing fetched): each changed item old | new with
    character-level <ins>/<del> (and, for scanned versions, the cells' image crops), items whose only
    differences are texts read either way in a section of their own, items only renumbered in one
    list, and a per-agency summary."""
    either_way = [diff for diff in changes.changed_items if diff.either_way_only]
    shown = [diff for diff in changes.changed_items if not diff.renumbered_only and not diff.either_way_only]
    renumbered = [diff for diff in changes.changed_items if diff.renumbered_only]
    unchanged = len(changes.items) - len(changes.changed_items)
    old_name, new_name = old.source or old.title, new.source or new.title
    parts = [
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{_escape(f'{old.title} → {new.title}')}</title><style>{_CSS}</style></head><body>",
        f"<h1>稿件比对：{_escape(old_name)} → {_escape(new_name)}</h1>",
        f'<p class="summary">{_escape(summary_line_zh(changes))}未变化的事项：{unchanged}。</p>',
    ]
    if shown:
        parts.append(f"<h2>变化的事项（{len(shown)}）</h2>")
        parts.extend(_html_item(diff, old_crop, new_crop) for diff in shown)
    if either_way:
        parts.append(f"<h2>图像两读皆可的差异（{len(either_way)}，多为识别误差，不计为变化）</h2>")
        parts.extend(_html_item(diff, old_crop, new_crop) for diff in either_way)
    if renumbered:
        numbers = "，".join(
            f"{diff.old.no}→{diff.new.no} {diff.new.title}"
            for diff in renumbered
            if diff.old is not None and diff.new is not None
        )
        parts.append(f'<h2>仅序号变化（{len(renumbered)}）</h2><p class="renumbered">{_escape(numbers)}</p>')
    parts.append(f'<h2>各单位职责变化</h2><div id="agencies">{_html_agency_summary(changes)}</div>')
    parts.append("</body></html>\n")
    return "".join(parts)


def write_diff_html(changes: Changes, old: Table, new: Table, path: Path, old_crop: CropHtml | None = None,
                    new_crop: CropHtml | None = None) -> None:
    """diff.html, written atomically."""
    write_text_atomic(path, render_html(changes, old, new, old_crop, new_crop))
