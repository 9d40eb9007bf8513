"""Characters the recognizer was unsure of, chosen again by how Chinese is written.

Where a page lost part of its strokes (a 1-bit scan of light toner, a dirty copier drum's streaks)
the recognizer often puts the printed character second: 防出 for 防汛 (出 0.21, 汛 0.15 at that step),
政造 for 改造, 泉站 for 泵站. Its lattice (`lattice.CharLattice`) keeps those runners-up, and a model of
written Chinese tells which of them makes words: jieba's dictionary (349 000 words with their counts
in a large general corpus), scored as jieba segments a sentence (the likeliest split into words, a
word's log-probability its count over the total). A character is chosen again only where the
recognizer was unsure of it and the wording gains clearly more than the image loses. A mark read
unsurely inside a word (完，善: a speck) is taken out when the words it splits are far likelier
joined; a stop read surely (申。请: a roller's line) only where they join far more surely still
(SURE_STOP_MIN_GAIN_NATS). Each choice is returned, so that the repair stage logs and flags it: a
guess, never made silently. A character read surely that the words doubt is only named
(`doubtful_words`): the words alone would turn a rare name into a common word.

Engine-neutral: it needs only a lattice, characters kept as characters. Tesseract and text layers
keep none, and are left as read.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from .lattice import CharLattice, align_to_path, aligned_probabilities, greedy_path

#: A character read at a lower probability (its best at its step or a step beside it) may be chosen
#: again...
UNSURE_BELOW = 0.95
#: ...among the Chinese characters the recognizer gave at least this probability at its step or a step
#: beside it (a CTC step can sit half a character off).
RUNNER_UP_MIN = 0.03
#: Characters each side of the one chosen that the wording is judged on.
CONTEXT_CHARS = 4
#: A runner-up is chosen when its image log-probability plus its fit to the words around it
#: (`WordModel.fit`) beats the read character's by at least this many nats. Measured with make eval's
#: pipeline (rapid) on the held-out Songjiang plan's 1-bit light-toner and dirty-drum copies:
#: requirement CER 21.64 → 18.40 / 3.85 → 3.41% at 1 nat, 18.59 / 3.41% at 2, 18.75 / 3.44% at 3 (the
#: first full run, scored by the whole text rather than the fit, changed 泖 of the place 泖港 to 冲 on a
#: clean copy). 2 was kept then; the thirty-first session measured the bar on seed 18's 64 held-out
#: drafts (tests/degrade.py and wordscan.py, not tuned on): of the choices the bar held back, those
#: gaining 1.5-2 nats were right 12 times and wrong 2 (7 not told by the truth's words), those gaining
#: 1-1.5 right 13 and wrong 3, those gaining 0.5-1 right 3 and wrong 2. Four of the five wrong ones make
#: 老旧 老山 (a place name to the words). A 1-bit page's 专案专入 (入 0.67, 人 0.33; the spot check's
#: page 3 at Otsu's threshold) gains 1.51; at a threshold of 180 (入 0.87) it gains 0.30 and stays.
#: make eval then showed one wrong title among its changes (做实 → 做主 at 1.78, fengxian/bilevel-200)
#: and three right ones (README, Accuracy). Every choice is flagged `wording`.
MIN_GAIN_NATS = 1.0
#: A character read surely whose runner-up, given at least DOUBT_RUNNER_UP_MIN, the words make at least
#: DOUBT_MIN_GAIN_NATS likelier (image and all) is named for review (`doubtful_words`), never changed: a
#: 1-bit fax loses thin strokes and the recognizer reads 项日 for 项目 (日 0.96, 目 0.01) or 医帅 for
#: 医师 (帅 0.97, 师 0.03), fengxian/fax; but with nothing of the image to go on the words also prefer the
#: common 区域 to 区城运中心 (an agency, 城 read at 0.99+), so a choice made there would be data lost.
#: Characters read under UNSURE_BELOW are weighed so too: the choice weighs only runner-ups from
#: RUNNER_UP_MIN, and one read at 0.91 whose runner-up had 0.017 was named by neither (川展 for 开展, 开
#: 0.017; 孝年人 for 老年人, 老 0.024: held-out Fengxian and Jiading plans under tests/wordscan.py's fax
#: and tests/degrade.py's dirty-drum at seed 28, unflagged). Seed 28's 64 drafts: 3 wrong cells named so,
#: no right one; seed 29's (held out for this): none either way.
DOUBT_RUNNER_UP_MIN = 0.001
#: Kept at the bar the choices had before (2 nats): a doubt only names a word for review, and a lower
#: bar names more of the words a clean page read right.
DOUBT_MIN_GAIN_NATS = 2.0

_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
#: Scripts no Chinese government table is written in: Japanese kana and Korean Hangul. A character of
#: them between Chinese text is a misread however sure the recognizer was (归コ负责 for 归口, コ at 0.955
#: and 口 at 0.028 on qingpu/lines-degradation, make eval): the likeliest of its Chinese runners-up (image
#: and wording, as for any character) replaces it, among those down to FOREIGN_RUNNER_UP_MIN. Its own
#: wording score cannot judge it: a character jieba never saw is as unlikely alone as in a word.
FOREIGN_SCRIPT = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
FOREIGN_RUNNER_UP_MIN = 0.01
#: What the recognizer (or the punctuation module, from a dot's ink) writes between two Chinese
#: characters where a speck lies inside a word: 完，善医保支付 for 完善 (a speck of a mark's size read
#: `.` at 0.64 and decided ， by its ink; fengxian/sample, make eval).
_MARKS = frozenset("，、。；：·.,;:")
#: Such a mark read at a lower probability (the bar of the repair's unsure-character flag)...
MARK_UNSURE_BELOW = 0.8
#: ...is taken out when the Chinese characters either side of it (CONTEXT_CHARS each) are at least this
#: many nats likelier joined than apart (`WordModel.join_gain`). Of the 1,459 marks between two Chinese
#: characters in the five truth tables (our documents' text, as printed), the likeliest to join gain
#: 4.67 (宾馆、酒店) and 4.55 (检查，督促), 16 gain 1 or more; both were read at 0.96 or more wherever
#: make eval's 86 scanned drafts hold them. The specks make eval read as marks inside words gained
#: 11.47 (综合利。用, minhang/sample, at 0.48), 8.76 (完，善, fengxian/sample, 0.64) and 5.59 (残疾、人,
#: fengxian/bilevel-200, 0.73); 家庭。医生 (1.57: two words either way) is beyond the words' reach.
MARK_MIN_GAIN_NATS = 5.0
#: ...but a stop (。；：, and a Latin . ; : or the middle dot ·) only at least this many: a stop ends a
#: clause, and the words either side of one hardly ever join. Of the 127 stops between two Chinese
#: characters in the six truth tables (71 。, 56 ；, no ：), the likeliest to join gain 0.53 (行洪断面。
#: 对新发现) and 0.11 (设等项目；区属); a speck read : at 0.5 inside 排水 (加强排:水设施运行养护, the
#: held-out Songjiang plan under LinesDegradation, make eval: two rows' 二级 wrong) gains 4.72, beside
#: 、 and ， that join at up to 4.67. 家庭。医生 (1.57) stays: two words either way.
STOP_MIN_GAIN_NATS = 2.0
#: A stop read surely (at MARK_UNSURE_BELOW or more) inside a word is taken out too when the words
#: either side join by at least this many nats, over twice what any pause of the truths joins by
#: (4.67) and nine times what any stop does (0.53): a roller's line read 。 at 0.99 and 0.89 inside
#: 申请 and 企业 (一键申。请 9.24, 域龙头企。业 14.59; the held-out Jiading plan under tests/degrade.py's
#: dirty-rollers at seed 17, two requirements wrong and unflagged). A pause read surely stays:
#: 宾馆、酒店 joins by 4.67.
SURE_STOP_MIN_GAIN_NATS = 5.0
_PAUSES = frozenset("，、,")


@dataclass(frozen=True)
class WordChoice:
    """One character chosen again: its index in the text, as read, as chosen ("" for a mark taken out
    of a word), and the gain (nats)."""

    index: int
    read: str
    chosen: str
    gain: float

    def describe(self, text: str) -> str:
        """The change with a character of context each side (across a line break): 防出指→防汛指."""
        before = "".join(text[:self.index].split())[-1:]
        after = "".join(text[self.index + 1:].split())[:1]
        return f"{before}{self.read}{after}→{before}{self.chosen}{after}"


class WordModel:
    """Log-probability of a piece of Chinese text as jieba's best segmentation of it into words."""

    def __init__(self) -> None:
        import jieba

        jieba.setLogLevel(60)  # its loading messages are not ours to print
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()

    def fit(self, before: str, char: str, after: str) -> float:
        """How much likelier `char` makes its context than it is alone (nats): the log-probability of
        the text with it, less its own. The recognizer's probability already holds how common a
        character is; counting that again would turn a rare character read right (泖 of 泖港, a
        place) into a common one (冲) whenever the recognizer offered one."""
        return self.log_prob(f"{before}{char}{after}") - self.log_prob(char)

    def join_gain(self, before: str, after: str) -> float:
        """How much likelier two pieces of text are as one than apart (nats): a mark between them
        that splits a word (完，善) gains much; one between two words or phrases, nothing."""
        return self.log_prob(before + after) - self.log_prob(before) - self.log_prob(after)

    def log_prob(self, text: str) -> float:
        if not text:
            return 0.0
        route: dict[int, tuple[float, int]] = {}
        self._tokenizer.calc(text, self._tokenizer.get_DAG(text), route)
        return float(route[0][0])


_MODEL: list[WordModel] = []
_MODEL_LOCK = threading.Lock()


def word_model() -> WordModel:
    """The model, loaded once per process (0.5-0.7 s: jieba's dictionary from its cache)."""
    with _MODEL_LOCK:
        if not _MODEL:
            _MODEL.append(WordModel())
        return _MODEL[0]


def load_in_background() -> None:
    """Start loading the model in a thread, for a caller that waits meanwhile on pages read by other
    processes (its load then costs no time: make bench's sample had run 0.58 s longer). Call it only once
    the worker processes are started: a process forked while a thread holds the import lock can hang."""
    threading.Thread(target=word_model, name="word-model", daemon=True).start()


def _options(lattice: CharLattice, step: int, also: str = "") -> dict[str, float]:
    """Chinese characters (and `also`, of any script) given at `step` or a step beside it, each with its
    best probability there."""
    options: dict[str, float] = {}
    for t in range(max(0, step - 1), min(lattice.steps, step + 2)):
        for column in range(1, lattice.chars.shape[1]):
            char = str(lattice.chars[t, column])
            if _HAN.fullmatch(char) or (also and char == also):
                options[char] = max(options.get(char, 0.0), math.exp(float(lattice.logp[t, column])))
    return options


def _aligned_steps(text: str, lattices: Sequence[CharLattice]) -> list[tuple[int, str, CharLattice, int]]:
    """(index in `text`, character read, its lattice, its step) for each character of the lattices'
    best reading that aligns to `text` (see unsure_spots)."""
    path = [(char, lattice, step) for lattice in lattices for char, step in greedy_path(lattice)]
    return [(j, *path[i]) for i, j in align_to_path([char for char, _, _ in path], text)]


def unsure_spots(text: str, lattices: Sequence[CharLattice], sure: bool = False
                 ) -> list[tuple[int, dict[str, float]]]:
    """(index in `text`, {character: probability}) for each Chinese character of `text` read at under
    UNSURE_BELOW that has a Chinese runner-up at RUNNER_UP_MIN or more, and each kana or Hangul
    character with one at FOREIGN_RUNNER_UP_MIN or more; with `sure`, instead, each Chinese character
    with a runner-up at DOUBT_RUNNER_UP_MIN or more, however surely read. `text` is the
    lattices' lines as a cell holds them (whitespace between lines, punctuation restored, traditional
    forms simplified), or a part of them: the lattices' characters are aligned to it, and a character
    that does not align is left alone."""
    spots: list[tuple[int, dict[str, float]]] = []
    for j, char, lattice, step in _aligned_steps(text, lattices):
        foreign = bool(FOREIGN_SCRIPT.fullmatch(char)) and not sure
        if not _HAN.fullmatch(char) and not foreign:
            continue
        options = _options(lattice, step, also=char if foreign else "")
        read_p = options.get(char, 0.0)
        floor = DOUBT_RUNNER_UP_MIN if sure else FOREIGN_RUNNER_UP_MIN if foreign else RUNNER_UP_MIN
        runners = {c: p for c, p in options.items() if c != char and p >= floor}
        wanted = sure or foreign or read_p < UNSURE_BELOW
        if wanted and runners:
            spots.append((j, {char: read_p, **runners}))
    return spots


def _inside_marks(text: str, lattices: Sequence[CharLattice]) -> list[tuple[int, bool]]:
    """(index, read surely) of the marks (_MARKS) between two Chinese characters in `text` (across a
    line break too), surely meaning at MARK_UNSURE_BELOW or more; a mark that does not align with the
    lattices' reading is left alone."""
    read = aligned_probabilities(lattices, text)
    places = [j for j, ch in enumerate(text) if not ch.isspace()]
    return [(j, read[j] >= MARK_UNSURE_BELOW) for k, j in enumerate(places[1:-1], 1)
            if text[j] in _MARKS and j in read
            and _HAN.fullmatch(text[places[k - 1]]) and _HAN.fullmatch(text[places[k + 1]])]


def _han_run(chars: Sequence[str], places: Sequence[int]) -> str:
    """The Chinese characters at `places` in order, up to CONTEXT_CHARS, until the first that is not
    one (a mark, a digit); places emptied by an earlier choice are passed over."""
    run: list[str] = []
    for j in places:
        if not chars[j]:
            continue
        if not _HAN.fullmatch(chars[j]) or len(run) == CONTEXT_CHARS:
            break
        run.append(chars[j])
    return "".join(run)


def _likeliest(chars: Sequence[str], places: Sequence[int], k: int, options: dict[str, float],
              model: WordModel) -> tuple[str, float]:
    """The option for the character at places[k] likeliest by image and wording (CONTEXT_CHARS each
    side), and how many nats it beats the character there; a kana or Hangul character read there is
    never printed, so the likeliest Chinese option replaces it whatever the gain."""
    read = chars[places[k]]
    before = "".join(chars[j] for j in places[max(0, k - CONTEXT_CHARS):k])
    after = "".join(chars[j] for j in places[k + 1:k + 1 + CONTEXT_CHARS])
    # a neighbour's own reading is no runner-up here: a CTC step beside this one gave it
    neighbours = {before[-1:], after[:1]}
    scores = {char: math.log(max(prob, 1e-9)) + model.fit(before, char, after)
              for char, prob in options.items() if char == read or char not in neighbours}
    foreign = bool(FOREIGN_SCRIPT.fullmatch(read))
    best = max((c for c in scores if not (foreign and c == read)), key=lambda char: scores[char], default=read)
    return best, scores[best] - scores[read]


def doubtful_words(text: str, lattices: Sequence[CharLattice], model: WordModel | None = None
                   ) -> tuple[WordChoice, ...]:
    """The characters of `text`, however surely read, whose runner-up the words make at least
    DOUBT_MIN_GAIN_NATS likelier, image and all: named for review, never changed (see
    DOUBT_RUNNER_UP_MIN)."""
    if not lattices or not _HAN.search(text):
        return ()
    spots = unsure_spots(text, lattices, sure=True)
    if not spots:
        return ()
    model = model or word_model()
    chars = list(text)
    places = [j for j, ch in enumerate(text) if not ch.isspace()]
    where = {j: k for k, j in enumerate(places)}
    doubts = []
    for index, options in spots:
        best, gain = _likeliest(chars, places, where[index], options, model)
        if best != chars[index] and gain >= DOUBT_MIN_GAIN_NATS:
            doubts.append(WordChoice(index, chars[index], best, round(gain, 2)))
    return tuple(doubts)


def rechoose(text: str, lattices: Sequence[CharLattice], model: WordModel | None = None
             ) -> tuple[str, tuple[WordChoice, ...]]:
    """`text` with its unsure characters chosen again by the wording (left to right, each choice in
    the context of those before it), then the marks inside words taken out (`_inside_marks`: read
    unsure, MARK_MIN_GAIN_NATS or STOP_MIN_GAIN_NATS; stops read surely, SURE_STOP_MIN_GAIN_NATS;
    chosen as ""), and the choices made."""
    if not lattices or not _HAN.search(text):
        return text, ()
    spots = unsure_spots(text, lattices)
    marks = [(j, sure) for j, sure in _inside_marks(text, lattices) if not sure or text[j] not in _PAUSES]
    if not spots and not marks:
        return text, ()
    model = model or word_model()
    chars = list(text)
    places = [j for j, ch in enumerate(text) if not ch.isspace()]  # the words run on across lines
    where = {j: k for k, j in enumerate(places)}
    choices: list[WordChoice] = []
    for index, options in spots:
        read = chars[index]
        best, gain = _likeliest(chars, places, where[index], options, model)
        if best != read and (FOREIGN_SCRIPT.fullmatch(read) or gain >= MIN_GAIN_NATS):
            chars[index] = best
            choices.append(WordChoice(index, read, best, round(gain, 2)))
    for index, sure in marks:
        k = where[index]
        before = _han_run(chars, places[k - 1::-1])[::-1]
        gain = model.join_gain(before, _han_run(chars, places[k + 1:]))
        bar = (SURE_STOP_MIN_GAIN_NATS if sure
               else MARK_MIN_GAIN_NATS if chars[index] in _PAUSES else STOP_MIN_GAIN_NATS)
        if gain >= bar:
            choices.append(WordChoice(index, chars[index], "", round(gain, 2)))
            chars[index] = ""
    return "".join(chars), tuple(sorted(choices, key=lambda choice: choice.index))


#: Characters in a window of the draft's own words (`draft_doubts`): a character is judged inside each
#: window of four that holds it away from the window's ends.
DRAFT_WINDOW = 4
#: A window read once in the draft, whose inner character, changed to one the recognizer offered there
#: (DOUBT_RUNNER_UP_MIN or more at its step), gives a window the draft holds this many times elsewhere,
#: is named for review (`draft_word`), never changed: a plan repeats its phrases (公办养老, 养老护理员).
#: Measured on the six truths (the documents as printed, no OCR): without the recognizer's offer,
#: windows whose inner character differs from a window printed twice or more elsewhere are 3-21 a
#: document (风险管控 beside 风险防控); the offer keeps such near-twins out on clean pages.
DRAFT_MIN_ELSEWHERE = 2


def draft_windows(texts: Sequence[str]) -> dict[str, int]:
    """How often each window of DRAFT_WINDOW Chinese characters occurs in `texts` (each text once)."""
    counts: dict[str, int] = {}
    for text in dict.fromkeys(texts):
        for run in _HAN_RUN.findall("".join(text.split())):
            for i in range(len(run) - DRAFT_WINDOW + 1):
                window = run[i:i + DRAFT_WINDOW]
                counts[window] = counts.get(window, 0) + 1
    return counts


def draft_doubts(text: str, lattices: Sequence[CharLattice], windows: dict[str, int]) -> tuple[WordChoice, ...]:
    """The characters of `text` with a window of the draft's own words (DRAFT_WINDOW, `windows` from
    `draft_windows` over the draft's cells, this one included) that occurs only here, while a character
    the recognizer offered at that step makes a window found DRAFT_MIN_ELSEWHERE times or more: named,
    never changed (gain: how many times the draft holds the other window)."""
    if not lattices or not _HAN.search(text):
        return ()
    offered: dict[int, dict[str, float]] = {}
    for j, char, lattice, step in _aligned_steps(text, lattices):
        offered[j] = {c: p for c, p in _options(lattice, step).items() if c != char and p >= DOUBT_RUNNER_UP_MIN}
    places = [j for j, ch in enumerate(text) if not ch.isspace()]
    doubts = []
    for k, j in enumerate(places):
        best = (0, "")
        for inner in range(1, DRAFT_WINDOW - 1):
            start = k - inner
            if start < 0 or start + DRAFT_WINDOW > len(places):
                continue
            window = "".join(text[i] for i in places[start:start + DRAFT_WINDOW])
            if not _HAN_RUN.fullmatch(window) or windows.get(window, 0) > 1:
                continue
            for char in offered.get(j, {}):
                twin = window[:inner] + char + window[inner + 1:]
                best = max(best, (windows.get(twin, 0), char))
        if best[0] >= DRAFT_MIN_ELSEWHERE:
            doubts.append(WordChoice(j, text[j], best[1], float(best[0])))
    return tuple(doubts)
