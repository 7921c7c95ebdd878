# The two README commands, `make run` and `make test`, and the small tasks around them.
# Each sets up its own virtual environment (.venv) from settings.ini and constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= outputs

.PHONY: setup run test check-sync nbtest pytest readme export clean-nbs lab
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

test: setup  ## every test: notebooks clean and exported, nbdev_test, pytest
	$(BIN)/python tools/check_sync.py
	$(BIN)/nbdev_test --n_workers 2 --timing
	$(BIN)/python -m pytest -q tests

readme: setup  ## regenerate README.md from nbs/index.ipynb
	$(BIN)/python tools/readme.py

export: setup  ## notebooks -> audiolcm/, then clean the notebooks
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean

lab: setup  ## open the notebooks in JupyterLab
	$(BIN)/jupyter lab nbs
