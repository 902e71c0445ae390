"""`make shadow-layer CANDIDATE=DIR` lays a candidate out as the API finds it in AWS: the zip,
unpacked as Lambda unpacks a layer, holds the model at the path template.yaml gives
SARING_SHADOW_MODEL_DIR, and the API loads it from there as its shadow."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO_ROOT
from tests.fakes import RecordingMetrics
from tests.iam import load_template

SHIPPED = REPO_ROOT / "models" / "listing-classifier"
TEMPLATE = load_template(REPO_ROOT / "template.yaml")


def shadow_dir_in_template() -> str:
    variables = TEMPLATE["Resources"]["ApiFunction"]["Properties"]["Environment"]["Variables"]
    _, path, _ = variables["SARING_SHADOW_MODEL_DIR"]["Fn::If"]
    return path


def make_shadow_layer(candidate: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "-s", "-C", str(REPO_ROOT), "shadow-layer",
         f"CANDIDATE={candidate}", f"SHADOW_LAYER={out}", f"PYTHON={sys.executable}"],
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_the_layer_unpacks_to_the_shadow_model_dir_and_loads_as_the_shadow(tmp_path):
    from saring.adapters.onnx_classifier import OnnxClassifier
    from saring.bootstrap import load_shadow
    from saring.settings import Settings

    candidate = tmp_path / "candidate"
    candidate.mkdir()
    shutil.copy(SHIPPED / "model.onnx", candidate / "model.onnx")
    metadata = json.loads((SHIPPED / "metadata.json").read_text())
    metadata["version"] = "listing-classifier-shadow-layer-test"
    (candidate / "metadata.json").write_text(json.dumps(metadata))

    done = make_shadow_layer(candidate, tmp_path / "layer")
    assert done.returncode == 0, done.stderr
    opt = tmp_path / "opt"  # Lambda extracts every layer into /opt
    with zipfile.ZipFile(tmp_path / "layer.zip") as layer:
        layer.extractall(opt)
    shadow_dir = opt / Path(shadow_dir_in_template()).relative_to("/opt")
    assert sorted(p.name for p in shadow_dir.iterdir()) == ["metadata.json", "model.onnx"]

    live = OnnxClassifier.from_dir(SHIPPED)
    shadow = load_shadow(
        Settings.from_env({"SARING_SHADOW_MODEL_DIR": str(shadow_dir)}), live, RecordingMetrics()
    )
    assert shadow is not None and shadow.version == "listing-classifier-shadow-layer-test"


def test_a_directory_without_a_model_is_refused(tmp_path):
    done = make_shadow_layer(tmp_path, tmp_path / "layer")
    assert done.returncode != 0
    assert "has no model.onnx and metadata.json" in done.stderr
    assert not (tmp_path / "layer.zip").exists()
