# care-atlas: the two commands are `make run` and `make test`.
CARGO ?= cargo
DB ?= atlas.db
RAW ?= ../shared/data/raw

.PHONY: run test lint fmt data bench build openapi clean
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

## build: the release binary
build:
	$(CARGO) build --release --locked

## test: every test of the workspace (unit, integration, end-to-end against the real binary)
test:
	$(CARGO) test --workspace --locked

## lint: formatting and clippy, warnings as errors
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

## fmt: format the code
fmt:
	$(CARGO) fmt --all

## data: rebuild the canonical files in data/ from the raw government files in $(RAW)
data:
	$(CARGO) run --release --locked -- data --raw $(RAW) --out data

## bench: criterion benchmarks (nearest and snapshot build on 1,000,000 synthetic facilities; gaps,
## E2SFCA and loading on the real data), each with its brute-force reference in the same run
bench:
	$(CARGO) bench --workspace --locked

## openapi: regenerate openapi/openapi.json from the code (a test fails when it is stale)
openapi:
	$(CARGO) run --locked -- openapi > openapi/openapi.json

clean:
	rm -f $(DB) $(DB)-wal $(DB)-shm
