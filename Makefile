# The two README commands, `make run` and `make test`, and the small tasks around them.
# Each sets up its own virtual environment (.venv) from settings.ini and constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= outputs

.PHONY: help setup run test readme export lab docs
.DEFAULT_GOAL := help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): setup.py settings.ini constraints.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "audiolcm needs Python 3.10+"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

setup: $(STAMP)  ## create .venv and install audiolcm with its dev tools

run: setup  ## the main job: text to audio with the shipped models (wav + mel PNG) into $(OUT)/generated/
	$(BIN)/audiolcm generate "a siren wailing over rain" "three loud knocks" "a slow organ melody, rising in pitch" \
		"rapid clicks, followed by a high-pitched beep" --steps 2 --guidance 5 --seed 0 \
		-o $(OUT)/generated --plot $(OUT)/generated/mels.png

test: setup  ## every test (about 19 min on 2 idle cores): notebooks clean and exported, the notebooks' tests, pytest (site included)
	$(BIN)/python tools/check_sync.py
	$(BIN)/python tools/nbtest.py --n_workers 2
	$(BIN)/python -m pytest -q -rs tests

readme: setup  ## regenerate README.md from nbs/index.ipynb
	$(BIN)/python tools/readme.py

export: setup  ## notebooks -> audiolcm/, then clean the notebooks
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean

# `make lab PORT=8890 LAB_ROOT=. NO_BROWSER=1`: no browser on a server or in a container; as root, --allow-root is added.
PORT ?= 8888
LAB_ROOT ?= nbs
NO_BROWSER ?=
lab: setup  ## JupyterLab on the notebooks; options PORT=8888 LAB_ROOT=nbs NO_BROWSER=1
	$(BIN)/jupyter lab --notebook-dir=$(LAB_ROOT) --port=$(PORT) \
		$(if $(NO_BROWSER),--no-browser) $(if $(filter 0,$(shell id -u)),--allow-root)

docs: setup  ## the docs site, rendered offline from the saved outputs into _docs/ (nbdev preprocessing + smalldocs)
	$(BIN)/python tools/docs.py
