# Two commands do everything on a fresh machine: `make all` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# System packages: OCR engine and models, the fonts the scan generator draws with, the browser
# that renders the HTML reports in tests, headless LibreOffice (reads .doc/.wps/.odt/.rtf/.xls/.et,
# and prints the xlsx output to PDF in a test).
APT_PACKAGES := tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-sim-vert \
	fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming fonts-wqy-zenhei chromium \
	libreoffice-writer-nogui libreoffice-calc-nogui
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RAW := raw
OUT := corrected

.PHONY: all setup system-deps process test test-all eval bench bench-cluster lint sample clean

all: process

setup: system-deps $(STAMP)

# Installs only what is missing, so a second run takes a moment.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): requirements.txt requirements-nodeps.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -r requirements-nodeps.txt
	@touch $@

# Processes every draft in raw/ whose outputs are older than it (or than the lexicon).
process: setup
	$(PY) -m pipeline run $(RAW) --out $(OUT)

# Two pytest workers (pytest-xdist): the end-to-end cases render their drafts on one core while
# another case reads, so the 2-core machine is kept busy; the slowest cases are listed at the end.
TEST_WORKERS ?= 2
test: setup
	$(PY) -m pytest -q -n $(TEST_WORKERS) --durations=12

# Also the slow end-to-end cases (every scan variant, both engines).
test-all: setup
	$(PY) -m pytest -q -m "" -n $(TEST_WORKERS) --durations=12

eval: setup
	$(PY) tests/eval_suite.py --engine both --against v6-small
	$(PY) tests/measure_orientation.py

bench: setup
	$(PY) tests/bench.py

# The same 20-draft batch through the process pool and a 2-worker Dask LocalCluster, interleaved;
# a scaling estimate for 10,000 drafts (tests/bench_cluster.py).
bench-cluster: setup
	$(PY) tests/bench_cluster.py

lint: setup
	$(PY) -m ruff check pipeline tests notebooks

# Regenerates the shipped sample drafts from the ground truth: the scan, and the Word (.docx, .doc),
# Excel and inline-duty plan samples.
sample: setup
	$(PY) tests/scangen.py tests/data/qingpu_v1.csv $(RAW)/qingpu_sample.pdf --variant sample
	$(PY) tests/officegen.py $(RAW)

clean:
	rm -rf eval_out bench_out .pytest_cache
