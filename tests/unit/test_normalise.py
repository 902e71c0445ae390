"""Normalisation: examples from docs/domain.md's evasions and false positives, plus properties."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saring.classifier import normalise as N
from saring.classifier.normalise import normalise, normalise_with_spans


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("THR1FT Jaket", "thrift jaket"),
        ("b3k4s", "bekas"),
        ("s3c0nd", "second"),
        ("ba1pres", "balpres"),
        ("pre1oved", "preloved"),
        ("c@kar", "cakar"),
        ("t.h.r.i.f.t", "thrift"),
        ("b e k a s", "bekas"),
        ("t_h_r_i_f_t", "thrift"),
        ("t * h * r * i * f * t", "thrift"),
        ("b 3 k 4 s", "bekas"),
        ("th-rift", "thrift"),
        ("thr.ift", "thrift"),
        ("pre-loved", "preloved"),
        ("awul-awul", "awul awul"),
        ("ex-jepang", "ex jepang"),
        ("ᴛʜʀɪꜰᴛ", "thrift"),
        ("ｔｈｒｉｆｔ", "thrift"),
        ("𝐭𝐡𝐫𝐢𝐟𝐭", "thrift"),
        ("𝕥𝕙𝕣𝕚𝕗𝕥", "thrift"),
        ("ⓣⓗⓡⓘⓕⓣ", "thrift"),
        ("🅃🄷🅁🄸🄵🅃", "thrift"),
        ("🇹🇭🇷🇮🇫🇹", "thrift"),
        ("рrеlоvеd", "preloved"),  # Cyrillic р е о read by look, not by sound
        ("тнrift", "thrift"),  # Cyrillic small te / en look like small capitals T / H
        ("ѕесоnd", "second"),
        ("ρrεlοvεd", "preloved"),
        ("th\u200brift", "thrift"),
        ("t\u200ch\u200dr\u2060i\ufefff\u00adt", "thrift"),
        ("BÉKAS", "bekas"),
        ("Kaos  \t polos\n\nmurah ", "kaos polos murah"),
        ("💍SAM💍 cincin", "sam cincin"),
        # meaning kept
        ("3Second Kaos", "3second kaos"),
        ("bale code 108", "bale code 108"),
        ("iPhone 13", "iphone 13"),
        ("iphone13pro", "iphone13pro"),
        ("2nd", "2nd"),
        ("kondisi 90%", "kondisi 90%"),
        ("Bekasi", "bekasi"),
        ("kaos i love u", "kaos i love u"),
        ("ukuran 1/2/3", "ukuran 1/2/3"),
        ("F5846 jepit", "f5846 jepit"),
        ("10pcs 5kg", "10pcs 5kg"),
        ("murah!!", "murah!!"),
        ("", ""),
    ],
)
def test_examples(raw: str, expected: str) -> None:
    assert normalise(raw) == expected
    assert normalise_with_spans(raw).text == expected


def test_3second_stays_distinct_from_second() -> None:
    assert normalise("3Second") != normalise("second")
    assert "3second" in normalise("Kaos 3SECOND original")


def test_spans_point_back_to_the_original() -> None:
    raw = "Jual THR1FT dan t.h.r.i.f.t ᴛʜʀɪꜰᴛ"
    result = normalise_with_spans(raw)
    assert result.text == "jual thrift dan thrift thrift"
    starts = [i for i in range(len(result.text)) if result.text.startswith("thrift", i)]
    originals = [raw[slice(*result.original_span(s, s + 6))] for s in starts]
    assert originals == ["THR1FT", "t.h.r.i.f.t", "ᴛʜʀɪꜰᴛ"]
    assert len(result.spans) == len(result.text)


def test_spans_of_plain_ascii_point_back_to_the_original() -> None:
    """Printable ASCII takes a shortcut (one character folds to one); spaces and rewrites
    still move characters."""
    raw = " Jual  THR1FT   Bekas t-h-r-i-f-t "
    result = normalise_with_spans(raw)
    assert result.text == normalise(raw) == "jual thrift bekas thrift"
    words = [(m.start(), m.end()) for m in re.finditer(r"[a-z]+", result.text)]
    assert [raw[slice(*result.original_span(*span))] for span in words] == [
        "Jual", "THR1FT", "Bekas", "t-h-r-i-f-t"
    ]
    assert len(result.spans) == len(result.text)


def test_never_raises_on_odd_input() -> None:
    assert normalise(None) == ""  # type: ignore[arg-type]
    assert normalise("\ud800 lone surrogate") == "lone surrogate"
    assert normalise("\x00\x01\x1f") == ""


_ALPHABET = st.characters(max_codepoint=0x1FAFF)
_EVASIVE = st.sampled_from(list("thrifbekas 0134578@$!.-_*·|/ \u200b\u200d\u00adрео𝐭ᴛⓣ🇹ｔ\t\n3Second"))
_TEXT = st.one_of(st.text(_ALPHABET, max_size=60), st.text(_EVASIVE, max_size=60))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_properties_never_raise_idempotent_and_spans_agree(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    traced = normalise_with_spans(text)
    assert traced.text == once
    assert len(traced.spans) == len(once)
    assert all(0 <= a <= b <= len(text) for a, b in traced.spans)
    assert once == once.strip() and "  " not in once
    assert once.isascii()


def _cost(fn, text: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.thread_time()
        fn(text)
        best = min(best, time.thread_time() - started)
    return best


def _ratio(fn, unit: str, short_chars: int) -> float:
    """Cost of a 10x longer input over the cost of the short one (best of several runs)."""
    short = unit * max(1, short_chars // len(unit))
    return _cost(fn, short * 10, 2) / max(_cost(fn, short, 4), 1e-7)


# Linear time (a guard against catastrophic backtracking, not a speed figure: speed is in
# `make bench`): 10x longer input must cost ~10x, not ~100x. The bound (40x) leaves room for cache
# effects; inputs are >= 10,000 characters so per-call overheads don't dominate. Cost is this
# thread's CPU time, best of several runs, so other processes on a busy machine don't count.


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(_EVASIVE, min_size=2, max_size=12))
def test_linear_time_on_repeated_patterns(unit: str) -> None:
    assert _ratio(normalise, unit, 10_000) < 40


ADVERSARIAL_UNITS = ["a ", "a.", "a-", "a1", "1a", "a.-_*", "a-bcd", "ab-", "b3k", " . ", "\u200ba", "0000", "ᴛ."]


@pytest.mark.parametrize("unit", ADVERSARIAL_UNITS)
def test_linear_time_adversarial(unit: str) -> None:
    assert _ratio(normalise, unit, 20_000) < 40


@pytest.mark.parametrize("unit", ["a ", "a.-_*", "a-bcd", "b3k", "ᴛ."])
def test_linear_time_with_spans(unit: str) -> None:
    assert _ratio(normalise_with_spans, unit, 10_000) < 40


# The rewrite patterns are written character-set-first for speed; each must keep the meaning of
# its plain form (the one the docstrings describe).
_SEP = r"[ ._*~+|/\\:,'-]"
_PLAIN_INWORD = re.compile(r"(?<=[a-z])[._*~-]{1,3}(?=[a-z])")
_PLAIN_LEET = re.compile(r"(?<=[a-z])[0134578@$!](?=[a-z])")
_PLAIN_NEEDS = re.compile(r"[a-z0-9]" + _SEP + r"{1,3}[a-z0-9](?![a-z0-9])|[a-z][0134578@$!._*~-]")
_FOLDED = st.text(st.sampled_from(list("abt13 0@$!.-_*~+|/\\:,'x")), max_size=40)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_FOLDED)
def test_fast_patterns_match_their_plain_forms(text: str) -> None:
    assert [m.span() for m in N._INWORD.finditer(text)] == [m.span() for m in _PLAIN_INWORD.finditer(text)]
    assert [m.span() for m in N._LEET.finditer(text)] == [m.span() for m in _PLAIN_LEET.finditer(text)]
    assert bool(N._NEEDS_REWRITE.search(text)) == bool(_PLAIN_NEEDS.search(text))
    if N._SPLIT_RUN.search(text):
        assert N._SPLIT_GATE.search(text)
    # the fast path (no rewrite when the gate says so) gives what all rewrites would give
    folded = " ".join(text.split())
    full = folded
    for pattern, rewrite in N._REWRITES:
        full = pattern.sub(rewrite, full)
    assert normalise(text) == " ".join(full.split())


def test_ascii_fast_path_edges() -> None:
    assert normalise(" a  b ") == "a b"
    assert normalise("A\tB\x00C\x7f") == "a bc"
    assert normalise("x\x1fy") == "x y"
    assert normalise("plain ascii title") == "plain ascii title"
