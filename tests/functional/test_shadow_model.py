"""A candidate model in shadow: a real second model directory (the shipped ONNX graph with other
thresholds and version), loaded once; the live verdict is returned unchanged, disagreements in
band are counted and logged without listing text, and a failing candidate fails nothing."""

from __future__ import annotations

import json
import shutil

import pytest

from saring.domain.listings import Listing
from saring.domain.principals import Principal, Role
from saring.domain.verdicts import Decision, decision_for_score
from tests.conftest import REPO_ROOT
from tests.fakes import RecordingMetrics
from tests.functional.conftest import invoke

SHOPEE = Principal(Role.PLATFORM, "platform:shopee", platform="shopee")
SHIPPED = REPO_ROOT / "models" / "listing-classifier"
SHADOW_VERSION = "listing-classifier-candidate-test"
TITLES = [
    "Kaos polos cotton combed 30s baru",
    "bal thrift korea isi 100 pcs, buka karung",
    "Jaket wanita preloved ex Jepang",
    "THR1FT bal Korea jaket wanita preloved ex Jepang",
    "Sepatu lari pria original",
    "Kemeja batik pria lengan panjang",
    "jaket bekas impor cakaran",
    "Tas selempang kulit asli",
    "hoodie second branded ex korea",
    "celana jeans baru stok terbatas",
]
LISTINGS = [Listing(f"L-{n}", f"s-{n}", title) for n, title in enumerate(TITLES)]


@pytest.fixture(scope="module")
def candidate_dir(tmp_path_factory):
    """The shipped graph with other thresholds: the candidate sends every listing to REVIEW,
    so each listing the live model allows or takes down is a disagreement, whatever the
    shipped model's scores."""
    directory = tmp_path_factory.mktemp("candidate")
    for path in SHIPPED.iterdir():
        if path.name in ("model.onnx", "metadata.json"):
            shutil.copy(path, directory / path.name)
    metadata = json.loads((directory / "metadata.json").read_text())
    metadata["version"] = SHADOW_VERSION
    metadata["thresholds"] = {"review": 1e-9, "takedown": 1.5}
    (directory / "metadata.json").write_text(json.dumps(metadata))
    return directory


@pytest.fixture
def shadowed(dynamodb, table_name, classifier, clock, candidate_dir):
    from saring.bootstrap import build_services
    from saring.settings import Settings

    metrics = RecordingMetrics()
    settings = Settings.from_env(
        {
            "SARING_TABLE": table_name,
            "SARING_IDENTITY_SECRET": "test-identity-secret-0123456789abcdef",
            "SARING_SHADOW_MODEL_DIR": str(candidate_dir),
        }
    )
    services = build_services(
        settings, dynamodb=dynamodb, clock=clock, classifier=classifier, metrics=metrics
    )
    return services, metrics


def expected_disagreements(live_scores, shadow_scores, live, shadow) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for a, b in zip(live_scores, shadow_scores, strict=True):
        x = decision_for_score(a, live.review, live.takedown)
        y = decision_for_score(b, shadow.review, shadow.takedown)
        if x is not y:
            found[(x.value, y.value)] = found.get((x.value, y.value), 0) + 1
    return found


def test_disagreements_are_counted_per_band_pair(shadowed, services, classifier, candidate_dir):
    from saring.adapters.onnx_classifier import OnnxClassifier

    shadow_services, metrics = shadowed
    results = shadow_services.verdicts.verdicts(SHOPEE, LISTINGS)
    plain = services.verdicts.verdicts(SHOPEE, LISTINGS)
    # The live verdict is returned, untouched by the candidate.
    assert [(r.decision, r.score, r.reasons) for r in results] == [
        (r.decision, r.score, r.reasons) for r in plain
    ]
    candidate = OnnxClassifier.from_dir(candidate_dir)
    want = expected_disagreements(
        classifier.score(LISTINGS), candidate.score(LISTINGS), classifier.thresholds, candidate.thresholds
    )
    assert set(want) == {("ALLOW", "REVIEW"), ("TAKEDOWN", "REVIEW")}
    assert metrics.of("ShadowVerdicts", platform="shopee") == len(LISTINGS)
    got = {
        (dict(dims)["live"], dict(dims)["shadow"]): n
        for (name, dims), n in metrics.counts.items()
        if name == "ShadowDisagreements"
    }
    assert got == want
    assert all(live != shadow for live, shadow in got)


def test_the_candidate_is_named_in_model_info(shadowed):
    from saring.api.context import RequestContext
    from saring.api.schema import build_schema

    services, _ = shadowed
    result = build_schema(services.settings).execute_sync(
        "{ modelInfo { version shadowVersion } }",
        context_value=RequestContext(services=services, principal=SHOPEE),
    )
    assert result.errors is None
    assert result.data["modelInfo"]["shadowVersion"] == SHADOW_VERSION
    assert result.data["modelInfo"]["version"] != SHADOW_VERSION


def test_through_the_lambda_handler_with_the_setting(
    candidate_dir, dynamodb, table_name, monkeypatch, json_logs
):
    """SARING_SHADOW_MODEL_DIR as the deployed function reads it: loaded at import, once."""
    import importlib
    import sys

    from saring.adapters.dynamodb.client import dynamodb_client
    from saring.local_stack import create_demo_keys

    monkeypatch.setenv("SARING_TABLE", table_name)
    monkeypatch.setenv("SARING_IDENTITY_SECRET", "test-identity-secret-0123456789abcdef")
    monkeypatch.setenv("SARING_SHADOW_MODEL_DIR", str(candidate_dir))
    dynamodb_client.cache_clear()
    sys.modules.pop("saring.handlers.api", None)
    try:
        module = importlib.import_module("saring.handlers.api")
        keys = {e["name"]: e["key"] for e in create_demo_keys(module.app.services)}
        listings = [
            {"listingId": x.listing_id, "sellerId": x.seller_id, "title": x.title + " ZQX"}
            for x in LISTINGS
        ]
        _, body, _ = invoke(
            module,
            "query($l: [ListingInput!]!) { verdicts(listings: $l) { decision } modelInfo { shadowVersion } }",
            keys["shopee"],
            {"l": listings},
        )
        assert body["data"]["modelInfo"]["shadowVersion"] == SHADOW_VERSION
        assert len(body["data"]["verdicts"]) == len(LISTINGS)
    finally:
        sys.modules.pop("saring.handlers.api", None)
        dynamodb_client.cache_clear()
    logged = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    (line,) = [entry for entry in logged if entry["message"] == "shadow model disagrees"]
    assert line["shadow_version"] == SHADOW_VERSION and line["listings"] == len(LISTINGS)
    assert sum(line["disagreements"].values()) >= 3
    text = json_logs.getvalue()
    for listing in LISTINGS:
        assert listing.title not in text and f'"{listing.listing_id}"' not in text


def test_a_failing_candidate_fails_no_request(services, caplog):
    from saring.service.shadow import ShadowModel
    from saring.service.verdicts import VerdictService

    class Broken:
        version = "broken-1"
        thresholds = services.classifier.thresholds

        def score(self, listings):
            raise RuntimeError("onnxruntime fell over")

    metrics = RecordingMetrics()
    live = services.verdicts
    shadowed = VerdictService(
        services.classifier,
        live._facts,
        services.clock,
        live.limits,
        metrics,
        shadow=ShadowModel(Broken(), services.classifier.version, metrics),
    )
    results = shadowed.verdicts(SHOPEE, LISTINGS)
    assert [r.decision for r in results] == [r.decision for r in live.verdicts(SHOPEE, LISTINGS)]
    assert metrics.of("ShadowErrors", platform="shopee") == 1
    assert metrics.of("ShadowVerdicts", platform="shopee") == 0
    assert Decision.ALLOW in {r.decision for r in results}
