"""Evidence a reviewer can act on: the seller's own words that pushed a listing's score up.

The ONNX graph returns the weight of every hashed feature of a packed batch (``contrib``) and
each block's score. A word weighs what the character n-grams starting inside it weigh, plus its
unigram and its share of the bigrams it is part of. Consecutive words that push toward a
violation make one phrase ("bekas impor", "bal korea"), read back in the seller's spelling; units
and filler ("harga", "cm", "size", a number or "85rb") are never shown on their own.

Only the title and the description segments that score above zero can raise the listing's score
(the graph pools ``max(title + max(0, best - margin), best)``, margin >= 0), so only they are
searched. Pure Python + numpy.
"""

from __future__ import annotations

import re

import numpy as np

from saring.classifier.features import ModelInput, TracedInput, word_spans
from saring.domain.listings import Evidence

__all__ = ["FILLER_WORDS", "MINOR_SHARE", "block_word_weights", "phrases"]

MINOR_SHARE = 0.1  # a phrase worth under this share of the strongest is left out

# Words that say nothing about the law however the weights fall: units, sizes, prices,
# courtesy, and the commonest function words.
FILLER_WORDS = frozenset([
    "harga", "rp", "idr", "k", "rb", "ribu", "jt", "juta", "m", "cm", "mm", "kg", "gr", "gram",
    "g", "ml", "l", "s", "xl", "xxl", "xxxl", "size", "ukuran", "uk", "ld", "pj", "lp", "pb",
    "fit", "pcs", "pc", "psg", "pasang", "lusin", "dan", "atau", "di", "ke", "dari", "yang",
    "untuk", "dengan", "ini", "itu", "ya", "kak", "ka", "gan", "sis", "bun", "the", "a", "an",
    "and", "of", "for", "to", "in", "with", "is", "are", "ready", "stock", "stok", "real",
    "pict", "foto", "warna",
])


def block_word_weights(contrib: np.ndarray, index: np.ndarray, model_in: ModelInput) -> list[np.ndarray]:
    """Per block of one listing, the raw logit weight of each of its words. ``index`` holds the
    listing's rows of the packed ``index`` feed (six segment ends, then six starts)."""
    out = []
    for row, text, tokens in zip(index, model_in.texts, model_in.tokens, strict=True):
        ends, starts = row[:6], row[6:]
        per_char = np.zeros(len(text) + 1)
        for kind in range(4):  # char n-grams of each order, by start position
            segment = contrib[starts[kind] : ends[kind]]
            per_char[: len(segment)] += segment
        spans = word_spans(text)
        if not spans:
            out.append(np.zeros(0))
            continue
        running = np.concatenate(([0.0], np.cumsum(per_char)))
        bounds = np.asarray(spans)
        weights = running[bounds[:, 1]] - running[bounds[:, 0]]
        unigrams = contrib[starts[4] : ends[4]]  # the block marker first, then one per word
        words = min(len(spans), len(tokens) - 1)
        weights[:words] += unigrams[1 : 1 + words]
        bigrams = contrib[starts[5] : ends[5]]  # bigram t joins token t and token t + 1
        if len(bigrams):
            weights[0] += bigrams[0]  # the marker's bigram is its first word at the block's start
            halves = bigrams[1 : words] / 2
            weights[: len(halves)] += halves
            weights[1 : 1 + len(halves)] += halves
        out.append(weights)
    return out


_NUMBER_WITH_UNIT = re.compile(r"[0-9]+[a-z]{0,3}")


def _is_filler(word: str) -> bool:
    word = word.lower()
    return len(word) < 2 or word in FILLER_WORDS or _NUMBER_WITH_UNIT.fullmatch(word) is not None


def phrases(traced: TracedInput, model_in: ModelInput, weights: list[np.ndarray], block_scores: np.ndarray,
            scale: float, limit: int) -> list[Evidence]:
    """The ``limit`` strongest phrases of a listing, strongest first; ``scale`` turns raw logit
    units into the calibrated model's (its Platt slope)."""
    if traced.texts != model_in.texts:  # pragma: no cover - both come from the same normaliser
        return []
    best: dict[str, Evidence] = {}
    for block, (text, word_weights) in enumerate(zip(model_in.texts, weights, strict=True)):
        if block and block_scores[block] <= 0:
            continue  # a segment below zero cannot raise the pooled score
        spans = word_spans(text)
        run: list[int] = []
        for k in [*range(len(word_weights)), len(word_weights)]:
            if k < len(word_weights) and word_weights[k] > 0:
                run.append(k)
                continue
            while run and _is_filler(text[slice(*spans[run[0]])]):
                run.pop(0)
            while run and _is_filler(text[slice(*spans[run[-1]])]):
                run.pop()
            if run:
                start, end = spans[run[0]][0], spans[run[-1]][1]
                term = text[start:end]
                weight = round(float(word_weights[run[0] : run[-1] + 1].sum()) * scale, 4)
                if term not in best or best[term].weight < weight:
                    best[term] = Evidence(term, traced.blocks[block].original(start, end), weight)
            run = []
    ranked = sorted(best.values(), key=lambda item: item.weight, reverse=True)[:limit]
    # a phrase worth under a tenth of the strongest is noise beside it, not a reason
    return [item for item in ranked if item.weight >= MINOR_SHARE * ranked[0].weight]
