# PromoFlow developer commands. Everything runs through uv from the lock file.
# uv comes from PyPI when the machine does not have it yet.
UV ?= $(shell command -v uv 2>/dev/null || echo python3 -m uv)

.PHONY: ensure-uv install engine test-deps run up down status test test-unit test-integration bench lint fmt typecheck schemas clean

ensure-uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install -q --disable-pip-version-check uv

install: ensure-uv  ## install Python deps (from uv.lock), PostgreSQL packages, the Kafka jars, Chart.js
	$(UV) sync --frozen --compile-bytecode
	$(UV) run --frozen python -m compileall -q contracts services infra/promoflow_infra
	bash infra/postgres/postgres.sh install
	bash infra/kafka/kafka.sh fetch
	bash infra/web/fetch_assets.sh
	$(MAKE) --no-print-directory engine

engine: ensure-uv  ## compile the promotion engine with mypyc (needs gcc; only when its sources changed)
	@command -v gcc >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q gcc)
	$(UV) run --frozen python -m promoflow_infra.engine_build

test-deps:  ## what the suite needs besides Python: Chart.js and headless Chromium (dashboard test)
	@bash infra/web/fetch_assets.sh
	@bash infra/web/chromium.sh

run: install  ## bring up Kafka, PostgreSQL and every service; Ctrl-C stops all
	$(UV) run --frozen promoflow run

up: install  ## start in the background
	$(UV) run --frozen promoflow up

down: ensure-uv  ## stop what run/up started
	$(UV) run --frozen promoflow down

status: ensure-uv
	$(UV) run --frozen promoflow status

test: ensure-uv test-deps engine  ## the whole suite: unit + integration against real Kafka and PostgreSQL
	PROMOFLOW_ENGINE_BUILD=compiled $(UV) run --frozen pytest

test-unit: ensure-uv  ## only the fast pure-logic tests
	$(UV) run --frozen pytest -m unit

test-integration: ensure-uv test-deps
	$(UV) run --frozen pytest -m integration

bench: ensure-uv  ## benchmarks: print figures, assert nothing
	@for script in benchmarks/*_bench.py; do echo "== $$script"; $(UV) run --frozen python $$script --quick || exit 1; done

lint: ensure-uv  ## ruff lint + format check, mypy strict, JSON Schemas current
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy
	$(UV) run --frozen python -m promoflow_contracts.schemas --check

fmt: ensure-uv
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

schemas: ensure-uv  ## regenerate contracts/schemas from the models
	$(UV) run --frozen python -m promoflow_contracts.schemas

clean:  ## stop everything and delete the run directory
	-$(UV) run --frozen promoflow down
	rm -rf .run
