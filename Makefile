# The two commands that matter: `make up` runs the platform, `make test` runs every test.
# Everything they need (OS packages, Kafka jars, Python deps) is installed when missing.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export PATH := $(HOME)/.local/bin:$(PATH)

UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY_DIRS := libs services tests bench demo conftest.py
SRC_DIRS := libs/shared/src services/ledger/src services/credit/src services/collections/src services/notifications/src
# each tests/ folder has its own conftest.py: type-check them one by one (no module name clashes)
TEST_DIRS := libs/shared/tests services/ledger/tests services/credit/tests services/collections/tests services/notifications/tests tests bench demo

.PHONY: up down restart status logs test lint format bootstrap infra infra-down migrate asyncapi bench demo help

help:
	@echo "make up      - install what is missing, start PostgreSQL, Kafka and the four services"
	@echo "make test    - same set-up, then lint, type-check and every test"
	@echo "make down    - stop everything;  make status / make logs"
	@echo "make restart SERVICE=credit - restart one service (API + worker) without migrating"
	@echo "make bench   - every benchmark, results into docs/benchmarks.md (BENCH_SCALE=small: a quick run)"
	@echo "make demo    - after make up: simulate 90 business days of a book (DEMO_SCALE=0.5 halves it)"

bootstrap:
	@bash deploy/bootstrap.sh

infra: bootstrap
	@deploy/postgres.sh start
	@deploy/kafka.sh start
	@deploy/provision.sh $${AR_PG_DATABASE:-ar}

up: infra
	@deploy/services.sh start

down:
	@deploy/services.sh stop
	@deploy/kafka.sh stop
	@deploy/postgres.sh stop

restart:
	@deploy/services.sh restart $(SERVICE)

status:
	@deploy/services.sh status
	@deploy/postgres.sh status
	@deploy/kafka.sh status

logs:
	@deploy/services.sh logs

migrate: infra
	@deploy/services.sh migrate

lint: bootstrap
	uv run --no-sync ruff check $(PY_DIRS)
	uv run --no-sync ruff format --check $(PY_DIRS)
	uv run --no-sync mypy $(SRC_DIRS)
	@for d in $(TEST_DIRS); do uv run --no-sync mypy $$d || exit 1; done

format: bootstrap
	uv run --no-sync ruff check --fix $(PY_DIRS)
	uv run --no-sync ruff format $(PY_DIRS)

test: infra
	@deploy/provision.sh $${AR_PG_TEST_DATABASE:-ar_test}
	@$(MAKE) --no-print-directory lint
	@deploy/test.sh $(PYTEST_ARGS)

# every benchmark on the running stack (after `make up`), one after the other; the results go into
# docs/benchmarks.md. BENCH_SCALE=small runs them on small books (a few minutes).
bench: infra
	uv run --no-sync python bench/run_all.py

# a simulated book over 90 business days against the running platform (`make up`); the exports go
# to .local/demo/<run>. DEMO_SCALE, DEMO_DAYS, DEMO_SEED, DEMO_RUN, DEMO_OUT tune it.
demo:
	DEMO_SCALE="$(DEMO_SCALE)" DEMO_DAYS="$(DEMO_DAYS)" DEMO_SEED="$(DEMO_SEED)" DEMO_RUN="$(DEMO_RUN)" DEMO_OUT="$(DEMO_OUT)" \
		uv run --no-sync python -m demo

asyncapi: bootstrap
	uv run --no-sync python -m ar_shared.events.asyncapi docs/asyncapi.yaml --markdown docs/events.md
