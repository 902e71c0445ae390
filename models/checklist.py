"""Behavioural tests of the listing classifier (CheckList: Ribeiro et al., ACL 2020).

The fixtures in ``tests/behavioural/data`` were written by hand apart from the training generator
(see the README there). Each check returns how many cases it ran and which failed; the tests in
``tests/behavioural`` hold each to its bound, and ``models/evaluate.py`` puts every failure rate
in the model card. A check takes ``score``: listings in, calibrated probabilities out, in order
(``OnnxClassifier.score`` for the shipped model).

* Invariance (INV): ordinary shop text prepended, appended or inserted between sentences;
  ordinary title add-ons ("Bisa COD", "Termurah") before or after the title;
  category, price or description dropped (the description only where it holds no tell: clean
  listings, and violating ones whose tell is in the title alone); casing and whitespace changed:
  the decision band must not move.
* Direction (DIR): an explicit violating phrase raises a clean clothing, shoe or bag listing to at
  least REVIEW (on other goods it must not: the ban covers nothing else);
  "100% baru, bukan thrift" never raises a clean listing's band; "bukan barang baru" never takes a
  flagged violating listing below REVIEW.
* Minimum function (MFT): short product titles are ALLOW; used goods that are not clothing are
  ALLOW; "X bekas impor" is TAKEDOWN for every clothing, shoe and bag word.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT / "functions") not in sys.path:
    sys.path.insert(0, str(REPO_ROOT / "functions"))

from saring.domain.listings import Listing  # noqa: E402
from saring.domain.verdicts import Decision, decision_for_score  # noqa: E402

DATA_DIR = REPO_ROOT / "tests" / "behavioural" / "data"
Score = Callable[[Sequence[Listing]], Sequence[float]]
BAND = {Decision.ALLOW: 0, Decision.REVIEW: 1, Decision.TAKEDOWN: 2}
COMPLIANCE_PHRASE = "100% baru, bukan thrift"
NEGATION_PHRASE = "bukan barang baru"


def load(name: str):
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Check:
    name: str
    kind: str  # INV, DIR or MFT
    description: str
    cases: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def failure_rate(self) -> float:
        return len(self.failures) / self.cases if self.cases else 0.0

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "description": self.description, "cases": self.cases,
                "failed": len(self.failures), "failure_rate": round(self.failure_rate, 5),
                "examples": self.failures[:5]}


class Bands:
    """Scores listings in batches and reads their decision bands."""

    def __init__(self, score: Score, review: float, takedown: float) -> None:
        self._score, self.review, self.takedown = score, review, takedown

    def __call__(self, listings: Sequence[Listing]) -> list[int]:
        out: list[int] = []
        for start in range(0, len(listings), 1000):
            out += [BAND[decision_for_score(s, self.review, self.takedown)]
                    for s in self._score(listings[start : start + 1000])]
        return out


def listing(title: str, description: str | None = None, price: int | None = None, category: str | None = None,
            listing_id: str = "c") -> Listing:
    return Listing(listing_id, "checklist", title, description or None, price, category)


def _from_fixture(row: dict, index: int) -> Listing:
    return listing(row["title"], row.get("description"), row.get("price"), row.get("category"), f"f{index}")


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")


def insert_between_sentences(description: str, text: str, which: int) -> str:
    """``text`` put at the ``which``-th sentence break of ``description`` (cycling), else after it."""
    breaks = [m for m in _SENTENCE_BREAK.finditer(description)]
    if not breaks:
        return f"{description}\n{text}" if description else text
    cut = breaks[which % len(breaks)]
    return f"{description[: cut.start()]}\n{text}\n{description[cut.end():]}"


def _compare(check: Check, bands: Bands, pairs: list[tuple[Listing, Listing, str]],
             fails: Callable[[int, int], bool]) -> Check:
    before = bands([a for a, _, _ in pairs])
    after = bands([b for _, b, _ in pairs])
    check.cases += len(pairs)
    check.failures += [f"{label}: band {x} -> {y}" for (_, _, label), x, y in zip(pairs, before, after, strict=True)
                       if fails(x, y)]
    return check


def _with_added_texts(texts: list[str], variants: Callable[[Listing, str, int], dict[str, tuple[str, str | None]]],
                      label: Callable[[str, int, str, int], str]) -> list[tuple[Listing, Listing, str]]:
    """Each clean and violating fixture listing beside itself with each of ``texts`` added as
    ``variants`` says: ``{where: (title, description)}`` from the listing, the text and a running
    index (which sentence break an insertion takes)."""
    pairs = []
    for i, row in enumerate(load("clean_listings") + load("violating_listings")):
        base = _from_fixture(row, i)
        for j, text in enumerate(texts):
            for where, (title, description) in variants(base, text, i + j).items():
                pairs.append((base, listing(title, description, base.price_idr, base.category, base.listing_id),
                              label(where, j, text, i)))
    return pairs


def invariance_boilerplate(bands: Bands) -> Check:
    texts = load("ordinary_texts")
    check = Check("INV boilerplate", "INV", f"{len(texts)} ordinary texts of 50 to 2,000 characters prepended, "
                  "appended and inserted between sentences, on clean and violating listings")

    def variants(base: Listing, text: str, which: int) -> dict[str, tuple[str, str]]:
        description = base.description or ""
        return {"prepend": (base.title, f"{text}\n{description}"), "append": (base.title, f"{description}\n{text}"),
                "insert": (base.title, insert_between_sentences(description, text, which))}

    pairs = _with_added_texts(texts, variants, lambda where, j, _, i: f"{where} text {j} to listing {i}")
    return _compare(check, bands, pairs, lambda x, y: x != y)


def invariance_fields(bands: Bands) -> Check:
    clean, violating = load("clean_listings"), load("violating_listings")
    check = Check("INV fields, casing, whitespace", "INV", "category, price or description dropped (the "
                  "description of clean listings and of violating ones whose tell is in the title alone), title and "
                  "description upper / lower case, whitespace doubled and lines broken")
    pairs = []
    for i, row in enumerate(clean + violating):
        base = _from_fixture(row, i)
        title, description = base.title, base.description or ""
        variants = {
            "no category": listing(title, description, base.price_idr, None),
            "no price": listing(title, description, None, base.category),
            "upper case": listing(title.upper(), description.upper(), base.price_idr, base.category),
            "lower case": listing(title.lower(), description.lower(), base.price_idr, base.category),
            "whitespace": listing("  " + title.replace(" ", "  ") + " ", description.replace(" ", "  ").replace(
                ". ", ".\n\n"), base.price_idr, base.category),
        }
        if row.get("tell_in", "title") == "title":  # the description holds no tell of its own
            variants["no description"] = listing(title, None, base.price_idr, base.category)
        pairs += [(base, variant, f"{name} of listing {i}") for name, variant in variants.items()]
    return _compare(check, bands, pairs, lambda x, y: x != y)


def invariance_title_additions(bands: Bands) -> Check:
    additions = load("title_additions")
    check = Check("INV title additions", "INV", f"{len(additions)} ordinary title add-ons (\"Bisa COD\", \"Ready "
                  "Stok\", \"Termurah\") put before or after the title of clean and violating listings")

    def variants(base: Listing, addition: str, _: int) -> dict[str, tuple[str, str | None]]:
        return {"before": (f"{addition} {base.title}", base.description),
                "after": (f"{base.title} {addition}", base.description)}

    pairs = _with_added_texts(additions, variants,
                              lambda where, _, addition, i: f"'{addition}' {where} the title of listing {i}")
    return _compare(check, bands, pairs, lambda x, y: x != y)


def is_fashion(row: dict) -> bool:
    """A fixture listing of clothing, shoes or bags, by its category: the ban covers nothing else."""
    return str(row.get("category", "")).startswith("fashion")


def direction_add_violation(bands: Bands) -> Check:
    clean, phrases = [row for row in load("clean_listings") if is_fashion(row)], load("violating_phrases")
    check = Check("DIR explicit phrase raises", "DIR", "an explicit violating phrase added to a clean clothing, "
                  "shoe or bag listing's title or description raises it to at least REVIEW")
    new = []
    for i, row in enumerate(clean):
        base = _from_fixture(row, i)
        for j, phrase in enumerate(phrases):
            text = phrase["text"]
            in_title = phrase["where"] == "title" or (phrase["where"] == "either" and (i + j) % 2 == 0)
            if in_title:
                new.append((listing(f"{base.title} {text}", base.description, base.price_idr, base.category),
                            f"'{text}' in the title of clean listing {i}"))
            else:
                new.append((listing(base.title, f"{base.description or ''}\n{text}".strip(), base.price_idr,
                                    base.category), f"'{text}' in the description of clean listing {i}"))
    after = bands([item for item, _ in new])
    check.cases = len(new)
    check.failures = [f"{label}: band {band}" for (_, label), band in zip(new, after, strict=True) if band < 1]
    return check


def _with_phrase(rows: list[dict], phrase: str, what: str) -> list[tuple[Listing, Listing, str]]:
    """Each fixture listing beside itself with ``phrase`` added to its title, then to its description."""
    pairs = []
    for i, row in enumerate(rows):
        base = _from_fixture(row, i)
        pairs.append((base, listing(f"{base.title} {phrase}", base.description, base.price_idr, base.category),
                      f"title of {what} {i}"))
        pairs.append((base, listing(base.title, f"{base.description or ''}\n{phrase}.", base.price_idr,
                                    base.category), f"description of {what} {i}"))
    return pairs


def direction_compliance(bands: Bands) -> Check:
    check = Check("DIR compliance text never raises", "DIR", f'"{COMPLIANCE_PHRASE}" added to a clean listing\'s '
                  "title or description never raises its band")
    pairs = _with_phrase(load("clean_listings"), COMPLIANCE_PHRASE, "clean listing")
    return _compare(check, bands, pairs, lambda x, y: y > x)


def direction_negation(bands: Bands) -> Check:
    check = Check("DIR 'bukan barang baru' never lowers below REVIEW", "DIR", f'"{NEGATION_PHRASE}" added to a '
                  "flagged violating listing's title or description keeps it at least REVIEW")
    pairs = _with_phrase(load("violating_listings"), NEGATION_PHRASE, "violating listing")
    return _compare(check, bands, pairs, lambda x, y: x >= 1 and y < 1)


def minimum_short_titles(bands: Bands) -> tuple[Check, Check]:
    rows = load("short_titles")
    got = bands([listing(row["text"]) for row in rows])
    takedown = Check("MFT short titles: no TAKEDOWN", "MFT", f"{len(rows)} bare product words and short product "
                     "titles are never TAKEDOWN", len(rows), [r["text"] for r, b in zip(rows, got, strict=True) if b == 2])
    flagged = Check("MFT short titles: ALLOW", "MFT", f"{len(rows)} bare product words and short product titles are "
                    "ALLOW", len(rows), [r["text"] for r, b in zip(rows, got, strict=True) if b >= 1])
    return takedown, flagged


def minimum_used_not_clothing(bands: Bands) -> Check:
    rows = load("used_non_clothing")
    got = bands([listing(row["title"], row.get("description")) for row in rows])
    return Check("MFT used goods that are not clothing", "MFT", f"{len(rows)} used goods that are not clothing, "
                 "shoes or bags, with thrift and import words, are ALLOW", len(rows),
                 [r["title"] for r, b in zip(rows, got, strict=True) if b >= 1])


def minimum_bekas_impor(bands: Bands) -> Check:
    rows = load("clothing_words")
    titles = [f"{row['text']} bekas impor" for row in rows]
    got = bands([listing(t) for t in titles])
    return Check("MFT 'X bekas impor' is TAKEDOWN", "MFT", f"\"X bekas impor\" for {len(rows)} clothing, shoe and "
                 "bag words is TAKEDOWN", len(rows), [t for t, b in zip(titles, got, strict=True) if b < 2])


# The behavioural tests (tests/behavioural/test_checklist.py) as (test, check, largest failure
# rate): the detection issue's targets, and beside each unmet one a guard at today's level.
# `saring model gate` counts the tests a model fails; one place for both.
TESTS = (
    ("ordinary shop text changes at most 1% of bands (target)", "INV boilerplate", 0.01),
    ("fields, casing and whitespace change at most 1% of bands", "INV fields, casing, whitespace", 0.01),
    ("ordinary title add-ons change at most 1% of bands (target)", "INV title additions", 0.01),
    # measured first on listing-classifier-d405959987fb: 3.46% (387 of 11,200); 3.5% until
    # listing-classifier-e4193c96366e (title windows), which moves 2.22% (249)
    ("ordinary title add-ons change at most 2.5% of bands (today)", "INV title additions", 0.025),
    ("an explicit phrase raises every clean listing to REVIEW (target)", "DIR explicit phrase raises", 0.0),
    # 15% until listing-classifier-b5d35b9120ee (6.7%), 6% until listing-classifier-d405959987fb
    # (4.8%, 78 of 1,620), 5% until listing-classifier-e4193c96366e, which misses 0.25% (4)
    ("an explicit phrase raises at least 99.5% of clean listings (today)", "DIR explicit phrase raises", 0.005),
    ("compliance text never raises", "DIR compliance text never raises", 0.0),
    ("'bukan barang baru' never lowers below REVIEW", "DIR 'bukan barang baru' never lowers below REVIEW", 0.0),
    ("short titles are never TAKEDOWN", "MFT short titles: no TAKEDOWN", 0.0),
    ("short titles are REVIEW at most 2 in 100", "MFT short titles: ALLOW", 0.02),
    ("used goods that are not clothing are ALLOW (target)", "MFT used goods that are not clothing", 0.0),
    # 9% until listing-classifier-693cf5daafe4 (3 of 45), 7% until listing-classifier-d405959987fb,
    # which flags 1 of 45 (see its model card)
    ("used goods that are not clothing are flagged at most 3% (today)", "MFT used goods that are not clothing",
     0.03),
    ("'X bekas impor' is TAKEDOWN (target)", "MFT 'X bekas impor' is TAKEDOWN", 0.0),
)


def bound(test: str) -> float:
    return next(rate for name, _, rate in TESTS if name == test)


def run_all(score: Score, review: float, takedown: float) -> list[Check]:
    bands = Bands(score, review, takedown)
    return [invariance_boilerplate(bands), invariance_fields(bands), invariance_title_additions(bands),
            direction_add_violation(bands), direction_compliance(bands), direction_negation(bands),
            *minimum_short_titles(bands), minimum_used_not_clothing(bands), minimum_bekas_impor(bands)]
