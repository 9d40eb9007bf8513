"""Repair stage: raw rows (OCR or text extraction) → rows in the clean CSV conventions.

OCR of these tables fails in a few typical ways: vertical titles lose character order, agency
names wrap inside narrow cells and lose or gain separators, punctuation comes out half-width,
and blank-looking cells make the recogniser hallucinate repetitive text. Each repair here is
driven by the lexicon and recorded (Repair), and whatever the tool is unsure of is flagged (Flag),
so that a clerk reviews only those cells. A text that matches nothing well enough is kept as read
and flagged: a wrong "repair" is worse than a visible unknown.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import opencc
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from pipeline import lattice as lat
from pipeline import wording
from pipeline.lattice import CharLattice
from pipeline.lexicon import (
    DISTRICT_SHORT_NAMES,
    Document,
    Lexicon,
    district_named,
    document_key,
    numeral_of,
    numeral_value,
)
from pipeline.models import (
    AGENCY_FIELDS,
    AGENCY_SEPARATOR,
    MEASURE_WORDS,
    SPLIT_INTO,
    FieldSource,
    Flag,
    Repair,
    Row,
    Table,
)
from pipeline.settings import Settings

logger = logging.getLogger("pipeline")

# --- characters -----------------------------------------------------------------------------
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Full-width punctuation of Chinese text; whitespace next to it is a line break, not a space.
FULLWIDTH_PUNCT = "，。；：、（）《》“”‘’！？【】…—"
#: Characters that separate agency names in a cell (OCR mixes widths and kinds).
#: 丶 (a radical, in no agency name) is how recognizers often read a 、 at a line's end.
AGENCY_SEPARATORS = frozenset("、,，;；/／.．。:：丶")
#: Half-width punctuation → full-width, applied only next to Chinese text.
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
_NUMERAL_CHARS = "一二三四五六七八九十"

# --- thresholds (module-level ones are structural; the tunable ones are in Settings) ----------
#: Junk: one non-digit character repeated this many times in a row. Chinese prose repeats a
#: character at most twice (常常, 人人); OCR hallucination on blank cells gives 大大大大….
JUNK_CHAR_RUN = 4
#: Junk: one digit repeated this many times. Long numbers are written with 万/亿 in these
#: documents, so 8 equal digits only come from hallucinated `0 0 0 0 …` runs.
JUNK_DIGIT_RUN = 8
#: Junk: a unit of 2-8 characters repeated this many times back to back (是一个人,是一个人,…).
#: Enumerations like 同步规划、同步推进 repeat a word but never a whole unit three times in a row.
JUNK_UNIT_REPEATS = 3
#: Junk: share of distinct characters below this, for texts of at least JUNK_DIVERSITY_MIN_LEN
#: characters. The truth's cells of 20 or more characters have 0.49 (a 357-character
#: requirement) to 0.90; hallucinated runs (是一个人,是一个人,…) have less than 0.15.
JUNK_MIN_DIVERSITY = 0.2
JUNK_DIVERSITY_MIN_LEN = 20
#: ...and fewer distinct characters than this: a long real text repeats characters (a 2,000-
#: character requirement of repeated paragraphs has 8% distinct, but 170 distinct characters),
#: hallucinated runs use a handful.
JUNK_MAX_DISTINCT = 30
#: A 一级 numeral taken from the known title because the one read breaks the sequence.
SEQUENCE_NUMERAL_SCORE = 80.0
#: A 一级 numeral of a title no known one matched, read unsure and breaking the sequence, taken as the
#: sequence's numeral because the recognizer offered that one too (`sequence_numeral_from_image`):
#: a guess the image allows, flagged for review as the wording's are.
SEQUENCE_NUMERAL_FROM_IMAGE_SCORE = 60.0
#: A 一级 numeral that fits neither the group before it (its numeral plus one, 一 for the table's first)
#: nor the group after it (its numeral less one) is flagged `numeral_out_of_sequence` with this score,
#: read surely or not, and left as read: a fold's crease across 一、健全分类投放收集体系 made it 二 at 0.99+
#: on a LibreOffice-printed Minhang plan (tests/wordscan.py, augraphy Folding), before a group 二, and
#: seven rows' titles were wrong without a word. A group after a misread one still fits the one after it.
NUMERAL_OUT_OF_SEQUENCE_SCORE = 50.0
#: A mark between agency names that is no name at all is dropped with this score and flagged.
STRAY_MARK_SCORE = 50.0
#: A title repaired from its number alone (text unreadable) gets this score: the number is
#: right exactly when the draft kept the known numbering, which a clerk must confirm.
NUMBER_ONLY_SCORE = 40.0
#: Score of a guessed 序号 or 一级 numeral (none could be read): previous + 1 or the known title's
#: number is right when the draft kept the known numbering, which a clerk must confirm.
INFERRED_NUMBER_SCORE = 50.0
#: Score of a title the row's page had no column for, carried on from the row before (structure's
#: CARRIED_ROLES): right when the merged title ran on across the page, which a clerk must confirm.
CARRIED_TITLE_SCORE = 50.0
#: A title whose content matches known title A better than the title of the number it reads (B)
#: by at least this margin is taken as A (item renumbered in a new draft); a near tie stays with
#: the number read. Measured on 1500 garbled renumbered titles: margins 0-20 change < 0.5%.
TITLE_MARGIN = 10.0
#: Agency segmentation costs (edit units). An unknown character costs more than any accepted
#: fuzzy edit, so the lexicon names are preferred wherever they fit within their budget.
UNKNOWN_CHAR_COST = 1.0
#: Each unknown fragment costs this extra, so an unknown run stays one fragment (区体育局, not 区体+育局).
UNKNOWN_FRAGMENT_COST = 1.0
#: An unknown fragment that does not end with a character names end with (局, 委, 办, 心 …) costs this
#: extra: where a lost separator leaves a boundary character between an unknown name and a known
#: one (区城运中心区卫生健康委), it stays with the unknown name it ends instead of making the known
#: name a one-edit fuzzy match (心区卫生健康委); without it the two paths tie. Held-out Songjiang and
#: Jiading cells with separators lost: 4 such unknown names cut short at 0, none after.
UNENDED_UNKNOWN_COST = 0.25
#: A lexicon name that spans a separator (区卫生、健康委: an extra 、 inside) costs this per separator:
#: cheaper than leaving the halves unknown, dearer than the normal split at the separator.
INNER_SEPARATOR_COST = 0.5
#: Each known fragment costs this little, so ties prefer fewer, longer names.
KNOWN_FRAGMENT_COST = 0.01
#: An edit inside a fuzzy match costs a little more than an unknown character, so that where keeping
#: the characters as read explains a cell as well as an edit does, they are kept: with a separator
#: lost, 区城投集团区建设管理委 tied between 区城投集团 + 区建设管理委 (exact) and 区城投集 +
#: 团区建设管理委 (one edit to 区建设管理委), and the second path dropped the 团 of the unknown name
#: (held-out Minhang document, tests/test_repair.py measure_held_out, garbled with its title).
FUZZY_EDIT_COST = 1.05
#: Scores are compared with this tolerance: 1 − 1/5 computed by rapidfuzz may land a hair below 0.8.
SCORE_EPSILON = 1e-6
#: Characters that end agency names and start them: an unknown run is split where one
#: meets the other (区体育局区商务委 → 区体育局、区商务委), as a clerk would read it.
NAME_END_CHARS = frozenset("局委办院会队镇部室心联科处所站司")
NAME_START_CHARS = frozenset("区各团公市县")


# --- small text helpers ---------------------------------------------------------------------
def is_cjk(ch: str) -> bool:
    return bool(re.match(f"[{_CJK}]", ch))


def _is_wide(ch: str) -> bool:
    """Chinese character or full-width punctuation: whitespace next to one is a line break."""
    return is_cjk(ch) or ch in FULLWIDTH_PUNCT


def _latin_words(before: str, after: str) -> bool:
    """Two characters that may end and start Latin words (letters, or a letter and a digit)."""
    pair = before + after
    return len(pair) == 2 and pair.isascii() and pair.isalnum() and not pair.isdigit()


def despace(text: str) -> str:
    """Remove whitespace next to Chinese text (line breaks, OCR gaps); keep one between Latin words.
    A line break elsewhere (a cell wrapped after `3.` before `2029年`) is no space either: a cell
    wraps where its width ends, a word space only ever separates two Latin words."""
    text = text.strip()
    out: list[str] = []
    for match in re.finditer(r"\s+|\S+", text):
        chunk = match.group()
        before, after = text[match.start() - 1], text[match.end()] if match.end() < len(text) else ""
        if not chunk.isspace():
            out.append(chunk)
        elif "\n" in chunk and not _latin_words(before, after):
            continue
        elif not (_is_wide(before) or _is_wide(after)):
            out.append(" ")
    return "".join(out)


def fullwidth_punctuation(text: str) -> str:
    """Half-width punctuation next to Chinese text → full-width; straight quotes → “ ” in turn."""
    chars = list(text)
    open_quote = True
    for i, ch in enumerate(chars):
        before = chars[i - 1] if i else ""
        after = chars[i + 1] if i + 1 < len(chars) else ""
        near_cjk = _is_wide(before) or _is_wide(after)
        if ch in _HALF_TO_FULL and near_cjk:
            chars[i] = _HALF_TO_FULL[ch]
        elif ch == "." and is_cjk(before) and (not after or _is_wide(after)):
            chars[i] = "。"
        elif ch == "丶":  # a radical no running text uses: how recognizers read a bold 、
            chars[i] = "、"
        elif ch == '"' and (near_cjk or not before or not after):
            chars[i] = "“" if open_quote else "”"
            open_quote = not open_quote
    return "".join(chars)


def junk_reason(text: str) -> str:
    """Why `text` looks like hallucinated OCR rather than reading ("" if it does not)."""
    compact = "".join(text.split())
    if not compact:
        return ""
    if re.search(rf"(\D)\1{{{JUNK_CHAR_RUN - 1},}}", compact):
        return "one character repeated"
    if re.search(rf"(\d)\1{{{JUNK_DIGIT_RUN - 1},}}", compact):
        return "one digit repeated"
    for match in re.finditer(rf"(.{{2,8}}?)\1{{{JUNK_UNIT_REPEATS - 1},}}", compact):
        if not match.group(1).isdigit():
            return f"{match.group(1)!r} repeated"
    distinct = len(set(compact))
    if (len(compact) >= JUNK_DIVERSITY_MIN_LEN and distinct / len(compact) < JUNK_MIN_DIVERSITY
            and distinct < JUNK_MAX_DISTINCT):
        return "too few distinct characters"
    return ""


_ITEM_NUMBER = re.compile(r"^\s*(\d{1,3})(?:\s*[.、．,，:：)）]|\s+|(?=\D))\s*(.*)$", re.S)
#: At most this many characters of the item above may precede an item number (`制 20 …`).
MAX_TITLE_TAIL = 4
_TAIL_THEN_NUMBER = re.compile(
    rf"^\s*[^\d\s]{{1,{MAX_TITLE_TAIL}}}\s+(\d{{1,3}})(?:\s*[.、．,，:：)）]|\s+)\s*(.*)$", re.S
)
_NUMERAL = re.compile(
    rf"^\s*(?:[（(]\s*([{_NUMERAL_CHARS}]{{1,3}})\s*[)）]"  # （三）
    rf"|([{_NUMERAL_CHARS}]{{1,3}})\s*[、,，.．:：丶])"  # 三、 (丶: a 、 as recognizers often read it)
    r"\s*(.*)$",
    re.S,
)


def split_item_number(text: str) -> tuple[str, str]:
    """(`12`, rest) for `12、落实…`/`12. 落实…`/`12 落实…`; ("", text) when no number leads the text.

    The last characters of the previous item's title may precede the number when the cell above
    overflowed (`制 20 学事…`); they are dropped here, as they belong to the other item.
    """
    match = _ITEM_NUMBER.match(text) or _TAIL_THEN_NUMBER.match(text)
    if not match:
        return "", text
    return str(int(match.group(1))), match.group(2)


#: The next item's number read inside a 二级 title after some of it (…安全监管25.加强养老服务…): the
#: row line between two items was lost (erased, too faint) and both were read as one row, the second's
#: title, requirement and agencies joined to the first's. The row is flagged `next_item_in_title`, not
#: split: where its requirement and agencies part is not in the text. Seen on the held-out Jiading
#: plan's Word table under tests/wordscan.py's lines-degradation at seed 15 (item 25 read into item
#: 24, unflagged).
#: The number's stop may be lost too (加强防汛工作督查考核28推动长三角…: a drum's streak over the
#: 二级 column, the held-out Songjiang plan's Word table under tests/wordscan.py's dirty-drum at seed
#: 16); a bare number then counts unless a measure word follows it (建设3个中心 is a quantity). No
#: 二级 title of the six truths holds a digit; of make eval's and seed 16's outputs, 12 bare digits
#: inside 二级 titles (junk from broken strokes), none the next item's number.
#: A ruling's remnant read as a mark may stand before the number (改造|7、规范…: a fold of the held-out
#: Putuo plan under tests/degrade.py's folding at seed 29 lost the row lines of six items' 二级 cells,
#: read as one). The row's 序号, taken from the title's first number, is then flagged too: the row may
#: be a later item's (nine rows numbered 6 there, unflagged).
_NUMBER_INSIDE_TITLE = re.compile(r"(?<=[\u4e00-\u9fff”》）)|}\]】])\s*(\d{1,3})\s*([.、．])?\s*(?=[\u4e00-\u9fff“《])")
NEXT_ITEM_IN_TITLE_SCORE = 30.0
#: An agency named twice in one cell (区人力资源社会保障局、区卫生健康委、区卫生健康委): no draft
#: lists a name twice, but two sub-rows read as one do, each naming it (the sub-row line lost: the
#: held-out Fengxian plan's Word table under tests/wordscan.py's lines-degradation at seed 15, item
#: 9's second sub-row read into its first without a word). Both are kept as read, the cell flagged
#: `repeated_agency`.
REPEATED_AGENCY_SCORE = 30.0
#: An agency field read from two cells or more of one page that hold text, beside one requirement
#: cell: no truth table shares a requirement between rows, but a sub-row's ruling erased across the
#: requirement column and left in the agency columns reads so (the held-out Fengxian plan's Word table
#: under tests/wordscan.py's lines-degradation at seed 19, item 2: two requirements read as one, two
#: leads joined, the lead unflagged). Kept as read, flagged `stacked_cells`. make eval (133 drafts, at
#: 161c50e) raised none; a name a line drawn through it wrapped across two cells (区卫生健康 | 委, make
#: eval's fengxian/ink-bleed, four fields) ends mid-name and is not counted (`_stacked_beside_one`).
STACKED_CELLS_SCORE = 30.0


def next_item_in_title(title: str, number: str) -> str:
    """The number of the item after `number` when `title` (its number split off) reads it inside,
    after some of the title and before more of it, as the start of another title; else ""."""
    if not number.isdigit():
        return ""
    return next((m.group(1) for m in _NUMBER_INSIDE_TITLE.finditer(title) if int(m.group(1)) == int(number) + 1
                 and (m.group(2) or title[m.end()] not in MEASURE_WORDS)), "")


def split_numeral(text: str) -> tuple[str, str]:
    """(`三`, rest) for `三、健全…`/`（三）健全…`; ("", text) when no valid numeral leads the text."""
    match = _NUMERAL.match(text)
    if not match:
        return "", text
    numeral = match.group(1) or match.group(2)
    if numeral_value(numeral) is None:
        return "", text
    return numeral, match.group(3)


def title_key(text: str) -> str:
    """The Chinese characters of a title, which is all that matching should look at."""
    return "".join(ch for ch in text if is_cjk(ch))


@functools.lru_cache(maxsize=65536)
def title_score(read: str, known: str) -> float:
    """Similarity 0..100 of two title keys that tolerates lost character order.

    OCR of vertical or narrow cells keeps a title's characters but not their order, so this
    is the mean of a character-set and a sorted-character-sequence similarity (rapidfuzz
    token_set/token_sort over the characters as tokens).
    """
    if not read or not known:
        return 0.0
    a, b = " ".join(read), " ".join(known)
    return (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 2


#: A title is a phrase, never sentences: a full stop or a dot between two of its characters is a
#: speck read as punctuation (深。度融合 on a held-out 150-dpi scan), not text.
_TITLE_SPECK = re.compile(f"(?<=[{_CJK}])[。．.·]+(?=[{_CJK}])")


def clean_title(text: str) -> str:
    """A title as read, without line breaks, specks read as 。 or ·, and with full-width punctuation;
    an underscore at either end is a ruling's remnant in the cell (a book's curl put the row ruling
    into the crop under 一、完善基层医疗卫生服务网络, read …网络_; held-out trial, BookBinding)."""
    return _TITLE_SPECK.sub("", fullwidth_punctuation(despace(text))).strip("，。；：、 _＿")


# --- titles ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class TitleMatch:
    """The outcome of repairing one title: text without number, the number, and how sure."""

    title: str
    number: str  # digits (二级) or numeral (一级) as read; "" when none was read
    method: str  # exact | despace | fuzzy | title_by_number | stray_before_number | kept | unreadable | empty
    score: float
    known_number: str = ""  # the number of the known title taken, "" if none
    flag: str = ""  # reason for review, "" if none


#: A clean read differing from a known title by one contiguous region of at least this many
#: characters (a word replaced, added or dropped: 加强组织领导 → 加强组织保障) is a reworded title, kept
#: as read. One character is an OCR confusion (校舍 → 校合). Measured on 2,000 generated garblings of
#: the Qingpu titles (`python -m tests.test_repair`, characters dropped, misread, read column-wise),
#: applied as to a trusted read: repaired with their number 95.9% → 92.4%, without 83.0% → 80.1%;
#: new titles snapped 0.4% → 0.3%. Only a trusted read (text, or OCR confidence ≥ low_confidence) is
#: kept this way; heavier garbling comes with low confidence.
REWORD_MIN_CHARS = 2


def reworded(read_key: str, known_key: str) -> bool:
    """Whether `read_key` is `known_key` with one contiguous word replaced, inserted or deleted."""
    if not read_key or not known_key or read_key == known_key:
        return False
    ops = [op for op in difflib.SequenceMatcher(None, read_key, known_key, autojunk=False).get_opcodes()
           if op[0] != "equal"]
    if len(ops) != 1:
        return False
    _, i1, i2, j1, j2 = ops[0]
    return max(i2 - i1, j2 - j1) >= REWORD_MIN_CHARS


#: At most this many characters read before a heading's numeral are strays when what follows is a
#: known title under that numeral, whole: a streak across a dirty drum's 一级 cell read 端一、完善… for
#: 一、完善… (qingpu/dirty-drum). A heading begins with its numeral; the title is the known one, and
#: the change is flagged for review with this score.
MAX_STRAY_BEFORE_NUMBER = 2
STRAY_BEFORE_NUMBER_SCORE = 80.0


#: A 一级 title the lexicon cannot judge (a document it has no titles of) is kept as read; when up to
#: this many characters stand before a numeral and its 、 (氟专抄二、提升城市排水防涝能力 under a streak on
#: songjiang/dirty-drum, read at 0.93), they are flagged `text_before_number` for review, as read.
MAX_TEXT_BEFORE_NUMBER = MAX_TITLE_TAIL
TEXT_BEFORE_NUMBER_SCORE = 50.0


#: Up to MAX_STRAY_BEFORE_NUMBER characters read before a 一级 numeral that continues the groups'
#: sequence (the previous group's plus one, 一 for the first) are strays, taken out and flagged with
#: this score, whether or not the lexicon knows the title: a heading begins with its numeral. A streak
#: over the held-out Fengxian plan's dirty-drum copy read 华五、强化人才队伍和支撑保障 after group 四
#: (one group of eight rows; 一级 79.5%).
STRAYS_BY_SEQUENCE_SCORE = 60.0


def _expected_numeral(previous: tuple[str, str] | None, raw: str) -> int | None:
    """The numeral's value a 一级 title read as `raw` continues: its own group's (the row before read the
    same), the next after the previous group's, 1 for the table's first; None when the previous group's
    numeral is unknown."""
    if previous is None:
        return 1
    value = numeral_value(previous[1])
    if value is None:
        return None
    return value if previous[0] == raw else value + 1


def numeral_before_lost_mark(text: str, expected: int, lattices: Sequence[CharLattice]) -> str:
    """The title with 、 put back after its first character, where that character is the numeral the
    groups' sequence expects and the image shows an unread gap right after it (`unread_gap_places`):
    the 、 was lost (a worn copier's haze over it, augraphy BadPhotoCopy over our renderer's Putuo plan
    at seed 24, held out: 三整治… read with a 2-pitch gap after 三, and the inferred numeral made it
    三、三整治…). "" otherwise: a title may begin with a numeral's character (一网统管), set close."""
    stripped = text.lstrip()
    if len(stripped) < 3 or stripped[0] != numeral_of(expected) or not is_cjk(stripped[1]):
        return ""
    lead = len(text) - len(stripped)
    if not any(gap.at == 1 for gap in unread_gap_places(stripped, lattices)):
        return ""
    return text[:lead + 1] + "、" + text[lead + 1:]


def _after_strays(cleaned: str, most: int) -> Iterator[tuple[str, str, str]]:
    """(strays, numeral, rest) for each reading of the first 1..`most` characters of a title as strays
    before a numeral, its 、 and some title (端 / 一 / 完善… of 端一、完善…), fewest strays first."""
    for k in range(1, most + 1):
        numeral, rest = split_numeral(cleaned[k:])
        if numeral and title_key(rest):
            yield cleaned[:k], numeral, rest


def sequence_numeral_from_image(text: str, expected: int, lattices: Sequence[CharLattice]) -> str:
    """The numeral of value `expected` when `text` (a 一级 title as read) begins with another numeral
    that the recognizer read unsure and, at the same place, also offered the expected one (the
    wording's bars: read under wording.UNSURE_BELOW, offered at wording.RUNNER_UP_MIN or more); else "".
    A 1-bit copy loses a thin stroke of 三 or 二: 二、推进源头减量… after group 二 (二 0.69, 三 0.09) on a
    LibreOffice-printed Minhang plan under augraphy's Faxify (tests/wordscan.py). A numeral the image
    does not allow (八 for 五, 五 not offered) stays as read, flagged unsure; a draft that itself skips a
    numeral is read surely and stays."""
    numeral, _ = split_numeral(text)
    wanted = numeral_of(expected)
    if len(numeral) != 1 or len(wanted) != 1 or numeral == wanted:
        return ""
    return wanted if _offered_at(text, text.find(numeral), wanted, lattices) else ""


def _offered_at(text: str, at: int, wanted: str, lattices: Sequence[CharLattice]) -> bool:
    """Whether the recognizer read the character at `at` of `text` unsure and also offered `wanted`
    there (the wording's bars: wording.unsure_spots)."""
    return wanted in dict(wording.unsure_spots(text, lattices)).get(at, {})


def misread_numeral_from_image(text: str, expected: int, lattices: Sequence[CharLattice]) -> tuple[str, bool]:
    """(the numeral of value `expected`, whether the image offered it) when `text` (a 一级 title as
    read) begins with a Chinese character that is no numeral, then 、, read by the recognizer (its
    lattice); else ("", False). A heading begins with its numeral, and one character and 、 stand in
    its place. A fax's copy of a LibreOffice-printed Minhang plan read 五 of group 五 as 下 (0.42, 五
    offered; minhang/word-fax), and the fax of the Minhang plan drawn by our renderer as 下 again (0.67,
    五 not among the runners-up; minhang/fax): no numeral was read, one was inferred and put before it
    (五、下、健全组织推进和工作保障, seven rows' 一级 wrong). Read surely too: the Songjiang plan's Word
    table under tests/wordscan.py's lines-degradation at seed 17 read 四 as 匹 at 0.998, and a heading
    with two numbers (四、匹、强化监测预警和应急处置) was made. Whether the image offered the numeral too (as
    sequence_numeral_from_image, only where the character was read unsure) sets the flag's score."""
    stripped = text.lstrip()
    wanted = numeral_of(expected)
    if (len(stripped) < 3 or stripped[1] != "、" or not is_cjk(stripped[0]) or numeral_value(stripped[0]) is not None
            or len(wanted) != 1 or not lattices):
        return "", False
    read = [(ch, p) for ch, p in lat.path_probabilities(lattices[0]) if not ch.isspace()]
    if not read or read[0][0] != stripped[0]:
        return "", False
    return wanted, read[0][1] < UNSURE_CHARACTER_BELOW and _offered_at(text, text.find(stripped[0]), wanted, lattices)


def numeral_out_of_sequence(rows: Sequence[Row], index: int, numeral: str,
                            previous: tuple[str, str] | None) -> str:
    """The numeral row `index`'s 一级 group was expected to take, when `numeral` fits neither the group
    before it (`previous`: its raw title and numeral; 一 for the table's first) nor the first later
    group that reads one (see NUMERAL_OUT_OF_SEQUENCE_SCORE); else "", and always "" for a table's last
    group that reads a numeral (nothing after it to judge by)."""
    value = numeral_value(numeral)
    if value is None:
        return ""
    raw = rows[index].get("level1")
    after = _expected_numeral(previous, raw)
    own = _numbered(raw)
    following = None
    for row in rows[index + 1:]:
        text = row.get("level1")
        numbered = _numbered(text) if text and text != raw else own
        if numbered != own:  # (氟专抄二、提升… then 二、提升…: one group)
            following = numeral_value(numbered[0])
            break
    if following is None or value in (after, following - 1):
        return ""
    wanted = after if after is not None else following - 1
    return numeral_of(wanted) if 1 <= wanted <= 99 else ""


def _numbered(text: str) -> tuple[str, str]:
    """A 一级 title's numeral and title as read, after up to MAX_TEXT_BEFORE_NUMBER strays."""
    numeral, rest = split_numeral(text)
    if numeral:
        return numeral, title_key(rest)
    _, numeral, rest = text_before_numeral(text)
    return numeral, title_key(rest)


def text_before_numeral(text: str) -> tuple[str, str, str]:
    """The characters read before a heading's numeral, that numeral and the title after its 、 (氟专抄,
    二, 提升… of 氟专抄二、提升…), or ("", "", "")."""
    return next(_after_strays(clean_title(text), MAX_TEXT_BEFORE_NUMBER), ("", "", ""))


#: Characters read before a heading's numeral are strays, taken out (recorded and flagged
#: `strays_by_image`), when the recognizer's lattice makes the title without them at most this many
#: nats a character less likely than as read: the image hardly supports them. Measured on the dirty
#: drums of make eval (three documents, two held out, whose 一级 cells a streak crosses above the
#: numeral): 酸自是 of 酸自是一、健全防汛指挥体系 0.8 a character (2.4 nats in all), 章善 0.3, 海 1.1. A
#: character printed there costs far more: the first real character of every other 一级 title of
#: those pages 4.3-19 nats (one, 一 read at 0.81, 1.5, but a numeral is never taken: only what stands
#: before it); a character read at 0.99 with the blank at 0.01 costs 4.6.
STRAYS_MAX_LOSS_PER_CHAR = 1.5
#: The review score of a `strays_by_image` flag: text was taken out, a clerk should glance at it.
STRAYS_BY_IMAGE_SCORE = 60.0


def loss_without(span: CharLattice, start: int, end: int) -> float:
    """How many nats less likely a cell's lattice (its lines concatenated) makes its text without its
    characters start..end (counted without whitespace) than as read."""
    text = "".join(span.text.split())
    return lat.log_likelihood(span, text) - lat.log_likelihood(span, text[:start] + text[end:])


def likelihood_score(loss: float) -> float:
    """A text's likelihood relative to the reading, in percent (capped at 100), from its loss in nats."""
    return 100.0 * min(1.0, float(np.exp(-loss)))


def _drop_leading(text: str, count: int) -> str:
    """`text` without its first `count` characters that are not whitespace."""
    seen = 0
    for i, ch in enumerate(text):
        if seen == count:
            return text[i:]
        seen += not ch.isspace()
    return ""


def _drop_trailing(text: str, count: int) -> str:
    """`text` without its last `count` characters that are not whitespace (nor the whitespace after
    and between them)."""
    kept = text.rstrip()
    for _ in range(count):
        kept = kept[:-1].rstrip()
    return kept


def _line_paths(lattices: Sequence[CharLattice]) -> list[list[tuple[str, float]]]:
    """Each lattice's best path as (character, x) without whitespace."""
    return [[(ch, float(lattice.xs[step])) for ch, step in lat.greedy_path(lattice) if not ch.isspace()]
            for lattice in lattices]


#: A title's last characters (at most MAX_TITLE_TAIL) that stand this many of the line's character
#: pitches apart from the one before them are strays, taken out (flagged `strays_by_image`) when the
#: lattice makes the title without them at most STRAYS_MAX_LOSS_PER_CHAR nats a character less likely:
#: a toner streak's blot beside a 二级 title's last line read 一 at 0.69 with the blank at 0.21, six
#: pitches after 台 (建设全程分类数字化监管平台一, minhang/dirty-drum, make eval). A title's characters
#: follow each other at one pitch; a narrow cell's lines are stitched a tenth of a character apart.
TITLE_TAIL_GAP_PITCHES = 2.0
MAX_TITLE_TAIL = 2


def strays_after_title(raw: str, lattices: Sequence[CharLattice]) -> tuple[str, str, float]:
    """(title without strays, strays, loss): `raw` without its last characters when they stand apart
    on its last line (TITLE_TAIL_GAP_PITCHES) and its lattices hardly support them, else (raw, "", 0)."""
    read = "".join(raw.split())
    if not lattices or len(read) <= MAX_TITLE_TAIL:
        return raw, "", 0.0
    span = lat.concatenate(lattices)
    (path,) = _line_paths(lattices[-1:])
    if "".join(span.text.split()) != read or "".join(ch for ch, _ in path) != "".join(lattices[-1].text.split()):
        return raw, "", 0.0
    xs = [x for _, x in path]
    if len(xs) <= MAX_TITLE_TAIL + 1:
        return raw, "", 0.0
    pitch = float(np.median(np.diff(xs)))
    for k in range(1, MAX_TITLE_TAIL + 1):
        if xs[-k] - xs[-k - 1] > TITLE_TAIL_GAP_PITCHES * pitch:
            loss = loss_without(span, len(read) - k, len(read))
            if loss > STRAYS_MAX_LOSS_PER_CHAR * k:
                break
            return _drop_trailing(raw, k), read[-k:], loss
    return raw, "", 0.0


def latin_after_title(raw: str, lattices: Sequence[CharLattice]) -> tuple[str, str, float]:
    """(title without it, the letter, loss): `raw` without a lone Latin letter ending it after a Chinese
    character, in a title with no other letter, when its lattices hardly support it
    (STRAYS_MAX_LOSS_PER_CHAR), else (raw, "", 0). A worn copier's speck after the last character, on
    the same line: 四、提升公共卫生和中医药服务能力q (q 0.34) and …服务网络i on LibreOffice's Fengxian
    table under tests/wordscan.py's photocopy and dirty-rollers recipes at seed 24 (held out). A title
    ending with a letter printed (…A级) is read surely: 4.6 nats and more."""
    read = "".join(raw.split())
    if (not lattices or len(read) < 3 or not read[-1].isascii() or not read[-1].isalpha()
            or not is_cjk(read[-2]) or any(ch.isascii() and ch.isalpha() for ch in read[:-1])):
        return raw, "", 0.0
    span = lat.concatenate(lattices)
    if "".join(span.text.split()) != read:
        return raw, "", 0.0
    loss = loss_without(span, len(read) - 1, len(read))
    if loss > STRAYS_MAX_LOSS_PER_CHAR:
        return raw, "", 0.0
    return _drop_trailing(raw, 1), read[-1], loss


def strays_by_image(raw: str, lattices: Sequence[CharLattice]) -> tuple[str, str, float]:
    """(title without strays, strays, loss): `raw` with the characters read before its heading
    numeral taken out when its lattices hardly support them (STRAYS_MAX_LOSS_PER_CHAR), else
    (raw, "", 0)."""
    before, _, _ = text_before_numeral(raw)
    if not before or not lattices:
        return raw, "", 0.0
    span = lat.concatenate(lattices)
    read = "".join(span.text.split())
    at = read.find(before)
    if at < 0 or any(ch.isalnum() for ch in read[:at]):
        return raw, "", 0.0
    end = at + len(before)
    if "".join(raw.split())[:end] != read[:end]:
        return raw, "", 0.0
    loss = loss_without(span, 0, end)
    if loss > STRAYS_MAX_LOSS_PER_CHAR * end:
        return raw, "", 0.0
    return _drop_leading(raw, end), read[:end], loss


def _stray_before_numeral(cleaned: str, known: Mapping[str, str]) -> str:
    """The numeral of the known title that `cleaned` reads whole after one or two stray characters
    (端一、完善… for 一、完善…), or ""."""
    return next((numeral for _, numeral, rest in _after_strays(cleaned, MAX_STRAY_BEFORE_NUMBER)
                 if numeral in known and title_key(rest) == title_key(known[numeral])), "")


def match_title(
    raw: str,
    number: str,
    known: Mapping[str, str],
    settings: Settings,
    trusted: bool = False,
) -> TitleMatch:
    """Match the title text `raw` (number already split off) to the `known` titles by number.

    Content first: a clear content match wins even if it carries another number (renumbered
    item). The number read is a hint that lowers the bar for its own title only. Text that
    matches nothing well enough is kept as read and flagged, never replaced by another title.
    With no known titles (a document the lexicon has no section for) the title is kept as read,
    unflagged. A `trusted` read (clean text: a text layer, or OCR at good confidence) that differs
    from a known title by one reworded region is the draft's own change, kept as read.
    """
    cleaned = clean_title(raw)
    key = title_key(cleaned)
    junk = junk_reason(raw)
    hinted = known.get(number, "")
    if not known and not junk and key:  # a document with no known titles: kept as read, not judged
        return TitleMatch(cleaned, number, "kept", 100.0, "", "")
    if junk or not key:
        if hinted:
            return TitleMatch(hinted, number, "title_by_number", NUMBER_ONLY_SCORE, number, "title_by_number")
        if junk:
            return TitleMatch("", number, "unreadable", 0.0, "", "unreadable")
        return TitleMatch("", number, "empty", 0.0, "", "missing_title")
    for known_number, title in known.items():
        if key == title_key(title) or cleaned == title:
            method = "exact" if raw == title else "despace"
            flag = "" if not number or known_number == number else "renumbered"
            return TitleMatch(title, number, method, 100.0, known_number, flag)
    stray = "" if number else _stray_before_numeral(cleaned, known)
    if stray:
        return TitleMatch(known[stray], number, "stray_before_number", STRAY_BEFORE_NUMBER_SCORE, stray,
                          "stray_before_number")
    scores = {n: title_score(key, title_key(t)) for n, t in known.items()}
    best = max(scores, key=lambda n: scores[n], default="")
    best_score = scores.get(best, 0.0)
    hinted_score = scores.get(number, 0.0)
    if trusted:
        near = best if best_score >= hinted_score or not hinted else number
        if near and reworded(key, title_key(known[near])):
            # One contiguous word replaced, added or dropped in a clean read: the draft changed the
            # title (加强组织领导 → 加强组织保障), which a revision does; OCR garbles are scattered.
            return TitleMatch(cleaned, number, "kept", scores[near], "", "changed_title")
    if best and best != number and best_score >= settings.title_min_score:
        # Overriding a number that was read takes a clear match that also holds in reading order:
        # a bag of shared characters (加强…安全…教育) is too weak to contradict the number.
        clear = not number or (
            best_score - hinted_score >= TITLE_MARGIN
            and fuzz.ratio(key, title_key(known[best])) >= settings.title_min_score
        )
        if clear:
            flag = "renumbered" if number else "fuzzy_title"
            return TitleMatch(known[best], number, "fuzzy", best_score, best, flag)
    if hinted and hinted_score >= settings.title_min_score_with_number:
        return TitleMatch(hinted, number, "fuzzy", hinted_score, number, "fuzzy_title")
    return TitleMatch(cleaned, number, "kept", best_score, "", "unknown_title")


# --- agencies -------------------------------------------------------------------------------
@dataclass(frozen=True)
class AgencyFragment:
    """One agency name of a cell: as read (de-spaced), what it became, how, and how sure."""

    read: str
    name: str
    method: str  # exact | alias | fuzzy | agency_by_image | unknown_agency
    score: float


def agency_scores(reads: Sequence[str], spellings: Sequence[str]) -> np.ndarray:
    """Scores 0..100 of each read against each lexicon spelling: 100 × (1 − OSA distance / name length).

    Normalising by the lexicon name's length (not the longer of the two) makes the edit budget a
    property of the name, whatever the edit: with the threshold 80, names of up to 4 characters
    must match exactly (a wrong character there may well be another agency: 区体育局, 区教育局),
    5-9 characters allow one edit, 10-14 two. OSA counts a swap of neighbours as one edit.
    """
    if not reads or not spellings:
        return np.zeros((len(reads), len(spellings)))
    distances = process.cdist(reads, spellings, scorer=OSA.distance, dtype=np.int32)
    lengths = np.array([len(s) for s in spellings], dtype=np.float64)
    return np.clip(100.0 * (1.0 - distances / lengths), 0.0, 100.0)


def _alike_names(row: np.ndarray, score: float, spellings: Sequence[str], lexicon: Lexicon) -> list[str]:
    """The agencies whose spellings score `score` (within SCORE_EPSILON) in `row`, one per agency."""
    tied = np.nonzero(row >= score - SCORE_EPSILON)[0]
    return list(dict.fromkeys(lexicon.canonical_of[spellings[i]] for i in tied))


def alike_agencies(read: str, lexicon: Lexicon, settings: Settings) -> list[str]:
    """The known agencies an unknown name is equally close to, where two or more are within the
    fuzzy budget: 公安占浦分局 (a 1-bit page's 青) is one edit from 公安青浦分局 and from 公安黄浦分局,
    and the lexicon's order must not choose: it made 公安吉浦分局 (qingpu/fax), 公安晶浦分局
    (qingpu/bilevel-200) and a 1-bit spot-check page's 公安占浦分局 黄浦, 公安松汇分局 徐汇
    (songjiang/word-bilevel-200 at seeds 17-18), each a Qingpu or Songjiang draft. The image decides
    among them where it can (`agencies_by_image`); elsewhere the read stays, flagged with these names.
    Empty where one name or none is that close."""
    spellings = lexicon.spellings
    if not read or not spellings:
        return []
    row = agency_scores([read], spellings)[0]
    score = float(row.max())
    if score < settings.agency_min_score - SCORE_EPSILON or score <= 0:
        return []
    names = _alike_names(row, score, spellings, lexicon)
    return names if len(names) > 1 else []


def agency_score(read: str, name: str) -> float:
    """`agency_scores` of one pair."""
    return float(agency_scores([read], [name])[0, 0])


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    cost: float
    fragment: AgencyFragment


#: A known name's stem (all but its last character) is read as the start of a longer name (see
#: _stem_of_longer_name) when at least this long: 区教育 of 区教育局 starts 区教育学院; a two-character
#: stem (区X of 区X局) would block misreads of every short name.
STEM_MIN_CHARS = 3


def _stem_of_longer_name(content: str, spelling: str, chars: Sequence[str], is_sep: Sequence[bool],
                         end: int) -> bool:
    """Whether a fuzzy match of `content` (ending at `end` in the cell's characters) to `spelling`
    only keeps the spelling's stem and reads on into another name: content starts with the stem but
    not with the name (区卫生健康委委 is the name read twice over), and is longer than it or has text
    after it without a separator. Bodies under an office are named by its stem (区卫生健康委:
    区卫生健康监督所, 区卫生健康信息中心, held-out Fengxian plan): as one substitution from 区卫生健康委,
    区卫生健康信 was taken for it and 息中心 left over, an unknown name snapped and cut. A misread last
    character with nothing after it (区卫生健康秀) still matches."""
    stem = spelling[:-1]
    if len(stem) < STEM_MIN_CHARS or content.startswith(spelling) or not content.startswith(stem):
        return False
    following = chars[end] if end < len(chars) and not is_sep[end] else ""
    if not _HAS_CJK.search(content[len(stem):] + following):  # 公安松江分hj: its end misread, no other name
        return False
    return len(content) > len(spelling) or bool(following)


def segment_agencies(text: str, lexicon: Lexicon, settings: Settings) -> tuple[AgencyFragment, ...]:
    """Split an agency cell into lexicon names by dynamic programming over its de-spaced text.

    Separators and spaces in OCR are unreliable (missing, extra, wrong width, line breaks inside
    names), so they are only hints: a name may span a separator at a cost, a missing separator
    costs nothing. Each span is either a lexicon spelling within the fuzzy budget
    (`settings.agency_min_score`) or an unknown fragment at a higher per-character cost.
    """
    chars = [ch for ch in text if not ch.isspace()]
    n = len(chars)
    if n == 0:
        return ()
    is_sep = [ch in AGENCY_SEPARATORS for ch in chars]
    spellings = lexicon.spellings
    longest = max((len(s) for s in spellings), default=0)
    reach = longest + 3  # a garbled name may carry up to a few inserted characters

    spans_from: list[list[_Span]] = [[] for _ in range(n)]
    queries: list[tuple[int, int, str, int]] = []
    for i in range(n):
        if is_sep[i]:
            continue
        for j in range(i + 1, min(n, i + reach) + 1):
            if is_sep[j - 1]:
                continue
            content = "".join(c for c, s in zip(chars[i:j], is_sep[i:j], strict=True) if not s)
            inner = j - i - len(content)
            if len(content) > reach:
                break
            queries.append((i, j, content, inner))
    contents = [q[2] for q in queries]
    exact = [lexicon.canonical_of.get(c) for c in contents]
    cutoff = settings.agency_min_score - SCORE_EPSILON
    fuzzy_rows = [k for k, e in enumerate(exact) if e is None]
    scores = agency_scores([contents[k] for k in fuzzy_rows], spellings)
    best_idx = scores.argmax(axis=1) if spellings else np.zeros(len(fuzzy_rows), dtype=int)
    fuzzy_of = {
        k: (int(best_idx[r]), float(scores[r, best_idx[r]]) if spellings else 0.0)
        for r, k in enumerate(fuzzy_rows)
    }
    for r, k in enumerate(fuzzy_rows):
        idx, score = fuzzy_of[k]
        if score >= cutoff and score > 0 and len(_alike_names(scores[r], score, spellings, lexicon)) > 1:
            fuzzy_of[k] = (idx, 0.0)  # as close to two names: which one is the image's call, not argmax's

    known_name = _exact_known(lexicon.canonical_of)
    for k, (i, j, content, inner) in enumerate(queries):
        canonical = exact[k]
        if canonical is None and (named := _prefix_district(content, known_name))[0]:
            # A district spelled out before a known name (闵行规划资源局), wherever the name starts: a
            # lost separator before it must not cut the district's name in half. It is that name where
            # a name-start prefix would be cut (strip_district_prefixes); another district's is one
            # name kept as read.
            if _prefix_is_cut(named[0], lexicon.district):
                canonical = lexicon.canonical_of.get(named[1])
            elif inner == 0:
                whole = AgencyFragment(content, content, "unknown_agency", 0.0)
                spans_from[i].append(_Span(i, j, KNOWN_FRAGMENT_COST, whole))
                continue
        if canonical is not None:
            method = "exact" if canonical == content else "alias"
            frag = AgencyFragment(content, canonical, method, 100.0)
            spans_from[i].append(_Span(i, j, KNOWN_FRAGMENT_COST + INNER_SEPARATOR_COST * inner, frag))
            continue
        idx, score = fuzzy_of[k]
        if score >= cutoff and score > 0 and not _stem_of_longer_name(content, spellings[idx], chars, is_sep, j):
            spelling = spellings[idx]
            distance = OSA.distance(content, spelling)
            frag = AgencyFragment(content, lexicon.canonical_of[spelling], "fuzzy", round(score, 1))
            cost = FUZZY_EDIT_COST * distance + KNOWN_FRAGMENT_COST + INNER_SEPARATOR_COST * inner
            spans_from[i].append(_Span(i, j, cost, frag))
        if inner == 0:
            unknown = AgencyFragment(content, content, "unknown_agency", 0.0)
            cost = UNKNOWN_CHAR_COST * len(content) + UNKNOWN_FRAGMENT_COST
            if content[-1] not in NAME_END_CHARS:
                cost += UNENDED_UNKNOWN_COST
            spans_from[i].append(_Span(i, j, cost, unknown))

    # Shortest path over positions 0..n; a separator may be skipped for free.
    best: list[float] = [float("inf")] * (n + 1)
    back: list[_Span | None] = [None] * (n + 1)
    best[0] = 0.0
    for i in range(n):
        if best[i] == float("inf"):
            continue
        if is_sep[i] and best[i] < best[i + 1]:
            best[i + 1], back[i + 1] = best[i], None
        for span in spans_from[i]:
            total = best[i] + span.cost
            if total < best[span.end] - 1e-9:
                best[span.end], back[span.end] = total, span
    path: list[_Span] = []
    pos = n
    while pos > 0:
        span = back[pos]
        if span is None:
            pos -= 1
            continue
        path.append(span)
        pos = span.start
    path.reverse()

    fragments: list[AgencyFragment] = []
    for span in path:
        frag = span.fragment
        if frag.method != "unknown_agency":
            fragments.append(frag)
            continue
        best_guess = _best_agency_score(frag.read, spellings)
        for piece in _split_unknown(frag.read):
            fragments.append(AgencyFragment(piece, piece, "unknown_agency", best_guess))
    return tuple(fragments)


def _best_agency_score(read: str, spellings: Sequence[str]) -> float:
    scores = agency_scores([read], spellings)
    return round(float(scores.max()), 1) if spellings else 0.0


def _split_unknown(read: str) -> list[str]:
    """Split an unknown run where a name ending meets a name start (局|区), as a reader would.

    Spaces are no evidence either way: names wrap at any character in narrow cells.
    """
    pieces: list[str] = []
    start = 0
    for k in range(1, len(read)):
        if read[k - 1] in NAME_END_CHARS and read[k] in NAME_START_CHARS and k - start >= 2:
            pieces.append(read[start:k])
            start = k
    pieces.append(read[start:])
    return pieces


# --- requirement ----------------------------------------------------------------------------
_TERMINAL = "。！？；!?;…"
#: Opening marks after the last sentence end open nothing: specks read as ‘ or “ (2 of 33
#: requirements of the sample scan end in 。‘). So is a half-width hyphen between two Chinese
#: characters (机-制: a line-end hyphen or speck; Chinese never hyphenates words).
_STRAY_OPENERS = "‘“（《(\"'"
#: Nor do dots and commas after it (。·· : specks read as middle dots, a doubled 。).
_STRAY_DOTS = "·・．.，,、。`"
_PAIRS = (("（", "）"), ("《", "》"), ("“", "”"))


def clean_requirement(text: str) -> tuple[str, tuple[str, ...]]:
    """The requirement with line breaks removed and full-width punctuation; methods applied."""
    methods: list[str] = []
    despaced = despace(text)
    if despaced != text:
        methods.append("despace")
    punctuated = fullwidth_punctuation(despaced)
    if punctuated != despaced:
        methods.append("punctuation")
    trimmed = re.sub(rf"(?<=[{_TERMINAL}])[{_STRAY_OPENERS}{_STRAY_DOTS}]+$", "", punctuated)
    trimmed = re.sub(rf"(?<=[{_CJK}])[-‐](?=[{_CJK}])", "", trimmed)
    if trimmed != punctuated:
        methods.append("stray_mark")
    return trimmed, tuple(methods)


def incomplete_reason(text: str) -> str:
    """Why a (clean) requirement looks cut off: the truth's requirements are whole sentences."""
    if not text:
        return ""
    if text[-1] not in _TERMINAL:
        return "does not end a sentence"
    for left, right in _PAIRS:
        if text.count(left) != text.count(right):
            return f"unbalanced {left}{right}"
    return ""


# --- the stage ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RepairResult:
    """Repaired table plus every change made and everything a clerk should look at."""

    table: Table
    repairs: tuple[Repair, ...]
    flags: tuple[Flag, ...]
    #: What the lexicon knew for this draft: its district and the document whose titles applied.
    scope: str = ""


# --- scope: which district and which document's titles apply to a draft ----------------------
#: A draft's title names a known document when their document keys (the text in 《》, Chinese
#: characters and digits) are at least this similar (rapidfuzz ratio): two misread characters of the
#: 26 of the Qingpu title score 92; the Qingpu title against the titles of the held-out Songjiang and
#: Jiading plans scores 30-40, against the same plan for another district (松江区 for 青浦区) 92, which
#: the district check refuses.
DOCUMENT_TITLE_MIN_SCORE = 90.0
#: Without its title, a document applies when at least this share of the draft's distinct 二级 titles
#: match one of its titles by content (`title_min_score`): the Qingpu seed extraction 0.96, the OCR'd
#: Qingpu sample 1.0; the held-out Songjiang and Jiading titles against the Qingpu section 0.0.
DOCUMENT_TITLES_MIN_SHARE = 0.5
#: ...and at least this many titles match: two shared stock phrases (加强组织领导) make no document.
DOCUMENT_TITLES_MIN_COUNT = 3


@dataclass(frozen=True)
class DraftScope:
    """The district and the document whose knowledge applies to a draft, and how each was decided."""

    district: str
    district_from: str  # settings | title | agencies | unknown
    document: Document | None
    document_from: str  # previous | title | titles | none

    def describe(self) -> str:
        district = f"{self.district} ({self.district_from})" if self.district else "district unknown"
        if self.document is None:
            return f"{district}; no known titles: titles kept as read"
        name = self.document.title or "untitled section"
        return f"{district}; titles of {name} ({self.document_from})"


def draft_titles(table: Table) -> list[str]:
    """The title keys of the draft's distinct 二级 texts as read (numbers cut off)."""
    keys = {title_key(clean_title(split_item_number(row.get("level2"))[1])) for row in table.rows}
    return sorted(k for k in keys if k)


def choose_document(table: Table, lexicon: Lexicon, settings: Settings, district: str) -> tuple[Document | None, str]:
    """The document section whose titles apply to the draft, and why; (None, "none") when none does.

    An earlier version given with --previous applies outright. Else a section applies whose title the
    draft's title names (never one of another district), or that most of the draft's titles match.
    """
    previous = next((d for d in lexicon.documents if d.previous), None)
    if previous is not None:
        return previous, "previous"
    key = document_key(table.title) if table.title else ""
    if key:
        scored = [(fuzz.ratio(key, document_key(d.title)), d) for d in lexicon.documents if d.title]
        scored = [(score, d) for score, d in scored if score >= DOCUMENT_TITLE_MIN_SCORE
                  and not (d.district and district and d.district != district)]
        if scored:
            return max(scored, key=lambda item: item[0])[1], "title"
    read = draft_titles(table)
    best: tuple[float, Document | None] = (0.0, None)
    for doc in lexicon.documents:
        if doc.district and district and doc.district != district:
            continue
        known = [title_key(t.title) for t in doc.level2]
        hits = sum(any(title_score(k, t) >= settings.title_min_score for t in known) for k in read)
        share = hits / len(read) if read else 0.0
        if hits >= DOCUMENT_TITLES_MIN_COUNT and share >= DOCUMENT_TITLES_MIN_SHARE and share > best[0]:
            best = (share, doc)
    return (best[1], "titles") if best[1] is not None else (None, "none")


#: Agency cells that must spell out the same district (and no cell another one) for the draft to be
#: taken as that district's when its title names none.
AGENCY_DISTRICT_MIN_CELLS = 2


def district_of_agencies(table: Table) -> str:
    """The one district the draft's agency cells spell out (公安闵行分局, 上海市闵行区生态环境局), or "".

    A draft read without its title page still names its district in its own agencies; a cell naming
    another district (a cross-district partner) makes it undecided. Without it, a lost separator
    before a name with its district spelled out (区城投集团、闵行规划资源局 read as one run) was split
    inside the district's name and the unknown name before it took its first character (held-out
    Minhang document, tests/test_repair.py measure_held_out, garbled without its title)."""
    named = [district_named(row.get(role)) for row in table.rows for role in AGENCY_FIELDS]
    found = [d for d in named if d]
    return found[0] if len(found) >= AGENCY_DISTRICT_MIN_CELLS and len(set(found)) == 1 else ""


def draft_scope(table: Table, lexicon: Lexicon, settings: Settings) -> DraftScope:
    """The draft's district (settings, else its title, else its agency cells, else unknown) and the
    document that applies."""
    if settings.district:
        district, district_from = settings.district, "settings"
    elif named := district_named(table.title):
        district, district_from = named, "title"
    elif named := district_of_agencies(table):
        district, district_from = named, "agencies"
    else:
        district, district_from = "", "unknown"
    document, document_from = choose_document(table, lexicon, settings, district)
    return DraftScope(district, district_from, document, document_from)


@dataclass
class _Log:
    repairs: list[Repair]
    flags: list[Flag]

    def repair(self, row: int, field: str, before: str, after: str, method: str, score: float) -> None:
        if before != after:
            self.repairs.append(Repair(row, field, before, after, method, round(score, 1)))

    def flag(self, row: int, field: str, text: str, reason: str, score: float) -> None:
        self.flags.append(Flag(row, field, text, reason, round(score, 1)))

    def stray(self, row: int, field: str, before: str, after: str, stray: str) -> None:
        """A stray taken off (`before` → `after`), logged and flagged `stray_mark` on the stray."""
        self.repair(row, field, before, after, "stray_mark", STRAY_MARK_SCORE)
        self.flag(row, field, stray, "stray_mark", STRAY_MARK_SCORE)


#: The title match of a heading role the draft does not have: nothing to repair, nothing to flag.
_ABSENT = TitleMatch("", "", "absent", 100.0, "", "")


def _numeral_sureness(row: Row, numeral: str) -> float:
    """The least probability the recognizer read the 一级 numeral's characters at (1.0 when its
    lattices are not kept: a text layer, tesseract)."""
    source = row.sources.get("level1")
    if source is None or not source.lattices:
        return 1.0
    text = "".join(row.get("level1").split())
    at = text.find(numeral)
    read = lat.aligned_probabilities(source.lattices, text)
    return min((read.get(j, 1.0) for j in range(at, at + len(numeral))), default=1.0) if at >= 0 else 1.0


def numeral_from_later_groups(rows: Sequence[Row], index: int) -> int | None:
    """The numeral's value row `index`'s 一级 group takes from the first later group whose title reads
    one surely (after strays too), less the groups between (None when none reads one, or the count
    leaves nothing). The table's first group whose numeral was lost takes it: a photocopy faded the 一
    of 一、健全防汛指挥体系 (held-out Songjiang draft), and six rows came out without their numeral
    while the next group read 二、; on a 1-bit light-toner page (a threshold erases 一, 二 and 三 whole)
    the first group to read one was the fourth, 1四、强化监测预警… . Each group after the first then
    takes the one before it plus one; every inference is flagged (inferred_number).

    A numeral read under UNSURE_CHARACTER_BELOW counts nothing back: the same light toner left 五 of
    the Minhang plan's fifth group looking like 九 (read at 0.26, make eval minhang/word-bilevel-200,
    and again on another draw of that recipe), and every group was numbered 五…九 from it. It still
    shows that the draft numbers its groups: when no later group reads one surely, the table's first
    group is 一, as a plan numbers its groups.

    So it does when at least NUMERAL_LOST_MIN_GROUPS groups' titles read the 、 a numeral stood before
    and no numeral (、摸清城市运行安全风险底数 and every other group of the seed-6 draw of the held-out
    Putuo plan's light-toner recipe: the toner erased 一, 二 and 三 whole and left 、)."""
    previous = rows[index].get("level1")
    groups, numbered = 0, False
    lost = int(_numeral_lost(previous))
    for row in rows[index + 1:]:
        text = row.get("level1")
        if not text or text == previous:
            continue
        previous = text
        groups += 1
        numeral = _numbered(text)[0]
        if value := numeral_value(numeral):
            if _numeral_sureness(row, numeral) < UNSURE_CHARACTER_BELOW:
                numbered = True
                continue
            return value - groups if value > groups else None
        lost += _numeral_lost(text)
    return 1 if numbered or lost >= NUMERAL_LOST_MIN_GROUPS else None


#: Groups whose titles read a bare 、 first (_numeral_lost) before the table's first group is taken to
#: be 一 with no numeral read anywhere: one may be a speck read as 、.
NUMERAL_LOST_MIN_GROUPS = 2


def _numeral_lost(text: str) -> bool:
    """Whether a 一级 title reads the 、 that follows a heading's numeral, and no numeral before it."""
    return text.lstrip().startswith("、")


def printed_roles(table: Table) -> set[str]:
    """The roles the draft itself prints. Table.columns always holds the six standard columns (a
    role the draft lacks is an empty column in the outputs), so a role counts where a row has a
    cell or a text for it: a 序号 | 主要任务 | 责任单位 | 完成时限 table has no 一级 or 二级 title
    to miss (it had been flagged missing_title twice a row, seen on a new user's 闵行区 draft)."""
    return ({role for row in table.rows for role in row.sources}
            | {role for role in table.roles if any(row.get(role) for row in table.rows)})


#: A traditional form's repair is certain (its simplified form is the character the draft printed), but
#: it is a repair like any other, scored as such.
TRADITIONAL_FORM_SCORE = 100.0


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _simplified_char(ch: str) -> str:
    """The simplified form of a character that has no place in simplified text (outside GB 2312),
    the character itself otherwise: 著, 干 and 于 are simplified characters and stay."""
    try:
        ch.encode("gb2312")
        return ch
    except UnicodeEncodeError:
        pass
    out = _t2s().convert(ch)
    try:
        out.encode("gb2312")
    except UnicodeEncodeError:
        return ch
    return out if len(out) == 1 else ch


def simplify(text: str) -> str:
    """Traditional forms the recognizer wrote (加強 for 加强, 區 for 区) in their simplified form.

    PP-OCR's character set holds both, and on a degraded glyph it now and then picks the traditional
    one; a simplified-Chinese draft prints none. Only characters outside GB 2312 (the simplified set)
    are converted, each by OpenCC's t2s table, so simplified text is never changed."""
    return "".join(_simplified_char(ch) if ord(ch) > 0x7F else ch for ch in text)


#: The numeral 一 never stands between two Arabic digits: there the draft printed a dash (2027—2029 read
#: 2027一2029; the em dash and 一 are one flat stroke each, told apart by neither the recognizers nor
#: the ink: tests/data/minhang_waste_v1.csv, held out, uming-bilevel). Certain as a character, but the
#: draft may have printed a dash of another width, so scored under a traditional form's certainty.
ONE_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])(\s*)一(?=\s*[0-9])")  # a cell's line may break beside it
DASH = "—"
DASH_BETWEEN_DIGITS_SCORE = 90.0


def dash_between_digits(text: str) -> str:
    """The text with each 一 between two Arabic digits written as the dash it was printed as."""
    return ONE_BETWEEN_DIGITS.sub(lambda m: m.group(1) + DASH, text)


def _character_repairs(table: Table, log: _Log) -> Table:
    """The table with every field's traditional forms simplified and the 一 between digits made dashes,
    each change logged as a repair."""
    rows = []
    for index, row in enumerate(table.rows):
        changes = {}
        for name, text in row.cells.items():
            fixed = text
            for method, repaired, score in (
                ("traditional_form", simplify, TRADITIONAL_FORM_SCORE),
                ("dash_between_digits", dash_between_digits, DASH_BETWEEN_DIGITS_SCORE),
            ):
                after = repaired(fixed)
                log.repair(index, name, fixed, after, method, score)
                fixed = after
            if fixed != text:
                changes[name] = fixed
        rows.append(row.replace(**changes) if changes else row)
    return replace(table, rows=tuple(rows))


#: A character of a title or requirement the recognizer gave less than this probability (its best at
#: the steps it spans) is named in an `unsure_characters` flag when the cell's mean confidence did not
#: already flag it: a cell read at 0.99 on the whole can hold one doubtful character (家庭。医生, a
#: speck read 。 at 0.66 on fengxian/sample). Agency cells are left to the lexicon's flags. Measured on
#: make eval's title and requirement cells (85 drafts, 8,310 cells, 436 wrong, 113 of them flagged by
#: nothing before; our renderer, the library's degradations, held-out documents), flagged with
#: `unread_gap` beside it: under 0.7 the two point at 92 of those 113 and flag 174 right cells
#: nothing else flagged; under 0.8, 100 and 250; under 0.9, 102 and 419 (41 of those right cells were
#: gaps across a stitched seam, since set aside; at 0.8 with seams: 98 and 214). Most of the right cells
#: it flags hold punctuation read at 0.55-0.8 (（ and ； on clean pages), which a speck read as a mark
#: (0.64-0.66) cannot be told from.
UNSURE_CHARACTER_BELOW = 0.8
UNSURE_CHARACTER_ROLES = ("level1", "level2", "requirement")
#: Characters of the final text shown each side of an unsure one, and the most unsure ones named.
UNSURE_CONTEXT_CHARS = 2
MAX_UNSURE_NAMED = 5


def _in_context(text: str, at: int) -> str:
    """The character at `at` of `text` bracketed, with UNSURE_CONTEXT_CHARS either side (家庭〔。〕医生)."""
    c = UNSURE_CONTEXT_CHARS
    return f"{text[max(0, at - c):at]}〔{text[at]}〕{text[at + 1:at + 1 + c]}"


def unsure_characters(final: str, lattices: Sequence[CharLattice],
                      below: float = UNSURE_CHARACTER_BELOW) -> tuple[str, float]:
    """The places of `final` the recognizer read at a probability under `below`, each with a little
    context (家庭〔。〕医生 0.66), and the least probability; ("", 1.0) when there are none.

    A read character stands at a place of the final text when the two align there, as it was or
    replaced one for one (a repair that changed it is logged on its own); one the repair took out
    is not named."""
    text = "".join(final.split())
    places = [(j, p) for j, p in lat.aligned_probabilities(lattices, text).items() if p < below]
    if not places:
        return "", 1.0
    shown = sorted(places, key=lambda place: place[1])[:MAX_UNSURE_NAMED]
    where = "; ".join(f"{_in_context(text, j)} {p:.2f}" for j, p in sorted(shown))
    return where, min(p for _, p in places)


#: Two characters read next to each other on a line that stand at least this many of the cell's
#: character pitches apart leave a place where something printed was read as nothing (flagged
#: `unread_gap`); beside a digit or Latin letter (half a pitch wide, `_advance`) half a pitch less.
#: Measured with the pipeline's lattices: on fengxian/sample (our renderer, clean) the widest step of
#: 4,697 was 1.63 pitches (after ， and 、 the next character stands 1.5-1.6 pitches on: the mark sits in
#: the left of its box); on songjiang/dirty-drum (the library's DirtyDrum, held-out document) the
#: places where a character was lost stood 1.8-3.1 pitches apart (储备就近 for 储备、就近 1.94, 储备体编制 for
#: 储备体系，编制 3.0).
UNREAD_GAP_PITCHES = 1.8
#: The pitch is the median step between a cell's characters (each over the room its two characters
#: take, `_advance`), taken when the cell has at least this many.
MIN_STEPS_FOR_PITCH = 4
#: ...or, when the cell has at least this many, the median span of two steps over three full-width
#: characters (a digit's or Latin letter's room varies with the face). The recognizer puts a
#: character's x at the centre of one of its output steps (every 8-9 px of a line 52 px tall), so
#: single steps of a 30.5-px pitch are 26 or 35 px and their median lands on either: 心 lost between 中
#: and 标 (60 px) of a drum-streaked 二级 title measured 1.73 pitches of 34.7 (unflagged), 1.97 of 30.5
#: over two steps (LibreOffice's Fengxian table under tests/wordscan.py's dirty-drum at seed 28, held
#: out when drawn). A lost character's place spoils two spans, so a short cell keeps single steps
#: (储备就近调用 for 储备、就近调用: 1.6 pitches over two steps, 2.0 over one).
MIN_SPANS_FOR_PITCH = 8
#: Across a seam of stitched lines (CharLattice.seams) two characters stand a pitch apart and the
#: seam's own white, plus whatever the line's trim kept at its margins (a drum's blot, a copier's
#: haze): a place is named there only from this many pitches. Measured with the pipeline's lattices
#: on seed 28 of the held-out sweep (64 drafts: tests/degrade.py's recipes over two held-out
#: documents, tests/wordscan.py's over three; raw tables captured once, the repair run again):
#: right titles stood up to 2.75 pitches across a seam (Word tables under DirtyDrum and BadPhotoCopy),
#: titles that lost a character or two at a line's end or start under a drum's blot 3.0-4.0 (推进社区卫
#: / 生服务… read 推进社生服务…). Counted at UNREAD_GAP_PITCHES, seams flag 80 right cells more
#: there (of 64 drafts), at this bar none; 9 unflagged wrong titles of 67 are flagged.
UNREAD_GAP_ACROSS_SEAM_PITCHES = 2.9
#: The review score of an `unread_gap` flag: text may be missing there.
UNREAD_GAP_SCORE = 50.0
#: The review score of a `doubtful_word` flag (`wording.doubtful_words`): a character read surely that
#: the words doubt; the text is kept as read.
DOUBTFUL_WORD_SCORE = 50.0


def _advance(ch: str) -> float:
    """The room a character takes on a line, in pitches: a Chinese character or mark one (“ ” — … are
    of Unicode's ambiguous width, full in a Chinese text), a digit or Latin letter about half (two
    years 2027 and 2029 read 20272029, the dash between them lost, stand 1.5 pitches apart where two
    digits stand half a pitch)."""
    if ch in _HALF_TO_FULL:  # read as ASCII, printed (and written by the repair) full width: （ for (
        return 1.0
    return 1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5


def _pitch(paths: Sequence[Sequence[tuple[str, float]]]) -> float:
    """The cell's character pitch (px): half the median span of two steps along a line over three
    full-width characters, or the median step over the room its two characters take (`_advance`) when
    there are too few spans (MIN_SPANS_FOR_PITCH); 0 when the cell has fewer than MIN_STEPS_FOR_PITCH
    steps."""
    spans = [(c[1] - a[1]) / 2 for path in paths for a, b, c in zip(path, path[1:], path[2:], strict=False)
             if _advance(a[0]) == _advance(b[0]) == _advance(c[0]) == 1.0]
    if len(spans) >= MIN_SPANS_FOR_PITCH:
        return float(np.median(spans))
    steps = [(b[1] - a[1]) / ((_advance(a[0]) + _advance(b[0])) / 2) for path in paths
             for a, b in itertools.pairwise(path)]
    return float(np.median(steps)) if len(steps) >= MIN_STEPS_FOR_PITCH else 0.0


@dataclass(frozen=True)
class UnreadGap:
    """A place between two characters read next to each other whose images stand apart: `at` is the
    index in the final text (whitespace dropped) of the character after it, `width` the distance in
    pitches, `line` and `step` the lattice line and the index in its best path of that character."""

    at: int
    width: float
    line: int
    step: int


def unread_gap_places(final: str, lattices: Sequence[CharLattice]) -> list[UnreadGap]:
    """The places of `final` between two characters read next to each other whose images stand
    UNREAD_GAP_PITCHES apart or more; none when the cell has too few characters to measure its pitch.
    The white across a seam of stitched lines (CharLattice.seams) is such a place only when wider
    (UNREAD_GAP_ACROSS_SEAM_PITCHES); one the repair filled is not; one whose character before it the
    repair took out is (7、实施雨水 read 7、雨水)."""
    paths = _line_paths(lattices)
    pitch = _pitch(paths)
    if pitch <= 0:
        return []
    found: list[tuple[int, float, int, int]] = []  # index in the read text of the character after it
    at = 0
    for line, (path, lattice) in enumerate(zip(paths, lattices, strict=True)):
        for k in range(1, len(path)):
            width = (path[k][1] - path[k - 1][1]) / pitch
            advance = (_advance(path[k - 1][0]) + _advance(path[k][0])) / 2
            across_seam = any(path[k - 1][1] < x < path[k][1] for x in lattice.seams)
            if (width >= UNREAD_GAP_ACROSS_SEAM_PITCHES if across_seam
                    else width - advance >= UNREAD_GAP_PITCHES - 1):
                found.append((at + k, width, line, k))
        at += len(path)
    if not found:
        return []
    read = "".join(ch for path in paths for ch, _ in path)
    where_in_text = dict(lat.align_to_path(read, "".join(final.split()), replaced=True))
    places = []
    for i, width, line, k in found:
        before, after = where_in_text.get(i - 1), where_in_text.get(i)
        if after is None or (before is not None and after != before + 1):
            continue  # the repair filled the place, or took out what stood after it
        places.append(UnreadGap(after, width, line, k))
    return places


#: Marks a line may not start with: a word processor carries the character before one down with it,
#: and the line above ends a character short (禁则).
_NO_LINE_START = frozenset("、，。；：！？”’）》」』")


def _printed_lines(lattices: Sequence[CharLattice]) -> list[str]:
    """A cell's printed lines as read: each lattice's best path cut at its seams (a narrow cell's lines
    are stitched into one image), whitespace and lines read as nothing left out."""
    lines: list[str] = []
    for path, lattice in zip(_line_paths(lattices), lattices, strict=True):
        cuts = sorted(lattice.seams)
        parts: list[list[str]] = [[] for _ in range(len(cuts) + 1)]
        for ch, x in path:
            parts[sum(1 for cut in cuts if cut < x)].append(ch)
        lines.extend("".join(part) for part in parts if part)
    return lines


def short_lines(lattices: Sequence[CharLattice]) -> list[str]:
    """The inner lines of a title wrapped in its cell (neither its first nor its last) read at least one
    character shorter than the widest of its lines but its last: a word processor fills every line of
    a wrapped title but the last, so such a line lost a character in the scan (the held-out Fengxian
    plan's Word table on a 1-bit copy at light toner, tests/wordscan.py bilevel-200 at seed 23: 四、提升公
    / 共卫生和 / 药服务能 / 力 for 四、提升公共卫生和中医药服务能力, 中 and 医 lost at the ends of two lines,
    unflagged on nine rows). The first line counts towards the widest only when it holds no half-width
    character: an item's number (16.) is narrower than the room it is given. Not where the next line
    starts with a mark no line may start with (_NO_LINE_START), or with a character and such a mark.
    Measured with the pipeline's lattices on seed 23's draws: no line flagged on 135 titles of four clean
    copies (shadow, photocopy), and every one flagged on the dirty-drum and 1-bit copies lost a
    character."""
    lines = _printed_lines(lattices)
    if len(lines) < 3:
        return []
    room = [sum(_advance(ch) for ch in line) for line in lines]
    full_width = all(_advance(ch) == 1.0 for ch in lines[0])
    widest = max(room[0] if full_width else 0.0, *room[1:-1])
    return [lines[k] for k in range(1, len(lines) - 1)
            if room[k] <= widest - 1 and not (set(lines[k + 1][:2]) & _NO_LINE_START)]


def unread_gaps(final: str, lattices: Sequence[CharLattice]) -> str:
    """The `unread_gap_places` of `final`, each with a little context (储备〔□〕就近 1.94); "" when none."""
    text = "".join(final.split())
    c = UNSURE_CONTEXT_CHARS
    return "; ".join(f"{text[max(0, g.at - c):g.at]}〔□〕{text[g.at:g.at + c]} {g.width:.2f}"
                     for g in unread_gap_places(final, lattices)[:MAX_UNSURE_NAMED])


#: A mark lost in an unread gap of a requirement (`unread_gap_places`) is put back when its line's
#: lattice makes the line with it at most GAP_MARK_MAX_LOSS nats less likely than as read, and the next
#: likeliest of GAP_MARKS at least GAP_MARK_MIN_MARGIN nats less likely still: the image shows which
#: mark. Measured with the pipeline's lattices (tests' make eval drafts read in-process at d4a2e46, each
#: requirement's edits against its truth before and after): on the dirty drums and faxes of all six
#: documents (our renderer's and LibreOffice's pages under the library's DirtyDrum and Faxify, 12
#: cases) 36 marks put back, 27 edits fewer, no cell worse; on two 1-bit light-toner drafts 22, 8
#: fewer, none worse; on 20 drafts that lose no mark (clean, 150-dpi noisy, 1-bit, photocopy, lines
#: degradation, ink bleed, low ink, phone photo; five documents) none. ： ； and 。 are not offered: where
#: a lost mark's gap ranked ： first (29 of 67 gaps on the drums and faxes) the mark was never ： (a
#: speck or a streak's grain reads as two dots), and 。 ranked first was right 0 of 3 times.
GAP_MARKS = "，、“”"
#: Marks of a pause, none of which stands beside another: a gap beside one lost a character, not a
#: ， or 、 (on make eval's 1-bit light-toner pages: 网、〔、〕用大, 求、〔、〕、通).
_FULL_PAUSES = "，、。；："
_PAUSES = _FULL_PAUSES + ",.;:"
GAP_MARK_MAX_LOSS = 3.0
GAP_MARK_MIN_MARGIN = 1.0
#: The review score of a `mark_in_gap` flag: a mark put back from the image, as a final 。 is.
GAP_MARK_SCORE = 60.0
#: After a closing quote the recognizer often cannot name the lost mark (a pause mark set an em from
#: the quote: 改清单”〔，〕重大, its lattice offering 、 0.2 nats below ，), though it sees one: a gap after
#: ” before a Chinese character takes ，, the pause there, when some pause mark costs at most
#: QUOTE_GAP_MAX_LOSS nats, under what one costs where nothing is printed (7.4 and up, measured right
#: after ” on the same lattices). Measured (gapmeasure on the lattices of make eval's drafts and of the
#: held-out Word probe in 14 pt, all documents): 10 put, 8 right (”，), 2 as wrong as before (”；, and a
#: lost 三), none worse. Not before an opening quote (“A”、“B” lists the quoted terms: not measured).
QUOTE_GAP_MAX_LOSS = 6.0
QUOTE_GAP_MARK = "，"


def marks_in_gaps(final: str, lattices: Sequence[CharLattice]) -> tuple[str, list[tuple[str, float]]]:
    """(`final` with the lost marks the image supports put back in its unread gaps, [(the mark with a
    little context, loss in nats)])."""
    put: list[tuple[int, str, float]] = []
    paths = _line_paths(lattices)
    text = "".join(final.split())
    bases: dict[int, float] = {}  # each line's reading as read, once
    for gap in unread_gap_places(final, lattices):
        lattice, read = lattices[gap.line], "".join(ch for ch, _ in paths[gap.line])
        base = bases.setdefault(gap.line, lat.log_likelihood(lattice, read))
        cost = {m: base - lat.log_likelihood(lattice, read[:gap.step] + m + read[gap.step:])
                for m in {*GAP_MARKS, *_FULL_PAUSES}}  # how much less likely with m in the gap
        (loss, mark), (runner_up, _) = sorted((cost[m], m) for m in GAP_MARKS)[:2]
        beside = text[max(0, gap.at - 1):gap.at + 1]
        if mark in _PAUSES and any(ch in _PAUSES for ch in beside):
            continue  # a pause beside a pause: a character was lost there
        if loss <= GAP_MARK_MAX_LOSS and runner_up - loss >= GAP_MARK_MIN_MARGIN:
            put.append((gap.at, mark, loss))
        elif gap.at and text[gap.at - 1] == "”" and is_cjk(text[gap.at]):
            pause = min(cost[m] for m in _FULL_PAUSES)
            if pause <= QUOTE_GAP_MAX_LOSS:
                put.append((gap.at, QUOTE_GAP_MARK, pause))
    if not put:
        return final, []
    inked = [i for i, ch in enumerate(final) if not ch.isspace()]  # gaps index the text without spaces
    for at, mark, _ in sorted(put, reverse=True):
        final = final[:inked[at]] + mark + final[inked[at]:]
    text = "".join(final.split())
    return final, [(_in_context(text, at + n), loss) for n, (at, _, loss) in enumerate(sorted(put))]


def _flag_doubtful_places(log: _Log, index: int, field: str, final: str, lattices: Sequence[CharLattice],
                          characters: bool) -> None:
    """Flag the places of a title or requirement its image leaves in doubt: characters read unsure
    (`unsure_characters`) and characters read surely that the words doubt (`doubtful_word`), not when
    the cell's confidence is flagged already (`characters` False); places where something printed
    was read as nothing (`unread_gap`); and a title's inner lines read short (`short_line`)."""
    if characters:
        where, least = unsure_characters(final, lattices)
        if where:
            log.flag(index, field, where, "unsure_characters", least * 100)
        doubts = wording.doubtful_words(final, lattices)
        if doubts:
            named = ", ".join(f"{doubt.describe(final)}? ({doubt.gain:.1f} nats)" for doubt in doubts)
            log.flag(index, field, final, f"doubtful_word: {named}", DOUBTFUL_WORD_SCORE)
    where = unread_gaps(final, lattices)
    if where:
        log.flag(index, field, where, "unread_gap", UNREAD_GAP_SCORE)
    if field in ("level1", "level2"):
        short = short_lines(lattices)
        if short:
            log.flag(index, field, final, f"short_line: {' / '.join(short)}", UNREAD_GAP_SCORE)


def repair_table(table: Table, lexicon: Lexicon, settings: Settings) -> RepairResult:
    """Repair every row of `table` (scan or text-extraction rows) to the clean CSV conventions.

    Only the knowledge that applies to the draft is used: the agencies of its district, and the
    titles of its document (`draft_scope`); a lexicon already narrowed by `Lexicon.view` is used as is.
    """
    log = _Log([], [])
    table = _character_repairs(table, log)
    if not lexicon.narrowed and not lexicon.level2 and not lexicon.level1:
        scope = draft_scope(table, lexicon, settings)
        lexicon = lexicon.view(scope.district, scope.document)
    else:
        scope = DraftScope(lexicon.district, "view", lexicon.document,
                           "view" if lexicon.document or lexicon.level2 else "none")
    logger.debug("repair scope of %s: %s", table.source or table.title, scope.describe())
    level1_known = {t.numeral: t.title for t in lexicon.level1}
    level2_known = {str(t.number): t.title for t in lexicon.level2}
    title_cache: dict[tuple[str, str, str, bool], TitleMatch] = {}

    def cached(kind: str, raw: str, number: str, known: Mapping[str, str], trusted: bool) -> TitleMatch:
        key = (kind, raw, number, trusted)
        if key not in title_cache:
            title_cache[key] = match_title(raw, number, known, settings, trusted)
        return title_cache[key]

    def trusted(row: Row, role: str) -> bool:
        """A clean read: no OCR confidence (text layer, extraction) or at least the flagging bar."""
        source = row.sources.get(role)
        return source is None or source.confidence is None or source.confidence >= settings.low_confidence

    rows: list[Row] = []
    l1_numerals: list[str] = []
    l2_parents: list[str] = []
    l2_scores: list[float] = []
    prev_l1: tuple[str, str] | None = None  # (raw, numeral) of the previous row
    out_of_sequence = ""  # the numeral the current 一级 group was expected to take, when it does not
    prev_l2: tuple[str, str] | None = None  # (raw, number) of the previous row
    roles = printed_roles(table) | ({"responsible"} if table.first_is_lead else set())
    unnumbered = "level2" in roles and not any(
        any(ch.isdigit() for ch in row.no) or split_item_number(row.get("level2"))[0] for row in table.rows)
    for index, row in enumerate(table.rows):
        changed: dict[str, str] = {}
        # 一级指标
        raw_level1 = row.get("level1")
        read_level1 = raw_level1
        source = row.sources.get("level1")
        if source and source.lattices and not split_numeral(raw_level1)[0]:
            read_level1 = _without_strays(log, index, "level1", raw_level1,
                                          strays_by_image(raw_level1, source.lattices))
        read_level1 = _without_stray_line(log, index, "level1", read_level1, source)
        if source and source.lattices:
            read_level1 = _without_strays(log, index, "level1", read_level1,
                                          latin_after_title(read_level1, source.lattices))
        misread, offered = "", False
        if (source and source.lattices and not split_numeral(read_level1)[0]
                and (expected := _expected_numeral(prev_l1, raw_level1))):
            misread, offered = misread_numeral_from_image(read_level1, expected, source.lattices)
        if misread:
            first = read_level1.lstrip()[0]
            renumbered = read_level1.replace(first, misread, 1)
            score = SEQUENCE_NUMERAL_FROM_IMAGE_SCORE if offered else INFERRED_NUMBER_SCORE
            log.repair(index, "level1", read_level1, renumbered, "numeral_by_sequence", score)
            log.flag(index, "level1", raw_level1,
                     f"numeral_by_sequence: {first}→{misread}" + ("" if offered else " (inferred)"), score)
            read_level1 = renumbered
        elif (source and source.lattices and not split_numeral(read_level1)[0]
              and (expected := _expected_numeral(prev_l1, raw_level1))
              and (marked := numeral_before_lost_mark(read_level1, expected, source.lattices))):
            log.repair(index, "level1", read_level1, marked, "numeral_mark_lost", INFERRED_NUMBER_SCORE)
            log.flag(index, "level1", raw_level1, "numeral_mark_lost", INFERRED_NUMBER_SCORE)
            read_level1 = marked
        numeral, l1_rest = split_numeral(read_level1)
        l1 = cached("1", l1_rest, numeral, level1_known, trusted(row, "level1")) if "level1" in roles else _ABSENT
        if l1.method == "kept" and source and source.lattices:  # a title no known one matched
            worded = _reworded(log, index, "level1", l1_rest, source.lattices)
            if worded != l1_rest:
                l1 = cached("1", worded, numeral, level1_known, trusted(row, "level1"))
        l1_numeral = numeral
        # 氟专抄二、提升…: a numeral read after stray text is the title's own (kept as read, flagged
        # below), so none is inferred and put before it.
        before, numeral_after, title_after = (text_before_numeral(read_level1) if not numeral and l1.method == "kept"
                                              else ("", "", ""))
        sequenced = bool(misread)  # the numeral was inferred or decided by the groups' sequence (flagged so)
        if not numeral and l1.title and not before:
            if l1.known_number:
                l1_numeral = l1.known_number
            elif prev_l1 and prev_l1[0] == raw_level1:
                l1_numeral = prev_l1[1]
            elif prev_l1 and numeral_value(prev_l1[1]):
                l1_numeral = numeral_of((numeral_value(prev_l1[1]) or 0) + 1)
            elif prev_l1 is None and (inferred := numeral_from_later_groups(table.rows, index)):
                l1_numeral = numeral_of(inferred)
            if l1_numeral and l1.method != "stray_before_number":  # that numeral was read, after the strays
                log.flag(index, "level1", raw_level1, "inferred_number", INFERRED_NUMBER_SCORE)
                sequenced = True
        if numeral and l1.known_number and l1.known_number != numeral and prev_l1 and prev_l1[0] != raw_level1:
            # A misread numeral (一 for 三) between groups 二 and 四: the known title's numeral
            # continues the sequence, the one read does not.
            after = (numeral_value(prev_l1[1]) or 0) + 1
            if numeral_value(numeral) != after and numeral_value(l1.known_number) == after:
                l1_numeral = l1.known_number
                log.flag(index, "level1", raw_level1, "numeral_by_sequence", SEQUENCE_NUMERAL_SCORE)
                sequenced = True
        elif (numeral and not l1.known_number and prev_l1 and source and source.lattices
              and (expected := _expected_numeral(prev_l1, raw_level1))
              and (wanted := sequence_numeral_from_image(read_level1, expected, source.lattices))):
            l1_numeral = wanted
            log.flag(index, "level1", raw_level1, f"numeral_by_sequence: {numeral}→{wanted}",
                     SEQUENCE_NUMERAL_FROM_IMAGE_SCORE)
            sequenced = True
        level1 = f"{l1_numeral}、{l1.title}" if l1_numeral and l1.title else l1.title
        if before and len(before) <= MAX_STRAY_BEFORE_NUMBER and numeral_value(numeral_after) == _expected_numeral(
                prev_l1, raw_level1):
            # 华五、强化… after group 四: the numeral continues the sequence, what stands before it is a stray
            level1 = f"{numeral_after}、{title_after}"
            log.repair(index, "level1", read_level1, level1, "strays_by_sequence", STRAYS_BY_SEQUENCE_SCORE)
            log.flag(index, "level1", raw_level1, f"strays_by_sequence: {before}", STRAYS_BY_SEQUENCE_SCORE)
            sequenced = True
        else:
            _log_title(log, index, "level1", read_level1, level1, l1)
            if before:
                log.flag(index, "level1", raw_level1, f"text_before_number: {before}", TEXT_BEFORE_NUMBER_SCORE)
        if before:
            l1_numeral = numeral_after  # for the rows after it
        if not prev_l1 or prev_l1[0] != raw_level1:  # a group's first row: judged once for the group
            out_of_sequence = (numeral_out_of_sequence(table.rows, index, l1_numeral, prev_l1)
                               if "level1" in roles and l1_numeral else "")
        if out_of_sequence and not sequenced:
            log.flag(index, "level1", raw_level1, f"numeral_out_of_sequence: {l1_numeral} ({out_of_sequence} expected)",
                     NUMERAL_OUT_OF_SEQUENCE_SCORE)
        prev_l1 = (raw_level1, l1_numeral)
        changed["level1"] = level1

        # 序号 and 二级指标
        digits = "".join(ch for ch in row.no if ch.isdigit())
        source = row.sources.get("level2")
        raw_level2 = _without_stray_line(log, index, "level2", row.get("level2"), source)
        if source and source.lattices:
            raw_level2 = _without_strays(log, index, "level2", raw_level2,
                                         strays_after_title(raw_level2, source.lattices))
            raw_level2 = _without_strays(log, index, "level2", raw_level2,
                                         latin_after_title(raw_level2, source.lattices))
        number_in_text, l2_rest = split_item_number(raw_level2)
        kept_rest, mark = stray_marks_before_title(l2_rest) if number_in_text else (l2_rest, "")
        if mark:  # the stop after the number misread (7!推进…, a fax)
            log.stray(index, "level2", l2_rest, kept_rest, mark)
            l2_rest = kept_rest
        number = str(int(digits)) if digits else number_in_text
        if number_in_text and number_in_text != number:  # a 序号 column and the 二级 text disagree
            log.flag(index, "no", row.no, f"number_conflict: 二级 reads {number_in_text}", 50.0)
        l2 = cached("2", l2_rest, number, level2_known, trusted(row, "level2")) if "level2" in roles else _ABSENT
        source = row.sources.get("level2")
        if l2.method == "kept" and source and source.lattices:  # a title no known one matched
            worded = _reworded(log, index, "level2", l2_rest, source.lattices)
            if worded != l2_rest:
                l2 = cached("2", worded, number, level2_known, trusted(row, "level2"))
        if not number and unnumbered:
            # the draft numbers no item (no 序号 column, no number before any 二级 title): its items are
            # numbered in order, the outputs' key; nothing read is overruled, so no row is flagged
            if prev_l2 is None:
                number = "1"
            else:
                number = prev_l2[1] if prev_l2[0] == raw_level2 else str(int(prev_l2[1]) + 1)
            log.repair(index, "no", "", number, "item_order", 100.0)
        elif not number:
            if l2.known_number:
                number = l2.known_number
            elif "level2" in roles and prev_l2 and prev_l2[0] == raw_level2:
                number = prev_l2[1]
            elif "level2" in roles and prev_l2 and prev_l2[1].isdigit():
                number = str(int(prev_l2[1]) + 1)
            elif "level2" not in roles and "no" not in roles:
                number = str(index + 1)  # neither numbers nor titles: every row is an item
                log.repair(index, "no", "", number, "row_order", 100.0)
            if number and ("level2" in roles or "no" in roles):
                log.repair(index, "no", row.no, number, "inferred_number", INFERRED_NUMBER_SCORE)
                log.flag(index, "no", row.no, "inferred_number", INFERRED_NUMBER_SCORE)
        elif number != row.no:
            log.repair(index, "no", row.no, number, "number_from_title", 100.0)
        _log_title(log, index, "level2", raw_level2, l2.title, l2)
        following = next_item_in_title(l2_rest, number)
        if following:
            log.flag(index, "level2", raw_level2, f"next_item_in_title: {following} (a row line lost)",
                     NEXT_ITEM_IN_TITLE_SCORE)
            log.flag(index, "no", number, f"next_item_in_title: {following} (this row may be a later item's)",
                     NEXT_ITEM_IN_TITLE_SCORE)
        prev_l2 = (raw_level2, number)
        changed.update(no=number, level2=l2.title)
        known2 = lexicon.level2_by_number.get(int(l2.known_number)) if l2.known_number else None

        # 工作要求
        source = row.sources.get("requirement")
        changed["requirement"] = _repair_requirement(log, index, row.get("requirement"),
                                                     source.lattices if source else ())

        # 牵头单位 / 配合单位 / 责任单位
        for name in AGENCY_FIELDS:
            if name in roles:
                source = row.sources.get(name)
                changed[name] = _repair_agencies(log, index, name, row.get(name), lexicon, settings,
                                                 source.lattices if source else ())
        stacked = [name for name in AGENCY_FIELDS if name in roles and name in row.sources
                   and _stacked_beside_one(row.sources[name], row.sources.get("requirement"))]
        for name in stacked:
            log.flag(index, name, row.get(name), f"stacked_cells: {len(row.sources[name].cell_breaks) + 1} cells "
                     "beside one 工作要求 cell (two rows read as one?)", STACKED_CELLS_SCORE)
        if stacked:
            log.flag(index, "requirement", row.get("requirement"), "stacked_cells: one cell beside "
                     f"{len(row.sources[stacked[0]].cell_breaks) + 1} agency cells (two rows read as one?)",
                     STACKED_CELLS_SCORE)
        if table.first_is_lead:
            changed.update(_split_responsible(log, index, changed.pop("responsible", "")))
        lead_role = "lead" if "lead" in roles else "responsible" if "responsible" in roles else ""
        if lead_role and not (changed.get("lead") or changed.get("responsible")):
            log.flag(index, "lead" if table.first_is_lead else lead_role, row.get(lead_role), "missing_lead", 0.0)

        # 三级指标, 完成时限, 备注 and columns of no known role: line breaks and punctuation only
        for name in table.roles:
            if name not in changed and name not in AGENCY_FIELDS:
                changed[name] = _repair_plain(log, index, name, row.get(name))

        # OCR confidence
        for name, source in row.sources.items():
            if source.carried:
                log.flag(index, name, row.get(name), "carried_from_row_before", CARRIED_TITLE_SCORE)
            if source.lost:
                log.flag(index, name, row.get(name), "column_not_on_page", 0.0)
            low = source.confidence is not None and source.confidence < settings.low_confidence
            if low:
                log.flag(index, name, source.raw or row.get(name), "low_confidence", source.confidence * 100)
            if name in UNSURE_CHARACTER_ROLES and source.lattices:
                _flag_doubtful_places(log, index, name, changed.get(name, ""), source.lattices, characters=not low)
            for reading in source.illegible:
                log.flag(index, name, reading, "illegible_line_left_out", 0.0)

        kept = {name: text for name, text in changed.items() if name in table.roles}
        rows.append(Row(kept, row.sources))
        l1_numerals.append(l1_numeral)
        l2_parents.append(known2.parent if known2 and l2.method in ("exact", "despace", "fuzzy") else "")
        l2_scores.append(l2.score)

    rows = _regroup_level1(rows, l1_numerals, l2_parents, l2_scores, log)
    rows = _numbers_by_sequence(rows, log)
    _flag_number_gaps(rows, log)
    _flag_missing_numbers(rows, log)
    _flag_numeral_breaks(rows, log)
    _flag_odd_marks(rows, log)
    _flag_draft_words(rows, log)
    _flag_lone_merges(rows, log)
    _flag_cells_across_agencies(rows, log)
    fixed = Table(title=table.title, rows=tuple(rows), source=table.source, columns=table.columns,
                  caption=table.caption)
    return RepairResult(fixed, tuple(log.repairs), tuple(log.flags), scope.describe())


#: An item whose 序号 breaks a sequence its neighbours agree on (the item before n - 1, the item after
#: n + 1) takes n: a streak or light toner lost or changed a digit of the number before the 二级 title
#: (1完善可回收物回收网络 for 16. between items 15 and 17, minhang/word-dirty-drum; 1 for 17 and 20 for
#: 26 on minhang/bilevel-200, make eval: the item read as item 1's number, nothing flagged on it). Both
#: neighbours must agree, so a draft's own skip (5 then 7) or two numbers misread together stay as read,
#: named by number_gap. An item whose number is the first digits of the next one after the item
#: before's, and smaller than it, lost its last digits: it takes n whatever follows (the table's last
#: item has no item after it; _lost_last_digits); so does one read with a digit more before n
#: (_stray_first_digit), and one that is the last digits of n and smaller than the number before
#: (_lost_first_digits). The number before is as the sequence made it: a misread number before must
#: not make a right one look out of sequence (16 made 6 between 5 and 7). Flagged `number_by_sequence`.
NUMBER_BY_SEQUENCE_SCORE = SEQUENCE_NUMERAL_SCORE


def _numbers_by_sequence(rows: list[Row], log: _Log) -> list[Row]:
    """The rows with each item's 序号 that its neighbours' numbers decide taken from them (see
    NUMBER_BY_SEQUENCE_SCORE); an item is a run of rows with one 序号."""
    runs: list[list[int]] = []
    for index, row in enumerate(rows):
        if runs and rows[runs[-1][0]].no == row.no:
            runs[-1].append(index)
        else:
            runs.append([index])
    out = list(rows)
    for before, item, after in zip(runs, runs[1:], [*runs[2:], None], strict=False):
        first, read = out[before[0]].no, rows[item[0]].no
        last = rows[after[0]].no if after is not None else ""
        if not first.isdigit() or read == str(int(first) + 1):
            continue
        number = str(int(first) + 1)
        if (not (last.isdigit() and int(last) == int(first) + 2) and not _lost_last_digits(read, first)
                and not _lost_first_digits(read, first) and not _stray_first_digit(read, first)):
            continue
        for index in item:
            log.repair(index, "no", read, number, "number_by_sequence", NUMBER_BY_SEQUENCE_SCORE)
            log.flag(index, "no", read, f"number_by_sequence: {read}→{number}", NUMBER_BY_SEQUENCE_SCORE)
            out[index] = out[index].replace(no=number)
            title = out[index].get("level2")
            tail = _NUMBER_TAIL.match(title)
            if tail and read + tail.group(1) == number:
                # the number's last digits were read into the title, a speck between (2.5、加强… for 25)
                log.repair(index, "level2", title, title[tail.end():], "number_by_sequence", NUMBER_BY_SEQUENCE_SCORE)
                out[index] = out[index].replace(level2=title[tail.end():])
    return out


def _lost_last_digits(read: str, before: str) -> bool:
    """Whether an item's 序号 `read` is the first digits of the number after `before` and smaller than
    `before`: its last digits were lost (2 for 28 after 27, the table's last item, on a 1-bit copy of
    the held-out Putuo plan, tests/degrade.py bilevel-200 at seed 23, unflagged). A draft that numbers
    anew starts at 1, and 1 is taken as such."""
    after = str(int(before) + 1)
    return (read.isdigit() and read != "1" and int(read) < int(before) and len(read) < len(after)
            and after.startswith(read))


def _lost_first_digits(read: str, before: str) -> bool:
    """Whether an item's 序号 `read` is the last digits of the number after `before` and smaller than
    `before`: its first digits were lost (7, 8, 9 for 17, 18, 19 after 16: a drum's streak down the
    tens of the 二级 column's numbers, LibreOffice's Fengxian table under tests/wordscan.py's dirty-drum
    at seed 28, unflagged). A draft that numbers anew starts at 1, and 1 is taken as such."""
    after = str(int(before) + 1)
    return (read.isdigit() and read != "1" and int(read) < int(before) and len(read) < len(after)
            and after.endswith(read))


def _stray_first_digit(read: str, before: str) -> bool:
    """Whether an item's 序号 `read` is the number after `before` with one digit more before it: a speck
    read as a digit (928 for 28 after 27, the table's last item, on a worn copier's copy of the held-out
    Putuo plan, tests/degrade.py photocopy at seed 24, unflagged)."""
    return read.isdigit() and len(read) >= 2 and read[1:] == str(int(before) + 1)


#: Digits and a stop that start a 二级 title after its item's number was split off: the number's own
#: last digits when they complete the number the sequence gives (held-out Jiading plan by fax, seed 21:
#: 2.5、加强养老服务资金监管 read as item 2, titled 5、加强…). The number's own stop may be lost, a blank or
#: nothing between the digits and the title (held-out Putuo plan by fax, seed 27: 2.3 健全突发… read as
#: item 2, titled 3健全…, unflagged).
_NUMBER_TAIL = re.compile(r"^\s*(\d{1,2})(?:\s*[.、．,，:：]|\s+|(?=[\u4e00-\u9fff]))\s*")


#: An agency cell merged down the rows of two items or more, in a draft that merges no other cell of that
#: column across items, is named on each item after the first (`merged_across_items`): a clerk may merge
#: two equal cells, but a ruling the scan lost merges them too, and the image cannot tell which. Held-out
#: trial: LinesDegradation over the Minhang plan laid out by LibreOffice (make eval
#: minhang/word-lines-degradation): the 配合单位 ruling between items 23 and 24 was erased, item 24 (no
#: 配合单位 of its own) took 23's, unflagged. A draft that merges that column's cells across items more
#: than once is merging by hand (officegen merged-agencies: every run of equal agencies): nothing named.
LONE_MERGE_SCORE = 50.0


#: One cell read into two agency columns of a row (牵头 and 配合): a column ruling the scan lost between
#: them, or the draft's own merge, and the image cannot tell which. LinesDegradation over the held-out
#: Songjiang plan's Word table (tests/wordscan.py lines-degradation at seed 23, page 5) erased the
#: 牵头 | 配合 ruling beside item 23's third sub-row, whose 配合 cell is empty: its lead 区卫生健康委 was
#: read as its 配合单位 too, unflagged. Flagged `across_agency_columns` on each of them, kept as read.
ACROSS_AGENCIES_SCORE = LONE_MERGE_SCORE


def _flag_cells_across_agencies(rows: Sequence[Row], log: _Log) -> None:
    """Name each agency field of a row that shares a scanned cell, and a line of text read in it, with
    another agency field of it (a blank part of a cell a page break cut may lie under both: make eval's
    songjiang/lines-degradation, item 22; a text extraction's line is no cell)."""
    for index, row in enumerate(rows):
        read = {role: (set(source.cell_ids), {line for line in source.raw.splitlines() if line.strip()})
                for role in AGENCY_FIELDS if (source := row.sources.get(role)) is not None
                and source.box is not None and row.get(role)}
        for role, (mine, lines) in read.items():
            others = [other for other, (theirs, their_lines) in read.items()
                      if other != role and mine & theirs and lines & their_lines]
            if others:
                log.flag(index, role, row.get(role), f"across_agency_columns: {', '.join(others)}",
                         ACROSS_AGENCIES_SCORE)


def _flag_lone_merges(rows: Sequence[Row], log: _Log) -> None:
    """Name the rows under an agency cell merged across items once in the draft (LONE_MERGE_SCORE)."""
    for role in AGENCY_FIELDS:
        merges: dict[tuple[str, ...], list[int]] = {}
        for index, (above, row) in enumerate(itertools.pairwise(rows), 1):
            ids = row.sources[role].cell_ids if role in row.sources else ()
            if (ids and role in above.sources and above.sources[role].cell_ids == ids and row.get(role)
                    and row.no != above.no):
                merges.setdefault(ids, []).append(index)
        if len(merges) != 1:
            continue
        (below,) = merges.values()
        for index in below:
            log.flag(index, role, rows[index].get(role), f"merged_across_items: {rows[index - 1].no}",
                     LONE_MERGE_SCORE)


def _flag_number_gaps(rows: Sequence[Row], log: _Log) -> None:
    """A 序号 that skips numbers after the item before it is flagged `number_gap: 6` (or `6-8`): the
    item's row was lost or read into its neighbour's (a toner streak over the row ruling between 5
    and 6 of the held-out Minhang plan's dirty-drum copy: 6's title and text were read into 5's
    cells, and nothing said that 6 was missing). One that falls back, to a number other than 1 (a
    numbering begun anew), is flagged `number_back: after 27`: a digit was lost or misread."""
    previous: int | None = None
    for index, row in enumerate(rows):
        if not row.no.isdigit():
            continue
        number = int(row.no)
        if previous is not None and number > previous + 1:
            missing = f"{previous + 1}" if number == previous + 2 else f"{previous + 1}-{number - 1}"
            log.flag(index, "no", row.no, f"number_gap: {missing}", 0.0)
        elif previous is not None and 1 < number < previous:
            log.flag(index, "no", row.no, f"number_back: after {previous}", 0.0)
        previous = number


#: A table where at least this share of the rows carry a 序号 numbers its items, and a row without
#: one lost it: a dirty drum's streak down the 二级 column took the digits before items 1-3's titles
#: (、开展城市… for 1.开展城市…; the held-out Jiading and Putuo plans under tests/degrade.py's
#: dirty-drum at seed 16), and their 序号 were empty without a word. Flagged `missing_number`, left
#: empty (the sequence decides a number only between two that agree, _numbers_by_sequence). A table
#: that numbers none of its items (make eval's word-no-numbers) has none to miss.
NUMBERED_MIN_SHARE = 0.5


def _flag_missing_numbers(rows: Sequence[Row], log: _Log) -> None:
    """Each row without a 序号 in a table that numbers its items (NUMBERED_MIN_SHARE), flagged."""
    if sum(1 for row in rows if row.no.isdigit()) < NUMBERED_MIN_SHARE * len(rows):
        return
    for index, row in enumerate(rows):
        if not row.no.strip():
            log.flag(index, "no", row.no, "missing_number", 0.0)


#: Marks no 一级 or 二级 title is written with: where one stands in a title, a character was misread
#: (推进老旧小<消防设施改造: 区 on a 1-bit copy of the held-out Putuo plan, tests/degrade.py
#: bilevel-200 at seed 16, read surely and unflagged). None is in a title of the six truths; make
#: eval's and seed 16's outputs hold 33 such titles. Flagged `odd_mark`, kept as read.
_ODD_MARKS = re.compile(r"[<>|\\^~`@#$&_=\[\]{}]")
ODD_MARK_SCORE = 40.0


#: Marks that end a sentence or a clause. A heading is written without one at its end (no title of the
#: six truths ends with one; two end with a closing quote), though a draft may set all its titles as
#: sentences. A title that ends with one where fewer than ODD_END_MAX_SHARE of the draft's other titles
#: of its level do took a speck for it: 健全部门联动会商机制！ (the held-out Songjiang plan's Word table,
#: tests/wordscan.py photocopy at seed 23, read at 0.99 and unflagged). Flagged `odd_end`, kept as read.
_END_MARKS = frozenset("。！？；，、：!?;,:.")
ODD_END_MAX_SHARE = 0.5
#: A comma, semicolon or colon between two Chinese characters of a title, where fewer than
#: ODD_END_MAX_SHARE of the draft's other titles of its level hold one, is a speck read as a mark: a
#: drum's streak beside two 二级 titles read 推进，公办养老机构改革 and 深化，医养结合服务 at 0.9 and more
#: (the held-out Jiading plan under tests/degrade.py's dirty-drum at seed 28, unflagged). No title of
#: the seven truths holds one, but a heading may join two clauses so: flagged `odd_inner_mark`, kept.
_INNER_MARK = re.compile(r"(?<=[\u4e00-\u9fff])[，；：,;:](?=[\u4e00-\u9fff])")


def _rare_in_draft(titles: Sequence[str], holds: Callable[[str], bool]) -> bool:
    """Whether fewer than ODD_END_MAX_SHARE of the draft's titles besides one holding it hold the mark
    `holds` finds: one title holding it then took a speck for it."""
    return sum(1 for t in titles if holds(t)) - 1 < ODD_END_MAX_SHARE * (len(titles) - 1)


def _flag_odd_marks(rows: Sequence[Row], log: _Log) -> None:
    """Each 一级 or 二级 title that holds a mark no title is written with (_ODD_MARKS), ends with a mark
    the draft's other titles of its level do not end with (_END_MARKS), or joins two characters with a
    mark they do not hold (_INNER_MARK), flagged."""
    for field in ("level1", "level2"):
        titles = list(dict.fromkeys(t for row in rows if (t := (row.get(field) or "").strip())))
        odd_end = _rare_in_draft(titles, lambda t: t[-1] in _END_MARKS)
        odd_inner = _rare_in_draft(titles, lambda t: bool(_INNER_MARK.search("".join(t.split()))))
        for index, row in enumerate(rows):
            title = (row.get(field) or "").strip()
            marks = "".join(dict.fromkeys(_ODD_MARKS.findall(title)))
            if marks:
                log.flag(index, field, row.get(field), f"odd_mark: {marks}", ODD_MARK_SCORE)
            if odd_end and title and title[-1] in _END_MARKS:
                log.flag(index, field, row.get(field), f"odd_end: {title[-1]}", ODD_MARK_SCORE)
            inner = "".join(dict.fromkeys(_INNER_MARK.findall("".join(title.split()))))
            if odd_inner and inner:
                log.flag(index, field, row.get(field), f"odd_inner_mark: {inner}", ODD_MARK_SCORE)


#: Score of a `draft_word` flag (`wording.draft_doubts`), as of a doubtful word: a character read
#: surely whose window of words the draft holds only here, while the recognizer's runner-up makes one
#: the draft holds elsewhere; the text is kept as read.
DRAFT_WORD_SCORE = DOUBTFUL_WORD_SCORE


def _flag_draft_words(rows: Sequence[Row], log: _Log) -> None:
    """Each title or requirement holding a character that the draft's own words doubt
    (`wording.draft_doubts` over every title and requirement of the draft), flagged `draft_word` and
    left as read: 养老担理员 where the draft prints 养老护理员 seven times elsewhere."""
    texts = [row.get(field) for row in rows for field in UNSURE_CHARACTER_ROLES if row.get(field)]
    windows = wording.draft_windows(texts)
    for index, row in enumerate(rows):
        for field in UNSURE_CHARACTER_ROLES:
            source = row.sources.get(field)
            text = row.get(field)
            if source is None or not source.lattices or not text:
                continue
            doubts = wording.draft_doubts(text, source.lattices, windows)
            if doubts:
                named = ", ".join(f"{doubt.describe(text)}? ({doubt.gain:.0f} elsewhere in the draft)"
                                  for doubt in doubts)
                log.flag(index, field, text, f"draft_word: {named}", DRAFT_WORD_SCORE)


#: Flags of a 一级 title's numeral already judged by the groups' sequence (or inferred): a break beside
#: such a group is explained by it.
_NUMERAL_FLAGS = ("numeral_by_sequence", "numeral_out_of_sequence", "strays_by_sequence", "inferred_number")
#: Score of `numeral_break`, as of a numeral out of sequence: read surely or not, one of the two is wrong.
NUMERAL_BREAK_SCORE = NUMERAL_OUT_OF_SEQUENCE_SCORE


def _flag_numeral_breaks(rows: Sequence[Row], log: _Log) -> None:
    """Where two neighbouring 一级 groups' numerals do not follow (二 then 四; 二 then 二 under two titles)
    and neither group's numeral was already judged by the sequence (_NUMERAL_FLAGS), every row of both
    groups is flagged `numeral_break: 二 → 四`, left as read: one of them was misread, or the draft
    skips. numeral_out_of_sequence judges a group by both its neighbours, so a run of groups misread
    alike passes it: a fax of the held-out Jiading plan's Word table (tests/wordscan.py fax, seed 16)
    read its groups 二 and 三 as 一 and 二, each fitting one neighbour, and six rows' 一级 (二、推进医养…
    for 三) were wrong without a word."""
    judged = {f.row for f in log.flags if f.field == "level1" and f.reason.startswith(_NUMERAL_FLAGS)}
    groups: list[tuple[str, list[int]]] = []
    for index, row in enumerate(rows):
        title = row.get("level1")
        if groups and groups[-1][0] == title:
            groups[-1][1].append(index)
        elif title:
            groups.append((title, [index]))
    for (before, before_rows), (after, after_rows) in itertools.pairwise(groups):
        first, second = numeral_value(split_numeral(before)[0]), numeral_value(split_numeral(after)[0])
        if first is None or second is None or second == first + 1 \
                or judged.intersection(before_rows + after_rows):
            continue
        reason = f"numeral_break: {split_numeral(before)[0]} → {split_numeral(after)[0]}"
        for index in before_rows + after_rows:
            log.flag(index, "level1", rows[index].get("level1"), reason, NUMERAL_BREAK_SCORE)


def _log_title(log: _Log, index: int, field: str, raw: str, after: str, match: TitleMatch) -> None:
    log.repair(index, field, raw, after, match.method, match.score)
    if match.flag:
        log.flag(index, field, raw, match.flag, match.score)


#: At most this many characters read after a requirement's last sentence end are strays, taken off
#: (a repair `strays_by_image`, flagged) when the recognizer's lattice makes the text without them
#: at most STRAYS_MAX_LOSS_PER_CHAR nats a character less likely: a streak's blot after the last
#: line (应等级。9, 和公示。厦, 以上。22: 11 cells of make eval's three dirty drums, 5 of them taken; the
#: others cost more and stay, flagged as a requirement that does not end a sentence).
MAX_STRAYS_AFTER_END = 3


def strays_after_end(raw: str, lattices: Sequence[CharLattice]) -> tuple[str, str, float]:
    """(text without strays, strays, loss): `raw` without the characters read after its last
    sentence end when its lattices hardly support them (STRAYS_MAX_LOSS_PER_CHAR), else (raw, "", 0)."""
    read = "".join(raw.split())
    end = max(read.rfind(mark) for mark in _TERMINAL)
    tail = read[end + 1:] if end >= 0 else ""
    if not tail or len(tail) > MAX_STRAYS_AFTER_END or not any(ch.isalnum() for ch in tail) or not lattices:
        return raw, "", 0.0
    span = lat.concatenate(lattices)
    if "".join(span.text.split()) != read:
        return raw, "", 0.0
    loss = loss_without(span, end + 1, len(read))
    if loss > STRAYS_MAX_LOSS_PER_CHAR * len(tail):
        return raw, "", 0.0
    return _drop_trailing(raw, len(tail)), tail, loss


#: A lone Latin letter or bar between two Chinese characters of a requirement is a stray, taken out
#: (flagged `strays_by_image`) when the lattice makes the text without it at most
#: STRAYS_MAX_LOSS_PER_CHAR nats less likely: a ruling's remnant LinesDegradation left in a cell was
#: read I at 0.35 with the blank at 0.20 (设立I临时安置点, songjiang/lines-degradation, make eval). A
#: letter printed there (I级响应 for Ⅰ级) is read surely and costs more.
_LONE_STRAY = re.compile(f"(?<=[{_CJK}])[A-Za-z|](?=[{_CJK}])")


def strays_between_characters(raw: str, lattices: Sequence[CharLattice]) -> tuple[str, str, float]:
    """(text without strays, strays, loss): `raw` without the lone Latin letters and bars between two
    Chinese characters that its lattices hardly support (each alone at most STRAYS_MAX_LOSS_PER_CHAR),
    else (raw, "", 0)."""
    read = "".join(raw.split())
    spots = [m.start() for m in _LONE_STRAY.finditer(read)]
    if not spots or not lattices:
        return raw, "", 0.0
    span = lat.concatenate(lattices)
    if "".join(span.text.split()) != read:
        return raw, "", 0.0
    losses = {i: loss_without(span, i, i + 1) for i in spots}
    taken = [i for i in spots if losses[i] <= STRAYS_MAX_LOSS_PER_CHAR]
    if not taken:
        return raw, "", 0.0
    places = [j for j, ch in enumerate(raw) if not ch.isspace()]
    dropped = {places[i] for i in taken}
    kept = "".join(ch for j, ch in enumerate(raw) if j not in dropped)
    return kept, "".join(read[i] for i in taken), sum(losses[i] for i in taken)


#: Score of a character chosen again by the wording (`wording.rechoose`): a guess the image allows
#: and the words support, flagged for review as the strays are.
WORDING_SCORE = 60.0


#: A title's last line that is at most this many digits or Latin letters, each read under
#: UNSURE_CHARACTER_BELOW, is a speck read as a character, not part of the title: a fax's speck in the
#: cell that continues a 一级 title on the next page read 1 or O at 0.42-0.51 (make eval, the fax of
#: three held-out documents: 四、强化监测预警和应急处置 / 1, …数字赋能 / O, …服务能力 / 1), and a
#: fax's blots under a merged title of the LibreOffice-printed Putuo plan read VAV at 0.54-0.72
#: (putuo/word-fax). A line of marks (a closing ” wrapped alone), a numbered title's first line (1.)
#: and a letter read surely (推广AP / P) stay, and so does any line of a text with no lattice. The
#: line is judged whole, its characters' probabilities multiplied: the fax's blots under the Minhang
#: plan's group 五 read VV at 0.84 and 0.63 (minhang/word-fax, 0.53 together; seven rows' 一级 wrong).
#: Such a line is a speck however surely it was read where the title's cell runs on across a page
#: break: a word processor prints a merged cell's text in its first part, and the part on the next
#: page holds a title's last words, never a bare number or letters alone. A copier's haze in that part
#: read 2 at 0.81 and 0.96 (the held-out Jiading and Fengxian plans' Word tables under
#: tests/wordscan.py's photocopy at seed 17: two groups' 一级 titles ending in 2 over 16 rows,
#: unflagged); of the 25 such lines in the outputs of make eval and of seeds 16 and 17 of the held-out
#: sweep, none was the title's.
#: Kana and Hangul alone on such a line too (no Chinese title holds them): a copier's haze in the part
#: on page 2 of the 一级 title merged across the break read と at 0.67, which the wording repair then
#: made 上 (LibreOffice's Jiading table under tests/wordscan.py's photocopy at seed 25, held out: group
#: 二's title ended 上 over 11 rows, flagged but wrong).
STRAY_LINE_MAX_CHARS = 3
_STRAY_LINE = re.compile(f"(?:[0-9A-Za-z]|{wording.FOREIGN_SCRIPT.pattern}){{1,{STRAY_LINE_MAX_CHARS}}}")
#: Geometric shapes (▲ ■ ● ◆ …, U+25A0-U+25FF, and ★ ☆) that end a title, each read under
#: UNSURE_CHARACTER_BELOW, are a blot, not part of it: a list's bullets stand before a title, never
#: after. A fax's blot after the merged 一级 titles of the LibreOffice-printed Minhang and Putuo plans
#: read ▲ at 0.48 and 0.53 (minhang/word-fax, putuo/word-fax: 13 rows' 一级 wrong).
_STRAY_SHAPES = re.compile(f"[\u25a0-\u25ff\u2605\u2606]{{1,{STRAY_LINE_MAX_CHARS}}}$")


#: Greek or Cyrillic letters that end a title after a Chinese character, however surely read, are a
#: speck: no Chinese title ends in them. A worn copier's haze under the last line of a merged 一级 title
#: read α at 0.87, stitched after it as a line of its own (四、提升应急处置和综合救援能力α over six rows,
#: unflagged: the held-out Putuo plan under tests/degrade.py's photocopy at seed 28); no other Greek or
#: Cyrillic letter was read in that sweep's 64 drafts.
_STRAY_LETTERS = re.compile(f"(?<=[\u4e00-\u9fff])[\u0370-\u03ff\u0400-\u04ff]{{1,{STRAY_LINE_MAX_CHARS}}}$")


def stray_letters_at_end(raw: str, lattices: Sequence[CharLattice] = ()) -> tuple[str, str]:
    """(title without the Greek or Cyrillic letters that end it, those letters) (_STRAY_LETTERS), else
    (raw, "")."""
    found = _STRAY_LETTERS.search("".join(raw.split()))
    if not found:
        return raw, ""
    return _drop_trailing(raw, len(found.group())).rstrip(), found.group()


def stray_shapes_at_end(raw: str, lattices: Sequence[CharLattice]) -> tuple[str, str]:
    """(title without the shapes that end it, those shapes) when they are read unsure (_STRAY_SHAPES),
    else (raw, "")."""
    read = "".join(raw.split())
    found = _STRAY_SHAPES.search(read)
    if not found or not lattices or not _HAS_CJK.search(read[:found.start()]):
        return raw, ""
    path = [(ch, p) for ch, p in lat.path_probabilities(lattices[-1]) if not ch.isspace()]
    tail = path[-len(found.group()):]
    if "".join(ch for ch, _ in tail) != found.group() or max(p for _, p in tail) >= UNSURE_CHARACTER_BELOW:
        return raw, ""
    return _drop_trailing(raw, len(found.group())).rstrip(), found.group()


def stray_last_line(raw: str, lattices: Sequence[CharLattice], across_break: bool = False) -> tuple[str, str]:
    """(title without its last line, that line) when the last line is a stray (STRAY_LINE_MAX_CHARS),
    else (raw, ""). `across_break`: the title's cell runs on across a page break (its parts on two
    pages), where such a line is a stray however surely it was read (see STRAY_LINE_MAX_CHARS)."""
    lines = raw.split("\n")
    last = "".join(lines[-1].split())
    if len(lines) < 2 or not lattices or not _STRAY_LINE.fullmatch(last) or not _HAS_CJK.search(raw):
        return raw, ""
    read = lat.path_probabilities(lattices[-1])
    if ("".join(ch for ch, _ in read if not ch.isspace()) != last
            or (math.prod(p for _, p in read) >= UNSURE_CHARACTER_BELOW and not across_break)):
        return raw, ""
    return "\n".join(lines[:-1]).rstrip(), last


#: One or two marks read before an item's number (`[20.加强…`, `.14.畅通…`: a roller's line or a speck
#: beside the 二级 cell's first characters, held-out Songjiang plan's Word table under
#: tests/wordscan.py's dirty-rollers at seed 13) kept the number in the title. No title starts so;
#: an opening parenthesis or quote is left ((1)…, “1+N”…), and a bracket closed after the number
#: ([1]…) does not match.
_MARKS_BEFORE_NUMBER = re.compile(r"^\s*([^\w\s（(“\"《]{1,2})\s*(?=\d{1,3}\s*[.、．,，:：])")


def _cut_leading(pattern: re.Pattern[str], raw: str) -> tuple[str, str]:
    """(raw without what `pattern` matches at its start, group 1 of that match), else (raw, "")."""
    found = pattern.match(raw)
    return (raw[found.end():], found.group(1)) if found else (raw, "")


def stray_marks_before_number(raw: str, lattices: Sequence[CharLattice] = ()) -> tuple[str, str]:
    """(title without the marks read before its item number, those marks), else (raw, "")."""
    return _cut_leading(_MARKS_BEFORE_NUMBER, raw)


#: One or two marks that begin no title, read before a title's first character where no number is
#: left (！推进排水管网…: a fax's blot where item 7's number was, the held-out Songjiang plan's Word
#: table under tests/wordscan.py's fax at seed 16, unflagged). A 、 is left: where a 一级 numeral's one
#: stroke was lost (、优化…) the numeral's sequence puts it back.
_MARKS_BEFORE_TITLE = re.compile(r"^\s*([！？!?，,。；;：:·.．]{1,2})\s*(?=[\u4e00-\u9fff])")


def stray_marks_before_title(raw: str, lattices: Sequence[CharLattice] = ()) -> tuple[str, str]:
    """(title without marks read before its first character, those marks), else (raw, "")."""
    return _cut_leading(_MARKS_BEFORE_TITLE, raw)


def _without_stray_line(log: _Log, index: int, field: str, raw: str, source: FieldSource | None) -> str:
    """`raw` without marks read before its item number or its first character
    (`stray_marks_before_number`, `stray_marks_before_title`), without a stray
    last line (`stray_last_line`) and without blots read as shapes or letters at its end
    (`stray_shapes_at_end`, `stray_letters_at_end`), each logged and flagged `stray_mark`. `source`:
    where the field was read (its lattices, and its cells' pages)."""
    lattices = source.lattices if source else ()
    last_line = functools.partial(stray_last_line, across_break=source is not None and _on_two_pages(source))
    for finder in (stray_marks_before_number, stray_marks_before_title, stray_shapes_at_end, stray_letters_at_end,
                   last_line):
        kept, stray = finder(raw, lattices)
        if stray:
            log.stray(index, field, raw, kept, stray)
            raw = kept
    return raw


def _pages_of(source: FieldSource) -> set[str]:
    """The pages (cell id prefixes: p1, p2, …) a field's cells lie on."""
    return {cell_id.split("-", 1)[0] for cell_id in source.cell_ids}


def _on_two_pages(source: FieldSource) -> bool:
    """Whether a field's cells lie on more than one page (a merged cell a page break cut)."""
    return len(_pages_of(source)) > 1


def _without_strays(log: _Log, index: int, field: str, raw: str, found: tuple[str, str, float]) -> str:
    """The text a strays finder gave (`found`: text without strays, strays, loss), the repair logged
    and flagged `strays_by_image`; `raw` itself when it found none."""
    read, strays, loss = found
    if not strays:
        return raw
    log.repair(index, field, raw, read, "strays_by_image", likelihood_score(loss))
    log.flag(index, field, raw, f"strays_by_image: {strays}", STRAYS_BY_IMAGE_SCORE)
    return read


def _reworded(log: _Log, index: int, field: str, text: str, lattices: Sequence[CharLattice]) -> str:
    """`text` with the characters the recognizer was unsure of chosen again by the wording, each
    choice logged as a repair and named in a flag (防出→防汛)."""
    worded, choices = wording.rechoose(text, lattices)
    if choices:
        log.repair(index, field, text, worded, "wording", WORDING_SCORE)
        named = ", ".join(choice.describe(text) for choice in choices)
        log.flag(index, field, text, f"wording: {named}", WORDING_SCORE)
    return worded


#: A requirement that ends without a sentence's end gets 。 when the lattice of its last line makes
#: its text with 。 after it at most END_MARK_MAX_LOSS nats less likely than without: a 。 whose
#: thin ring a 1-bit copy broke (the recognizer gave it 0.06-0.16 against the blank). Measured on make
#: eval's fax drafts (the library's 1-bit path; Qingpu and the held-out Fengxian): the requirements
#: that lost their final 。 cost 1.2-3.2 nats; a 。 after the last character of a wrapped line, where
#: nothing is printed, costs 4.3 and up (270 lines), a second 。 after one read 5.7 and up.
END_MARK_MAX_LOSS = 3.5
#: The review score of an `end_mark_from_image` flag.
END_MARK_SCORE = 60.0
#: Characters a sentence's 。 may follow: Chinese, digits and letters, closing brackets and quotes (not
#: another mark, which the recognizer read there instead of it: that is left as read).
_BEFORE_END_MARK = re.compile(r"[\u4e00-\u9fff0-9A-Za-z”’》）)]")


#: A requirement that ends with a closing quote has lost the 。 after it: Word and LibreOffice set ”。
#: in one em (标点挤压), and the recognizer reads the pair as the quote alone, its lattice hardly telling
#: the 。 apart (5.8-8.5 nats, against 4.3 and up where nothing is printed at a line's end). On make
#: eval's drafts read in-process and the held-out Word probe in 14 pt (all documents): 7 of 7
#: requirements read ending in ” had lost it; every requirement of the six truths ends with 。 (9 of 213
#: with ”。). Put back without the image's word, so flagged apart: `end_mark_after_quote`; only in text
#: read from an image (a text layer loses no mark).
END_MARK_AFTER_QUOTE_SCORE = 50.0


def end_mark_after_quote(text: str) -> str:
    """`text` with 。 after its closing quote when it ends with one, else `text`."""
    stripped = text.rstrip()
    return stripped + "。" if stripped.endswith("”") else text


def end_mark_from_image(text: str, lattices: Sequence[CharLattice]) -> tuple[str, float]:
    """(`text` with 。 at its end, the loss in nats) when its image supports that (END_MARK_MAX_LOSS),
    else (`text`, 0). Only when the text ends as its last line was read."""
    stripped = text.rstrip()
    if not stripped or not lattices or not _BEFORE_END_MARK.fullmatch(stripped[-1]):
        return text, 0.0
    last = lattices[-1]
    line = "".join(last.text.split())
    if not line or not "".join(stripped.split()).endswith(line):
        return text, 0.0
    loss = lat.cost_of_mark_after(last, "。")
    if loss > END_MARK_MAX_LOSS:
        return text, 0.0
    return stripped + "。", loss


#: A line that ends with a year and a next line that starts with a later one (at most RANGE_MAX_YEARS
#: later) print a range, 2027—2029, whose dash ended the first line; the recognizer drops a dash at a
#: line's end (20272029 read on four held-out Minhang drafts of the library's degradations: shadow,
#: scanner edge, lines degradation, dirty drum; make eval). The dash is put back when the line's
#: lattice makes it at most RANGE_DASH_MAX_LOSS nats less likely than without (1.24 there), the limit of
#: END_MARK_MAX_LOSS: a mark the image does not show costs more. The dash is the one-em 一字线 that
#: GB/T 15834 sets between the ends of a range of years, as these drafts print it (the recognizer's own
#: lattice cannot tell it from a hyphen at a line's end: 0.99 against 1.24 nats).
RANGE_MAX_YEARS = 10
RANGE_DASH_MAX_LOSS = END_MARK_MAX_LOSS
RANGE_DASH = "—"
#: The review score of a `range_dash_from_image` flag: a mark put back from the image, as a final 。 is.
RANGE_DASH_SCORE = END_MARK_SCORE
_YEAR_AT_END = re.compile(r"(?<!\d)((?:19|20)\d\d)$")
_YEAR_AT_START = re.compile(r"^((?:19|20)\d\d)(?!\d)")


def range_dashes_from_image(raw: str, lattices: Sequence[CharLattice]) -> tuple[str, list[tuple[str, float]]]:
    """(`raw` with the dash of each range of years split across two lines put back, [(range, loss)]);
    only where `raw`'s lines are its lattices' lines one for one and the first line ends as read."""
    lines = raw.split("\n")
    if len(lines) < 2 or len(lines) != len(lattices):
        return raw, []
    put_back: list[tuple[str, float]] = []
    for k in range(len(lines) - 1):
        read = "".join(lattices[k].text.split())
        first, second = _YEAR_AT_END.search(read), _YEAR_AT_START.match("".join(lines[k + 1].split()))
        if (not first or not second or not "".join(lines[k].split()).endswith(first[1])
                or not 0 < int(second[1]) - int(first[1]) <= RANGE_MAX_YEARS):
            continue
        loss = lat.cost_of_mark_after(lattices[k], RANGE_DASH)
        if loss <= RANGE_DASH_MAX_LOSS:
            lines[k] = lines[k].rstrip() + RANGE_DASH
            put_back.append((f"{first[1]}{RANGE_DASH}{second[1]}", loss))
    return "\n".join(lines), put_back


#: Chinese double quotes alternate, “ then ” (GB/T 15834; a quote within a quote is ‘ ’). Where a
#: requirement's double quotes are even in number and out of turn at exactly one place, that mark is
#: mirrored. Over the requirements of make eval's 117 cases at 10df239 (rapid) it changes four: three
#: quotes misread as their mirror (putuo/zenhei-150-noisy “消防宣传月“集中宣传; songjiang/bilevel-200
#: 大潮”碰头”; minhang/bilevel-200 有害圾”分类投放) now right, and one % read “ beside a lost ” (98“以上 →
#: 98”以上, as wrong as before). 50 requirements with an odd count are left as read (flagged unbalanced).
QUOTE_TURN_SCORE = 80.0
_DOUBLE_QUOTES = "“”"


def quotes_in_turn(text: str) -> tuple[str, int]:
    """(`text` with the one double quote out of turn mirrored, its index), or (`text`, -1) when the
    quotes alternate already, are odd in number or out of turn at more than one place."""
    places = [k for k, ch in enumerate(text) if ch in _DOUBLE_QUOTES]
    if len(places) % 2:
        return text, -1
    wrong = [k for n, k in enumerate(places) if text[k] != _DOUBLE_QUOTES[n % 2]]
    if len(wrong) != 1:
        return text, -1
    at = wrong[0]
    mirrored = _DOUBLE_QUOTES[1 - _DOUBLE_QUOTES.index(text[at])]
    return text[:at] + mirrored + text[at + 1:], at


#: A closing ” is two raised commas, and a small face at 150 dpi reads it as 99: a requirement whose
#: last opening “ is never closed, ending in 99 after a Chinese character (a mark may follow), closes it
#: there (putuo/zenhei-150-noisy, make eval: 推动“安全进校园、进社区、进家庭 / 99 for 家庭”。, its lattice
#: offering no ” at all). A 99 a quote closes after it (“达到99%”) or that a digit, a letter or a unit
#: follows stays. Put back without the image's word, so flagged apart: `quote_from_digits`.
QUOTE_FROM_DIGITS_SCORE = 50.0
_QUOTE_AS_DIGITS = re.compile(f"(?<=[{_CJK}])99(?=[。，；]?\\s*$)")


def quote_from_digits(text: str) -> str:
    """`text` with a final 99 that closes its last, unclosed quote written ” (see QUOTE_FROM_DIGITS_SCORE),
    else `text`."""
    found = _QUOTE_AS_DIGITS.search(text)
    if not found or text.count("“") != text.count("”") + 1 or "”" in text[text.rfind("“"):found.start()]:
        return text
    return text[:found.start()] + "”" + text[found.end():]


#: A chain of steps joined by dashes (“发现—派单—处置—核查—销项”, “街镇—村居—网格”) uses one dash, the
#: one-em 一字线, throughout; the recognizer reads one of them as 一, which it offers as the dash's
#: runner-up and which looks the same (make eval at 10df239: the first dash of a chain read 一 on six
#: drafts of the held-out Minhang, Putuo and Songjiang plans, none the other way). A 一 between two
#: Chinese characters is taken for the chain's dash when, with it as a dash, the text around it (Chinese
#: characters and dashes, up to the next mark) is at least CHAIN_MIN_UNITS pieces joined by dashes, at
#: least one dash read as such, whose inner pieces all have one length of CHAIN_MIN_UNIT to
#: CHAIN_MAX_UNIT characters (一村—品 is no chain of 一村一品) and whose outer pieces are no shorter; and
#: the lattice makes the dash at most CHAIN_DASH_MAX_LOSS nats less likely than the 一 read (a glyph the
#: image does not show costs more). On the lattices of 34 make eval drafts read in-process it changed
#: three (minhang/sample, photocopy, word-fax: 发现一派单 → 发现—派单), each right; putuo/zenhei-150-noisy's
#: 一, read at a line's end with the dash at 0.01 (4.4 nats), is left as read. A dash put back can make
#: the next 一 a chain's (the 14-pt Putuo probe: two more, each right).
CHAIN_MIN_UNITS = 3
CHAIN_MIN_UNIT = 2
CHAIN_MAX_UNIT = 4
CHAIN_DASH_MAX_LOSS = END_MARK_MAX_LOSS
CHAIN_DASH = "—"
#: The review score of a `dash_in_chain` flag: a character chosen again by its neighbours, as a numeral is.
CHAIN_DASH_SCORE = 60.0
_CHAIN_SPAN = re.compile(f"[{_CJK}{CHAIN_DASH}]+")


def _is_chain(span: str) -> bool:
    units = span.split(CHAIN_DASH)
    if len(units) < CHAIN_MIN_UNITS or any(not u for u in units):
        return False
    inner = {len(u) for u in units[1:-1]}
    if len(inner) != 1:
        return False
    length = inner.pop()
    return CHAIN_MIN_UNIT <= length <= CHAIN_MAX_UNIT and len(units[0]) >= length and len(units[-1]) >= length


def _chain_candidates(text: str) -> list[int]:
    """Each 一 between two Chinese characters (no dash beside it) that, written as the dash, makes the
    span of Chinese characters and dashes around it a chain (_is_chain)."""
    found = []
    for span in _CHAIN_SPAN.finditer(text):
        piece = span.group()
        for k in range(1, len(piece) - 1):
            beside = (piece[k - 1], piece[k + 1])
            if piece[k] == "一" and CHAIN_DASH not in beside and _is_chain(piece[:k] + CHAIN_DASH + piece[k + 1:]):
                found.append(span.start() + k)
    return found


def dashes_in_chains(text: str, lattices: Sequence[CharLattice]) -> tuple[str, list[tuple[str, float]]]:
    """(`text` with each 一 that is a chain's dash written as the dash, [(the place, loss in nats)]);
    only where the lattices show the dash (none when there are no lattices). A dash put back can make
    the next 一 a chain's (发现一派单一处置一核查—销项: 处置—核查 first, then 派单—处置, then 发现—派单)."""
    if not lattices or not _chain_candidates(text):
        return text, []
    joined = lat.concatenate(lattices)
    read = [ch for ch, _ in lat.greedy_path(joined) if not ch.isspace()]
    where_in_read = {t: r for r, t in lat.align_to_path(read, text)}
    base = lat.log_likelihood(joined, "".join(read))
    found: dict[int, float] = {}
    judged: set[int] = set()
    while candidates := [a for a in _chain_candidates(text) if a not in judged and a in where_in_read]:
        for at in candidates:
            judged.add(at)
            r = where_in_read[at]
            loss = base - lat.log_likelihood(joined, "".join(read[:r]) + CHAIN_DASH + "".join(read[r + 1:]))
            if loss <= CHAIN_DASH_MAX_LOSS:
                found[at] = loss
                text = text[:at] + CHAIN_DASH + text[at + 1:]
    return text, [(_in_context(text, at), loss) for at, loss in sorted(found.items())]


def _put_back(log: _Log, index: int, before: str, after: str, method: str, places: Sequence[tuple[str, float]],
              score: float) -> str:
    """Log a requirement's marks put back from the image (`places`: each with the lattice's loss) as
    one repair and one flag naming them; returns `after`."""
    log.repair(index, "requirement", before, after, method, likelihood_score(max(loss for _, loss in places)))
    named = ", ".join(f"{where} ({loss:.1f} nats)" for where, loss in places)
    log.flag(index, "requirement", before, f"{method}: {named}", score)
    return after


def _repair_requirement(log: _Log, index: int, raw: str, lattices: Sequence[CharLattice] = ()) -> str:
    junk = junk_reason(raw)
    if junk:
        log.repair(index, "requirement", raw, "", "unreadable", 0.0)
        log.flag(index, "requirement", raw, "unreadable", 0.0)
        return ""
    for find_strays in (strays_after_end, strays_between_characters):
        raw = _without_strays(log, index, "requirement", raw, find_strays(raw, lattices))
    raw = _reworded(log, index, "requirement", raw, lattices)
    dashed, ranges = range_dashes_from_image(raw, lattices)
    if ranges:
        raw = _put_back(log, index, raw, dashed, "range_dash_from_image", ranges, RANGE_DASH_SCORE)
    text, methods = clean_requirement(raw)
    if methods:
        log.repair(index, "requirement", raw, text, "+".join(methods), 100.0)
    closed = quote_from_digits(text) if lattices else text  # read from an image (a text layer reads no 99)
    if closed != text:
        log.repair(index, "requirement", text, closed, "quote_from_digits", QUOTE_FROM_DIGITS_SCORE)
        log.flag(index, "requirement", text, "quote_from_digits: 99→”", QUOTE_FROM_DIGITS_SCORE)
        text = closed
    # the quotes are judged as read: a quote put in a gap below may stand where a character was lost
    # (songjiang/dirty-drum “一屏观金域、“网管全程”, its 一 lost and a ” lost before: four quotes, none in turn)
    turned, at = quotes_in_turn(text)
    if at >= 0:
        log.repair(index, "requirement", text, turned, "quote_in_turn", QUOTE_TURN_SCORE)
        log.flag(index, "requirement", text, f"quote_in_turn: {text[at]}→{turned[at]} at {at + 1}",
                 QUOTE_TURN_SCORE)
        text = turned
    chained, dashes = dashes_in_chains(text, lattices)
    if dashes:
        text = _put_back(log, index, text, chained, "dash_in_chain", dashes, CHAIN_DASH_SCORE)
    marked, marks = marks_in_gaps(text, lattices)
    if marks:
        text = _put_back(log, index, text, marked, "mark_in_gap", marks, GAP_MARK_SCORE)
    ended, loss = end_mark_from_image(text, lattices)
    if ended != text:
        log.repair(index, "requirement", text, ended, "end_mark_from_image", likelihood_score(loss))
        log.flag(index, "requirement", text, f"end_mark_from_image: 。 ({loss:.1f} nats)", END_MARK_SCORE)
        text = ended
    ended = end_mark_after_quote(text) if lattices else text  # read from an image (a text layer loses none)
    if ended != text:
        log.repair(index, "requirement", text, ended, "end_mark_after_quote", END_MARK_AFTER_QUOTE_SCORE)
        log.flag(index, "requirement", text, "end_mark_after_quote", END_MARK_AFTER_QUOTE_SCORE)
        text = ended
    if not text:
        log.flag(index, "requirement", raw, "missing_requirement", 0.0)
    elif reason := incomplete_reason(text):
        log.flag(index, "requirement", text, f"incomplete_requirement: {reason}", 30.0)
    return text


def _repair_plain(log: _Log, index: int, role: str, raw: str) -> str:
    """A cell with no rules of its own (完成时限, 备注, a column of no known role): as read, line
    breaks and half-width punctuation tidied like a requirement's."""
    text, methods = clean_requirement(raw) if raw else ("", ())
    if methods:
        log.repair(index, role, raw, text, "+".join(methods), 100.0)
    return text


#: Score of the split of a 责任单位 cell by the draft's rule "列第一位的为牵头单位": the rule is
#: the draft's own words, so the split is certain once the names are.
FIRST_IS_LEAD_SCORE = 100.0


def _split_responsible(log: _Log, index: int, names: str) -> dict[str, str]:
    """牵头 = the first agency of the 责任单位 cell, 配合 = the rest, recorded as repairs."""
    parts = [n for n in names.split(AGENCY_SEPARATOR) if n]
    lead, support = (parts[0] if parts else ""), AGENCY_SEPARATOR.join(parts[1:])
    lead_role, support_role = SPLIT_INTO["responsible"]
    log.repair(index, lead_role, names, lead, "first_is_lead", FIRST_IS_LEAD_SCORE)
    if support:
        log.repair(index, support_role, names, support, "first_is_lead", FIRST_IS_LEAD_SCORE)
    return {lead_role: lead, support_role: support}


#: A Shanghai district named inside an agency name (松江区水务局, 上海市松江区教育局): the draft's own
#: district spelled out. It is cut to the district-level form (区水务局) and the rewrite recorded,
#: so the segmenter never splits it into a junk agency 松江 plus 区水务局 (seen on a held-out draft).
def _spaced(word: str) -> str:
    """A regex for `word` with line breaks or gaps between its characters (OCR of a wrapped name)."""
    return r"\s*".join(map(re.escape, word))


_DISTRICT_ALTERNATIVES = "|".join(_spaced(d) for d in sorted(DISTRICT_SHORT_NAMES, key=len, reverse=True))
DISTRICT_PREFIX = re.compile(rf"(?:{_spaced('上海市')}\s*)?({_DISTRICT_ALTERNATIVES})\s*(?=区\s*[{_CJK}]\s*[{_CJK}])")


#: The district without 区 before a department's short name (松江规划资源局): cut only when 区 +
#: the rest is a known spelling, since 松江经济技术开发区管委会 is not a district department.
DISTRICT_SHORT = re.compile(rf"^\s*(?:{_spaced('上海市')}\s*)?({_DISTRICT_ALTERNATIVES})\s*(?=[{_CJK}])")
_SEPARATOR_RUN = re.compile(f"([{re.escape(''.join(sorted(AGENCY_SEPARATORS)))}]+)")


def _prefix_district(part: str, is_known: Callable[[str], bool]) -> tuple[str, str]:
    """(district named, the part cut to its 区 form) for a name that starts with a district and whose
    rest is a known 区 name (`is_known`); ("", part) otherwise: 松江区气象局 stays whole when 区气象局
    is unknown, as an unknown name is kept as read."""
    stripped = part.lstrip()
    if (match := DISTRICT_PREFIX.match(stripped)) and is_known(stripped[match.end():]):
        return DISTRICT_SHORT_NAMES["".join(match.group(1).split())], stripped[match.end():]
    if (short := DISTRICT_SHORT.match(part)) and not part[short.end():].lstrip().startswith("区"):
        rest = "区" + part[short.end():]
        if is_known(rest):
            return DISTRICT_SHORT_NAMES["".join(short.group(1).split())], rest
    return "", part


def _exact_known(known: Collection[str]) -> Callable[[str], bool]:
    return lambda text: "".join(text.split()) in known


def _prefix_is_cut(named: str, district: str) -> bool:
    """Whether a name's spelled-out district `named` is cut to its 区 form in a draft of `district`:
    the draft's own district's is, and any while the draft's district is unknown."""
    return bool(named) and (not district or named == district)


def strip_district_prefixes(text: str, known: Collection[str] | Callable[[str], bool] = (),
                            district: str = "") -> str:
    """The cell with each agency's leading 上海市X区 / X区 cut to 区 (only at a name's start) and
    X + a 区 name's rest (松江规划资源局 → 区规划资源局), where the rest is a known name; with the
    draft's `district` known, only that district's prefix is cut (区水务局 in a Songjiang draft is
    Songjiang's; 上海市嘉定区民政局 there is another district's and stays whole)."""
    is_known = known if callable(known) else _exact_known(known)
    out = []
    for part in _SEPARATOR_RUN.split(text):
        named, cut = _prefix_district(part, is_known)
        out.append(cut if _prefix_is_cut(named, district) else part)
    return "".join(out)


def _other_district_parts(text: str, is_known: Callable[[str], bool], district: str) -> list[tuple[str, bool]]:
    """The cell cut at separators into runs to segment (False) and names of another district (True)
    that are kept whole: 上海市嘉定区民政局 in a Songjiang draft is not Songjiang's 区民政局."""
    runs: list[tuple[str, bool]] = []
    for part in _SEPARATOR_RUN.split(text):
        named, _ = _prefix_district(part, is_known)
        foreign = bool(district and named and named != district and not is_known(part))
        if foreign or not runs or runs[-1][1]:
            runs.append((part, foreign))
        else:
            runs[-1] = (runs[-1][0] + part, False)
    return runs


# --- agency names the image supports ----------------------------------------------------------
#: Lexicon names compared with an unknown fragment on the image: those at least this close to it
#: (agency_scores; a name that lost its 区 and a character, 1×政局 for 区财政局, scores 50).
IMAGE_CANDIDATE_MIN_SCORE = 30.0
#: A lexicon name replaces an unknown fragment when the recognizer's own output (the line's CTC
#: lattice) makes the cell's text with the name at most this many nats less likely than the text it
#: read, and ...
IMAGE_MAX_LOSS = 5.0
#: ... at least this many nats likelier than with any other agency's name (two names the image
#: supports alike: 区女联 is as much 区文联 as 区妇联).
IMAGE_MIN_MARGIN = 1.0
# Measured by tests/measure_agency_image.py on the agency cells of tests/ocr_lines.py (3 documents,
# 9 scan styles, 1,791 names, PP-OCRv6 small, the shipped lexicon in each draft's district): on the
# 1-bit light-toner pages 134 → 176 of 270 names right (42 changed, none wrongly), dirty drum 133 →
# 134 of 142, nothing changed on the seven other styles. In a sweep of the budget on the same cells
# the first wrong change came at a loss of 6.7 (防办 of the unknown 区防汛办 read as 区民防办), then 8.5
# (a name cut by the page's end) and 9.0; 区女联 → 区文联 at 9.5 is the margin's.


@dataclass(frozen=True)
class ImageMatch:
    """A lexicon name for an unknown fragment, as the image supports it: `loss` in nats against the
    text as read (0 = as likely, negative = likelier), `margin` over the next agency's name."""

    spelling: str
    name: str
    loss: float
    margin: float

    @property
    def score(self) -> float:
        """The name's likelihood relative to the reading, in percent (capped at 100)."""
        return likelihood_score(self.loss)


def _stripped(lattices: Sequence[CharLattice]) -> tuple[str, list[tuple[int, int]]]:
    """The lines' texts joined without whitespace (as segment_agencies reads a cell), and where each of
    its characters stands: (line, character index)."""
    spots = [(li, ci) for li, line in enumerate(lattices) for ci, ch in enumerate(line.text) if not ch.isspace()]
    return "".join(lattices[li].text[ci] for li, ci in spots), spots


def image_agency(read: str, lattices: Sequence[CharLattice], lexicon: Lexicon, start: int = 0) -> ImageMatch | None:
    """The lexicon name the recognizer's output supports in place of an unknown fragment `read` (its
    first place in the lines' stripped texts from `start`), or None."""
    stripped, spots = _stripped(lattices)
    at = stripped.find(read, start) if read else -1
    return None if at < 0 else _image_agency_at(read, lattices, lexicon, spots[at], spots[at + len(read) - 1])


def _image_agency_at(read: str, lattices: Sequence[CharLattice], lexicon: Lexicon, first_spot: tuple[int, int],
                     last_spot: tuple[int, int]) -> ImageMatch | None:
    """image_agency for a fragment placed from its first to its last character (line, index).

    Only names whose new characters the recognizer considered somewhere in the fragment's lines are
    scored (a character it never put in its top few cannot be what it saw)."""
    (l0, first), (l1, c1) = first_spot, last_spot
    span = lat.concatenate(lattices[l0:l1 + 1])
    last = sum(len(line.text) for line in lattices[l0:l1]) + c1
    before, after = span.text[:first], span.text[last + 1:]
    seen = set(span.chars.ravel()) - {lat.BLANK}
    spellings = lexicon.spellings
    scores = agency_scores([read], spellings)[0] if spellings else np.zeros(0)
    base = lat.log_likelihood(span, span.text)
    best: dict[str, tuple[float, str]] = {}
    for spelling, score in zip(spellings, scores, strict=True):
        if score < IMAGE_CANDIDATE_MIN_SCORE or not set(spelling) - set(read) <= seen:
            continue
        loss = base - lat.log_likelihood(span, before + spelling + after)
        name = lexicon.canonical_of[spelling]
        if name not in best or loss < best[name][0]:
            best[name] = (loss, spelling)
    if not best:
        return None
    ranked = sorted((loss, name, spelling) for name, (loss, spelling) in best.items())
    loss, name, spelling = ranked[0]
    margin = ranked[1][0] - loss if len(ranked) > 1 else float("inf")
    if loss > IMAGE_MAX_LOSS or margin < IMAGE_MIN_MARGIN:
        return None
    return ImageMatch(spelling, name, loss, margin)


#: A single Latin letter at either end of an unknown agency name, against its Chinese characters: a
#: speck read as a letter (区城运中心m on the held-out Minhang photocopy, 牵头). No agency name of the
#: lexicon or the held-out documents holds a Latin letter; a name with a Latin word (G60…) has two or
#: more letters or digits together, and is left as read.
_HAS_CJK = re.compile(f"[{_CJK}]")
_LONE_LATIN = re.compile(rf"^[A-Za-z](?=[{_CJK}])|(?<=[{_CJK}])[A-Za-z]$")


def _stacked_beside_one(source: FieldSource, requirement: FieldSource | None) -> bool:
    """`source` read from cells of one page, each but the last ending a name (a name wrapped across a
    row line the grid drew through it ends mid-name: 区卫生健康 | 委, make eval's fengxian/ink-bleed),
    beside one requirement cell of that page."""
    ends = [source.raw[:b].rstrip()[-1:] for b in source.cell_breaks]
    return (bool(ends) and all(end in NAME_END_CHARS for end in ends) and requirement is not None
            and len(requirement.cell_ids) == 1 and len(_pages_of(source)) == 1
            and _pages_of(source) == _pages_of(requirement))


def _repair_agencies(
    log: _Log, index: int, field: str, raw: str, lexicon: Lexicon, settings: Settings,
    lattices: Sequence[CharLattice] = (),
) -> str:
    fragments = []

    def is_known(text: str) -> bool:
        """Starts with a lexicon name, exact or within the fuzzy budget (松江区卫生建康委 is cut like
        松江区卫生健康委; 上海市嘉定区房屋管理局区残联, a separator lost, like 上海市嘉定区房屋管理局)."""
        got = segment_agencies(text, lexicon, settings)
        return bool(got) and got[0].method != "unknown_agency"

    unprefixed = strip_district_prefixes(raw, is_known, lexicon.district)
    if unprefixed != raw:
        log.repair(index, field, raw, unprefixed, "district_prefix", 100.0)
        raw = unprefixed
    segmented: list[AgencyFragment] = []
    for text, foreign in _other_district_parts(raw, is_known, lexicon.district):
        if foreign:
            name = "".join(text.split())
            segmented.append(AgencyFragment(name, name, "unknown_agency", 0.0))
        else:
            segmented.extend(segment_agencies(text, lexicon, settings))
    for frag in segmented:
        # A lone mark (- 》 ·): a speck or stray punctuation; one character alone, which no agency
        # name is: a pen stroke or speck read as 一 (degrade.py's seal-pen and phone-photo pages); or
        # digits and letters without a Chinese character (72, 06 after 区教育局 under a toner streak,
        # make eval's dirty drums): every agency name is written in Chinese (G60科创走廊办 too).
        if (not any(ch.isalnum() for ch in frag.read) or len(frag.read.strip()) == 1
                or not _HAS_CJK.search(frag.read)):
            log.stray(index, field, frag.read, "", frag.read)
            continue
        latin = _LONE_LATIN.search(frag.read) if frag.method == "unknown_agency" else None
        if latin and len(frag.read) > 2:
            trimmed = frag.read[:latin.start()] + frag.read[latin.end():]
            log.stray(index, field, frag.read, trimmed, latin.group())
            fragments.extend(segment_agencies(trimmed, lexicon, settings))
            continue
        fragments.append(frag)
    if lattices:
        fragments = agencies_by_image(fragments, lattices, lexicon)
        fragments = [_worded_agency(frag, lattices, lexicon, settings) for frag in fragments]
    for frag in fragments:
        if frag.method == "wording":  # still a name the lexicon does not know
            log.repair(index, field, frag.read, frag.name, frag.method, frag.score)
            log.flag(index, field, frag.read, f"wording: {frag.read}→{frag.name}", frag.score)
            log.flag(index, field, frag.name, "unknown_agency", 0.0)
            continue
        if frag.method in ("alias", "fuzzy", "agency_by_image"):
            log.repair(index, field, frag.read, frag.name, frag.method, frag.score)
        if frag.method == "fuzzy":
            log.flag(index, field, frag.read, "fuzzy_agency", frag.score)
        elif frag.method == "agency_by_image":
            log.flag(index, field, frag.read, "agency_by_image", frag.score)
        elif frag.method == "unknown_agency":
            log.flag(index, field, frag.read, "unknown_agency", frag.score)
            if alike := alike_agencies(frag.read, lexicon, settings):
                log.flag(index, field, frag.read, f"alike_agencies: {' or '.join(alike)}", frag.score)
    named = [f.name for f in fragments if f.name]
    for name in dict.fromkeys(n for n in named if named.count(n) > 1):
        log.flag(index, field, name, f"repeated_agency: {name} (two rows read as one?)", REPEATED_AGENCY_SCORE)
    after = AGENCY_SEPARATOR.join(f.name for f in fragments)
    as_read = AGENCY_SEPARATOR.join(f.read for f in fragments)
    if as_read != raw:
        log.repair(index, field, raw, as_read, "segment", 100.0)
    return after


def _worded_agency(frag: AgencyFragment, lattices: Sequence[CharLattice], lexicon: Lexicon,
                   settings: Settings) -> AgencyFragment:
    """A name no lexicon name matched, with the characters the recognizer was unsure of chosen again
    by the wording (区规划究原局 → 区规划资源局), still unknown and flagged. A choice that would make it
    a lexicon name is left to the image (`agencies_by_image`), which declines where two known names
    are alike on the image (区女联: 区妇联 or 区文联): word counts must not pick one of them."""
    if frag.method != "unknown_agency":
        return frag
    worded, choices = wording.rechoose(frag.read, lattices)
    if not choices or any(f.method != "unknown_agency" for f in segment_agencies(worded, lexicon, settings)):
        return frag
    return AgencyFragment(frag.read, worded, "wording", WORDING_SCORE)


def agencies_by_image(fragments: Sequence[AgencyFragment], lattices: Sequence[CharLattice],
                      lexicon: Lexicon) -> list[AgencyFragment]:
    """Each unknown fragment replaced by the lexicon name its line's image supports (image_agency),
    the fragments found in the lines' stripped texts in order (the lines are joined once)."""
    stripped, spots = _stripped(lattices)
    out: list[AgencyFragment] = []
    cursor = 0
    for frag in fragments:
        at = stripped.find(frag.read, cursor) if frag.read else -1
        if at < 0:
            out.append(frag)
            continue
        end = at + len(frag.read)
        if frag.method == "unknown_agency" and (
                match := _image_agency_at(frag.read, lattices, lexicon, spots[at], spots[end - 1])):
            frag = AgencyFragment(frag.read, match.name, "agency_by_image", round(match.score, 1))
        out.append(frag)
        cursor = end
    return out


def _regroup_level1(
    rows: list[Row],
    numerals: list[str],
    parents: list[str],
    scores: list[float],
    log: _Log,
) -> list[Row]:
    """Move an item at the edge of a 一级 group into the neighbouring group its known title belongs to.

    A merged 一级 cell's text sits at its vertical middle, so a text extraction fills it down from
    there and the items above it land in the previous group. Only edge items move, and only into
    an adjacent group of the right numeral: the known numbering never reorganises a draft.
    """
    items: list[list[int]] = []
    for k, row in enumerate(rows):
        if items and (row.no, row.get("level2")) == (rows[items[-1][0]].no, rows[items[-1][0]].get("level2")):
            items[-1].append(k)
        else:
            items.append([k])
    numeral = [numerals[item[0]] for item in items]
    parent = [parents[item[0]] for item in items]
    text = [rows[item[0]].get("level1") for item in items]

    def move(k: int, source: int) -> None:
        for r in items[k]:
            log.repair(r, "level1", text[k], text[source], "level1_by_title", scores[r])
            log.flag(r, "level1", rows[r].get("level1"), "level1_by_title", scores[r])
            rows[r] = rows[r].replace(level1=text[source])
        numeral[k], text[k] = numeral[source], text[source]

    for k in range(len(items) - 2, -1, -1):  # last items of a group that belong to the next
        if parent[k] and parent[k] != numeral[k] and numeral[k + 1] == parent[k]:
            move(k, k + 1)
    for k in range(1, len(items)):  # first items of a group that belong to the previous
        if parent[k] and parent[k] != numeral[k] and numeral[k - 1] == parent[k]:
            move(k, k - 1)
    return rows


__all__ = [
    "AgencyFragment",
    "RepairResult",
    "TitleMatch",
    "agency_score",
    "clean_requirement",
    "despace",
    "fullwidth_punctuation",
    "incomplete_reason",
    "junk_reason",
    "match_title",
    "repair_table",
    "segment_agencies",
    "split_item_number",
    "split_numeral",
    "title_score",
]
