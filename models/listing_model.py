"""The model itself: hashed n-gram features, a linear scorer, Platt calibration, and its ONNX graph.

Why a hand-built graph: feature extraction happens *inside* the ONNX graph, on integer tensors
(code points and word hashes), with nothing but arithmetic, Gather and reductions. So

* there is no string op in the graph (no StringNormalizer, nothing locale-dependent: loads
  under ``LANG=C``), and no disagreement about whitespace (Python normalised it already);
* one ``run`` scores a whole batch, and Python only normalises text and hashes words;
* the same integer hashing is written twice, here in numpy (the training-time reference that
  builds the scipy matrix scikit-learn fits, on padded ``[B, L]`` arrays from ``encode_batch``)
  and as ONNX nodes (on the packed, padding-free layout of ``pack_batch``: no work is spent on
  padding, whatever the spread of lengths in a batch), and a test checks they agree.

Features (``FeatureConfig``): character n-grams (n = 2..5) of the model text and word unigrams
and bigrams of the model tokens (which include price and category tokens), hashed into
``2**hash_bits`` buckets. Each block is scaled by ``1/sqrt(its n-gram count)`` so long
descriptions don't drown a short title. Weights are stored as float16 (half the file size); the
reference uses the same rounded weights.

Outputs: ``probability`` [B], ``logit`` [B], and for ``explain``: ``contrib`` (the weight of every
hashed feature position of the packed batch, raw logit units, see the layout below) and
``scale`` [B, 2] (the ``1/sqrt(count)`` of the char and word blocks).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

MASK31 = 0x7FFFFFFF


@dataclass(frozen=True)
class FeatureConfig:
    hash_bits: int = 20
    char_ngrams: tuple[int, ...] = (2, 3, 4, 5)
    prime: int = 1_000_003
    mixer: int = 0x5BD1E995
    char_salts: tuple[int, ...] = (0x1B873593, 0x2C1B3C6D, 0x297A2D39, 0x3C6EF372)
    unigram_salt: int = 0x68E31DA4
    bigram_salt: int = 0x1B56C4E9

    def to_dict(self) -> dict:
        data = asdict(self)
        data["char_ngrams"] = list(self.char_ngrams)
        data["char_salts"] = list(self.char_salts)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> FeatureConfig:
        return cls(**{**data, "char_ngrams": tuple(data["char_ngrams"]), "char_salts": tuple(data["char_salts"])})


# ----------------------------------------------------------------------------------------------
# numpy reference
# ----------------------------------------------------------------------------------------------


def _mix(h: np.ndarray, salt: int, cfg: FeatureConfig) -> np.ndarray:
    x = (h + salt) & MASK31
    x = (x * cfg.mixer) & MASK31
    return x // (1 << (31 - cfg.hash_bits))


def hashed_blocks(chars: np.ndarray, words: np.ndarray, cfg: FeatureConfig):
    """Yield ``(block, index [B, m], valid [B, m])`` exactly as the ONNX graph computes them."""
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


def feature_matrix(chars: np.ndarray, words: np.ndarray, cfg: FeatureConfig):
    """The scipy CSR matrix [B, 2**hash_bits] whose dot product with the weights is the logit."""
    from scipy import sparse

    blocks = list(hashed_blocks(chars, words, cfg))
    batch = chars.shape[0]
    counts = {"char": np.zeros(batch), "word": np.zeros(batch)}
    for block, _, valid in blocks:
        counts[block] += valid.sum(axis=1)
    scale = {k: 1.0 / np.sqrt(np.maximum(v, 1.0)) for k, v in counts.items()}
    rows, cols, vals = [], [], []
    for block, index, valid in blocks:
        r, col = np.nonzero(valid)
        rows.append(r)
        cols.append(index[r, col])
        vals.append(scale[block][r])
    matrix = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(batch, 1 << cfg.hash_bits),
        dtype=np.float64,
    )
    matrix.sum_duplicates()
    return matrix


@dataclass
class LinearModel:
    weights: np.ndarray  # float32 [2**hash_bits], already rounded through float16
    bias: float
    platt_a: float
    platt_b: float
    cfg: FeatureConfig

    def raw_logit(self, matrix) -> np.ndarray:
        return np.asarray(matrix @ self.weights.astype(np.float64)).ravel() + self.bias

    def probability_from_raw(self, raw: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.platt_a * raw + self.platt_b)))

    def predict(self, chars: np.ndarray, words: np.ndarray) -> np.ndarray:
        return self.probability_from_raw(self.raw_logit(feature_matrix(chars, words, self.cfg)))


# ----------------------------------------------------------------------------------------------
# ONNX graph
# ----------------------------------------------------------------------------------------------


# The graph reads a *packed* batch (no padding, see ``saring.classifier.features.pack_batch``):
#
# * ``chars`` int64 [T]: the code points of the texts one after another, each followed by
#   ``CHAR_GAP`` zeros, plus one final zero. An n-gram (n <= 5) starting inside a text never
#   reaches the next text. Order n = 2..5 is hashed at every start position p < T - CHAR_GAP.
# * ``words`` int64 [Tw]: the word hashes (``< 2**31``) one listing after another, each followed
#   by one zero, plus one final zero. Unigrams and bigrams are hashed at every p < Tw - 1.
# * The weights of all these features are looked up into one flat vector ``contrib``
#   ([4 * T' + 2 * Tw'] in the order char n=2..5, word unigrams, word bigrams) whose exclusive
#   float64 prefix sum ``S`` gives any segment sum as a difference.
# * ``index`` int64 [B, 12]: per listing, six segment ends then the six matching segment starts
#   into ``S`` (one segment per feature kind: start positions whose feature lies wholly inside
#   the listing). ``sum(end - start)`` per block is the listing's feature count, so the graph needs
#   no validity mask; per listing ``logit = sum per block / sqrt(count per block)``, as in the
#   reference ``feature_matrix``.
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
    inits.append(numpy_helper.from_array(model.weights.astype(np.float16), "weights_f16"))
    weights = op("Cast", ["weights_f16"], "weights", to=TensorProto.DOUBLE)  # folded at load time

    def shifted(x: str, start: int, gap: int) -> str:
        """x[start : len(x) - gap + start]"""
        end = start - gap if start < gap else big
        return op("Slice", [x, const([start]), const([end]), axis0])

    def roll(h: str, c: str) -> str:
        return op("BitwiseAnd", [op("Add", [op("Mul", [h, prime]), c]), mask])

    salted = []
    chars = [shifted("chars", j, CHAR_GAP) for j in range(CHAR_GAP + 1)]
    h = chars[0]
    for j, salt in zip(range(1, CHAR_GAP + 1), cfg.char_salts, strict=True):
        h = roll(h, chars[j])
        salted.append(op("Add", [h, const([salt])]))
    first, second = shifted("words", 0, WORD_GAP), shifted("words", 1, WORD_GAP)
    salted.append(op("Add", [first, const([cfg.unigram_salt])]))
    salted.append(op("Add", [roll(first, second), const([cfg.bigram_salt])]))
    # mix: ((h + salt) & M) * mixer & M == ((h + salt) * mixer) & M, as (2**32) * mixer < 2**63
    x = op("BitwiseAnd", [op("Mul", [op("Concat", salted, axis=0), const(cfg.mixer)]), mask])
    index = op("Div", [x, const(1 << (31 - cfg.hash_bits))])
    # GatherElements on 1-D tensors is a tight loop (~10x faster than Gather for single elements)
    contrib = op("GatherElements", [weights, index], out="contrib", axis=0)
    prefix = op("CumSum", [contrib, const(0)], exclusive=1)
    picked = op("Gather", [prefix, "index"], axis=0)  # [B, 12]
    blocks = np.zeros((2 * KINDS, 2))
    blocks[:4, 0], blocks[KINDS : KINDS + 4, 0] = 1.0, -1.0
    blocks[4:KINDS, 1], blocks[KINDS + 4 :, 1] = 1.0, -1.0
    blocks = const(blocks, np.float64)
    totals = op("MatMul", [picked, blocks])  # [B, 2]: char block, word block
    counts = op("MatMul", [op("Cast", ["index"], to=TensorProto.DOUBLE), blocks])
    scale = op("Reciprocal", [op("Sqrt", [op("Max", [counts, const(1.0, np.float64)])])], out="scale")
    raw = op("MatMul", [op("Mul", [totals, scale]), const([1.0, 1.0], np.float64)])
    logit = op("Add", [op("Mul", [raw, const(model.platt_a, np.float64)]),
                       const(model.platt_a * model.bias + model.platt_b, np.float64)])
    op("Cast", [logit], out="logit", to=TensorProto.FLOAT)
    op("Cast", [op("Sigmoid", [logit])], out="probability", to=TensorProto.FLOAT)

    graph = helper.make_graph(
        nodes,
        "saring_listing_classifier",
        [helper.make_tensor_value_info("chars", TensorProto.INT64, ["chars"]),
         helper.make_tensor_value_info("words", TensorProto.INT64, ["words"]),
         helper.make_tensor_value_info("index", TensorProto.INT64, ["batch", 2 * KINDS])],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["batch"]),
         helper.make_tensor_value_info("logit", TensorProto.FLOAT, ["batch"]),
         helper.make_tensor_value_info("contrib", TensorProto.DOUBLE, ["positions"]),
         helper.make_tensor_value_info("scale", TensorProto.DOUBLE, ["batch", 2])],
        inits,
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)],
                              producer_name="saring-train", producer_version=producer_version, doc_string=doc)
    proto.ir_version = 9
    onnx.checker.check_model(proto)
    return proto
