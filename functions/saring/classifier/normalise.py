"""Text normalisation for the listing classifier: pure Python, no onnxruntime.

The same function feeds training and serving, so a seller's evasion (look-alike letters,
zero-width characters, leetspeak, split letters) reads the same as the plain word.

Pipeline (each stage is linear in the length of its input):

1. Per-character fold through one ``str.translate`` table, filled lazily and cached:
   NFKC (fullwidth, mathematical, circled letters), Unicode confusables (Cyrillic and Greek
   look-alikes, from the ``confusable_homoglyphs`` data), transliteration of what remains
   (``anyascii``: small capitals, regional-indicator and squared letters, accents), removal of
   zero-width / format / control characters and combining marks, emoji and other symbols to a
   space, lowercase. The output of this stage is pure ASCII.
2. Whitespace collapse.
3. Split letters joined: a run of three or more single characters separated by dots, spaces,
   dashes, underscores... with at least three letters ("t.h.r.i.f.t", "b e k a s") is glued.
4. Separators inside a word ("th-rift", "thr_ift"): glued when one side is at most three letters,
   otherwise read as a space ("awul-awul" -> "awul awul"), so ordinary words are not glued.
5. Leetspeak in context: a single digit (0 1 3 4 5 7) or @ $ ! with letters on both sides is read
   as a letter ("thr1ft", "b3k4s"); numbers, "3second", "iPhone 13", "2nd", "90%", "108" keep.

``normalise_with_spans`` returns, for each output character, the ``(start, end)`` span of the
original text it came from; it runs the very same stage functions, so both agree by construction
(and a property test checks it).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from anyascii import anyascii

__all__ = ["NormalisedText", "normalise", "normalise_with_spans"]


# ----------------------------------------------------------------------------------------------
# Stage 1: the per-character fold table
# ----------------------------------------------------------------------------------------------

_ZERO_WIDTH_EXTRA = {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFFA0}


@lru_cache(maxsize=1)
def _confusables() -> dict[str, list[str]]:
    """Unicode TR39 confusables as shipped by ``confusable_homoglyphs`` (MIT), or {} if absent."""
    try:
        data = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):  # pragma: no cover - optional data
        return {}
    raw = json.loads(data)
    return {key: [item["c"] for item in value] for key, value in raw.items()}


def _is_small_capital(ch: str) -> bool:
    return "SMALL CAPITAL" in unicodedata.name(ch, "")


def _lookalike_ascii(ch: str) -> str | None:
    """The ASCII letter that ``ch`` looks like (not how it sounds), if the confusables data says so.

    Cyrillic 'р' looks like 'p' (anyascii would read it 'r'); Cyrillic 'т' looks like a small
    capital T, which is read 't'.
    """
    table = _confusables()
    if ch not in table:
        return None
    seen = {ch}
    frontier = [ch]
    small_caps: list[str] = []
    for _depth in range(2):
        nxt: list[str] = []
        for item in frontier:
            for other in table.get(item, ()):
                other = other.strip("\u200e\u200f")
                if len(other) != 1 or other in seen:
                    continue
                seen.add(other)
                if other.isascii() and other.isalpha():
                    return other.lower()
                if _is_small_capital(other):
                    small_caps.append(other)
                nxt.append(other)
        frontier = nxt
    for cap in small_caps:
        text = anyascii(cap)
        if len(text) == 1 and text.isalpha():
            return text.lower()
    return None


def _fold_ascii(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85":
            out.append(" ")
        elif code < 0x20 or code == 0x7F:
            continue
        else:
            out.append(ch.lower())
    return "".join(out)


def _fold_char(ch: str) -> str:
    """What one non-ASCII character becomes: always an ASCII string (possibly empty)."""
    code = ord(ch)
    if code < 0x80:
        return _fold_ascii(ch)
    category = unicodedata.category(ch)
    if ch.isspace() or category in ("Zs", "Zl", "Zp"):
        return " "
    if category in ("Cf", "Cc", "Cs", "Co", "Cn", "Mn", "Me", "Mc") or code in _ZERO_WIDTH_EXTRA:
        # zero-width, bidi, soft hyphen, variation selectors, combining marks, unassigned
        return ""
    pieces: list[str] = []
    for part in unicodedata.normalize("NFKC", ch):
        if part.isascii():
            pieces.append(part)
            continue
        part_category = unicodedata.category(part)
        if part_category[0] in "MC":
            continue
        if part_category[0] == "L":
            look = _lookalike_ascii(part)
            if look is not None:
                pieces.append(look)
                continue
            pieces.append(anyascii(part))
        elif part_category[0] == "N":
            pieces.append(anyascii(part))
        elif part_category == "So":
            # enclosed / squared / regional-indicator letters read as the letter; emoji as a space
            text = anyascii(part)
            pieces.append(text if 0 < len(text) <= 2 and text.isalnum() else " ")
        elif part_category[0] in "Z":
            pieces.append(" ")
        else:  # punctuation and other symbols: their ASCII reading, else a space
            text = anyascii(part)
            pieces.append(text if text else " ")
    return _fold_ascii("".join(pieces))


class _FoldTable(dict):
    """str.translate table, filled on first sight of each code point (bounded by Unicode)."""

    def __missing__(self, code: int) -> str:
        value = _fold_char(chr(code))
        self[code] = value
        return value


_FOLD = _FoldTable()
for _code in range(0x80):
    _FOLD[_code] = _fold_ascii(chr(_code))
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# ----------------------------------------------------------------------------------------------
# Stages 3-5: rewrites on the folded ASCII text, each a (pattern, replacement function) pair
# ----------------------------------------------------------------------------------------------

_SPACES = re.compile(r" {2,}")

# A run of 3-48 single characters separated by 1-3 separator characters (bounded, so each match
# costs O(1) and the whole pass stays linear even on "a a a a ..." of any length).
_SPLIT_RUN = re.compile(r"(?<![a-z0-9])[a-z0-9](?:[ ._*~+|/\\:,'-]{1,3}[a-z0-9](?![a-z0-9])){2,47}")
# A necessary condition for a _SPLIT_RUN match (its second and third single characters), fast to
# search for because it starts with a character set.
_SPLIT_GATE = re.compile(r"[ ._*~+|/\\:,'-][a-z0-9][ ._*~+|/\\:,'-]{1,3}[a-z0-9](?![a-z0-9])")
_SPLIT_SEPARATORS = re.compile(r"[ ._*~+|/\\:,'-]+")


def _join_split_run(match: re.Match[str]) -> str:
    text = match.group(0)
    glued = _SPLIT_SEPARATORS.sub("", text)
    letters = sum(1 for ch in glued if "a" <= ch <= "z")
    return glued if letters >= 3 else text


# Separators between letters inside a word.
# (Written separator-first, with the lookbehind after it: the same matches as
# ``(?<=[a-z])[._*~-]{1,3}(?=[a-z])``, but ``re`` can skip ahead to the next separator.)
_INWORD = re.compile(r"[._*~-](?<=[a-z][._*~-])[._*~-]{0,2}(?=[a-z])")
_STANDALONE_SHORT = frozenset({"ex", "eks", "di", "ke", "dan", "the", "by", "of", "for", "and"})


def _letter_run_left(text: str, end: int) -> str:
    start = end
    while start > 0 and "a" <= text[start - 1] <= "z":
        start -= 1
    return text[start:end]


def _letter_run_right(text: str, start: int) -> str:
    end = start
    limit = len(text)
    while end < limit and "a" <= text[end] <= "z":
        end += 1
    return text[start:end]


def _inword_separator(match: re.Match[str]) -> str:
    text = match.string
    left = _letter_run_left(text, match.start())
    right = _letter_run_right(text, match.end())
    if left in _STANDALONE_SHORT or right in _STANDALONE_SHORT:
        return " "
    if min(len(left), len(right)) <= 3:
        return ""
    return " "


# Leetspeak: a single leet character with letters on both sides.
_LEET_MAP = {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
_VOWELS = frozenset("aeiou")
_LEET = re.compile(r"[0134578@$!](?<=[a-z][0134578@$!])(?=[a-z])")  # = (?<=[a-z])[...](?=[a-z])


def _leet(match: re.Match[str]) -> str:
    ch = match.group(0)
    if ch == "1":
        # "thr1ft" -> i; after a vowel it is usually an l: "ba1pres", "pre1oved"
        return "l" if match.string[match.start() - 1] in _VOWELS else "i"
    if ch == "8":
        return "b"
    return _LEET_MAP[ch]


_Rewrite = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]
_REWRITES: tuple[_Rewrite, ...] = (
    (_SPLIT_RUN, _join_split_run),
    (_INWORD, _inword_separator),
    (_LEET, _leet),
)
# The cheap test that tells whether a rewrite can apply at all (fast path).
# Matches iff ``[a-z0-9][SEP]{1,3}[a-z0-9](?![a-z0-9])|[a-z][0134578@$!._*~-]`` matches somewhere
# (SEP as in _SPLIT_RUN), written to start with a character set so ``re`` can skip ahead.
_NEEDS_REWRITE = re.compile(
    r"[ ._*~+|/\\:,'0134578@$!-]"
    r"(?:(?<=[a-z][0134578@$!._*~-])|(?<=[a-z0-9][ ._*~+|/\\:,'-])[ ._*~+|/\\:,'-]{0,2}[a-z0-9](?![a-z0-9]))"
)


def _collapse(text: str) -> str:
    return " ".join(text.split(" ")) if "  " in text else text


def normalise(text: str) -> str:
    """The canonical form of ``text``: never raises, idempotent, linear in ``len(text)``."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if text.isascii():
        folded = text.lower()
        if not folded.isprintable():  # an ASCII control character (tab, newline, NUL...)
            folded = folded.translate(_FOLD)
    else:
        folded = text.translate(_FOLD)
    # the only whitespace left is " ": collapse only when there is something to collapse
    if "  " in folded or folded[:1] == " " or folded[-1:] == " ":
        folded = " ".join(folded.split())
    if _NEEDS_REWRITE.search(folded):
        rewritten = folded
        if _SPLIT_GATE.search(rewritten):  # _SPLIT_RUN.sub is slow even when nothing matches
            rewritten = _SPLIT_RUN.sub(_join_split_run, rewritten)
        rewritten = _INWORD.sub(_inword_separator, rewritten)
        rewritten = _LEET.sub(_leet, rewritten)
        if rewritten != folded:
            folded = " ".join(rewritten.split())
    return folded


# ----------------------------------------------------------------------------------------------
# The same pipeline, tracking where each output character came from
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NormalisedText:
    text: str
    spans: tuple[tuple[int, int], ...]  # one (start, end) in the original per output character

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that output characters ``[start, end)`` came from."""
        if start >= end or not self.spans:
            return (0, 0)
        return (self.spans[start][0], self.spans[end - 1][1])


def _apply_with_spans(
    text: str, spans: list[tuple[int, int]], pattern: re.Pattern[str], rewrite: Callable[[re.Match[str]], str]
) -> tuple[str, list[tuple[int, int]]]:
    out: list[str] = []
    out_spans: list[tuple[int, int]] = []
    last = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        out.append(text[last:start])
        out_spans.extend(spans[last:start])
        replacement = rewrite(match)
        out.append(replacement)
        if len(replacement) == end - start:
            out_spans.extend(spans[start:end])
        elif replacement and "".join(_SPLIT_SEPARATORS.split(match.group(0))) == replacement:
            # glued split letters: keep each kept character's own span
            out_spans.extend(spans[i] for i in range(start, end) if not _SPLIT_SEPARATORS.fullmatch(text[i]))
        else:
            merged = (spans[start][0], spans[end - 1][1]) if end > start else (0, 0)
            out_spans.extend([merged] * len(replacement))
        last = end
    out.append(text[last:])
    out_spans.extend(spans[last:])
    return "".join(out), out_spans


_WS_RUN = re.compile(r" +")


def _split_whitespace(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Same as ``" ".join(text.split())`` on text whose only whitespace is the space."""
    out: list[str] = []
    out_spans: list[tuple[int, int]] = []
    for match in re.finditer(r"[^ ]+", text):
        if out:
            out.append(" ")
            out_spans.append((spans[match.start() - 1][0], spans[match.start() - 1][1]))
        out.append(match.group(0))
        out_spans.extend(spans[match.start() : match.end()])
    return "".join(out), out_spans


def normalise_with_spans(text: str) -> NormalisedText:
    """``normalise`` plus, per output character, the span of ``text`` it was read from."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if text.isascii() and text.isprintable():
        # As in normalise: printable ASCII folds one character to one, its lower case.
        folded_text = text.lower()
        spans = [(index, index + 1) for index in range(len(text))]
    else:
        chars: list[str] = []
        spans = []
        for index, ch in enumerate(text):
            folded = _FOLD[ord(ch)]
            if folded:
                chars.append(folded)
                spans.extend([(index, index + 1)] * len(folded))
        folded_text = "".join(chars)
    if "  " in folded_text or folded_text[:1] == " " or folded_text[-1:] == " ":
        folded_text, spans = _split_whitespace(folded_text, spans)
    if _NEEDS_REWRITE.search(folded_text):
        for pattern, rewrite in _REWRITES:
            folded_text, spans = _apply_with_spans(folded_text, spans, pattern, rewrite)
        folded_text, spans = _split_whitespace(folded_text, spans)
    return NormalisedText(folded_text, tuple(spans))
