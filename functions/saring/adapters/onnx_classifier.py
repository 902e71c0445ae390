"""The ONNX listing classifier: loads models/listing-classifier once, scores batches in one run.

The graph takes integer tensors (code points of the normalised title and description segments
and word hashes, packed without padding), so the only Python work per listing is normalisation,
segmentation and hashing (``saring.classifier.features``). Explanations read the weight of every
feature from the same run and name the seller's own words (``saring.classifier.evidence``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

import onnxruntime as ort

from saring.classifier.evidence import block_word_weights, phrases
from saring.classifier.features import listing_input, pack_batch, traced_input
from saring.domain.listings import Evidence, Listing
from saring.ports import Classifier, ModelThresholds

MODEL_DIR_ENV = "SARING_MODEL_DIR"
LAMBDA_LAYER_DIR = Path("/opt/model")
_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # functions/saring


class ModelLoadError(RuntimeError):
    """The model directory is missing, incomplete or inconsistent."""


def _has_model(path: Path) -> bool:
    return (path / "model.onnx").is_file() and (path / "metadata.json").is_file()


def default_model_dir() -> Path:
    """Where the model is: $SARING_MODEL_DIR, else the Lambda layer /opt/model, else a copy
    inside the package (functions/saring/model), else the repo's models/listing-classifier."""
    env = os.environ.get(MODEL_DIR_ENV)
    if env:
        return Path(env)
    for candidate in (LAMBDA_LAYER_DIR, _PACKAGE_DIR / "model", _PACKAGE_DIR.parent.parent / "models" / "listing-classifier"):
        if _has_model(candidate):
            return candidate
    return _PACKAGE_DIR.parent.parent / "models" / "listing-classifier"


def _session_options(threads: int) -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    if threads == 1:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


class OnnxClassifier(Classifier):
    """``Classifier`` backed by the exported ONNX graph; build it once per process."""

    def __init__(self, model_dir: Path | str | None = None, *, threads: int = 1, verify_hash: bool = True) -> None:
        directory = Path(model_dir) if model_dir is not None else default_model_dir()
        if not _has_model(directory):
            raise ModelLoadError(f"no model.onnx + metadata.json in {directory}")
        try:
            metadata = json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
            blob = (directory / "model.onnx").read_bytes()
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot read the model in {directory}: {exc}") from exc
        expected = metadata.get("model_sha256")
        if verify_hash and expected and hashlib.sha256(blob).hexdigest() != expected:
            raise ModelLoadError(f"model.onnx in {directory} does not match metadata.json (sha256)")
        self.model_dir = directory
        self.metadata = metadata
        self.version: str = metadata["version"]
        self.thresholds = ModelThresholds(float(metadata["thresholds"]["review"]), float(metadata["thresholds"]["takedown"]))
        # evidence is reported in the calibrated model's log-odds: raw weights times this slope
        self._evidence_scale = float(metadata.get("calibration", {}).get("a", 1.0))
        # a model trained with title windows reads them from the packed batch; older ones have none
        self.title_window_words = int(metadata.get("features", {}).get("title_window_words", 0))
        self._session = ort.InferenceSession(blob, _session_options(threads), providers=["CPUExecutionProvider"])
        self._score_outputs = ["probability"]
        self._explain_outputs = ["contrib", "block_scores"]
        # warm-up: the first runs of each shape allocate; do that now rather than on a request
        warm = [listing_input(Listing("warm-up", "warm-up", "kaos polos", "bahan katun. ready stock", 50_000, None))] * 2
        self.score_inputs(warm[:1])
        self.score_inputs(warm)

    @classmethod
    def from_dir(cls, model_dir: Path | str | None = None, **kwargs) -> OnnxClassifier:
        return cls(model_dir, **kwargs)

    # -- scoring ----------------------------------------------------------------------------

    def score_inputs(self, inputs) -> list[float]:
        if not inputs:
            return []
        (probability,) = self._session.run(self._score_outputs, pack_batch(inputs, self.title_window_words))
        return probability.tolist()

    def score(self, listings: Sequence[Listing]) -> list[float]:
        return self.score_inputs([listing_input(listing) for listing in listings])

    # -- explanation ------------------------------------------------------------------------

    def explain_many(self, listings: Sequence[Listing], limit: int = 5) -> list[list[Evidence]]:
        if limit <= 0 or not listings:
            return [[] for _ in listings]
        model_ins = [listing_input(listing) for listing in listings]
        feeds = pack_batch(model_ins, self.title_window_words)
        contrib, block_scores = self._session.run(self._explain_outputs, feeds)
        out = []
        block = 0
        for listing, model_in in zip(listings, model_ins, strict=True):
            count = len(model_in.texts)
            weights = block_word_weights(contrib, feeds["index"][block : block + count], model_in)
            traced = traced_input(listing.title, listing.description)
            out.append(phrases(traced, model_in, weights, block_scores[block : block + count],
                               self._evidence_scale, limit))
            block += count
        return out
