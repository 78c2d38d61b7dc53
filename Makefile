# SonicGrid: two commands on a fresh machine.
#   make demo   installs everything into .venv and makes a clip
#   make test   installs everything into .venv and runs the tests
# The venv is cached: it is rebuilt only when pyproject.toml or this Makefile changes.
# llama-cpp-python compiles from source (~5 min on 2 cores); the built wheel is cached in
# $(WHEEL_CACHE) so a fresh clone on the same machine (CI) installs it in seconds.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TORCH_SPEC ?= torch==2.13.0
LLAMA_SPEC ?= llama-cpp-python==0.3.36
# Portable CPU build: AVX2, no AVX-512/AMX (the AMX build crashes in decode on some VMs).
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
  -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
WHEEL_CACHE ?= $(HOME)/.cache/sonicgrid/wheels
STAMP := $(VENV)/.sonicgrid-installed
PROMPT ?= make a moody intro

.PHONY: install demo test test-all test-fast lint docs bench clean-venv help speech-tools chromium postgres soundfont music-data bench-music-data

help:
	@echo "make demo   - install into $(VENV) and run: sonicgrid make \"$(PROMPT)\""
	@echo "make test   - install into $(VENV), lint (ruff, mypy) and run the whole test suite (what CI runs)"
	@echo "make test-all - make test + the slow matrices (every kill point, every damaged-file kind, LLM chat)"
	@echo "make test-fast - the unit tests only (seconds)"
	@echo "make lint   - ruff check, ruff format --check, mypy"
	@echo "make docs   - redraw the graph in docs/architecture.md from the compiled graph"
	@echo "make bench  - run the benchmarks in benchmarks/"

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip wheel setuptools
	$(BIN)/python -m pip install -q "$(TORCH_SPEC)"
	@mkdir -p $(WHEEL_CACHE)
	@if ! ls $(WHEEL_CACHE)/llama_cpp_python-*.whl >/dev/null 2>&1; then \
	  echo "building llama-cpp-python (about 5 minutes on 2 cores, once per machine)"; \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip wheel -q --no-cache-dir --no-deps \
	    -w $(WHEEL_CACHE) "$(LLAMA_SPEC)"; fi
	$(BIN)/python -m pip install -q $(WHEEL_CACHE)/llama_cpp_python-*.whl
	$(BIN)/python -m pip install -q --no-deps tinysoundfont
	$(BIN)/python -m pip install -q --no-deps bigvgan==2.4.1 audiobox-aesthetics==0.0.4
	$(BIN)/python -m pip install -q --no-deps musicnn==0.1.0 basic-pitch==0.4.0
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

demo: install soundfont
	$(BIN)/sonicgrid make "$(PROMPT)"

# A fuller General MIDI SoundFont (Debian fluid-soundfont-gm, FluidR3_GM, MIT) for the composer;
# without it (or without root) the small GM SoundFont pretty_midi ships plays. SONICGRID_SOUNDFONT
# points at any other .sf2; clip.json says which one played.
soundfont:
	@[ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fluid-soundfont-gm >/dev/null) ; } || \
	  echo "fluid-soundfont-gm not installed: the composer plays pretty_midi's packaged GM SoundFont"

# Headless Chromium renders the trace HTML report in the tests (Debian `chromium`; skipped when present).
chromium:
	@[ -x /usr/bin/chromium ] || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "chromium not installed: the trace report browser test will skip"

# PostgreSQL for the Postgres checkpointer tests (Debian `postgresql`; the tests start and stop their own
# server on loopback in a temp dir, as the `postgres` user when run as root; skipped when absent).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) ; } || \
	  echo "postgresql not installed: the Postgres checkpointer tests will skip"

# espeak-ng makes real speech for the enhancer tests (Debian, as root); skipped when present or impossible
speech-tools:
	@command -v espeak-ng >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng >/dev/null) ; } || \
	  echo "espeak-ng not installed: the speech-enhancement tests will skip"
	@[ -d /usr/share/hydrogen/data/drumkits/GMRockKit ] || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hydrogen hydrogen-drumkits >/dev/null) ; } || \
	  echo "hydrogen drumkits not installed: the real-recording tests will skip"

lint: install
	$(BIN)/ruff check sonicgrid tests benchmarks
	$(BIN)/ruff format --check sonicgrid tests benchmarks
	$(BIN)/mypy

# Openly licensed recorded music (Debian game soundtracks) and the hydrogen demo songs: the ears' training and
# test material (benchmarks/ears_data.py); the integration tests on recordings skip when it is absent.
MUSIC_PKGS := wesnoth-1.16-music hyperrogue-music asc-music hydrogen hydrogen-drumkits
music-data:
	@[ -d /usr/share/games/wesnoth/1.16/data/core/music ] && [ -d /usr/share/hyperrogue/music ] || \
	  { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(MUSIC_PKGS) >/dev/null) ; } || \
	  echo "music packages not installed: the ears' tests on recorded music will skip"

# more soundtracks for the benchmarks only (check_unseen_clean.py, recorded_drums.py: the drums head's recordings)
BENCH_MUSIC_PKGS := fb-music-high drascula-music extremetuxracer-data lincity-ng-data neverball-common xmoto-data
bench-music-data: music-data
	@[ -d /usr/share/games/xmoto ] && [ -d /usr/share/scummvm/drascula ] || \
	  { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BENCH_MUSIC_PKGS) >/dev/null) ; } || \
	  echo "benchmark soundtracks not installed: check_unseen_clean.py and recorded_drums.py read fewer recordings"

test: install speech-tools chromium postgres soundfont music-data lint
	$(BIN)/python -m pytest -m "not slow"

test-all: install speech-tools chromium postgres soundfont music-data lint
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest tests/unit

docs: install
	$(BIN)/python -m sonicgrid.graph.draw --write docs/architecture.md

bench: install soundfont
	$(BIN)/python benchmarks/bench_make.py

clean-venv:
	rm -rf $(VENV)
