#!/usr/bin/env bash
# Schema fuzzing of the running server with schemathesis against openapi/openapi.json: every check,
# including positive data acceptance (the document is no looser than the server) and negative data
# rejection (no stricter). Fails on any finding.
#
# It makes a throw-away venv under target/ (schemathesis pinned, from PyPI), imports data/ into a
# fresh database, starts the binary on a free port, runs schemathesis, and stops and removes
# everything it started, whatever happens.
#
#   scripts/schemathesis.sh            the full run (`make schema-fuzz`)
#   scripts/schemathesis.sh --short    the bounded run CI makes (`make test`)
#
# CARE_ATLAS_BIN chooses the binary (default target/debug/care-atlas, which `make test` builds;
# `make schema-fuzz` uses the release one). MAX_EXAMPLES, MAX_TIME_S, MAX_RESPONSE_S (the slowest
# answer allowed) and SEED override the bounds.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
mode=full
if [[ "${1:-}" == "--short" ]]; then mode=short; fi
if [[ $mode == short ]]; then
  # A few minutes on 2 cores with the debug binary: the examples and coverage phases (every
  # boundary of every parameter) in full, then a little random fuzzing.
  max_examples=${MAX_EXAMPLES:-10}
  max_time_s=${MAX_TIME_S:-240}
  phases=examples,coverage,fuzzing
  # The debug binary is about ten times slower than the release one.
  max_response_s=${MAX_RESPONSE_S:-60}
else
  max_examples=${MAX_EXAMPLES:-200}
  max_time_s=${MAX_TIME_S:-1800}
  phases=examples,coverage,fuzzing,stateful
  max_response_s=${MAX_RESPONSE_S:-10}
fi
seed=${SEED:-$RANDOM}
bin=${CARE_ATLAS_BIN:-target/debug/care-atlas}
if [[ ! -x $bin ]]; then
  echo "schemathesis: $bin is missing: run cargo build --locked first" >&2
  exit 2
fi

venv=target/schemathesis-venv
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

work=$(mktemp -d "$PWD/target/schemathesis.XXXXXX")
server=
cleanup() {
  if [[ -n $server ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$bin" import --db "$work/atlas.db" data/ >"$work/import.log" 2>&1 || {
  cat "$work/import.log" >&2
  exit 1
}
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --db "$work/atlas.db" --bind "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  if python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/healthz', timeout=2)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server" 2>/dev/null; then
    cat "$work/serve.log" >&2
    exit 1
  fi
  sleep 0.5
done

echo "schemathesis $SCHEMATHESIS_VERSION ($mode): $bin on port $port, seed $seed, at most $max_examples examples per operation and ${max_time_s}s"
started=$(date +%s)
status=0
# The hooks replace positive_data_acceptance by the same check that tolerates exactly the rules
# OpenAPI cannot state, and negative_data_rejection by the same check that also counts a 413 for
# an oversized body as a refusal (scripts/schemathesis_hooks.py says which and why). Schemathesis
# runs in the work directory, where it keeps its cache (.schemathesis/), so that nothing is left
# behind. One worker: with two threads, hypothesis' lambda descriptions race in CPython 3.11's
# ast.parse ("AST constructor recursion depth mismatch"), a spurious error.
root=$PWD
(cd "$work" && PYTHONPATH="$root/scripts" SCHEMATHESIS_HOOKS=schemathesis_hooks \
  CARE_ATLAS_TOLERATED="$work/tolerated.txt" \
  "$root/$venv/bin/schemathesis" run "$root/openapi/openapi.json" \
  --url "http://127.0.0.1:$port" \
  --checks all --exclude-checks positive_data_acceptance,negative_data_rejection \
  --phases "$phases" --max-examples "$max_examples" --max-time "$max_time_s" \
  --seed "$seed" --workers 1 --request-timeout 120 --max-response-time "$max_response_s" \
  --suppress-health-check all --generation-database none --no-color \
  --report ndjson --report-ndjson-path "$work/events.ndjson") || status=$?
python3 - "$work/events.ndjson" <<'EOF' || true
import json, sys
cases = failures = 0
for line in open(sys.argv[1]):
    event = json.loads(line)
    finished = event.get("ScenarioFinished")
    if finished and finished.get("recorder"):
        recorder = finished["recorder"]
        cases += len(recorder.get("cases", {}))
        failures += sum(c.get("status") == "failure" for checks in recorder.get("checks", {}).values() for c in checks)
print(f"schemathesis: {cases} requests generated, {failures} failed checks")
EOF
if [[ -s $work/tolerated.txt ]]; then
  echo "schemathesis: refusals tolerated as rules beyond OpenAPI (scripts/schemathesis_hooks.py):"
  sort "$work/tolerated.txt" | uniq -c | sort -rn
fi
echo "schemathesis: ${mode} run took $(($(date +%s) - started))s"
exit "$status"
