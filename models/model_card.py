"""Writes models/listing-classifier/MODEL_CARD.md from metadata.json and evaluate.py's summary."""

from __future__ import annotations

import json
from pathlib import Path


def _pct(x: float) -> str:
    return f"{x:.2%}"


def _held_out_limit(lofo: dict) -> list[str]:
    weak = {family: entry["recall_flagged"] for family, entry in lofo.items() if entry["recall_flagged"] < 0.85}
    if not weak:
        return []
    listed = ", ".join(f"{family} {recall:.2f}" for family, recall in sorted(weak.items(), key=lambda kv: kv[1]))
    return [
        "- **Words it never saw.** Held out of training, these families are mostly missed (flagged recall: "
        f"{listed}). The model learns the trade's words and their look-alikes, not what they mean: a family",
        "  of new words is caught only once it is in the training data, which is what review outcomes are for.",
    ]


def _held_out_line(meta: dict) -> list[str]:
    held = meta["validation"].get("handwritten_out_of_fold")
    if not held:
        return []
    take, flag = held["takedown"], held["review_or_more"]
    return ["", f"Out of fold, the {take['listings']} hand-written listings score TAKEDOWN precision "
            f"{take['precision']:.3f} (recall {take['recall']:.3f}) and flagged precision {flag['precision']:.3f} "
            f"(recall {flag['recall']:.3f})."]


def _title_bands(model_dir: Path, titles: list[str]) -> dict[str, str]:
    """Each title alone scored by the model the card describes, as ``BAND (p)``: the limits
    quote them, and a candidate's card must not repeat the bands of the model before it."""
    from checklist import listing
    from saring.adapters.onnx_classifier import OnnxClassifier
    from saring.domain.verdicts import decision_for_score

    classifier = OnnxClassifier(model_dir)
    review, takedown = classifier.thresholds.review, classifier.thresholds.takedown
    scores = classifier.score([listing(title) for title in titles])
    return {title: f"{decision_for_score(p, review, takedown).value} ({p:.2f})"
            for title, p in zip(titles, scores, strict=True)}


def _whole_title_limit(band: dict[str, str]) -> list[str]:
    return [
        "- **A title is one block.** An ordinary clean title (eight words or so) scores well below",
        "  zero, and a weaker trade phrase appended to it (\"cakaran\", \"jual bal jaket kode 108\") can",
        "  stay ALLOW. An ordinary add-on before or after a title (\"Bisa COD\", \"Diskon 50%\") adds",
        "  its own words' weights and can move the band (the INV title additions row):",
        f"  \"Kaos bekas impor\" is {band['Kaos bekas impor']}, \"Kaos bekas impor ready\" "
        f"{band['Kaos bekas impor ready']}.",
        f"  Ordinary words dilute a title's one tell: \"Kemeja Flanel Bekas Impor\" is "
        f"{band['Kemeja Flanel Bekas Impor']},",
        f"  \"Kemeja Flanel Pria Uniqlo Bekas Impor Jepang\" {band['Kemeja Flanel Pria Uniqlo Bekas Impor Jepang']}.",
    ]


def _windowed_title_limit(band: dict[str, str], windows: int) -> list[str]:
    flannel = "Kemeja Flanel Pria Uniqlo Bekas Impor Jepang"
    return [
        f"- **A title is read whole and in runs of {windows} words.** Its score is the higher of the two,",
        "  so ordinary words no longer dilute a tell that fits in a run:",
        f"  \"Kemeja Flanel Bekas Impor\" is {band['Kemeja Flanel Bekas Impor']}, \"{flannel}\"",
        f"  {band[flannel]}, with \"Bisa COD\" after it {band[flannel + ' Bisa COD']}. An ordinary add-on",
        "  before or after a title (\"Bisa COD\", \"Diskon 50%\") can still move the band (the INV title",
        "  additions row), through the whole title's score or a run that holds it beside part of the",
        "  tell, mostly between REVIEW and TAKEDOWN: \"Kaos bekas impor\" is",
        f"  {band['Kaos bekas impor']}, \"Kaos bekas impor ready\" {band['Kaos bekas impor ready']}.",
        "  A tell spread over more words than a run is read only through the whole title.",
    ]


def _review_labels(training: dict) -> list[str]:
    """Which platform review outcomes (`train.py --labels`, see docs/learning-loop.md) trained it."""
    labels = training.get("labels")
    if not labels:
        from labels import RULE

        return ["- **Platform review outcomes: none.** No review outcome or audit sample trained this model;",
                "  `models/train.py --labels FILE` adds those that `saring labels export` writes, resolved",
                f"  by this rule: {RULE}."]
    sources = ", ".join(f"{n} {source}" for source, n in labels.get("by_source", {}).items())
    return [
        f"- **Platform review outcomes** (`--labels`, file sha256 `{str(labels.get('file_sha256', ''))[:16]}…`): "
        f"{labels['read']} read from {', '.join(labels['platforms'])}, recorded "
        f"{labels['oldest_recorded_at']} to {labels['newest_recorded_at']} (the training horizon); "
        f"{labels['used']} trained ({labels['positives']} violations, {labels['negatives']} not; {sources}), "
        f"each weighted {training['config'].get('labels_weight')} (a synthetic listing: 1).",
        f"  Resolution rule: {labels['rule']}. Here {labels['superseded']} outcomes were superseded, "
        f"{labels['conflicting_texts']} texts had conflicting labels and {labels['dropped_ties']} were dropped as ties.",
    ]


def _intervals_lines(intervals: dict | None) -> list[str]:
    """The model row again as 95% bootstrap intervals: a target inside one is met on these
    listings, not beyond doubt."""
    if not intervals:
        return []

    def span(band: str, name: str) -> str:
        low, high = intervals[band][name]
        return f"{low:.3f}–{high:.3f}"

    return [f"| model, 95% interval (2,000 bootstrap resamples of the listings) | {span('flagged', 'precision')} | "
            f"{span('flagged', 'recall')} | {span('flagged', 'f1')} | {span('takedown', 'precision')} | "
            f"{span('takedown', 'recall')} |"]


def write(model_dir: Path, summary: dict) -> None:
    meta = json.loads((model_dir / "metadata.json").read_text(encoding="utf-8"))
    ev = summary["evaluation_set"]
    real = summary["real_titles_holdout"]
    data = meta["training"].get("data", {})
    model, padded, kw = ev["model"], ev["model_with_boilerplate"], ev["keyword_baseline"]
    band = _title_bands(model_dir, ["Kaos bekas impor", "Kaos bekas impor ready", "Kemeja Flanel Bekas Impor",
                                    "Kemeja Flanel Pria Uniqlo Bekas Impor Jepang",
                                    "Kemeja Flanel Pria Uniqlo Bekas Impor Jepang Bisa COD"])
    windows = meta["features"].get("title_window_words", 0)
    lines = [
        "# Model card: Saring listing classifier",
        "",
        f"Version `{summary['model_version']}` (from the SHA-256 of `model.onnx`). Generated by",
        "`models/evaluate.py`; every number below is reproduced by `make train && make evaluate`.",
        "",
        "## Intended use",
        "Scores marketplace listings (title and description) for the probability that they sell",
        "**imported used clothing, shoes or bags** (HS 6309, banned by Permendag 18/2021 as amended",
        "by 40/2022). Scores at or above the TAKEDOWN threshold may be removed automatically; scores",
        "in the REVIEW band go to a person. Removal must not rest on keywords alone: the REVIEW band",
        "is the human in the loop, and every flag carries the seller's own words that drove it.",
        "",
        "## Model",
        "- A listing is read as **blocks**: the normalised title (NFKC, confusables, transliteration,",
        "  zero-width removal, split letters, leetspeak in context: `saring.classifier.normalise`),",
        "  then the description cut at the seller's line breaks, at sentences, and into runs of at",
        f"  most {meta['features']['max_segment_words']} words. Price and category are not read.",
        "- Each block scores the sum of hashed weights of its character 2–5-grams and word 1–2-grams",
        "  (up to five words after \"bukan\", \"tidak\", \"tanpa\"..., to the end of the clause, are marked",
        "  as negated), computed",
        "  inside the ONNX graph from code points and word hashes. Every feature also carries a",
        "  learned length weight, so text the model never saw adds about nothing.",
        f"- The listing's logit is `{meta['features']['pooling']}`, then Platt-scaled.",
        "  Ordinary text added anywhere",
        "  in a description cannot lower a violation's score and adds only segments that score below",
        "  zero; a tell in the description counts as much as in the title, and a long title of",
        "  ordinary words (which scores below zero) cannot hide it.",
        "- A second head, the **clothing gate**, reads the title's words and caps the logit at",
        f"  `{meta['calibration']['k']:.3g} * clothing + {meta['calibration']['m']:.3g}` (`clothing`: its log-odds "
        "that the title sells clothing, shoes or bags):",
        "  a title that plainly sells something else (\"Lego\", \"beras 25 kg\") is held",
        "  down however loud its trade words. It learns from real titles by category, synthetic",
        f"  product titles and {meta['training']['data'].get('gate_other_goods', 'the')} ordinary titles of "
        "other goods (`models/other_goods.txt`,",
        "  written apart from the generator), with the trade's words beside them.",
        "- Trained as logistic regression (liblinear, L2) on *units*: the title alone, a segment or",
        "  pair of adjacent segments alone, and the title with one of those, each labelled by whether",
        "  it holds a whole violation signal.",
        f"- Weights are float16; `model.onnx` is {(model_dir / 'model.onnx').stat().st_size / 1e6:.1f} MB and has",
        "  no string operator.",
        "",
        f"Thresholds: REVIEW ≥ {summary['thresholds']['review']}, the lowest with precision "
        f"≥ {meta['training']['config']['review_precision']:g} (and few real titles flagged) on validation "
        "data; TAKEDOWN ≥ "
        f"{summary['thresholds']['takedown']}, the lowest with",
        f"precision ≥ {meta['training']['config']['takedown_precision']:g} on validation data and the "
        "hand-written listings together, each",
        f"hand-written listing scored by a model fitted without its fold "
        f"({meta['training']['config']['handwritten_folds']} folds, cross-fitting) at its",
        "training weight. Validation is mostly synthetic, and the legal look-alikes as sellers write",
        "them are rarer there than on a marketplace.",
        *_held_out_line(meta),
        "",
        "## Training data",
        "- **Counterfactual pairs** from `models/corpus.py` (seeded): each clothing, shoe or bag",
        "  carrier (a real title or a short synthetic one, with a description drawn from shared pools",
        "  of greetings, shipping and return rules, care text, size charts, emoji lists and ordinary",
        "  marketplace text) gives a positive with a violation signal in its title or description, and",
        "  a twin without it, where legal look-alikes may stand instead (\"bahan import\", \"vintage",
        "  style\", \"bukan thrift, 100% baru\", \"preloved pribadi\", \"kirim dari Bekasi\", \"3Second\").",
        "  Length, fields, product words, casing and boilerplate are distributed alike in both classes.",
        "- **Not clothing**: goods that are not clothing, shoes or bags get the very same signals and",
        "  stay negatives (\"Tomica second ex Jepang\", \"1 bal kopi\").",
        "- **Real titles** (`../shared/data/real_titles_dev.jsonl`, not shipped): a salted hash of the",
        "  id puts 50% in training, 15% in validation (thresholds, calibration) and 35% in the hold-out",
        "  below. They are carriers and negatives.",
    ]
    if data:
        lines += [
            f"  - Read labels (`models/real_audit.jsonl`, how in `models/real_audit.md`): "
            f"{data['read_total']} titles that could be violations were read one by one; "
            f"{data['read_excluded']} read as violations or unclear used clothing were left out of the "
            f"negatives, {data['read_negatives_train']} read as legal were used as training negatives.",
            f"  - Weak labels: {data['weak_negatives_train']} unread training-split titles taken as negatives "
            f"(nearly all are new goods), {data['validation_real']} validation-split titles.",
            f"  - Synthetic: {data['synthetic_train']} training listings ({data['synthetic_train_positives']} "
            f"positives), {data['synthetic_validation']} validation listings.",
        ]
    if data and "handwritten_train" in data:
        lines += [
            f"- **Hand-written listings** (`models/handwritten/`, how in its README): "
            f"{data['handwritten_train']} listings ({data['handwritten_train_positives']} violating)",
            "  written one at a time from the domain notes by writers who had not read the generator or",
            "  the evaluation set: personal preloved, compliance statements, legal imports, thrift-looking",
            "  new goods, used goods that are not clothing, and violations as sellers write them. Each",
            f"  weighs {meta['training']['config']['handwritten_weight']:g} synthetic listings. They are "
            "labelled as whole listings: a first fit",
            "  picks the unit that says it.",
        ]
    lines += [
        *_review_labels(meta["training"]),
        f"- Training data hash: `{meta['training']['data_sha256'][:16]}…`",
        "",
        "## Evaluation set",
        f"{ev['n']} listings ({ev['positives']} violating) written by hand from the domain notes by",
        "people who had not read the generator, with realistic descriptions (greetings, emoji,",
        "COD, size charts), frozen in `models/evaluation/` before this model was trained and never",
        "trained on. With boilerplate: one ordinary shop text (written apart from the generator)",
        "prepended or appended to every description.",
        "",
        "| | flagged precision | flagged recall | flagged F1 | TAKEDOWN precision | TAKEDOWN recall |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| model | {model['flagged']['precision']:.3f} | {model['flagged']['recall']:.3f} | "
        f"{model['flagged']['f1']:.3f} | {model['takedown']['precision']:.3f} | {model['takedown']['recall']:.3f} |",
        f"| model, boilerplate added | {padded['flagged']['precision']:.3f} | {padded['flagged']['recall']:.3f} | "
        f"{padded['flagged']['f1']:.3f} | {padded['takedown']['precision']:.3f} | "
        f"{padded['takedown']['recall']:.3f} |",
        f"| keyword baseline | {kw['precision']:.3f} | {kw['recall']:.3f} | {kw['f1']:.3f} | | |",
        *_intervals_lines(ev.get("model_intervals_95")),
        "",
        "### Per family",
        "Recall for violating families, false-positive rate for legal ones. *Held out* is a model",
        "trained without any listing of that family (positives and their twins), with its own",
        "thresholds: the honest test of a new evasion.",
        "",
        "| family | label | n | flagged | TAKEDOWN | flagged, boilerplate added | held out of training | keyword baseline |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lofo = summary.get("leave_one_family_out", {})
    for family, entry in ev["per_family"].items():
        key = "recall" if entry["label"] else "false_positive_rate"
        held = lofo.get(family, {}).get("recall_flagged")
        lines.append(f"| {family} | {entry['label']} | {entry['n']} | {entry[f'{key}_flagged']:.3f} | "
                     f"{entry[f'{key}_takedown']:.3f} | {entry[f'{key}_flagged_with_boilerplate']:.3f} | "
                     f"{'' if held is None else f'{held:.3f}'} | {entry[f'keyword_baseline_{key}']:.3f} |")
    lines += [
        "",
        "## Real titles (held out)",
        f"{real['n']} real Tokopedia titles of the hold-out split, nearly all new goods: TAKEDOWN "
        f"{_pct(real['takedown'])}, flagged (REVIEW or TAKEDOWN) {_pct(real['flagged'])}; the keyword "
        f"baseline flags {_pct(real['keyword_baseline_flagged'])}. Of the "
        f"{real['read_as_possible_violations']['n']} hold-out titles read as possible violations (left "
        f"out above), the model flags {real['read_as_possible_violations']['flagged']}.",
        "",
        "## Behavioural tests (CheckList)",
        "Fixtures in `tests/behavioural/data`, written by hand apart from the generator; the tests in",
        "`tests/behavioural` hold each rate to its bound.",
        "",
        "| test | kind | cases | failed | failure rate |",
        "| --- | --- | --- | --- | --- |",
    ]
    for check in summary["checklist"]:
        lines.append(f"| {check['description']} | {check['kind']} | {check['cases']} | {check['failed']} | "
                     f"{check['failed'] / max(1, check['cases']):.2%} |")
    lines += [
        "",
        "![score against description length](score_by_length.png)",
        "",
        "![evaluation set scores](scores.png)",
        "",
        "## Known limits",
        *_held_out_limit(lofo),
        "- **The evaluation set is not untouched.** Its listings were never read by the trainer, but its",
        "  per-family rates were, after most training runs, and the REVIEW threshold's validation target",
        "  was chosen after seeing its effect there; the last two models were each chosen among five",
        "  to twelve variants (pooling, data fixes, more hand-written listings, the gate's cap) by their",
        "  figures there and on the behavioural tests, and the rule for TAKEDOWN was chosen among four",
        "  (validation alone; calibration refitted on validation and the hand-written listings; those",
        "  listings alone raising TAKEDOWN; both counted together) after seeing theirs: read its figures",
        "  as optimistic. The hand-written listings scored out of fold (above) put TAKEDOWN precision",
        "  lower than the evaluation set does. The gate's slope, once set by hand at 2.5, is now fitted",
        "  with the Platt scale on validation; that came after fixed slopes of 3, 3.5 and 4 had been",
        "  tried and their figures seen here, though the fit itself reads validation alone. Title",
        "  windows, the negation scope in titles and the segment margin (2, the one value tried) were",
        "  chosen after seven full training runs' figures here and on the behavioural tests.",
        "- **One trade phrase alone is REVIEW, not TAKEDOWN.** \"Kemeja bekas impor\", \"Tas bekas",
        "  impor\" and the like are mostly REVIEW (the behavioural table counts every clothing word): legal",
        "  listings as sellers write them (thrift-look new shirts, overrun, personal preloved) score as",
        "  high, so TAKEDOWN's threshold sits above a single phrase. With a second cue they are taken down.",
        *(_windowed_title_limit(band, windows) if windows else _whole_title_limit(band)),
        "- **No real labelled positives exist yet.** The evaluation set is hand-written; real sellers",
        "  will find phrasings neither the generator nor the evaluation set knows. Review outcomes from",
        "  platforms are the way to learn them.",
        "- A signal split across two segments that are not adjacent is seen only one part at a time.",
        "- Personal preloved items and the bale trade share words (\"preloved\", \"kondisi 90%\"):",
        "  expect REVIEW rather than TAKEDOWN for ambiguous single items. Goods that are not clothing",
        "  are negatives because the ban is about clothing, shoes and bags; a product the model has",
        "  never seen with thrift words may still be flagged.",
        "- The calibrated probability reflects the validation mix, not marketplace prevalence.",
        "- Scores are not comparable across model versions; thresholds ship with each version.",
        "",
        "## Misuse",
        "- Not a sole basis for sanctions against a seller: TAKEDOWN removes a listing; strikes and",
        "  blocks need the platform's own review or a regulator's order.",
        "- Not for other product categories or languages without retraining and re-evaluation.",
        "- Not a measure of a seller's honesty; do not use scores to rank or profile people.",
        "",
    ]
    (model_dir / "MODEL_CARD.md").write_text("\n".join(lines), encoding="utf-8")
