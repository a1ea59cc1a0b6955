# minxin — two commands matter: `make demo` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 8000
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
MINXIN := $(VENV)/bin/minxin
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: demo test setup assets chromium deploytools lint typecheck importlint security check serve clean

$(UV):
	@$(PYTHON) -m venv $(TOOLS) || { echo "python3 -m venv failed: install python3-venv (apt-get install python3-venv)"; exit 1; }
	@$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The environment, pinned by uv.lock.
setup: $(UV)
	@$(UV) sync --frozen --python $(PYTHON) --quiet
	@$(PY) scripts/fetch_assets.py
	@# The triage model is trained at setup (about 15 s on 2 cores) unless already there; one
	@# saved before its arrays were aligned for memory-mapping is rewritten (a few seconds).
	@if [ -f "$${MINXIN_VAR_DIR:-var}/triage/category_model.npz" ]; then \
	  $(MINXIN) triage model-align >/dev/null; else $(MINXIN) triage train; fi
	@# jieba's dictionary as a memory-mapped table (about 20 s), so no process holds it.
	@[ -f "$${MINXIN_VAR_DIR:-var}/triage/jieba_words.table" ] || $(MINXIN) triage words-table

demo: setup
	@$(MINXIN) migrate --noinput -v 0
	@$(MINXIN) createcachetable
	@$(MINXIN) seed_demo --if-empty --appeals $${APPEALS:-2000} --seed 1
	@$(MINXIN) seed_demo_boundaries
	@# The bulk-seeded appeals into their hotspots (集中投诉), as triage does one by one (~15 s).
	@$(MINXIN) triage hotspots-store
	@$(MINXIN) collectstatic --noinput -v 0
	@$(MINXIN) schedule_tasks
	@$(MINXIN) demo_logins
	@echo "minxin 民心: http://127.0.0.1:$(PORT)  (Ctrl-C stops the server and the worker)"
	@# Quiet and in one local time: no line per task run (failures still show), no
	@# file-watching reloader in the worker, gunicorn's access log in China time like the app's.
	@trap 'kill 0' EXIT INT TERM; export TZ=Asia/Shanghai MINXIN_TASK_LOG_LEVEL=WARNING; \
	  $(MINXIN) db_worker --interval 2 --no-reload & \
	  $(VENV)/bin/gunicorn config.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 \
	    --access-logfile - --access-logformat '%(t)s "%(m)s %(U)s" %(s)s %(L)ss'

# The browser for the e2e tests, and a CJK font so its screenshots show Chinese, not boxes.
chromium:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; } || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; }

# What the deployment tests drive (tests/deploy, docs/deploy.md): nginx in front of gunicorn,
# the PostgreSQL server tools (a private primary and its standby) and client tools,
# systemd-analyze (the units are verified).
deploytools:
	@{ command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } && command -v pg_dump >/dev/null 2>&1 && command -v systemd-analyze >/dev/null 2>&1 \
	  && ls /usr/lib/postgresql/*/bin/pg_basebackup >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx postgresql openssl systemd >/dev/null; }

# Every test, browser tests and deployment tests included.
test: setup chromium deploytools
	@$(VENV)/bin/pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

lint: setup
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

typecheck: setup
	@$(VENV)/bin/mypy minxin config

importlint: setup
	@$(VENV)/bin/lint-imports

# bandit: findings are justified on their line (# nosec Bxxx - why); see [tool.bandit].
security: setup
	@$(VENV)/bin/bandit -q -c pyproject.toml -r minxin config

check: lint typecheck importlint security

clean:
	rm -rf $(VENV) $(TOOLS) var minxin/static/vendor
