# Two commands matter: `make run` and `make test`. Both set everything up from python3 alone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DYNAMODB_PORT ?= 8001
KEYS_OUT ?= .local/demo-keys.json

GRAPHIQL_ASSETS := functions/saring/api/graphiql/assets/.complete

.PHONY: run test bench lint schema schema-check requirements requirements-check train evaluate \
	model-layer shadow-layer loadtest loop-demo clean graphiql-assets

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,train,report]'
	touch $(INSTALLED)

# GraphiQL's browser files, fetched once with npm (Node.js's, or a wheel's when there is none):
# the page then works without internet. functions/graphiql_assets.py says why and how.
$(GRAPHIQL_ASSETS): $(INSTALLED) functions/saring/api/graphiql/assets.json functions/graphiql_assets.py
	command -v npm >/dev/null 2>&1 || $(PY) -m pip install --quiet -e '.[dev,train,assets]'
	$(PY) functions/graphiql_assets.py
	touch $@

graphiql-assets: $(GRAPHIQL_ASSETS)

# Without GraphiQL's files (no npm registry at hand) the API still runs; the page says what to do.
run: $(INSTALLED)
	@$(MAKE) -s --no-print-directory $(GRAPHIQL_ASSETS) \
		|| echo "saring: GraphiQL's files are missing (see above); the API works without them" >&2
	$(PY) -m saring.cli serve --host $(HOST) --port $(PORT) --dynamodb-port $(DYNAMODB_PORT) \
		--keys-out $(KEYS_OUT)

test: $(INSTALLED) $(GRAPHIQL_ASSETS)
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

# A candidate model for the shadow (docs/learning-loop.md): the same files as the live model's
# layer under /opt/shadow-model, and the zip that `aws lambda publish-layer-version` takes.
SHADOW_LAYER ?= infra/shadow-layer
shadow-layer:
	@test -n "$(CANDIDATE)" || { echo "usage: make shadow-layer CANDIDATE=<model directory>" >&2; exit 2; }
	@test -f "$(CANDIDATE)/model.onnx" -a -f "$(CANDIDATE)/metadata.json" \
		|| { echo "$(CANDIDATE) has no model.onnx and metadata.json" >&2; exit 2; }
	rm -rf "$(SHADOW_LAYER)" "$(SHADOW_LAYER).zip" && mkdir -p "$(SHADOW_LAYER)/shadow-model"
	cp "$(CANDIDATE)"/model.onnx "$(CANDIDATE)"/*.json "$(SHADOW_LAYER)/shadow-model/"
	cd "$(SHADOW_LAYER)" && $(PYTHON) -m zipfile -c "$(abspath $(SHADOW_LAYER)).zip" shadow-model
	@echo "layer: $(SHADOW_LAYER).zip (unpacks to /opt/shadow-model)"

clean:
	rm -rf $(VENV) .local functions/saring/api/graphiql/assets .pytest_cache .hypothesis .ruff_cache infra/model-layer infra/shadow-layer infra/shadow-layer.zip .aws-sam

# Uploads the console to a deployed stack's bucket with its config.json (docs/console.md).
# Needs the aws CLI and credentials; STACK is the stack name given to `sam deploy`.
.PHONY: console-publish
console-publish: $(INSTALLED)
	@test -n "$(STACK)" || { echo "usage: make console-publish STACK=<stack name>" >&2; exit 2; }
	@set -e; \
	stack() { aws cloudformation describe-stacks --stack-name "$(STACK)" --output text \
		--query "Stacks[0].$$1[?$$2=='$$3'].$$4"; }; \
	bucket=$$(stack Outputs OutputKey ConsoleBucketName OutputValue); \
	mkdir -p .local; \
	SARING_PLATFORMS="$$(stack Parameters ParameterKey Platforms ParameterValue)" \
		$(PY) -m saring.console --graphql "$$(stack Outputs OutputKey ApiUrl OutputValue)" \
		> .local/console-config.json; \
	aws s3 sync functions/saring/console/static "s3://$$bucket/" --delete --exclude config.json; \
	aws s3 cp .local/console-config.json "s3://$$bucket/config.json" --cache-control no-store; \
	aws cloudfront create-invalidation --paths '/*' \
		--distribution-id "$$(stack Outputs OutputKey ConsoleDistributionId OutputValue)" > /dev/null; \
	echo "console published: $$(stack Outputs OutputKey ConsoleUrl OutputValue)"
