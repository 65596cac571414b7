# care-atlas: the two commands are `make run` and `make test`.
CARGO ?= cargo
DB ?= atlas.db
RAW ?= ../shared/data/raw

.PHONY: run test lint fmt data bench load build openapi clean
# The map widget embeds Leaflet from node_modules/ (installed from package-lock.json).
NODE_DEPS := node_modules/.package-lock.json
DATA_FILES := $(wildcard data/*.csv data/*.geojson)

## run: (re)import data/ into $(DB) when it is stale, then serve it on http://127.0.0.1:8080
run: build $(DB)
	./target/release/care-atlas serve --db $(DB) --bind 127.0.0.1:8080

# A fresh database whenever data/ or the binary changes, swapped in only when the import succeeds.
$(DB): $(DATA_FILES) target/release/care-atlas
	rm -f $(DB).tmp $(DB).tmp-wal $(DB).tmp-shm
	./target/release/care-atlas import --db $(DB).tmp data/
	mv $(DB).tmp $(DB)
	rm -f $(DB)-wal $(DB)-shm

$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund

## build: the release binary
build: $(NODE_DEPS)
	$(CARGO) build --release --locked

## test: every test: unit, integration, end-to-end against the real binary, and the map in Chromium
## (skipped, loudly, when Chromium is missing; CARE_ATLAS_REQUIRE_BROWSER=1 makes that a failure)
test: $(NODE_DEPS)
	$(CARGO) test --workspace --locked
	$(CARGO) build --locked
	npm test

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

## bench: criterion benchmarks (nearest and snapshot build on 1,000,000 synthetic facilities; gaps,
## E2SFCA and loading on the real data), each with its brute-force reference in the same run
bench: $(NODE_DEPS)
	$(CARGO) bench --workspace --locked

## load: wrk load benchmark of the release server over loopback, each endpoint beside /healthz
load: build $(DB)
	scripts/load.sh

## openapi: regenerate openapi/openapi.json from the code (a test fails when it is stale)
openapi: $(NODE_DEPS)
	$(CARGO) run --locked -- openapi > openapi/openapi.json

clean:
	rm -f $(DB) $(DB)-wal $(DB)-shm

.PHONY: fuzz
## fuzz: every fuzz target (importers, encodings, query strings, scenario bodies, mesh codes,
## addresses) for FUZZ_SECONDS (default 60) each with cargo-fuzz, seeded from data/ and $(RAW);
## prints executions and crashes per target (CI runs the regression tests, not the fuzzers)
fuzz:
	RAW=$(RAW) scripts/fuzz.sh
