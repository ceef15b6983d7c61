# The two commands of the README's quick start: `make app` and `make test`.
PY := .venv/bin/python
PORT ?= 8501
REPLICAS ?= 2

.PHONY: app serve test lint format bench

app:  ## set up .venv and start the app on http://localhost:$(PORT)
	@scripts/setup.sh app
	$(PY) -m streamlit run app.py --server.port $(PORT)

serve:  ## set up .venv (+ nginx) and serve REPLICAS copies of the app behind nginx on http://127.0.0.1:$(PORT)
	@scripts/setup.sh serve
	$(PY) scripts/serve.py --replicas $(REPLICAS) --port $(PORT)

test:  ## set up .venv (+ Chromium) and run ruff and the whole test suite, browser tests included
	@scripts/setup.sh test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

format:
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench:  ## the core's speed against torch (see docs/BENCHMARKS.md)
	@scripts/setup.sh test
	$(PY) bench/bench_forward.py
	$(PY) bench/bench_backward.py
	$(PY) bench/bench_gru.py
	$(PY) bench/bench_training.py
