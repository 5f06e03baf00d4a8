# Developer entry points. Everything runs inside .venv (created on first use).
#   make lab        JupyterLab on notebooks/ (127.0.0.1)
#   make test       whole suite: tests/, doctests in planner/, notebooks, browser tests
#   make dashboard  Voila app of the counsellor session notebook (127.0.0.1:8866)
#   make bench      pytest-benchmark suite in benchmarks/
#   make clean      remove .venv and caches

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PIP    := $(PY) -m pip --quiet --disable-pip-version-check
PYTEST_ARGS ?=
# Jupyter refuses to start as root unless told; only pass the flag when we are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: venv lab test dashboard bench clean system-deps

venv: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-installs only when pyproject.toml changes (editable install: code edits need no reinstall).
$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --upgrade pip
	$(PIP) install -e '.[test]'
	touch $@

system-deps:
	bash scripts/install-system-deps.sh

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ALLOW_ROOT)

test: $(STAMP) system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

dashboard: $(STAMP)
	$(VENV)/bin/voila notebooks/04_counsellor_session.ipynb --Voila.ip=127.0.0.1 --port=8866 --no-browser

# addopts is overridden: the project default ignores benchmarks/ and runs doctests.
bench: $(STAMP)
	$(PY) -m pytest benchmarks --benchmark-only -p no:cacheprovider -o addopts=-q

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .benchmarks build dist *.egg-info
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -not -path './.git/*' -exec rm -rf {} +
