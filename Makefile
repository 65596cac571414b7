# care-atlas: the two commands are `make run` and `make test`.
CARGO ?= cargo
DB ?= atlas.db
RAW ?= ../shared/data/raw

.PHONY: run test lint fmt data bench bench-peers bench-nationwide load limits soak soak-short reload-load schema-fuzz build openapi clean crash-test
# The map widget embeds Leaflet from node_modules/ (installed from package-lock.json).
NODE_DEPS := node_modules/.package-lock.json
DATA_FILES := $(wildcard data/*.csv data/*.geojson)

## run: (re)import data/ into $(DB) when it is stale, then serve it on http://127.0.0.1:8080
run: build $(DB)
	./target/release/care-atlas serve --db $(DB) --bind 127.0.0.1:8080

# A fresh database whenever data/ or the binary changes, swapped in only when the import succeeds.
$(DB): $(DATA_FILES) target/release/care-atlas
	rm -f $(DB).tmp $(DB).tmp-journal $(DB).tmp-wal $(DB).tmp-shm
	./target/release/care-atlas import --db $(DB).tmp data/
	mv $(DB).tmp $(DB)
	rm -f $(DB)-wal $(DB)-shm

$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund

## build: the release binary
build: $(NODE_DEPS)
	$(CARGO) build --release --locked

## test: every test: unit, integration, end-to-end against the real binary, and the map in Chromium
## (skipped, loudly, when Chromium is missing; CARE_ATLAS_REQUIRE_BROWSER=1 makes that a failure),
## and a short schemathesis run against the debug server (python3 with venv; PyPI on first run)
test: $(NODE_DEPS)
	$(CARGO) test --workspace --locked
	$(CARGO) build --locked
	npm test
	$(MAKE) soak-short
	scripts/schemathesis.sh --short

## lint: formatting and clippy, warnings as errors
lint: $(NODE_DEPS)
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

## fmt: format the code
fmt:
	$(CARGO) fmt --all

## data: rebuild the canonical files in data/ from the raw government files in $(RAW)
data: $(NODE_DEPS)
	$(CARGO) run --release --locked -- data --raw $(RAW) --out data

## bench: criterion benchmarks (nearest at 10k/100k/1M and snapshot build on census-clustered synthetic
## facilities; gaps, E2SFCA, loading and import on the real data), each asserting its answer against a
## reference in setup and timed beside it; then the markdown tables of scripts/bench-summary.py
bench: $(NODE_DEPS)
	$(CARGO) bench --workspace --locked
	python3 scripts/bench-summary.py

## bench-peers: care-atlas beside PostGIS (KNN, pgbench), pygeoapi (OGC items) and PySAL `access`
## (E2SFCA) in the same run, answers checked, as ratios; installs the peers (Debian, a venv in
## target/bench-peers/), loopback only, about 10 minutes; summary in target/bench-peers/summary.md
bench-peers: $(NODE_DEPS)
	scripts/bench-peers.sh

## bench-nationwide: SYNTHETIC Japan-sized run (tiled real census mesh, 200,000 synthetic facilities):
## snapshot build time and peak memory, grids, gaps and E2SFCA at 1 km for a prefecture and the country,
## answers checked against brute force; each scope in its own process, 200 s each at most
bench-nationwide:
	$(CARGO) run --release --locked -p care-atlas-loader --example nationwide -- --budget 200

## load: wrk over loopback, every endpoint at 16 and 128 connections (req/s, p50/p99, statuses, socket
## errors) beside /healthz, and the what-if and site round trips; table in target/load/summary.md
load: build $(DB)
	scripts/load.sh

## soak: 10 minutes of wrk at 128 connections over a mix of endpoints against the release server:
## no failed request, resident memory growth under 10% (needs wrk)
soak: build
	scripts/soak.sh

## soak-short: the same for 30 s at 16 connections against the debug build, without the heaviest analyses
## and with a long queue wait, since a debug build is too slow to shed nothing (part of `make test`; skipped,
## loudly, without wrk unless CARE_ATLAS_REQUIRE_WRK=1, which .ci/run sets)
soak-short:
	@if command -v wrk >/dev/null; then \
	  $(CARGO) build --locked && BINARY=./target/debug/care-atlas DURATION=30 WARMUP=15 CONNECTIONS=16 MIX=light QUEUE_WAIT_MS=20000 scripts/soak.sh; \
	elif [ "$$CARE_ATLAS_REQUIRE_WRK" = 1 ]; then echo "CARE_ATLAS_REQUIRE_WRK=1 but wrk is missing" >&2; exit 1; \
	else echo "*** SOAK TEST SKIPPED: wrk is missing (apt-get install wrk) ***" >&2; fi

## reload-load: ten imports, each served after SIGHUP, under wrk load: no failed request, no mixed answer
reload-load: build
	scripts/reload-under-load.sh

## crash-test: kill -9 of `import` at 40 random points; each database must pass integrity_check and hold
## the old or the new dataset whole (CI runs 5 of them in `make test`)
crash-test:
	CARE_ATLAS_CRASH_RUNS=40 $(CARGO) test --locked --test import_safety an_import_killed -- --nocapture

## limits: the release server under hostile load: /healthz beside 500 idle and 100 half-sent
## connections, a scenario point far away, 512 connections of POST /scenarios (shed with 503)
limits: build $(DB)
	scripts/limits.sh

## schema-fuzz: schemathesis against openapi/openapi.json and the release server, every check
## (positive and negative data too), 200 examples per operation and the stateful phase; `make
## test` runs a short version against the debug binary
schema-fuzz: build
	CARE_ATLAS_BIN=target/release/care-atlas scripts/schemathesis.sh

## openapi: regenerate openapi/openapi.json from the code (a test fails when it is stale)
openapi: $(NODE_DEPS)
	$(CARGO) run --locked -- openapi > openapi/openapi.json

clean:
	rm -f $(DB) $(DB)-journal $(DB)-wal $(DB)-shm

	rm -f $(DB) $(DB)-wal $(DB)-shm

.PHONY: fuzz
## fuzz: every fuzz target (importers, encodings, query strings, scenario bodies, mesh codes,
## addresses) for FUZZ_SECONDS (default 60) each with cargo-fuzz, seeded from data/ and $(RAW);
## prints executions and crashes per target (CI runs the regression tests, not the fuzzers)
fuzz:
	RAW=$(RAW) scripts/fuzz.sh
