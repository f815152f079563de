# Two commands for a fresh machine (only python3, pip and make needed):
#   make lab    set up, then start JupyterLab at the course on 127.0.0.1
#   make test   set up, then run the whole test suite
# Both set up only what is missing, so a second run starts at once.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8888
# JupyterLab refuses to run as root unless told; containers and CI often are root.
ROOT_OK := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test install datasets clean

install: $(STAMP)

# Reinstall when the project's dependencies change.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Setting up $(VENV) with the toolkit and its pinned dependencies (first time: a minute or two)..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

# JupyterLab on this machine only, opening Module 1. News, update checks and
# the online extension manager are switched off: the course runs offline.
lab: $(STAMP)
	@$(BIN)/jupyter lab --no-browser $(ROOT_OK) \
	  --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
	  --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/modules/01-origins.ipynb \
	  --LabApp.news_url=None \
	  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	  --LabApp.extension_manager=readonly

test: $(STAMP)
	@$(BIN)/python -m pytest -q

datasets: $(STAMP)
	@$(BIN)/python datasets/make_datasets.py

clean:
	rm -rf $(VENV) .pytest_cache build dist
