#!/usr/bin/env bash
# Instructions per request of chosen endpoints, counted by callgrind in the release server: repeatable
# under load from other processes, unlike requests/s. The server runs under
# `valgrind --tool=callgrind` on a free loopback port (instrumentation off while it loads); for each
# endpoint, after WARM (default 5) warm-up requests, instrumentation is switched on for N (default 200)
# requests on one keep-alive connection and off again, and the instructions counted are divided by N.
# Usage: scripts/http-instructions.sh [PATH...] (default: /healthz, /nearest, /areas/{code}, items).
# Bounded in time (the server is stopped when done, or after TIMEOUT seconds, default 420);
# callgrind's files land in target/load/callgrind/ for callgrind_annotate.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 1; }
db=${DB:-atlas.db}
n=${N:-200}
warm=${WARM:-5}
binary=${BINARY:-./target/release/care-atlas}
out=target/load/callgrind
mkdir -p "$out"
rm -f "$out"/callgrind.out.*
paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(
  /healthz
  '/nearest?lat=35.996631&lon=139.676669&kind=visiting_nursing_station&k=5'
  /areas/11442
  '/collections/facilities/items?bbox=139.60,35.95,139.75,36.06&limit=10'
  '/collections/facilities/items?bbox=139.60,35.95,139.75,36.06&limit=1000'
)
[ -f "$db" ] || { echo "no database $db: make it with '$binary import --db $db data/' (or set DB)" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timeout "${TIMEOUT:-420}" valgrind --tool=callgrind --instr-atstart=no \
  --callgrind-out-file="$out/callgrind.out.%p" \
  "$binary" serve --db "$db" --bind "127.0.0.1:$port" >"$out/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 600); do
  curl -sf "$base/healthz" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "the server stopped: see $out/serve.log" >&2; exit 1; }
  sleep 0.5
done
pid=$(pgrep -P "$server" | head -1)
# `callgrind_control` finds the valgrind process by its pid.
total() { awk '/^totals:/ {print $2; exit}' "$1"; }
printf '| endpoint | instructions per request (callgrind, %d requests) |\n|---|---:|\n' "$n"
i=0
for path in "${paths[@]}"; do
  i=$((i + 1))
  urls=()
  for _ in $(seq 1 "$warm"); do urls+=("$base$path"); done
  curl -s "${urls[@]}" >/dev/null
  urls=()
  for _ in $(seq 1 "$n"); do urls+=("$base$path"); done
  callgrind_control -z "$pid" >/dev/null 2>&1
  callgrind_control -i on "$pid" >/dev/null 2>&1
  curl -s "${urls[@]}" >/dev/null
  callgrind_control -i off "$pid" >/dev/null 2>&1
  callgrind_control -d "endpoint-$i" "$pid" >/dev/null 2>&1
  file=$(ls -t "$out"/callgrind.out.* | head -1)
  mv "$file" "$out/endpoint-$i.out"
  printf '| `%s` | %s |\n' "$path" "$(($(total "$out/endpoint-$i.out") / n))"
done
