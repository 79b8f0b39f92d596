# Council Assistant: every command a person or CI needs. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash
APP := .venv/app/bin
RASA := .venv/rasa/bin
# Every command here runs in development unless told otherwise; the API refuses to start without CA_ENVIRONMENT.
export CA_ENVIRONMENT ?= development
RASA_QUIET := PYTHONWARNINGS=ignore TF_CPP_MIN_LOG_LEVEL=2 RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1

.PHONY: help run run-production run-telegram-demo test check install chromium model seed officer purge demo-residents knowledge-check knowledge-eval test-api test-bot test-unit test-dialogue bench load readability journeys nlu-report nlu-probe lint format format-check clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

run: install ## Install what is missing, train and seed if needed, then start everything on 127.0.0.1 (Ctrl-C stops it)
	@$(APP)/python scripts/stack.py

run-production: install ## The production profile on this machine: PostgreSQL, Redis, one Rasa server per core, several API and action workers
	@$(APP)/python scripts/stack.py production

run-telegram-demo: install ## make run, plus the Telegram bridge and a Telegram Bot API emulated on 127.0.0.1:8081 with a client page
	@CA_TELEGRAM_EMULATOR=1 $(APP)/python scripts/stack.py

test: install chromium model ## Install what is missing, then run every test
	@$(MAKE) --no-print-directory lint knowledge-check test-bot test-dialogue test-api

check: install ## The quick check while working (about a minute on an idle 2-core machine): lint, format, types, then the bot and API tests side by side, without the stack or slow tests
	@$(MAKE) --no-print-directory lint knowledge-check
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-bot test-unit

install: ## Make both Python environments if missing (cached by their pins under ~/.cache)
	@./scripts/bootstrap.sh app rasa

chromium: ## Install Debian's Chromium for the browser tests if missing
	@command -v chromium >/dev/null || { echo "==> installing Debian's chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

model: install ## Train the Rasa model if none matches the current data (log in var/log/train.log)
	@$(APP)/python scripts/stack.py model

seed: install ## Migrate the demo database and seed it if empty
	@$(APP)/python -m api.demo seed

officer: install ## Create an officer account for the console (asks for the details and a password)
	@read -rp "Email: " email; read -rp "Name (as residents see it): " name; \
	  read -rp "Role (electoral_services, customer_focus, supervisor): " role; \
	  $(APP)/python -m api.officers create "$$email" "$$name" "$$role"

purge: install ## Delete what the retention schedule no longer allows to keep (the API also does it hourly)
	@$(APP)/python -m api.privacy purge

demo-residents: install seed ## Print demo residents to try, as JSON
	@$(APP)/python -m api.demo residents

knowledge-check: ## Validate every knowledge article
	@$(RASA)/python -m bot.knowledge

knowledge-eval: model ## Score the evaluation set (knowledge/eval) through the trained model and routing: top-1/top-3 per topic
	@$(RASA_QUIET) HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(RASA)/python scripts/knowledge_eval.py \
	  --model models/$$($(APP)/python -c 'import sys; sys.path.insert(0, "scripts"); import stack; print(stack.model_fingerprint())').tar.gz $(ARGS)

test-bot: ## Action and spaCy pipeline tests (Rasa environment)
	@$(RASA_QUIET) $(RASA)/python -m pytest -c tests/bot/pytest.ini --rootdir . tests/bot -q

test-dialogue: model ## Rasa data validation and test stories against the trained model
	@$(APP)/python scripts/dialogue_tests.py

test-api: ## API, hub, end-to-end and browser tests, on SQLite and PostgreSQL (app environment)
	@$(APP)/python -m pytest tests/api tests/e2e tests/browser -q

test-unit: ## API and hub tests on SQLite only, on every core, without the stack or slow tests (no model, PostgreSQL or Chromium)
	@$(APP)/python -m pytest tests/api -m "not stack and not postgres and not slow" -n auto -q

nlu-report: install ## Cross-validate the NLU model: per-intent P/R/F1 and a confusion matrix in reports/nlu/
	@$(APP)/python scripts/nlu_report.py

nlu-probe: install ## A one-minute cross-validation of the intent data, listing the examples each intent loses
	@$(RASA_QUIET) $(RASA)/python scripts/nlu_probe.py

journeys: install model ## Simulated residents: many generated journeys per task on a fresh stack; writes reports/journeys/
	@$(APP)/python scripts/journeys.py

bench: install model seed ## Measure per-message latency and throughput (hub vs Rasa direct); writes reports/bench/
	@$(APP)/python scripts/bench.py

load: install model ## Load test of the production profile at 20/100/300 residents, hub vs one Rasa server; writes reports/load/
	@$(APP)/python scripts/load.py $(ARGS)

readability: install ## Reading age of every fixed reply and knowledge answer; lists the hardest ten
	@$(APP)/python scripts/readability.py

PY_DIRS := api bot council scripts tests telegram_bridge tools

lint: ## ruff check, ruff format --check and mypy (api and telegram_bridge in the app environment, bot in the Rasa environment)
	@$(APP)/ruff check $(PY_DIRS) && $(APP)/ruff format --check --quiet $(PY_DIRS) && $(APP)/mypy api council telegram_bridge tools \
	  && $(APP)/mypy --python-executable $(RASA)/python --cache-dir .mypy_cache/rasa bot

format: ## ruff format every Python file (FILES="a.py b.py" for some)
	@$(APP)/ruff format $${FILES:-$(PY_DIRS)}

format-check: ## Check that every Python file is ruff-formatted (also part of make lint)
	@$(APP)/ruff format --check $(PY_DIRS)

clean: ## Remove local databases, logs and models (not the cached environments)
	rm -rf var models results bot/nlp/council_en
