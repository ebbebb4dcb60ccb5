# Recast — `make demo` renders the bundled example; `make test` runs the whole suite.
# Both set up what is missing first: Debian packages (apt-get, when root) and a .venv with the project.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.recast-installed
EXAMPLE ?= examples/ai-classroom-interview.txt
OUTPUT ?= output

# command:debian-package pairs
DEMO_TOOLS := ffmpeg:ffmpeg ffprobe:ffmpeg espeak-ng:espeak-ng
TEST_TOOLS := $(DEMO_TOOLS) chromium:chromium sqlite3:sqlite3

.PHONY: demo test setup setup-test system-demo system-test lint bench clean

demo: system-demo $(STAMP)
	$(BIN)/recast render $(EXAMPLE) --output $(OUTPUT)

test: system-test $(STAMP)
	$(BIN)/python -m pytest -q

setup: system-test $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench

# Every performance target measured in one run; the table goes into BENCHMARKS.md (about 25 min).
bench: system-demo $(STAMP)
	$(BIN)/python bench/suite.py --out BENCHMARKS.md

system-demo:
	@$(MAKE) --no-print-directory _system TOOLS="$(DEMO_TOOLS)"

system-test:
	@$(MAKE) --no-print-directory _system TOOLS="$(TEST_TOOLS)"

# Install missing Debian packages when root; otherwise name them in one message and stop.
_system:
	@missing=""; \
	for pair in $(TOOLS); do \
	  cmd=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$cmd >/dev/null 2>&1 || case " $$missing " in *" $$pkg "*) ;; *) missing="$$missing $$pkg";; esac; \
	done; \
	$(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian packages:$$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing — install them with: sudo apt-get install$$missing" >&2; \
	    exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (the project and its test tools, editable)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
	find $(OUTPUT) -mindepth 1 -not -name .gitkeep -delete 2>/dev/null || true
