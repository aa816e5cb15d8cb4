"""BM25 over jieba words, with a user dictionary of policy terms so they are matched whole.

Tokenizer: normalise, cut with jieba (a private jieba.Tokenizer, so indexes with different
dictionaries can coexist), drop punctuation and function words, lower-case Latin. Every word longer
than two characters also yields the dictionary words inside it (科技型中小企业 -> 科技型, 中小企业, 企业...):
a term is then matched whole and high (its own rare token) and by its parts (a query for 中小企业 still
finds 科技型中小企业).

Settings chosen by measuring known-item search on the seed corpus (426 lines; 200 queries of two
random 3-6 character substrings of a line, and 200 of two random jieba words of a line; MRR@10 of
the source line, substring | words):
  HMM on,  singles kept, subwords, mined terms   0.720 | 0.624   <- default
  HMM off, singles kept, subwords, mined terms   0.710 | 0.623
  HMM on,  singles dropped                       0.716 | 0.615
  HMM off, singles dropped                       0.693 | 0.594
  HMM off, no subwords                           0.653 | 0.628
  HMM off, subwords, hand terms only             0.711 | 0.619
Single characters stay: 省/市/县, 奖/补 and unknown names cut into characters carry meaning, and
BM25's idf already discounts the common ones. Subwords cost a little when the query is cut exactly like
the text (word queries) and gain more when it is not (substring queries), which is what users type.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import bm25s
import jieba
import jieba.posseg
import numpy as np

from index.bm25 import TokenRows, bm25_index
from index.errors import IndexCorrupt
from ingest.normalize import normalize

jieba.setLogLevel(logging.WARNING)  # jieba logs "Building prefix dict..." on every dictionary load

DICTIONARY_FILE = "userdict.txt"
SETTINGS_FILE = "tokenizer.json"

# Policy terms jieba's general dictionary splits (众创空间 -> 众/创/空间 without HMM).
HAND_TERMS = (
    "高新技术企业", "科技型中小企业", "众创空间", "星创天地", "院士工作站", "技术合同成交额",
    "产业技术研究院", "科技特派员", "孵化器", "技术交易", "成果转化", "科技成果转化", "新型研发机构",
    "重点实验室", "工程技术研究中心", "技术创新中心", "企业技术中心", "博士后科研工作站", "研发投入",
    "研发费用加计扣除", "创新券", "科技金融", "知识产权", "专精特新", "瞪羚企业", "独角兽企业",
    "首台套", "揭榜挂帅", "产学研", "技术经纪人", "技术转移", "科技计划项目", "高新区", "双创",
)

# Function words: frequent, carry no topic. Kept small on purpose: BM25's idf handles the rest.
STOP_WORDS = frozenset(
    "的 地 得 和 与 及 以及 等 在 对 为 是 了 有 我市 本市 并 或 将 由 从 于 其 之 也 而 把 被 按 按照 根据 "
    "通过 进一步 着力 切实 积极 各 各类 各级 有关 相关 一 二 三 四 五 六 七 八 九 十 第 条 章 节".split()
)

# Suffixes that end names of programmes, bodies and places in policy texts.
TERM_SUFFIXES = (
    "中心", "平台", "基地", "工作站", "孵化器", "众创空间", "研究院", "实验室", "计划", "工程", "基金",
    "示范区", "园区", "联盟", "试验区", "共同体", "创新券",
)
_NAME_POS = ("n", "j", "b", "l", "i", "eng", "a", "an", "vn", "v")  # parts of speech allowed inside a name
_HEAD_POS = ("n", "j", "b", "l", "i", "eng", "a", "an")              # ...and at its start (not a verb)
_QUOTED = re.compile(r"“([^”]{2,30})”|《([^》]{2,30})》")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# What jieba can match as one word: a dictionary word with other characters in it would never come out.
_JIEBA_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9+#&._%-]+")
_SUFFIX = re.compile("|".join(sorted(TERM_SUFFIXES, key=len, reverse=True)))


def _word_ok(token: str) -> bool:
    return any(c.isalnum() for c in token) and token not in STOP_WORDS


class Tokenizer:
    """Text -> BM25 tokens; callable. Same settings and dictionary at build and at query time.

    terms: extra dictionary words (HAND_TERMS are always added). hmm: let jieba guess unknown words.
    subwords: also emit the dictionary words inside longer words. singles: keep one-character words.
    """

    def __init__(
        self, terms: Iterable[str] = (), *, hmm: bool = True, subwords: bool = True, singles: bool = True
    ) -> None:
        cleaned = {normalize(t) for t in (*HAND_TERMS, *terms)}
        self.terms: tuple[str, ...] = tuple(sorted(t for t in cleaned if len(t) >= 2))
        self.hmm, self.subwords, self.singles = hmm, subwords, singles
        self._jieba = _new_jieba()
        base_total = self._jieba.total
        for term in self.terms:
            self._jieba.add_word(term)  # no frequency: jieba picks one high enough to keep the term whole
            # jieba adds each frequency to a total that weighs every word of every text; kept fixed, a term
            # changes only how the texts that contain it are cut (tokenize_reusing relies on it).
            self._jieba.total = base_total
        self._freq = self._jieba.FREQ

    @property
    def dictionary_text(self) -> str:
        return "".join(t + "\n" for t in self.terms)

    @property
    def dictionary_sha1(self) -> str:
        """sha1 of the user dictionary file: goes into the manifest."""
        return hashlib.sha1(self.dictionary_text.encode("utf-8")).hexdigest()

    def settings(self) -> dict:
        return {"hmm": self.hmm, "subwords": self.subwords, "singles": self.singles,
                "dictionary_sha1": self.dictionary_sha1}

    def __call__(self, text: str) -> list[str]:
        tokens: list[str] = []
        for word in self._jieba.cut(normalize(text), HMM=self.hmm):
            word = word.lower()
            if not _word_ok(word) or (len(word) == 1 and not self.singles):
                continue
            tokens.append(sys.intern(word))
            if self.subwords and len(word) > 2:
                tokens.extend(self._parts(word))
        return tokens

    def word_start(self, text: str, at: int) -> int:
        """Where the word holding text[at] begins, text cut as written (its offsets are the caller's)."""
        for _, start, end in self._jieba.tokenize(text, HMM=self.hmm):
            if start <= at < end:
                return start
        return at

    def _parts(self, word: str) -> list[str]:
        # Dictionary words of 2+ characters strictly inside `word`, left to right, like jieba's search
        # mode but for every length (its search mode only tries 2- and 3-character pieces).
        n = len(word)
        return [
            sys.intern(piece)
            for i in range(n)
            for j in range(i + 2, min(n, i + 8) + 1)
            if (j - i) < n and self._freq.get(piece := word[i:j]) and _word_ok(piece)
        ]

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        (folder / DICTIONARY_FILE).write_text(self.dictionary_text, encoding="utf-8")
        (folder / SETTINGS_FILE).write_text(json.dumps(self.settings(), indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Tokenizer:
        folder = Path(folder)
        settings = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
        terms = (folder / DICTIONARY_FILE).read_text(encoding="utf-8").split()
        tokenizer = cls(terms, hmm=settings["hmm"], subwords=settings["subwords"], singles=settings["singles"])
        if tokenizer.dictionary_sha1 != settings["dictionary_sha1"]:
            raise IndexCorrupt(f"{folder / DICTIONARY_FILE} does not match its sha1: rebuild with `policyqa build`")
        return tokenizer


@dataclass(frozen=True)
class TermCandidates:
    """What one document contributes to mine_terms: its quoted names, and per suffix occurrence the
    candidate names ending there, shortest first. Kept per document so a rebuild mines only new ones."""
    quoted: tuple[str, ...]
    options: tuple[tuple[str, ...], ...]

    def to_dict(self) -> dict:
        return {"quoted": list(self.quoted), "options": [list(o) for o in self.options]}

    @classmethod
    def from_dict(cls, d: dict) -> TermCandidates:
        return cls(tuple(d["quoted"]), tuple(tuple(o) for o in d["options"]))


@cache
def pos_tokenizer() -> jieba.posseg.POSTokenizer:
    # jieba.posseg reads its tag table when imported (~0.4 s); POSTokenizer() would read it a second time.
    pos = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
    pos.tokenizer, pos.word_tag_tab = _new_jieba(), jieba.posseg.dt.word_tag_tab
    return pos


@cache
def _general_dictionary() -> tuple[dict[str, int], int]:
    """jieba's general dictionary (word and prefix -> frequency, and their total), read once per process."""
    base = jieba.Tokenizer()
    base.initialize()
    return base.FREQ, base.total


def _new_jieba() -> jieba.Tokenizer:
    """A private jieba.Tokenizer on a copy of the general dictionary: reading it costs ~0.4 s, a copy ~0.02 s,
    and a build wants two (its own and the part-of-speech one that mines terms)."""
    freq, total = _general_dictionary()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(freq), total, True
    return tokenizer


def term_candidates(text: str) -> TermCandidates:
    """Quoted names: anything in “” or 《》 (2-30 characters, with Chinese in it, no punctuation jieba would
    split at). Suffixed names: at each suffix of TERM_SUFFIXES, up to 3 words before it (nouns, adjectives,
    verbs inside, never a verb first)."""
    pos = pos_tokenizer()
    quoted: set[str] = set()
    options: list[tuple[str, ...]] = []
    text = normalize(text)
    for m in _QUOTED.finditer(text):
        name = m.group(1) or m.group(2)
        if _HAN.search(name) and _JIEBA_WORD.fullmatch(name):
            quoted.add(name)
    for m in _SUFFIX.finditer(text):
        left = [(w.word, w.flag) for w in pos.cut(text[max(0, m.start() - 14) : m.start()])]
        words: list[tuple[str, str]] = []
        for word, flag in reversed(left[1:] if m.start() >= 14 else left):  # left[0] may be cut short
            if len(words) == 3 or not flag.startswith(_NAME_POS) or word in STOP_WORDS:
                break
            words.insert(0, (word, flag))
        names = tuple(
            "".join(w for w, _ in words[i:]) + m.group()
            for i in range(len(words) - 1, -1, -1)
            if words[i][1].startswith(_HEAD_POS)
        )
        if names:
            options.append(names)
    return TermCandidates(tuple(sorted(quoted)), tuple(options))


def choose_terms(candidates: Iterable[TermCandidates], min_count: int = 2) -> list[str]:
    """The corpus's terms: every quoted name, and at each suffix occurrence the longest candidate seen at
    least `min_count` times in the corpus (国家级众创空间 yes, 建设国家级众创空间 no: starts with a verb)."""
    candidates = list(candidates)
    counts = Counter(name for c in candidates for names in c.options for name in names)
    mined = set()
    for names in (names for c in candidates for names in c.options):
        frequent = [n for n in names if counts[n] >= min_count]
        if frequent:
            mined.add(frequent[-1])
    return sorted({q for c in candidates for q in c.quoted} | mined)


def mine_terms(texts: Iterable[str], min_count: int = 2) -> list[str]:
    """Names worth keeping whole, mined from the corpus texts (term_candidates, choose_terms)."""
    return choose_terms((term_candidates(t) for t in texts), min_count)


# Past this many terms gained or lost, every text is cut again. Searching the regs index's 10,303 clauses for
# 50 / 500 / 2,000 terms took 0.01 / 0.15 / 0.45 s (1 / 14 / 22 % of them then cut again), cutting all ~3 s.
MAX_CHANGED_TERMS = 2000


def tokenize_reusing(tokenizer: Tokenizer, texts: Sequence[str], old_rows: Sequence[int | None],
                     old: TokenRows | None, old_terms: Iterable[str]) -> TokenRows:
    """The tokens of each text: row old_rows[i] of `old` (cut with the dictionary old_terms) where the text
    contains no term of one dictionary but not the other, since a term changes only the texts it occurs in;
    else cut. Rows taken over stay ids: turning 5.4M of them into strings and back cost ~0.8 s a rebuild."""
    if len(texts) != len(old_rows):
        raise ValueError(f"{len(texts)} texts for {len(old_rows)} old rows")
    changed = set(tokenizer.terms) ^ {normalize(t) for t in old_terms}
    if old is None or len(changed) > MAX_CHANGED_TERMS:
        old_rows = [None] * len(texts)
    pattern = re.compile("|".join(map(re.escape, sorted(changed, key=len, reverse=True)))) if changed else None
    may_hold = rows_that_may_hold(changed, old) if pattern and old is not None else None
    rows: list[int | list[str]] = []
    for i, row in enumerate(old_rows):          # texts[i] only where needed: texts may be made on demand
        cut_again = row is None or (pattern is not None and (may_hold is None or may_hold[row])
                                    and pattern.search(normalize(texts[i])))
        rows.append(tokenizer(texts[i]) if cut_again else row)
    return TokenRows.reusing(old, rows) if old is not None else TokenRows.of(rows)


_STOP_CHARACTERS = frozenset("".join(STOP_WORDS))


def rows_that_may_hold(terms: Iterable[str], rows: TokenRows) -> np.ndarray | None:
    """Per row (bool): may its text hold one of the terms? Told from its tokens alone, so that a rebuild
    normalises only those texts (all 57k of the lawref folder took ~1 s); None when a term gives no way to tell.

    jieba cuts a text into words that hold every one of its characters, and a word is dropped only when it
    has no letter or digit or is a stop word. So a text holding a term has, inside one of its tokens, each
    letter or digit of the term that no stop word has: one such character per term (the one in fewest
    words) picks the rows that may hold it."""
    telling = [{c.lower() for c in term if c.isalnum() and len(c.lower()) == 1} - _STOP_CHARACTERS
               for term in terms]
    if not all(telling):
        return None
    wanted = set().union(*telling)
    words_with: dict[str, list[int]] = {c: [] for c in wanted}
    for word, i in rows.vocabulary.items():
        for char in wanted.intersection(word):
            words_with[char].append(i)
    marked = np.zeros(len(rows.vocabulary), dtype=bool)
    for chars in telling:
        marked[words_with[min(chars, key=lambda c: len(words_with[c]))]] = True
    seen = np.concatenate([[0], np.cumsum(marked[rows.ids])])
    return seen[rows.offsets[1:]] > seen[rows.offsets[:-1]]


class LexicalIndex:
    """BM25 (bm25s, Lucene variant) over tokenised texts; row i is texts[i]. Built once, never per query."""

    def __init__(self, bm25: bm25s.BM25, tokenizer: Tokenizer, token_rows: TokenRows | None = None) -> None:
        self._bm25 = bm25
        self.tokenizer = tokenizer
        # Per row, as indexed: saved (as ids) so that a rebuild cuts only what changed. None when loaded for
        # search, which never needs them.
        self.token_rows = token_rows

    @classmethod
    def build(cls, texts: Sequence[str], tokenizer: Tokenizer) -> LexicalIndex:
        return cls.from_tokens([tokenizer(t) for t in texts], tokenizer)

    @classmethod
    def from_tokens(cls, corpus: list[list[str]] | TokenRows, tokenizer: Tokenizer) -> LexicalIndex:
        """Index texts already cut by `tokenizer` (row i = corpus[i])."""
        rows = corpus if isinstance(corpus, TokenRows) else TokenRows.of(corpus)
        if not len(rows.ids):
            raise ValueError(f"none of the {len(rows)} texts has a word to index: check the corpus")
        return cls(bm25_index(rows), tokenizer, rows)

    @property
    def tokens(self) -> list[list[str]] | None:
        """The tokens of each row as strings (interned: one string per distinct word)."""
        return self.token_rows.rows() if self.token_rows is not None else None

    @property
    def ntotal(self) -> int:
        return int(self._bm25.scores["num_docs"])

    @cached_property
    def _token_best(self) -> np.ndarray:
        """Per token id, its highest score in any row (bm25s keeps one column of scores per token)."""
        data, indptr = self._bm25.scores["data"], self._bm25.scores["indptr"]
        best = np.zeros(len(indptr) - 1, dtype=np.float32)
        used = np.flatnonzero(np.diff(indptr) > 0)
        if len(used):
            best[used] = np.maximum.reduceat(data, indptr[used])
        return best

    def match_share(self, query: str, score: float) -> float:
        """A BM25 score for query as a share of the best any row could get, each of its words at its highest
        score in the index: near 1 when a row holds the question's rare words, low when the best row only
        shares its everyday ones. Words no row holds are left out, as BM25 leaves them out."""
        ids = self._bm25.get_tokens_ids(self.tokenizer(query))
        best = float(self._token_best[ids].sum()) if ids else 0.0
        return score / best if best > 0 else 0.0

    def search(self, query: str, k: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top k (row id, BM25 score) best first, ties by row id; only rows sharing a word with the query,
        and only the given rows when rows is not None (a filter applied before the top-k).

        A query with no indexed word returns [] (bm25s itself would return k rows scored 0).
        """
        ids = self._bm25.get_tokens_ids(self.tokenizer(query))
        if not ids or k <= 0:
            return []
        scores = self._bm25.get_scores(ids)
        if rows is not None:
            rows = np.asarray(rows, dtype=np.int64)
            hits = rows[scores[rows] > 0]
        else:
            hits = np.flatnonzero(scores > 0)
        order = np.lexsort((hits, -scores[hits]))[:k]  # last key sorts first: score desc, then row id
        return [(int(hits[i]), float(scores[hits[i]])) for i in order]

    def save(self, folder: Path) -> None:
        """bm25s's plain files (JSON + .npy, no pickle) plus the tokenizer's dictionary and settings."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self._bm25.save(folder, allow_pickle=False, show_progress=False)
        self.tokenizer.save(folder)
        if self.token_rows is not None:
            self.token_rows.save(folder)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        folder = Path(folder)
        bm25 = bm25s.BM25.load(folder, allow_pickle=False, show_progress=False)
        return cls(bm25, Tokenizer.load(folder))


def read_tokens(folder: Path) -> tuple[tuple[str, ...], TokenRows]:
    """A saved index's dictionary terms and its tokens per row (what tokenize_reusing takes)."""
    folder = Path(folder)
    terms = tuple((folder / DICTIONARY_FILE).read_text(encoding="utf-8").split())
    return terms, TokenRows.load(folder)
