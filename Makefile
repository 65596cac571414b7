# care-atlas: the two commands are `make run` and `make test`.
CARGO ?= cargo
DB ?= atlas.db
RAW ?= ../shared/data/raw

.PHONY: run test lint fmt data bench build clean

## run: import the shipped data/ into $(DB) (idempotent) and print what it holds
run: build
	./target/release/care-atlas import --db $(DB) data/

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

clean:
	rm -f $(DB) $(DB)-wal $(DB)-shm
