# Commands for a fresh machine (only python3, pip and make needed):
#   make lab          set up, then start JupyterLab for a trainee on 127.0.0.1
#   make lab-trainer  the same for a trainer or author: the course folder, nbgrader's tools
#   make app          set up, then open the modules as pages with the code hidden (Voilà)
#   make test         set up, then run the whole test suite
#   make bundle       an offline installer for laptops with no internet (in offline-bundle/)
# Both set up only what is missing, so a second run starts at once.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8888
# A trainee's own copy of the modules: their notebooks and journal, never the tracked files.
WORK   ?= my-course
# JupyterLab refuses to run as root unless told; containers and CI often are root.
ROOT_OK := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab lab-trainer app test install datasets clean hub hub-env hub-proxy k8s-sim-env bundle

install: $(STAMP)

# Reinstall when the project's dependencies change.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Setting up $(VENV) with the toolkit and its pinned dependencies (first time: a minute or two)..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

# JupyterLab on this machine only. News, update checks and the online
# extension manager are switched off: the course runs offline.
LAB_FLAGS = --no-browser $(ROOT_OK) --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
  --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
  --LabApp.extension_manager=readonly

# A trainee works in their own copy ($(WORK)/modules, made or topped up here) and
# sees no nbgrader tools: the trainee settings turn them off.
lab: $(STAMP)
	@$(BIN)/coproduction workspace "$(WORK)"
	@JUPYTER_CONFIG_PATH="$(CURDIR)/toolkit/jupyterlab/trainee$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH))" \
	  $(BIN)/jupyter lab $(LAB_FLAGS) --ServerApp.root_dir="$(abspath $(WORK))" \
	  --LabApp.default_url=/lab/tree/modules/00-start-here.ipynb

# The modules as pages for trainees who do not code (Voilà): code hidden, widgets
# live, on 127.0.0.1, in the trainee's own copy. MODULE=2 opens Module 2.
MODULE ?= 1
app: $(STAMP)
	@$(BIN)/coproduction app $(MODULE) --folder "$(WORK)"

# A trainer or course author works in the course folder itself, with nbgrader's tools.
lab-trainer: $(STAMP)
	@$(BIN)/jupyter lab $(LAB_FLAGS) --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/modules/01-origins.ipynb

test: $(STAMP) $(K8S_STAMP)
	@$(BIN)/python -m pytest -q -n auto --dist loadfile

# The hub that chart 4.4.0 runs on Kubernetes (JupyterHub 5.5.0, KubeSpawner 7.0.0) beside
# the toolkit, in its own environment: the tests of hub/kubernetes/ load the chart's
# settings into it without a cluster. The project's own hub pins JupyterHub 6.
K8S_VENV  ?= .venv-k8s
K8S_STAMP := $(K8S_VENV)/.installed-stamp
k8s-sim-env: $(K8S_STAMP)
$(K8S_STAMP): pyproject.toml hub/kubernetes/sim-requirements.txt
	@test -x $(K8S_VENV)/bin/python || $(PYTHON) -m venv $(K8S_VENV)
	@echo "Setting up $(K8S_VENV), the Kubernetes hub's versions, for its tests (about a minute)..."
	@$(K8S_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e . \
	  -r hub/kubernetes/sim-requirements.txt
	@touch $@

# --- a JupyterHub for cohorts (needs root: it makes Unix accounts) -----------
HUB_ENV   ?= /opt/coproduction
HUB_PORT  ?= 8000
HUB_STATE ?= /srv/coproduction-hub
HUB_STAMP := $(HUB_ENV)/.installed-stamp
HUB_PROXY := hub/node_modules/.bin/configurable-http-proxy
HUB_FILES := $(shell find toolkit modules datasets -type f -not -path '*/__pycache__/*') \
             pyproject.toml hub/nbgrader_config.py $(wildcard hub/trainee-config/*/* hub/trainee-config/*)

# The environment every account runs: built from the system's Python (an
# interpreter under /root could not be run by trainees), the toolkit installed
# as a copy, the modules to hand out, and nbgrader's settings for everyone.
hub-env: $(HUB_STAMP)
$(HUB_STAMP): $(HUB_FILES)
	@test -x $(HUB_ENV)/bin/python || /usr/bin/python3 -m venv $(HUB_ENV)
	@echo "Setting up the hub's shared environment in $(HUB_ENV) (first time: a few minutes)..."
	@$(HUB_ENV)/bin/python -m pip install --quiet --disable-pip-version-check '.[hub]'
	@rm -rf $(HUB_ENV)/share/coproduction/course
	@mkdir -p $(HUB_ENV)/share/coproduction/course $(HUB_ENV)/etc/jupyter
	@cp -r modules $(HUB_ENV)/share/coproduction/course/
	@cp hub/nbgrader_config.py $(HUB_ENV)/etc/jupyter/nbgrader_config.py
	@rm -rf $(HUB_ENV)/etc/jupyter-trainee && cp -r hub/trainee-config $(HUB_ENV)/etc/jupyter-trainee
	@chmod -R a+rX $(HUB_ENV)
	@touch $@

# The proxy in front of the hub, from the npm registry, pinned by the lock file.
hub-proxy: $(HUB_PROXY)
$(HUB_PROXY): hub/package.json hub/package-lock.json
	@npm ci --prefix hub --no-audit --no-fund --loglevel=error
	@touch $@

# A demo hub on 127.0.0.1: one trainer, three trainees, one shared password.
hub: $(STAMP) $(HUB_STAMP) $(HUB_PROXY)
	@$(BIN)/coproduction hub accounts hub/demo-cohort.csv --course-id coproduction \
	  --url http://127.0.0.1:$(HUB_PORT)
	@$(BIN)/coproduction hub course --course-id coproduction --env $(HUB_ENV)
	@echo "Demo hub: http://127.0.0.1:$(HUB_PORT)/hub/login - sign in as trainer, trainee1,"
	@echo "trainee2 or trainee3 with the password co-produce. Ctrl+C stops it."
	@cd hub && COPRODUCTION_HUB_AUTH=demo COPRODUCTION_HUB_ENV=$(HUB_ENV) \
	  COPRODUCTION_HUB_PORT=$(HUB_PORT) COPRODUCTION_HUB_STATE=$(HUB_STATE) \
	  $(abspath $(BIN))/jupyterhub -f jupyterhub_config.py

# An offline installer: wheels for every dependency, the toolkit, the modules and an
# install script, for laptops in a room with no internet. PLATFORM=windows, macos or
# all; BUNDLE is a new folder. Needs the internet once, here.
PLATFORM ?= linux
BUNDLE   ?= offline-bundle
bundle: $(STAMP)
	@$(BIN)/coproduction bundle "$(BUNDLE)" --platform $(PLATFORM) --zip

datasets: $(STAMP)
	@$(BIN)/python datasets/make_datasets.py

clean:
	rm -rf $(VENV) $(K8S_VENV) .pytest_cache build dist
