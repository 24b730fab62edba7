# crmlab: two commands for a newcomer, `make demo` and `make test`.
# Both bootstrap .venv from pyproject.toml on first use (and again when it changes).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.crmlab-installed
# pytest options for the notebooks: nbval re-executes each committed notebook in this environment's
# kernel and compares its outputs with the committed ones (after sanitising what legitimately varies).
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help venv test test-fast test-floor demo bench clean

help:
	@echo "make demo   - set up .venv, run every ready case notebook, write build/demo/index.html"
	@echo "make test   - set up .venv, run the unit tests and re-run the notebooks under nbval"
	@echo "make test-floor - the unit tests again, in .venv-floor with the oldest declared dependency versions"
	@echo "make bench  - performance benchmarks (prints a table, writes build/bench/results.json);"
	@echo "              BENCH_ARGS=--quick for a smoke run"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "crmlab needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[cluster]'
	@touch $(STAMP)

# pytest exits 5 when it collected nothing: that is a failure here, never a green run.
test: $(STAMP)
	@$(PY) -m pytest tests cases notebooks src/crmlab --doctest-modules $(NBVAL); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

# Unit tests only (no notebooks): the quick loop while developing.
test-fast: $(STAMP)
	@$(PY) -m pytest tests cases -q; rc=$$?; [ $$rc -ne 5 ] || { echo "no tests collected" >&2; exit 1; }; exit $$rc

# The lower bounds in pyproject.toml, tested: every dependency pinned to its floor in .venv-floor. The
# notebooks are left out: their committed outputs are those of the current releases (make test).
FLOOR_VENV := .venv-floor
test-floor:
	@test -x $(FLOOR_VENV)/bin/python || $(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "crmlab needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")'
	@test -x $(FLOOR_VENV)/bin/python || $(PYTHON) -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python .ci/floor_constraints.py > $(FLOOR_VENV)/constraints.txt
	$(FLOOR_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(FLOOR_VENV)/bin/python -m pip install --quiet -c $(FLOOR_VENV)/constraints.txt -e '.[cluster]'
	@$(FLOOR_VENV)/bin/python -m pytest tests cases src/crmlab --doctest-modules -q -p no:cacheprovider; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make test-floor: pytest collected no tests" >&2; exit 1; fi; exit $$rc

demo: $(STAMP)
	$(VENV)/bin/crmlab demo --out build/demo

# lifetimes (archived) is only a yardstick for the benchmark: it lives in its own environment and
# never in crmlab's dependencies.
BENCH_VENV := .bench-venv
$(BENCH_VENV)/.installed:
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet "lifetimes==0.11.3" pyarrow
	@touch $@

bench: $(STAMP) $(BENCH_VENV)/.installed
	CRMLAB_BENCH_LIFETIMES_PYTHON=$(abspath $(BENCH_VENV))/bin/python $(PY) bench/run.py --out build/bench $(BENCH_ARGS)

clean:
	rm -rf build .pytest_cache
