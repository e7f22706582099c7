# make report: install, fetch, build, write the report.  make test: run the test suite
# (make test-fast: the unit tier only).
VENV ?= .venv
PY := $(VENV)/bin/python
AIATLAS := $(VENV)/bin/aiatlas
PYTHON ?= python3

.PHONY: report test test-fast lint install bench docs clean

$(VENV)/.installed: pyproject.toml
	@echo "installing aiatlas with its spark, pdf and dev extras into $(VENV) (a few minutes, once)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,spark,pdf]'
	touch $@

install: $(VENV)/.installed

report: install
	$(AIATLAS) fetch
	$(AIATLAS) build
	$(AIATLAS) report --out out/report --lang en,ja

lint: install
	$(PY) -m ruff check src tests bench

# The tests keep Python's bytecode cache (__pycache__, Python's default; git ignores it) even
# where the environment turns it off with PYTHONDONTWRITEBYTECODE: without it every run compiles
# aiatlas and every new process's imports again, and pytest rewrites every test module's asserts
# again, about a sixth of `make test-fast`'s CPU. The first run after a change pays it once.
TEST_ENV := PYTHONDONTWRITEBYTECODE=

test: lint
	$(TEST_ENV) $(PY) -m pytest -q -n 2 --dist loadgroup

# The unit tier: no mirror, Spark, browser or slow tests (under a minute here); property tests
# draw 20 examples each here (HYPOTHESIS_PROFILE=fast), 100 in `make test`, 500 in CI.
test-fast: install
	$(TEST_ENV) HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-fast} $(PY) -m pytest -q -n 2 --dist loadgroup -m "not mirror and not spark and not browser and not slow"

bench: install
	for b in bench/*.py; do $(PY) $$b || exit 1; done

docs: install
	$(PY) -m aiatlas.warehouse.rules > docs/warehouse.md
	$(PY) -m aiatlas.reference docs
	$(PY) -m aiatlas.curated.docs docs/curated.md
	AIATLAS_MIRROR=$${AIATLAS_MIRROR:-../shared/data} $(PY) -m aiatlas.report.reconcile --golden docs/reconcile.md

clean:
	rm -rf out .pytest_cache
