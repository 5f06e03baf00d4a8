# Developer entry points. Everything runs inside .venv (created on first use).
#   make lab        JupyterLab on notebooks/ (127.0.0.1, token; keeps running: Ctrl-C to stop)
#   make test       whole suite: tests/, doctests in planner/, notebooks, browser tests
#   make dashboard  Voila app of the counsellor session notebook (127.0.0.1:8866, token; keeps running)
#   make bench      benchmark table (benchmarks/run.py), the case book's figures and the widget benchmark
#   make lock       refresh requirements/test.lock from pyproject.toml (newest releases that fit)
#   make test-latest  the whole suite against the newest releases (.venv-latest, no lock): finds drift on purpose
#   make clean      remove .venv and caches

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PIP    := $(PY) -m pip --quiet --disable-pip-version-check
# Exact versions, with hashes, of everything `make test` installs (Python 3.11+, any platform):
# a new release of a dependency cannot change what the two README commands install.
LOCK   := requirements/test.lock
LATEST := .venv-latest
PYTEST_ARGS ?=
# Jupyter refuses to start as root unless told; only pass the flag when we are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: venv lab test test-latest lock dashboard bench clean system-deps

venv: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-installs only when the lock or pyproject.toml changes (editable install: code edits need
# no reinstall). Everything comes from the lock, hash-checked; the project itself is then
# installed editable without resolving anything (its build tools are in the lock too).
$(STAMP): $(LOCK) pyproject.toml | $(PY)
	$(PIP) install --require-hashes -r $(LOCK)
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

# Refresh the lock on purpose (new releases, or a dependency added to pyproject.toml), then
# run `make test` and commit requirements/test.lock with what changed and why.
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml requirements/build.in --extra test --extra dev \
		--universal --python-version 3.11 --generate-hashes --upgrade \
		--custom-compile-command "make lock" -o $(LOCK)

# The whole suite against the newest releases that pyproject.toml allows, in a venv of its
# own made afresh (the lock is not used): drift is found here on purpose, not by a newcomer.
test-latest: system-deps
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip --quiet --disable-pip-version-check install --upgrade pip
	$(LATEST)/bin/python -m pip --quiet --disable-pip-version-check install --upgrade -e '.[test,dev]'
	$(LATEST)/bin/python -m pip list --format=freeze > $(LATEST)/versions.txt
	$(LATEST)/bin/python -m pytest $(PYTEST_ARGS)

system-deps:
	bash scripts/install-system-deps.sh

# Keeps running (Ctrl-C to stop). Binds 127.0.0.1 and asks for a token, made here and
# printed in the URL to open (JupyterLab itself masks a token it did not make as "...").
# The token reaches the server through JUPYTER_TOKEN, not the command line.
LAB_PORT ?= 8888
lab: $(STAMP)
	@token=$$($(PY) -c "import secrets; print(secrets.token_hex(24))"); \
	echo "JupyterLab: open http://127.0.0.1:$(LAB_PORT)/lab?token=$$token   (Ctrl-C stops it)"; \
	JUPYTER_TOKEN=$$token exec $(VENV)/bin/jupyter lab --no-browser --ServerApp.ip=127.0.0.1 \
		--ServerApp.port=$(LAB_PORT) --ServerApp.port_retries=0 --ServerApp.root_dir=notebooks $(ALLOW_ROOT)

test: $(STAMP) system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# voila.json (read from this folder) binds 127.0.0.1, asks for a token (printed in the URL
# Voila logs), uses the self-contained template in share/jupyter/voila/templates/planner (no
# CDN: Font Awesome is not loaded) and culls kernels idle for 10 minutes.
dashboard: $(STAMP)
	JUPYTER_PATH=$(CURDIR)/share/jupyter $(VENV)/bin/voila notebooks/04_counsellor_session.ipynb --port=8866 --no-browser

# benchmarks/run.py prints one table of medians and ratios measured in this run
# (BENCH_ARGS=--quick for a short run). The widget benchmark is a pytest-benchmark
# file; addopts is overridden: the project default ignores benchmarks/ and runs doctests.
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) benchmarks/run.py $(BENCH_ARGS)
	$(PY) benchmarks/bench_cases.py $(filter --quick,$(BENCH_ARGS))
	$(PY) benchmarks/bench_browser.py $(filter --quick,$(BENCH_ARGS))
	@if [ -f benchmarks/bench_widgets.py ]; then \
		$(PY) -m pytest benchmarks/bench_widgets.py --benchmark-only --benchmark-columns=median,min,max,rounds -p no:cacheprovider -o addopts=-q; \
	fi

clean:
	rm -rf $(VENV) $(LATEST) .pytest_cache .hypothesis .benchmarks build dist *.egg-info
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -not -path './.git/*' -exec rm -rf {} +
