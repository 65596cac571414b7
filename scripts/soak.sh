#!/usr/bin/env bash
# Soak test, on loopback only: a server of a fresh import of data/ on a free port, wrk at 128
# connections (2 threads) over a mix of every kind of endpoint (lookups, analyses, files, a what-if
# POST) for DURATION seconds (default 600), the server's resident memory sampled every 5 s.
# Memory growth is measured from the end of a warm-up (WARMUP seconds, default 60, which builds the
# caches every endpoint uses) to the end. Fails on any failed request (non-2xx, socket error,
# timeout) or memory growth of 10% or more. BINARY picks the server (default the release build),
# SERVE_ARGS adds options to `serve`, and MIX=light leaves out the heaviest analyses (for the short
# run on a debug build, whose analyses are an order of magnitude slower).
# Needs wrk (apt-get install wrk). Stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
duration=${DURATION:-600}
warmup=${WARMUP:-60}
connections=${CONNECTIONS:-128}
binary=${BINARY:-./target/release/care-atlas}
[ -x "$binary" ] || cargo build --release --locked
work=$(mktemp -d)
db="$work/atlas.db"
"$binary" import --db "$db" data/ >/dev/null 2>"$work/import.log"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# shellcheck disable=SC2086 # SERVE_ARGS is a list of options
"$binary" serve --db "$db" --bind "127.0.0.1:$port" ${SERVE_ARGS:-} >"$work/serve.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done

cat >"$work/mix.lua" <<LUA
local light = "${MIX:-full}" == "light"
LUA
cat >>"$work/mix.lua" <<'LUA'
local gets = {
  "/healthz",
  "/nearest?lat=36.0387&lon=139.6734&kind=visiting_nursing_station&k=5",
  "/nearest?lat=36.0&lon=139.7&k=20",
  "/areas/11246",
  "/areas?radius_m=2000",
  "/collections/facilities/items?kind=visiting_nursing_station&limit=100",
  "/coverage-gaps?kind=visiting_nursing_station&radius_m=2000&area=11442&population=aged_75_plus",
  "/coverage-gaps?kind=visiting_nursing_station&radius_m=2000&resolution=mesh500&f=csv",
  "/underserved-places?kind=visiting_nursing_station&radius_m=2000&area=11442&n=5",
  "/accessibility?kind=visiting_nursing_station&catchment_m=3000&resolution=mesh500",
  "/site-suggestions?kind=visiting_nursing_station&radius_m=2000&n=3&area=11442",
  "/embed?kind=visiting_nursing_station&area=11246",
}
if light then
  gets = {
    "/healthz",
    "/nearest?lat=36.0387&lon=139.6734&kind=visiting_nursing_station&k=5",
    "/nearest?lat=36.0&lon=139.7&k=20",
    "/areas/11246",
    "/collections/facilities/items?kind=visiting_nursing_station&limit=100",
    "/coverage-gaps?kind=visiting_nursing_station&radius_m=2000&area=11442&population=aged_75_plus",
    "/underserved-places?kind=visiting_nursing_station&radius_m=2000&area=11442&n=5",
    "/embed?kind=visiting_nursing_station&area=11246",
  }
end
local scenario = '{"kind":"visiting_nursing_station","radius_m":2000,"add":[{"lat":36.0135,"lon":139.7078}]}'
local i = 0
request = function()
  i = i + 1
  if i % 13 == 0 then
    return wrk.format("POST", "/scenarios", { ["Content-Type"] = "application/json" }, scenario)
  end
  return wrk.format("GET", gets[(i % #gets) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d rps=%.0f p50_ms=%.1f p99_ms=%.1f\n",
    summary.requests, e.status, e.connect, e.read, e.write, e.timeout, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

rss() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }
start_rss=$(rss)
wrk -t2 -c"$connections" -d"$((duration + warmup))s" --timeout 10s -s "$work/mix.lua" "$base" >"$work/wrk.log" 2>&1 &
wrk_pid=$!
sleep "$warmup"
warm_rss=$(rss)
max_rss=$warm_rss
elapsed=0
while kill -0 "$wrk_pid" 2>/dev/null; do
  sleep 5
  elapsed=$((elapsed + 5))
  now=$(rss 2>/dev/null || echo 0)
  [ "$now" -gt "$max_rss" ] && max_rss=$now
  [ $((elapsed % 60)) -eq 0 ] && echo "t=${elapsed}s rss=${now} kB"
done
wait "$wrk_pid" || true
end_rss=$(rss)
grep WRK "$work/wrk.log" || { cat "$work/wrk.log"; exit 1; }
growth=$(python3 -c "print(f'{100 * ($end_rss - $warm_rss) / $warm_rss:.1f}')")
echo "rss: start ${start_rss} kB, after ${warmup} s warm-up ${warm_rss} kB, end ${end_rss} kB, max ${max_rss} kB: growth ${growth}% over ${duration} s"
errors=$(awk '/WRK/ { for (i = 3; i <= 7; i++) { split($i, kv, "="); s += kv[2] } } END { print s + 0 }' "$work/wrk.log")
python3 -c "import sys; sys.exit(0 if $growth < 10 else 1)" && [ "$errors" -eq 0 ] || {
  echo "FAILED: $errors failed requests, memory growth ${growth}%" >&2
  exit 1
}
echo "ok: no failed request, memory growth under 10%"
