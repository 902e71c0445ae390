"""The model itself: hashed n-gram block scores, max pooling, Platt calibration, its ONNX graph.

Why a hand-built graph: feature extraction happens *inside* the ONNX graph, on integer tensors
(code points and word hashes), with nothing but arithmetic, Gather and reductions. So

* there is no string op in the graph (no StringNormalizer, nothing locale-dependent: loads
  under ``LANG=C``), and no disagreement about whitespace (Python normalised it already);
* one ``run`` scores a whole batch, and Python only normalises, segments and hashes;
* the same integer hashing is written twice, here in numpy (the training-time reference that
  builds the scipy matrix scikit-learn fits, on padded ``[K, L]`` arrays from ``encode_blocks``)
  and as ONNX nodes (on the packed, padding-free layout of ``pack_batch``), and a test checks
  they agree.

A listing is a title block and description segments (``saring.classifier.features``). Each block
scores ``w . x`` where ``x`` holds its hashed character 2..5-grams and word unigrams and bigrams
(block marker included, so each kind of block has its own bias), signed hashing (an unseen n-gram
adds a weight or its negation, so unseen text averages to nothing) and a length weight shared by
every feature. No length scaling: blocks are short by construction. With ``best`` the highest of
the description's segments and pairs of adjacent segments, the violation score is

    bias + max(title + max(0, best - segment_margin), best)

so a description can only raise the title's score, by what its single most telling segment or
pair of adjacent segments scores above a margin; nothing a seller appends, prepends or inserts can
dilute that. The margin (``TrainConfig.segment_margin``): the best of the many segments and pairs
of a long ordinary text scores above zero by chance, so without it any shop text lifted a title a
little, and listings just under TAKEDOWN crossed it. ``title`` is
the higher of the whole title's score and its best *window* (three consecutive words, scored with
the same weights and a bias of its own): every ordinary title word weighs a little toward legal,
and "Kemeja Flanel Pria Uniqlo Bekas Impor Jepang Bisa COD" summed as one block hid its tell,
which the window "uniqlo bekas impor" still holds. And a segment
that says it all counts on its own: a long title of ordinary words ("Kemeja Batik Pria Lengan
Panjang Motif Parang") scores below zero, and added to the tell it would hide "bekas impor" in the
description. Its training rows are *units* (the title alone, a segment or pair alone, the title
with a segment or pair, a title window alone), each labelled by whether it holds a whole
violation signal; the deployed ``max`` is the best unit.

A second, smaller linear head, the *clothing gate*, reads the title's words and says how likely
the thing sold is clothing, shoes or bags (what HS 6309 covers); it is trained on real titles'
categories and on carrier titles (product words, no trade words). The listing's logit is
``min(a * violation + b, k * clothing + m)``, a soft AND: a title that is plainly something else
("Lego", "beras 25 kg") is held down however loud its trade words, and a clothing title, or one
that names no product, loses nothing.
Weights are stored as float16 (half the file size); the reference uses the same rounded weights.

Outputs: ``probability`` [B], ``clothing`` [B] (the gate's probability that the title sells
clothing, shoes or bags), and for explanations ``contrib`` (the signed weight
of every hashed feature position of the packed batch, raw units, layout below) and
``block_scores`` [K] (each block's ``w . x``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

MASK31 = 0x7FFFFFFF


@dataclass(frozen=True)
class FeatureConfig:
    hash_bits: int = 20
    gate_bits: int = 18
    char_ngrams: tuple[int, ...] = (2, 3, 4, 5)
    prime: int = 1_000_003
    mixer: int = 0x5BD1E995
    char_salts: tuple[int, ...] = (0x1B873593, 0x2C1B3C6D, 0x297A2D39, 0x3C6EF372)
    unigram_salt: int = 0x68E31DA4
    bigram_salt: int = 0x1B56C4E9
    # Words per title window (``saring.classifier.features.title_windows``); 0: the title is read
    # whole only (models before listing-classifier-e4193c96366e). The graph pools windows whenever
    # the packed batch holds some.
    title_window_words: int = 3

    def to_dict(self) -> dict:
        data = asdict(self)
        data["char_ngrams"] = list(self.char_ngrams)
        data["char_salts"] = list(self.char_salts)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> FeatureConfig:
        """The configuration a model's ``metadata.json["features"]`` records; keys that are not
        fields (what the graph's inputs mean, text limits) are left out. A model from before title
        windows records no ``title_window_words``: it had none."""
        names = {f.name for f in fields(cls)}
        given = {key: value for key, value in data.items() if key in names}
        return cls(**{"title_window_words": 0, **given, "char_ngrams": tuple(given["char_ngrams"]),
                      "char_salts": tuple(given["char_salts"])})


# ----------------------------------------------------------------------------------------------
# numpy reference
# ----------------------------------------------------------------------------------------------


def _mix(h: np.ndarray, salt: int, cfg: FeatureConfig) -> np.ndarray:
    x = (h + salt) & MASK31
    return (x * cfg.mixer) & MASK31


def signed_bucket(x: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(bucket, sign) of mixed 31-bit hashes: the top ``bits`` bits pick the bucket, the next bit
    the sign. Signed hashing (Weinberger et al., ICML 2009): an n-gram the model never saw
    collides with a trained one as often with + as with -, so unseen text averages to nothing."""
    signed = x >> (30 - bits)
    return signed >> 1, 1 - 2 * (signed & 1)


def hashed_blocks(chars: np.ndarray, words: np.ndarray, cfg: FeatureConfig):
    """Yield ``(block, mixed hash [B, m], valid [B, m])`` exactly as the ONNX graph computes them."""
    c = chars.astype(np.int64)
    length = c.shape[1]
    for n, salt in zip(cfg.char_ngrams, cfg.char_salts, strict=True):
        h = c[:, 0 : length - n + 1]
        for j in range(1, n):
            h = (h * cfg.prime + c[:, j : length - n + 1 + j]) & MASK31
        yield "char", _mix(h, salt, cfg), c[:, n - 1 :] > 0
    w = words.astype(np.int64) & MASK31
    yield "word", _mix(w, cfg.unigram_salt, cfg), words > 0
    h = (w[:, :-1] * cfg.prime + w[:, 1:]) & MASK31
    yield "word", _mix(h, cfg.bigram_salt, cfg), words[:, 1:] > 0


# how block scores make a listing's violation score (``pool``, the graph); metadata and model card
# quote it
POOLING = ("bias + max(title + max(0, best - segment_margin), best), title: the whole title or, with title "
           "windows, the higher of it and its best window, best: the best segment or adjacent pair of segments")
LENGTH_UNIT = 0.01  # the length column counts a block's features in hundreds


def _matrix(parts, bits: int, batch: int, length_column: bool):
    from scipy import sparse

    rows, cols, vals = [], [], []
    counts = np.zeros(batch)
    for _, mixed, valid in parts:
        r, col = np.nonzero(valid)
        bucket, sign = signed_bucket(mixed[r, col], bits)
        rows.append(r)
        cols.append(bucket)
        vals.append(sign.astype(np.float64))
        counts += valid.sum(axis=1)
    width = 1 << bits
    if length_column:
        rows.append(np.arange(batch))
        cols.append(np.full(batch, width))
        vals.append(counts * LENGTH_UNIT)
        width += 1
    matrix = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                               shape=(batch, width), dtype=np.float64)
    matrix.sum_duplicates()
    return matrix


def block_matrix(chars: np.ndarray, words: np.ndarray, cfg: FeatureConfig):
    """The scipy CSR matrix [K, 2**hash_bits + 1] of signed hashed feature counts per block; the
    last column is the block's feature count times ``LENGTH_UNIT``, whose weight is what any
    feature is worth beside its own (so a block's score need not grow with its length)."""
    return _matrix(hashed_blocks(chars, words, cfg), cfg.hash_bits, chars.shape[0], True)


def with_window_column(matrix, is_window: np.ndarray):
    """``matrix`` with one more column: 1 for rows that are title windows (``window_bias``)."""
    from scipy import sparse

    column = sparse.csr_matrix(np.asarray(is_window, dtype=np.float64).reshape(-1, 1))
    return sparse.hstack([matrix, column], format="csr")


def gate_matrix(chars: np.ndarray, words: np.ndarray, cfg: FeatureConfig):
    """The clothing gate's features of title blocks: signed hashed word unigrams and bigrams in
    ``2**gate_bits`` buckets."""
    parts = [part for part in hashed_blocks(chars, words, cfg) if part[0] == "word"]
    return _matrix(parts, cfg.gate_bits, chars.shape[0], False)


def pool(block_scores: np.ndarray, owner: np.ndarray, segment_margin: float = 0.0) -> np.ndarray:
    """Per listing ``max(title + max(0, best - segment_margin), best)``, ``title`` the higher of the
    title block and its best word window, ``best`` the highest segment or adjacent pair (minus infinity without a
    description), from per-block scores and ``owner`` (-1 for a title block, the listing of a
    segment, ``-2 - listing`` for a title window), as the graph does."""
    title = block_scores[owner == -1].astype(np.float64)
    window = owner < -1
    np.maximum.at(title, -2 - owner[window], block_scores[window])
    best = np.full(len(title), -np.inf)
    segment = owner >= 0
    np.maximum.at(best, owner[segment], block_scores[segment])
    pair = segment[:-1] & (owner[:-1] == owner[1:])
    np.maximum.at(best, owner[:-1][pair], (block_scores[:-1] + block_scores[1:])[pair])
    return np.maximum(title + np.maximum(best - segment_margin, 0.0), best)


@dataclass
class LinearModel:
    """``p = sigmoid(min(a * violation + b, k * clothing + m))``: ``violation`` is the pooled
    block score, ``clothing`` the gate's log-odds that the title sells clothing, shoes or bags.
    A soft AND: the ban covers nothing else, so however loud its trade words, a listing scores no
    higher than the evidence that it sells clothing allows; a title that names no product at all
    ("bal Korea campur") sits at the gate's prior, which allows a TAKEDOWN. ``a``, ``b``, ``k``
    are fitted on validation data; ``m`` is set (``TrainConfig.gate_ceiling``)."""

    weights: np.ndarray  # float32 [2**hash_bits + 1], rounded through float16; the last is the
    # length column's
    bias: float
    window_bias: float  # what a title window is worth beside its words (it has no block marker)
    gate_weights: np.ndarray  # float32 [2**gate_bits], rounded through float16
    gate_bias: float
    platt_a: float
    platt_b: float
    gate_k: float
    gate_m: float
    cfg: FeatureConfig
    # what a description segment must score before it adds to the title (``pool``): the best of
    # many ordinary segments and pairs sits above zero by chance, and without a margin any shop
    # text lifts a listing's title a little
    segment_margin: float = 0.0

    def block_scores(self, matrix) -> np.ndarray:
        """Scores of the rows of a ``with_window_column`` matrix (blocks and title windows)."""
        return np.asarray(matrix @ np.append(self.weights.astype(np.float64), self.window_bias)).ravel()

    def violation(self, block_scores: np.ndarray, owner: np.ndarray) -> np.ndarray:
        return pool(block_scores, owner, self.segment_margin) + self.bias

    def clothing(self, gate_features) -> np.ndarray:
        return np.asarray(gate_features @ self.gate_weights.astype(np.float64)).ravel() + self.gate_bias

    def logit(self, violation: np.ndarray, clothing: np.ndarray) -> np.ndarray:
        return np.minimum(self.platt_a * violation + self.platt_b, self.gate_k * clothing + self.gate_m)

    def probability(self, violation: np.ndarray, clothing: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logit(violation, clothing)))


# ----------------------------------------------------------------------------------------------
# ONNX graph
# ----------------------------------------------------------------------------------------------


# The graph reads a *packed* batch (no padding, see ``saring.classifier.features.pack_batch``):
#
# * ``chars`` int64 [T]: the code points of the texts one after another, each followed by
#   ``CHAR_GAP`` zeros, plus one final zero. An n-gram (n <= 5) starting inside a text never
#   reaches the next text. Order n = 2..5 is hashed at every start position p < T - CHAR_GAP.
# * ``words`` int64 [Tw]: the word hashes (``< 2**31``) one block after another, each followed
#   by one zero, plus one final zero. Unigrams and bigrams are hashed at every p < Tw - 1.
# * The weights of all these features are looked up into one flat vector ``contrib``
#   ([4 * T' + 2 * Tw'] in the order char n=2..5, word unigrams, word bigrams) whose exclusive
#   float64 prefix sum ``S`` gives any segment sum as a difference.
# * ``index`` int64 [K, 12]: per block, six segment ends then the six matching segment starts
#   into ``S`` (one segment per feature kind: start positions whose feature lies wholly inside
#   the block), so a block's score is one difference of prefix sums per kind.
# * ``owner`` int64 [K]: -1 for a listing's title block (one per listing, in listing order),
#   the listing a description segment belongs to (segments of a listing follow its title), or
#   ``-2 - listing`` for a title window: a run of words of a title block, whose ``index`` row
#   picks the block's features that lie wholly inside the run (windows follow all blocks).
CHAR_GAP = 4  # = max(char_ngrams) - 1
WORD_GAP = 1
KINDS = 6  # char n = 2, 3, 4, 5, word unigrams, word bigrams


def build_onnx(model: LinearModel, *, producer_version: str = "", doc: str = ""):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    cfg = model.cfg
    if tuple(cfg.char_ngrams) != (2, 3, 4, 5):
        raise ValueError("the packed graph expects char_ngrams = (2, 3, 4, 5)")
    nodes: list = []
    inits: list = []
    counter = [0]

    def name(prefix: str) -> str:
        counter[0] += 1
        return f"{prefix}_{counter[0]}"

    def const(value, dtype=np.int64, prefix="c") -> str:
        n = name(prefix)
        inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), n))
        return n

    def op(kind: str, inputs: list[str], prefix: str | None = None, out: str | None = None, **attrs) -> str:
        out = out or name(prefix or kind.lower())
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    mask = const(MASK31)
    prime = const(cfg.prime)
    axis0 = const([0])
    big = np.iinfo(np.int64).max

    def weights_from(values: np.ndarray, name_: str) -> str:
        inits.append(numpy_helper.from_array(values.astype(np.float16), name_))
        return op("Cast", [name_], to=TensorProto.DOUBLE)  # folded once when the session loads

    weights = weights_from(model.weights[:-1], "weights_f16")
    gate_weights = weights_from(model.gate_weights, "gate_weights_f16")
    length_weight = const(float(model.weights[-1]) * LENGTH_UNIT, np.float64)

    def signed_lookup(table: str, mixed_: str, bits: int, out: str | None = None) -> str:
        """The weight of each hashed feature with its sign (``signed_bucket``)."""
        signed_ = op("Div", [mixed_, const(1 << (30 - bits))])
        bucket = op("Div", [signed_, const(2)])
        sign = op("Sub", [const(1.0, np.float64), op("Mul", [op("Cast", [op("BitwiseAnd", [signed_, const(1)])],
                                                                 to=TensorProto.DOUBLE), const(2.0, np.float64)])])
        # GatherElements on 1-D tensors is a tight loop (~10x faster than Gather for single elements)
        return op("Mul", [op("GatherElements", [table, bucket], axis=0), sign], out=out)

    def shifted(x: str, start: int, gap: int) -> str:
        """x[start : len(x) - gap + start]"""
        end = start - gap if start < gap else big
        return op("Slice", [x, const([start]), const([end]), axis0])

    def roll(h: str, c: str) -> str:
        return op("BitwiseAnd", [op("Add", [op("Mul", [h, prime]), c]), mask])

    def mix(salted: list[str]) -> str:
        # ((h + salt) & M) * mixer & M == ((h + salt) * mixer) & M, as (2**32) * mixer < 2**63
        return op("BitwiseAnd", [op("Mul", [op("Concat", salted, axis=0), const(cfg.mixer)]), mask])

    salted = []
    chars = [shifted("chars", j, CHAR_GAP) for j in range(CHAR_GAP + 1)]
    h = chars[0]
    for j, salt in zip(range(1, CHAR_GAP + 1), cfg.char_salts, strict=True):
        h = roll(h, chars[j])
        salted.append(op("Add", [h, const([salt])]))
    first, second = shifted("words", 0, WORD_GAP), shifted("words", 1, WORD_GAP)
    word_mixed = mix([op("Add", [first, const([cfg.unigram_salt])]),
                      op("Add", [roll(first, second), const([cfg.bigram_salt])])])
    mixed = op("Concat", [mix(salted), word_mixed], axis=0)
    # every feature also carries the length column's weight, so ``contrib`` sums to block scores
    contrib = op("Add", [signed_lookup(weights, mixed, cfg.hash_bits), length_weight], out="contrib")
    prefix = op("CumSum", [contrib, const(0)], exclusive=1)
    picked = op("Gather", [prefix, "index"], axis=0)  # [K, 12]
    signs = const([1.0] * KINDS + [-1.0] * KINDS, np.float64)
    raw_scores = op("MatMul", [picked, signs])  # [K]

    # the clothing gate: word unigrams and bigrams of each block, read for title blocks only
    gate_contrib = signed_lookup(gate_weights, word_mixed, cfg.gate_bits)
    gate_prefix = op("CumSum", [gate_contrib, const(0)], exclusive=1)
    word_base = op("Mul", [op("Sub", [op("Shape", ["chars"]), const([CHAR_GAP])]), const([len(cfg.char_ngrams)])])
    word_index = op("Sub", [op("Gather", ["index", const([4, 5, 10, 11])], axis=1), word_base])  # [K, 4]
    gate_scores = op("MatMul", [op("Gather", [gate_prefix, word_index], axis=0),
                                const([1.0, 1.0, -1.0, -1.0], np.float64)])  # [K]

    # pooling: max(title + max(0, best - margin), best), title the higher of the title block and its
    # best window, best the highest segment or adjacent pair, per listing
    minus_one = const(-1)
    is_segment = op("Greater", ["owner", minus_one])
    is_window = op("Less", ["owner", minus_one])
    is_title = op("Equal", ["owner", minus_one])
    scores = op("Add", [raw_scores, op("Mul", [op("Cast", [is_window], to=TensorProto.DOUBLE),
                                               const(model.window_bias, np.float64)])], out="block_scores")  # [K]
    window_listing = op("Sub", [const(-2), op("Compress", ["owner", is_window], axis=0)])
    title = op("ScatterElements", [op("Compress", [scores, is_title], axis=0), window_listing,
                                   op("Compress", [scores, is_window], axis=0)], axis=0, reduction="max")  # [B]
    segment_scores = op("Compress", [scores, is_segment], axis=0)
    segment_owner = op("Compress", ["owner", is_segment], axis=0)
    first_owner, next_owner = shifted("owner", 0, 1), shifted("owner", 1, 1)
    is_pair = op("And", [op("Greater", [first_owner, minus_one]), op("Equal", [first_owner, next_owner])])
    pair_scores = op("Compress", [op("Add", [shifted(scores, 0, 1), shifted(scores, 1, 1)]), is_pair], axis=0)
    pair_owner = op("Compress", [first_owner, is_pair], axis=0)
    # without a description, best is far below any title: max(title + 0, best) is the title
    floor = op("Add", [op("Mul", [title, const(0.0, np.float64)]), const(-1e30, np.float64)])
    best = op("ScatterElements", [floor, op("Concat", [segment_owner, pair_owner], axis=0),
                                  op("Concat", [segment_scores, pair_scores], axis=0)],
              axis=0, reduction="max")
    raised = op("Add", [title, op("Max", [op("Sub", [best, const(model.segment_margin, np.float64)]),
                                          const(0.0, np.float64)])])
    violation = op("Add", [op("Max", [raised, best]), const(model.bias, np.float64)])
    clothing = op("Add", [op("Compress", [gate_scores, is_title], axis=0), const(model.gate_bias, np.float64)])

    def affine(x: str, a: float, b: float) -> str:
        return op("Add", [op("Mul", [x, const(a, np.float64)]), const(b, np.float64)])

    logit = op("Min", [affine(violation, model.platt_a, model.platt_b), affine(clothing, model.gate_k, model.gate_m)])
    op("Cast", [op("Sigmoid", [clothing])], out="clothing", to=TensorProto.FLOAT)
    op("Cast", [op("Sigmoid", [logit])], out="probability", to=TensorProto.FLOAT)

    graph = helper.make_graph(
        nodes,
        "saring_listing_classifier",
        [helper.make_tensor_value_info("chars", TensorProto.INT64, ["chars"]),
         helper.make_tensor_value_info("words", TensorProto.INT64, ["words"]),
         helper.make_tensor_value_info("index", TensorProto.INT64, ["blocks", 2 * KINDS]),
         helper.make_tensor_value_info("owner", TensorProto.INT64, ["blocks"])],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["batch"]),
         helper.make_tensor_value_info("clothing", TensorProto.FLOAT, ["batch"]),
         helper.make_tensor_value_info("contrib", TensorProto.DOUBLE, ["positions"]),
         helper.make_tensor_value_info("block_scores", TensorProto.DOUBLE, ["blocks"])],
        inits,
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)],
                              producer_name="saring-train", producer_version=producer_version, doc_string=doc)
    proto.ir_version = 9
    onnx.checker.check_model(proto)
    return proto
