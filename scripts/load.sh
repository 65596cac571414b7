#!/usr/bin/env bash
# Load benchmark of the HTTP layer with wrk, on loopback only: the release server of atlas.db on a free
# port, 10 s per endpoint (2 threads, 16 connections), each reported beside /healthz in the same
# session so the figures read as ratios. Bounded in time; stops the server when done.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
db=${DB:-atlas.db}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./target/release/care-atlas serve --db "$db" --bind "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"
run() {
  local rate
  rate=$(wrk -t2 -c16 -d10s --latency "$base$1" | awk '/Requests\/sec/ {print $2}')
  echo "$rate"
}
reference=$(run /healthz)
printf '%-75s %12s %8s\n' endpoint requests/s ratio
printf '%-75s %12s %8s\n' /healthz "$reference" 1.00
for path in \
  '/nearest?lat=35.996631&lon=139.676669&kind=visiting_nursing_station&k=5' \
  '/nearest?lat=36.0&lon=139.7&k=20' \
  '/areas/11238' \
  '/collections/facilities/items?kind=visiting_nursing_station&limit=100' \
  '/coverage-gaps?kind=visiting_nursing_station&radius_m=2000&resolution=mesh250' \
  '/accessibility?kind=visiting_nursing_station&catchment_m=3000&resolution=mesh500'; do
  rate=$(run "$path")
  printf '%-75s %12s %8.3f\n' "$path" "$rate" "$(python3 -c "print($rate / $reference)")"
done
