# Two commands matter: `make run` and `make test`. Both set everything up from python3 alone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DYNAMODB_PORT ?= 8001

.PHONY: run test bench lint schema schema-check requirements requirements-check train evaluate \
	model-layer loadtest loop-demo clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,train]'
	touch $(INSTALLED)

run: $(INSTALLED)
	$(PY) -m saring.cli serve --host $(HOST) --port $(PORT) --dynamodb-port $(DYNAMODB_PORT) \
		--keys-out .local/demo-keys.json

test: $(INSTALLED)
	$(PY) -m pytest

bench: $(INSTALLED)
	$(PY) bench/run.py

lint: $(INSTALLED) schema-check requirements-check
	$(PY) -m ruff check functions tests models bench
	$(VENV)/bin/cfn-lint template.yaml

schema: $(INSTALLED)
	$(PY) -m saring.api.export > graphql/schema.graphql

schema-check: $(INSTALLED)
	$(PY) -m saring.api.export | diff -u graphql/schema.graphql - \
		|| (echo "graphql/schema.graphql is stale: run 'make schema'" >&2; exit 1)

# The Lambda build (functions/Makefile) installs these; pyproject.toml is where they are kept.
REQUIREMENTS = $(PYTHON) -c "import tomllib; \
	print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))"

requirements:
	$(REQUIREMENTS) > functions/requirements.txt

requirements-check:
	$(REQUIREMENTS) | diff -u functions/requirements.txt - \
		|| (echo "functions/requirements.txt is stale: run 'make requirements'" >&2; exit 1)

# LABELS=FILE adds review outcomes (`saring labels export`) to training; OUT=DIR writes elsewhere.
train: $(INSTALLED)
	$(PY) models/train.py $(if $(LABELS),--labels $(LABELS)) $(if $(OUT),--out $(OUT))

# The learning loop end to end on the local stack (docs/learning-loop.md): replay, review, export,
# retrain, gate, promote within .local/loop, replay. Ports 8200/8201 unless LOOP_DEMO_PORT says.
loop-demo: $(INSTALLED)
	$(PY) models/loop/demo.py

evaluate: $(INSTALLED)
	$(PY) models/evaluate.py

# Not part of `make test`: a bounded load on loopback against `saring serve`, figures as JSON.
loadtest: $(INSTALLED)
	$(PY) bench/loadtest.py --output .local/loadtest.json

# The model travels to Lambda as a layer unpacked under /opt/model.
model-layer:
	rm -rf infra/model-layer && mkdir -p infra/model-layer/model
	cp models/listing-classifier/model.onnx models/listing-classifier/*.json infra/model-layer/model/

clean:
	rm -rf $(VENV) .local .pytest_cache .hypothesis .ruff_cache infra/model-layer .aws-sam
