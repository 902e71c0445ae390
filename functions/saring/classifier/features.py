"""From a listing to the model's input: one concept, one place, used by training and serving.

The model reads a listing as *blocks*: the normalised title, then the description cut into
segments (the seller's own line breaks, then sentences, then runs of at most
``MAX_SEGMENT_WORDS`` words). Each block is scored on its own by the same hashed n-gram weights,
and with ``best`` the best segment or pair of adjacent segments, the listing's score is

    bias + max(title + max(0, best - segment_margin), best)

(``models/listing_model.py`` builds that graph), where ``title`` is the higher of the whole
title's score and the score of its best run of a few consecutive words (``title_windows``; the
model's metadata says how many, 0 for none). Why blocks: a score summed over a whole text is
diluted or swamped by whatever else the seller writes; a score pooled by ``max`` over bounded
segments is not. Appending, prepending or inserting ordinary sentences adds segments that score
below the margin, and the ``max`` ignores them; a tell in the description counts as much as in
the title, and a tell in a long title as much as in a short one.

Price and category are not read: what the law bans is said in words, and a model that leaned on
them would change its mind when a platform leaves them out.

Per block the ONNX graph hashes character 2..5-grams of the block text and word unigrams and
bigrams of its tokens (a block marker, which acts as the block's bias, then its words).
``pack_batch`` packs the blocks of a batch without padding: code points and stable word hashes
of all blocks one after another plus per-block segment indices and the listing each description
segment belongs to. ``encode_blocks`` gives the same data padded for the numpy reference used in
training. Pure Python + numpy: no onnxruntime import here.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from saring.classifier.normalise import NormalisedText, normalise, normalise_with_spans

__all__ = [
    "CHAR_GAP",
    "CHAR_ORDERS",
    "MAX_SEGMENT_WORDS",
    "ModelInput",
    "SEGMENT_MARK",
    "TITLE_MARK",
    "TracedInput",
    "encode_blocks",
    "listing_input",
    "model_input",
    "pack_batch",
    "title_windows",
    "traced_input",
    "word_hash",
    "word_spans",
]

MAX_TITLE_CHARS = 300
MAX_DESCRIPTION_CHARS = 10_000  # the API's own limit: nothing a platform may send is cut
MAX_SEGMENT_WORDS = 24
MAX_SEGMENTS = 400
# Block markers start with \x02, which normalisation removes from any seller's text, so no
# seller's word can be one.
TITLE_MARK = "\x02title"
SEGMENT_MARK = "\x02segment"

_WORD = re.compile(r"[A-Za-z0-9]+")
_LINE = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
_SENTENCE_END = re.compile(r"[.!?;]+(?: |$)")  # not inside "35.000" or "t.h.r.i.f.t"


@dataclass(frozen=True, slots=True)
class ModelInput:
    """``texts[0]`` is the normalised title, the rest the description's segments; ``tokens[k]``
    is block k's marker followed by its words."""

    texts: tuple[str, ...]
    tokens: tuple[tuple[str, ...], ...]


# Words after a negator, to the end of the clause (punctuation) or at most five words (in a title:
# TITLE_NEGATION_CONTINUES), are written in capitals: normalised text is lower case, so their
# character n-grams and their word tokens ("~thrift") are features of their own. "bukan barang
# thrift atau bekas impor" then shares no feature with "barang thrift" or "bekas impor", and
# "bukan barang baru" none with "barang baru" (negation marking, as in Pang, Lee and
# Vaithyanathan, EMNLP 2002). One character for one: spans are kept.
NEGATORS = frozenset([
    "bukan", "bkn", "bukn", "tidak", "tdk", "tak", "tanpa", "anti", "non", "no", "not", "gak", "gk", "nggak", "ngga",
    "ga", "engga", "enggak", "kagak",
    # what shops write to say they obey the ban: "mendukung larangan impor pakaian bekas", "tolak
    # thrift impor", "bebas dari barang bekas", "dilarang jual baju bekas impor"
    "larangan", "dilarang", "melarang", "tolak", "menolak", "bebas", "stop",
])
NEGATION_SCOPE = 5
# Prefixes of one word: "anti air", "anti slip", "non alkohol", "no minus" name a property of the
# goods, so "Kemeja Anti Kusut bekas impor" must not read "bekas impor" as negated; "anti thrift"
# and "no thrift" still negate the word they stand before.
ONE_WORD_NEGATORS = frozenset(["anti", "non", "no", "not"])
# A slash lists alternatives ("bukan thrift/preloved/bekas impor"): it does not end the clause.
_WORD_OR_BREAK = re.compile(r"[a-z0-9]+|[,.;:!?|()]")


# A title has no punctuation to end a negation's clause ("Tidak Nerawang Kaos bekas impor"), so
# there the scope is the word after the negator and then only the words of what the ban is about:
# "bukan barang bekas impor ex Jepang" negates all five, "tidak nerawang kaos bekas impor" only
# "nerawang" (with a count of words, "Tidak Nerawang" hid the tell after it, and a scope of two
# left "impor" of "bukan barang bekas impor" standing).
TITLE_NEGATION_CONTINUES = frozenset([
    "barang", "pakaian", "baju", "produk", "item", "fashion", "baru", "new", "brand", "thrift", "thrifting",
    "bekas", "impor", "import", "imported", "preloved", "prelove", "second", "seken", "secondhand", "used",
    "reject", "bal", "ball", "karung", "karungan", "kiloan", "sortir", "sortiran", "cakar", "cakaran", "awul",
    "rombeng", "rombengan", "ex", "eks", "luar", "negeri", "ln", "dari", "hasil", "atau", "dan", "jepang",
    "korea", "eropa", "china", "cina", "amerika", "usa", "bangkok", "thailand", "singapore", "singapura",
    "malaysia", "hongkong", "taiwan",
])


def _mark_negation(text: str, in_title: bool = False) -> str:
    if NEGATORS.isdisjoint(_WORD.findall(text)):
        return text
    out = list(text)
    scope = 0
    after_negator = False
    for match in _WORD_OR_BREAK.finditer(text):
        word = match.group()
        if not word[0].isalnum():
            scope = 0
            continue
        if in_title and not after_negator and word not in TITLE_NEGATION_CONTINUES:
            scope = 0
        if scope:
            start, end = match.span()
            out[start:end] = word.upper()
        after_negator = word in NEGATORS
        if after_negator:
            scope = 1 if word in ONE_WORD_NEGATORS else NEGATION_SCOPE
        else:
            scope = max(0, scope - 1)
    return "".join(out)


def _block_tokens(text: str, mark: str) -> tuple[str, ...]:
    return (mark, *("~" + word.lower() if word[0].isupper() else word for word in _WORD.findall(text)))


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for end in _SENTENCE_END.finditer(text):
        yield start, end.end()
        start = end.end()
    if start < len(text):
        yield start, len(text)


def _split(text: str) -> Iterator[tuple[int, int]]:
    """Spans of one normalised line's segments: sentences, cut into runs of at most
    ``MAX_SEGMENT_WORDS`` words; spans without a word are dropped."""
    for start, end in _sentences(text):
        words = [m.span() for m in _WORD.finditer(text, start, end)]
        if not words:
            continue
        while text[end - 1] == " ":
            end -= 1
        if len(words) <= MAX_SEGMENT_WORDS:
            yield words[0][0], end
            continue
        for k in range(0, len(words), MAX_SEGMENT_WORDS):
            chunk = words[k : k + MAX_SEGMENT_WORDS]
            yield chunk[0][0], (chunk[-1][1] if k + MAX_SEGMENT_WORDS < len(words) else end)


def _segments(description: str, fold) -> Iterator[tuple[int, object, int, int]]:
    """``(line start in the raw description, folded line, start, end)`` per segment, where
    ``fold`` is ``normalise`` or ``normalise_with_spans``: one splitter serves both."""
    count = 0
    for line in _LINE.finditer(description[:MAX_DESCRIPTION_CHARS]):
        folded = fold(line.group())
        text = folded if isinstance(folded, str) else folded.text
        for start, end in _split(text):
            yield line.start(), folded, start, end
            count += 1
            if count == MAX_SEGMENTS:
                return


# Every digit reads as 0: sizes, prices and hours say nothing about the law, and a model that
# learns particular numbers learns its training data. One character for one keeps the spans.
_DIGITS_AS_ZERO = str.maketrans("123456789", "000000000")


def _block_text(text: str, in_title: bool = False) -> str:
    """A normalised block as the model reads it: digits as 0, negated words in capitals."""
    return _mark_negation(text.translate(_DIGITS_AS_ZERO), in_title)


def model_input(title: str | None, description: str | None = None) -> ModelInput:
    """The model's view of a listing's text (titles and descriptions of any content)."""
    title_text = _block_text(normalise(title or "")[:MAX_TITLE_CHARS], True)
    texts = [title_text]
    tokens = [_block_tokens(title_text, TITLE_MARK)]
    if description:
        for _, line, start, end in _segments(description, normalise):
            segment = _block_text(line[start:end])
            texts.append(segment)
            tokens.append(_block_tokens(segment, SEGMENT_MARK))
    return ModelInput(tuple(texts), tuple(tokens))


def listing_input(listing) -> ModelInput:  # listing: saring.domain.listings.Listing
    return model_input(listing.title, listing.description)


@dataclass(frozen=True, slots=True)
class TracedBlock:
    """One block's text and where each of its characters came from in the seller's text."""

    text: str
    source: NormalisedText  # the normalised title or description line the block was cut from
    offset: int  # where the block starts in ``source.text``
    raw: str  # the seller's title or description
    raw_offset: int  # where ``source`` starts in ``raw``

    def original(self, start: int, end: int) -> str:
        """The seller's own text behind block characters ``[start, end)``."""
        a, b = self.source.original_span(self.offset + start, self.offset + end)
        return self.raw[self.raw_offset + a : self.raw_offset + b]


@dataclass(frozen=True, slots=True)
class TracedInput:
    blocks: tuple[TracedBlock, ...]

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(block.text for block in self.blocks)


def traced_input(title: str | None, description: str | None) -> TracedInput:
    """``model_input``'s blocks, each able to say which original characters it came from."""
    title_raw, description_raw = title or "", description or ""
    title_source = normalise_with_spans(title_raw)
    blocks = [TracedBlock(_block_text(title_source.text[:MAX_TITLE_CHARS], True), title_source, 0, title_raw, 0)]
    for line_start, line, start, end in _segments(description_raw, normalise_with_spans):
        blocks.append(TracedBlock(_block_text(line.text[start:end]), line, start, description_raw, line_start))
    return TracedInput(tuple(blocks))


def word_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the words of a block text, in the order they follow the marker in its tokens."""
    return [m.span() for m in _WORD.finditer(text)]


def word_hash(token: str) -> int:
    """A stable, non-zero 31-bit hash of a token (Python's own ``hash`` is salted per process)."""
    return (zlib.crc32(token.encode("utf-8")) & 0x7FFFFFFF) or 1


CHAR_GAP = 4  # zeros after each packed text: the longest character n-gram minus one
CHAR_ORDERS = (2, 3, 4, 5)
_CHAR_SEP = "\x00" * CHAR_GAP
_CHAR_TAIL = "\x00" * (CHAR_GAP + 1)


# word_hash of the tokens seen lately: a dict lookup costs a third of crc32 + encode; bounded
_TOKEN_HASHES: dict[str, int] = {}
_TOKEN_HASHES_MAX = 100_000


def _new_token_hash(token: str) -> int:
    value = _TOKEN_HASHES[token] = word_hash(token)
    return value


def _code_points(joined: str) -> np.ndarray:
    if joined.isascii():  # normalised text always is
        return np.frombuffer(joined.encode("ascii"), dtype=np.uint8).astype(np.int64)
    return np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)


def title_windows(text: str, size: int) -> list[tuple[int, int, int, int]]:
    """``(char start, char end, first word, end word)`` of each run of ``size`` consecutive words
    of a title block text (words counted after the block marker); none for a title of ``size``
    words or fewer, which is its own only run, or when ``size`` is 0 (a model without windows).
    Why windows: a seller's ordinary title words ("Pria Uniqlo ... Bisa COD") each weigh a little
    toward legal, and summed over the whole title they hide a tell ("bekas impor") that a run of
    three words still holds."""
    if not size:
        return []
    spans = word_spans(text)
    if len(spans) <= size:
        return []
    return [(spans[k][0], spans[k + size - 1][1], k, k + size) for k in range(len(spans) - size + 1)]


def pack_batch(inputs: Sequence[ModelInput], window_words: int = 0) -> dict[str, np.ndarray]:
    """The ONNX graph's feeds for a batch, packed without padding (layout: ``models/listing_model.py``).

    Blocks are laid out listing after listing, each listing's title first, then the titles' word
    windows (``title_windows`` of ``window_words``, the model's; 0: none) of all listings.
    ``chars`` int64 [T]: code points, each block's text followed by ``CHAR_GAP`` zeros, plus one
    zero; ``words`` int64 [Tw]: ``word_hash`` of the tokens, each block followed by one zero,
    plus one zero; ``index`` int64 [K, 12]: per block or
    window, the ends then the starts of its six feature segments (char n = 2..5, word unigrams,
    word bigrams) in the graph's flat feature vector; ``owner`` int64 [K]: -1 for a title block,
    the listing for a description segment, ``-2 - listing`` for a title window.
    """
    if len(inputs) == 1 and len(inputs[0].texts) == 1:
        return _pack_title_only(inputs[0], window_words)
    return _pack_listings(inputs, window_words)


def _pack_listings(inputs: Sequence[ModelInput], window_words: int) -> dict[str, np.ndarray]:
    texts = [text for item in inputs for text in item.texts]
    token_lists = [tokens for item in inputs for tokens in item.tokens]
    owner = np.empty(len(texts), dtype=np.int64)
    titles = np.empty(len(inputs), dtype=np.int64)
    position = 0
    for listing, item in enumerate(inputs):
        owner[position] = -1
        titles[listing] = position
        owner[position + 1 : position + len(item.texts)] = listing
        position += len(item.texts)
    feeds = _pack_blocks(texts, token_lists)
    if window_words:
        listing, block, table = _packed_title_windows(feeds, titles, window_words)
        if len(table):
            feeds["index"] = np.concatenate([feeds.pop("index"), _window_index(feeds, block, table)])
            owner = np.concatenate([owner, -2 - listing])
    del feeds["char_starts"], feeds["word_starts"]
    return {**feeds, "owner": owner}


def _pack_blocks(texts: list[str], token_lists: list[tuple[str, ...]]) -> dict[str, np.ndarray]:
    count = len(texts)
    chars = _code_points(_CHAR_SEP.join(texts) + _CHAR_TAIL)
    if len(_TOKEN_HASHES) > _TOKEN_HASHES_MAX:
        _TOKEN_HASHES.clear()
    hashes: list[int] = []
    extend, append, known, new = hashes.extend, hashes.append, _TOKEN_HASHES.get, _new_token_hash
    for tokens in token_lists:
        extend([known(token) or new(token) for token in tokens])
        append(0)
    append(0)
    words = np.array(hashes, dtype=np.int64)

    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=count)
    sizes = np.fromiter(map(len, token_lists), dtype=np.int64, count=count)
    char_starts = np.cumsum(lengths + CHAR_GAP) - (lengths + CHAR_GAP)
    char_ends = char_starts + lengths
    word_starts = np.cumsum(sizes + 1) - (sizes + 1)
    word_ends = word_starts + sizes
    char_positions = len(chars) - CHAR_GAP
    word_positions = len(words) - 1
    index = np.empty((count, 12), dtype=np.int64)
    for k, n in enumerate(CHAR_ORDERS):
        base = k * char_positions
        np.maximum(char_starts, char_ends - (n - 1), out=index[:, k])
        index[:, k] += base
        np.add(char_starts, base, out=index[:, 6 + k])
    base = len(CHAR_ORDERS) * char_positions
    np.add(word_ends, base, out=index[:, 4])
    np.add(word_starts, base, out=index[:, 10])
    base += word_positions
    np.maximum(word_starts, word_ends - 1, out=index[:, 5])
    index[:, 5] += base
    np.add(word_starts, base, out=index[:, 11])
    return {"chars": chars, "words": words, "index": index, "char_starts": char_starts, "word_starts": word_starts}


def _packed_title_windows(feeds: dict[str, np.ndarray], titles: np.ndarray,
                          size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(listing, title block, title_windows rows)`` of every window of every title of a packed
    batch: ``title_windows`` done on the whole packed ``chars`` at once (a test checks they agree),
    as a Python loop over titles cost several times the rest of the packing. A word is a run of
    ASCII letters and digits, as ``_WORD`` reads it; the zeros between blocks end every word."""
    chars, char_starts = feeds["chars"], feeds["char_starts"]
    is_word = ((chars >= 48) & (chars <= 57)) | ((chars >= 65) & (chars <= 90)) | ((chars >= 97) & (chars <= 122))
    starts = np.flatnonzero(is_word & ~np.concatenate(([False], is_word[:-1])))
    ends = np.flatnonzero(is_word & ~np.concatenate((is_word[1:], [False]))) + 1
    block = np.searchsorted(char_starts, starts, side="right") - 1
    listing_of = np.full(len(char_starts), -1, dtype=np.int64)
    listing_of[titles] = np.arange(len(titles))
    in_title = listing_of[block] >= 0
    starts, ends, block = starts[in_title], ends[in_title], block[in_title]
    rank = np.arange(len(block)) - np.searchsorted(block, block, side="left")  # the word's number in its title
    words = np.bincount(block, minlength=len(char_starts))[block]  # words in the word's title
    first = np.flatnonzero((words > size) & (rank + size <= words))
    offset = char_starts[block[first]]
    table = np.stack([starts[first] - offset, ends[first + size - 1] - offset, rank[first], rank[first] + size], axis=1)
    return listing_of[block[first]], block[first], table


def _window_index(feeds: dict[str, np.ndarray], blocks: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """``index`` rows of title windows: ``blocks`` are their title blocks' numbers, ``windows`` the
    ``title_windows`` rows. A window's features are those of its block that lie wholly inside it,
    which are exactly the features of its words hashed as a block of their own without a marker."""
    char_positions = len(feeds["chars"]) - CHAR_GAP
    word_positions = len(feeds["words"]) - 1
    start = feeds["char_starts"][blocks] + windows[:, 0]
    end = feeds["char_starts"][blocks] + windows[:, 1]
    first = feeds["word_starts"][blocks] + 1 + windows[:, 2]  # + 1: the block marker
    last = feeds["word_starts"][blocks] + 1 + windows[:, 3]
    index = np.empty((len(blocks), 12), dtype=np.int64)
    for k, n in enumerate(CHAR_ORDERS):
        base = k * char_positions
        index[:, k] = base + np.maximum(start, end - (n - 1))
        index[:, 6 + k] = base + start
    base = len(CHAR_ORDERS) * char_positions
    index[:, 4], index[:, 10] = base + last, base + first
    base += word_positions
    index[:, 5], index[:, 11] = base + np.maximum(first, last - 1), base + first
    return index


_TITLE_OWNER = np.array([-1], dtype=np.int64)


def _pack_title_only(item: ModelInput, window_words: int) -> dict[str, np.ndarray]:
    """``pack_batch([item])`` for a title-only listing, with plain Python arithmetic (numpy is
    slow on tiny arrays)."""
    text, tokens = item.texts[0], item.tokens[0]
    chars = _code_points(text + _CHAR_TAIL)
    if len(_TOKEN_HASHES) > _TOKEN_HASHES_MAX:
        _TOKEN_HASHES.clear()
    known, new = _TOKEN_HASHES.get, _new_token_hash
    hashes = [known(token) or new(token) for token in tokens]
    hashes += (0, 0)
    length, size = len(text), len(tokens)
    char_positions = length + 1  # len(chars) - CHAR_GAP
    word_positions = size + 1  # len(words) - 1
    ends = [k * char_positions + max(0, length - n + 1) for k, n in enumerate(CHAR_ORDERS)]
    starts = [k * char_positions for k in range(len(CHAR_ORDERS))]
    base = len(CHAR_ORDERS) * char_positions
    ends += (base + size, base + word_positions + max(0, size - 1))
    starts += (base, base + word_positions)
    rows = [ends + starts]
    # a window's words are tokens 1 + first .. 1 + last (token 0 is the marker)
    for start, end, first, last in title_windows(text, window_words):
        rows.append([*(k * char_positions + max(start, end - n + 1) for k, n in enumerate(CHAR_ORDERS)),
                     base + 1 + last, base + word_positions + last,
                     *(k * char_positions + start for k in range(len(CHAR_ORDERS))),
                     base + 1 + first, base + word_positions + 1 + first])
    owner = _TITLE_OWNER if len(rows) == 1 else np.array([-1] + [-2] * (len(rows) - 1), dtype=np.int64)
    return {"chars": chars, "words": np.array(hashes, dtype=np.int64), "index": np.array(rows, dtype=np.int64),
            "owner": owner}


def encode_blocks(texts: Sequence[str], token_lists: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """``(chars int32 [K, L], words int64 [K, W])``: blocks padded with zeros, for the numpy
    reference of the graph; L, W >= 8."""
    length = max(8, max((len(t) for t in texts), default=0))
    chars = np.array(list(texts), dtype=f"<U{length}").view(np.uint32).reshape(len(texts), length)
    width = max(8, max((len(tokens) for tokens in token_lists), default=0))
    words = np.zeros((len(texts), width), dtype=np.int64)
    for row, tokens in enumerate(token_lists):
        hashes = [word_hash(tok) for tok in tokens]
        words[row, : len(hashes)] = hashes
    return chars.view(np.int32), words
