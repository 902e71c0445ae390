"""From a listing to the model's input: one concept, one place, used by training and serving.

The model reads two things per listing:

* ``text``: ``normalise(title) + " \\x1f " + normalise(description)`` capped at ``MAX_CHARS``.
  ``\\x1f`` cannot come from a seller (normalisation removes control characters), so the model
  knows where the title ends. The ONNX graph hashes character n-grams of it.
* ``tokens``: the words of ``text`` plus a price-bucket token and category tokens (which start
  with ``\\x01``, again impossible to forge). The ONNX graph hashes word unigrams and bigrams.

``pack_batch`` turns a batch of inputs into the ONNX graph's feeds, packed without padding: code
points and stable word hashes of all listings one after another (zeros between listings) plus
per-listing segment indices. ``encode_batch`` gives the same data padded (``int32 [B, L]`` code
points and ``int64 [B, W]`` word hashes, 0 = padding) for the numpy reference used in training.
Pure Python + numpy: no onnxruntime import here.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from saring.classifier.normalise import NormalisedText, normalise, normalise_with_spans

__all__ = [
    "CHAR_GAP",
    "CHAR_ORDERS",
    "FIELD_SEPARATOR",
    "MAX_CHARS",
    "MAX_WORDS",
    "ModelInput",
    "encode_batch",
    "model_input",
    "pack_batch",
    "price_bucket",
    "word_spans",
]

MAX_CHARS = 768
MAX_WORDS = 160
FIELD_SEPARATOR = " \x1f "
_WORD = re.compile(r"[a-z0-9]+")
_CATEGORY_SPLIT = re.compile(r"\s*[/>|,]\s*|\s*›\s*")
_PRICE_EDGES = (
    (15_000, "lt15k"),
    (35_000, "lt35k"),
    (75_000, "lt75k"),
    (150_000, "lt150k"),
    (300_000, "lt300k"),
    (750_000, "lt750k"),
    (2_000_000, "lt2m"),
)


_PRICE_EDGE_VALUES = tuple(edge for edge, _ in _PRICE_EDGES)


@dataclass(frozen=True, slots=True)
class ModelInput:
    text: str
    tokens: tuple[str, ...]  # price / category tokens first, then the words of ``text``
    n_meta: int = 0  # how many of ``tokens`` are price / category tokens


def price_bucket(price_idr: int | float | None) -> str:
    if price_idr is None or isinstance(price_idr, bool):
        return "none"
    try:
        price = float(price_idr)
    except (TypeError, ValueError):
        return "none"
    except OverflowError:  # an int beyond any float: beyond the top edge too
        return "ge2m"
    if not price > 0:  # also NaN
        return "none"
    position = bisect_right(_PRICE_EDGE_VALUES, price)
    return _PRICE_EDGES[position][1] if position < len(_PRICE_EDGES) else "ge2m"


@lru_cache(maxsize=4096)
def _category_tokens(category: str | None) -> tuple[str, ...]:
    if not category:
        return ("\x01cat:none",)
    parts = [p.replace(" ", "-") for p in _CATEGORY_SPLIT.split(normalise(category)) if p]
    if not parts:
        return ("\x01cat:none",)
    if len(parts) > 1:
        return ("\x01cat1:" + parts[0], "\x01cat2:" + parts[1])
    return ("\x01cat1:" + parts[0],)


def _join_fields(title: str, description: str) -> str:
    text = title + FIELD_SEPARATOR + description if description else title
    return text[:MAX_CHARS]


@lru_cache(maxsize=4096)
def _meta_tokens(category: str | None, bucket: str) -> tuple[str, ...]:
    meta = [*_category_tokens(category), "\x01price:" + bucket]
    # the price crossed with the top category: "cheap + clothing" differs from "cheap + snacks"
    meta.append(meta[0] + "|" + bucket)
    return tuple(meta)


def model_input(
    title: str | None,
    description: str | None = None,
    price_idr: int | float | None = None,
    category: str | None = None,
) -> ModelInput:
    """The model's view of a listing's fields (titles and descriptions of any content)."""
    text = normalise(title or "")
    if description:
        text = _join_fields(text, normalise(description))
    elif len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    meta = _meta_tokens(category if isinstance(category, str) else None, price_bucket(price_idr))
    words = _WORD.findall(text)
    if len(words) > MAX_WORDS - len(meta):
        del words[MAX_WORDS - len(meta) :]
    return ModelInput(text, meta + tuple(words), len(meta))


def listing_input(listing) -> ModelInput:  # listing: saring.domain.listings.Listing
    return model_input(listing.title, listing.description, listing.price_idr, listing.category)


@dataclass(frozen=True, slots=True)
class TracedText:
    """The model text plus, per character, which field and original span it came from."""

    text: str
    title: NormalisedText
    description: NormalisedText
    title_raw: str
    description_raw: str

    def original(self, start: int, end: int) -> str:
        """The seller's own text behind model-text characters ``[start, end)``."""
        title_len = len(self.title.text)
        if end <= title_len:
            a, b = self.title.original_span(start, end)
            return self.title_raw[a:b]
        offset = title_len + len(FIELD_SEPARATOR)
        if start >= offset:
            a, b = self.description.original_span(start - offset, end - offset)
            return self.description_raw[a:b]
        return self.text[start:end]


def traced_text(title: str | None, description: str | None) -> TracedText:
    title_raw, description_raw = title or "", description or ""
    t, d = normalise_with_spans(title_raw), normalise_with_spans(description_raw)
    return TracedText(_join_fields(t.text, d.text), t, d, title_raw, description_raw)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the words in a model text, in the order they appear in ``ModelInput.tokens``."""
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


def pack_batch(inputs: Sequence[ModelInput]) -> dict[str, np.ndarray]:
    """The ONNX graph's feeds for a batch, packed without padding (layout: ``models/listing_model.py``).

    ``chars`` int64 [T]: code points, each text followed by ``CHAR_GAP`` zeros, plus one zero;
    ``words`` int64 [Tw]: ``word_hash`` of the tokens, each listing followed by one zero, plus one
    zero; ``index`` int64 [B, 12]: per listing, the ends then the starts of its six feature
    segments (char n = 2..5, word unigrams, word bigrams) in the graph's flat feature vector.
    """
    if len(inputs) == 1:
        return _pack_one(inputs[0])
    return _pack_many(inputs)


def _pack_many(inputs: Sequence[ModelInput]) -> dict[str, np.ndarray]:
    count = len(inputs)
    texts = [item.text for item in inputs]
    joined = _CHAR_SEP.join(texts) + _CHAR_TAIL
    if joined.isascii():  # normalised text always is
        chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).astype(np.int64)
    else:
        chars = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)

    if len(_TOKEN_HASHES) > _TOKEN_HASHES_MAX:
        _TOKEN_HASHES.clear()
    hashes: list[int] = []
    extend, append, known, new = hashes.extend, hashes.append, _TOKEN_HASHES.get, _new_token_hash
    for item in inputs:
        extend([known(token) or new(token) for token in item.tokens])
        append(0)
    append(0)
    words = np.array(hashes, dtype=np.int64)

    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=count)
    sizes = np.fromiter([len(item.tokens) for item in inputs], dtype=np.int64, count=count)
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
    return {"chars": chars, "words": words, "index": index}


def _pack_one(item: ModelInput) -> dict[str, np.ndarray]:
    """``pack_batch([item])`` with plain Python arithmetic (numpy is slow on tiny arrays)."""
    text, tokens = item.text, item.tokens
    joined = text + _CHAR_TAIL
    if joined.isascii():
        chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).astype(np.int64)
    else:
        chars = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
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
    index = np.array([ends + starts], dtype=np.int64)
    return {"chars": chars, "words": np.array(hashes, dtype=np.int64), "index": index}


def encode_batch(inputs: Sequence[ModelInput]) -> tuple[np.ndarray, np.ndarray]:
    """``(chars int32 [B, L], words int64 [B, W])`` for the ONNX graph; L, W >= 8."""
    texts = [item.text for item in inputs]
    length = max(8, max((len(t) for t in texts), default=0))
    chars = np.array(texts, dtype=f"<U{length}").view(np.uint32).reshape(len(texts), length)
    width = max(8, max((len(item.tokens) for item in inputs), default=0))
    words = np.zeros((len(inputs), width), dtype=np.int64)
    for row, item in enumerate(inputs):
        hashes = [word_hash(tok) for tok in item.tokens]
        words[row, : len(hashes)] = hashes
    return chars.view(np.int32), words
