# Two commands do all the set-up on a fresh Debian machine with Python 3.11:
#   make run    install, build the index if missing, serve the app at http://127.0.0.1:$(PORT)
#   make test   install, then run the test suite
VENV    ?= .venv
PYTHON  ?= python3
PORT    ?= 7860
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: install run test test-pg lint coverage bench browser-deps clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/drafter index
	PORT=$(PORT) $(BIN)/drafter serve

test: install
	$(BIN)/python -m pytest -q

# The store tests on SQLite and on a throwaway PostgreSQL cluster (tools/pg_test_cluster.sh; apt installs it).
test-pg: install
	eval "$$(bash tools/pg_test_cluster.sh start)" && $(BIN)/python -m pytest -q tests/test_store.py \
	  tests/test_store_runs.py tests/test_store_migrations.py tests/test_team.py; rc=$$?; bash tools/pg_test_cluster.sh stop; exit $$rc

# Line coverage of the library and the web UI, subprocesses included (browser tests left out: slow).
coverage: install
	rm -f .coverage .coverage.*
	$(BIN)/coverage run -m pytest -q -p no:cacheprovider --ignore=tests/test_ui_browser.py --ignore=tests/test_accounts_browser.py
	$(BIN)/coverage combine -q
	$(BIN)/coverage report --skip-covered --sort=cover | tail -25

lint: install
	$(BIN)/ruff check drafter tests bench tools ui.py webui
	$(BIN)/mypy drafter ui.py webui

# Chromium, chromedriver and CJK fonts for the browser test; Debian packages (needs root or sudo).
# Retried: a transient mirror failure should not sink CI (the browser test then skips, saying why).
browser-deps:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null && fc-list 2>/dev/null | grep -qi cjk; then \
	  echo "chromium, chromedriver and CJK fonts present"; \
	else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  for try in 1 2 3; do \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	      chromium chromium-driver fonts-noto-cjk && break; \
	    echo "apt-get failed (try $$try of 3)"; sleep 10; \
	  done; \
	  command -v chromium >/dev/null || echo "WARNING: chromium not installed; the browser test will be skipped"; \
	fi

bench: install
	$(BIN)/python bench/eval_retrieval.py
	$(BIN)/python bench/bench_index.py

clean:
	rm -rf $(VENV) data .pytest_cache
