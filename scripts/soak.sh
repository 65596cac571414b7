#!/usr/bin/env bash
# Soak test, on loopback only: a server of a fresh import of data/ on a free port, wrk at 128
# connections (2 threads) over a mix of every kind of endpoint (lookups, analyses, files, a what-if
# POST) for DURATION seconds (default 600), the server's resident memory sampled every 5 s.
# Memory growth is measured from the end of a warm-up (WARMUP seconds, default 60, which builds the
# caches every endpoint uses) to the end. Fails on any failed request (non-2xx, socket error, no
# answer in time) or memory growth of 10% or more. BINARY picks the server (default the release
# build), QUEUE_WAIT_MS is the server's --queue-wait-ms (default its own, 1000), and MIX=light leaves
# out the heaviest analyses (for the short run on a debug build, whose analyses are an order of
# magnitude slower).
#
# "In time" is the server's own promise, not a guess at this machine's speed: every request is
# answered, 200 or 503, within its wait for a place on the pool (QUEUE_WAIT_MS) plus the longest
# computation allowed (--request-timeout, 30 s); wrk gives up 10 s after that.
# wrk reads the wall clock; when its run lasts 5 s longer than asked, the machine stalled or its
# clock was stepped (a CI run once lasted 97 s for 45 and counted four answers as late), so the
# measurement says nothing about the server: it is reported and taken again, once.
# Needs wrk (apt-get install wrk). Stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
duration=${DURATION:-600}
warmup=${WARMUP:-60}
connections=${CONNECTIONS:-128}
queue_wait_ms=${QUEUE_WAIT_MS:-1000}
request_timeout_s=30
client_timeout_s=$(((queue_wait_ms + 999) / 1000 + request_timeout_s + 10))
binary=${BINARY:-./target/release/care-atlas}
[ -x "$binary" ] || cargo build --release --locked
work=$(mktemp -d)
db="$work/atlas.db"
"$binary" import --db "$db" data/ >/dev/null 2>"$work/import.log"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$binary" serve --db "$db" --bind "127.0.0.1:$port" --queue-wait-ms "$queue_wait_ms" \
  --request-timeout "$request_timeout_s" >"$work/serve.log" 2>&1 &
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
  io.write(string.format("WRK requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d rps=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f runtime_s=%.1f\n",
    summary.requests, e.status, e.connect, e.read, e.write, e.timeout, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, summary.duration / 1e6))
end
LUA

rss() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }
start_rss=$(rss)

# One measured run: wrk for the warm-up and the duration, memory sampled meanwhile; sets warm_rss,
# max_rss and end_rss, and leaves wrk's summary in $work/wrk.log.
soak_once() {
  wrk -t2 -c"$connections" -d"$((duration + warmup))s" --timeout "${client_timeout_s}s" -s "$work/mix.lua" "$base" \
    >"$work/wrk.log" 2>&1 &
  local wrk_pid=$! elapsed=0 now
  sleep "$warmup"
  warm_rss=$(rss)
  max_rss=$warm_rss
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
}

# Whether wrk's run lasted 5 s or more beyond what was asked (see the top of this file).
overran() {
  awk -v asked="$((duration + warmup))" '/WRK/ { for (i = 2; i <= NF; i++) { split($i, kv, "=");
    if (kv[1] == "runtime_s" && kv[2] >= asked + 5) bad = 1 } } END { exit !bad }' "$work/wrk.log"
}

soak_once
if overran; then
  echo "wrk's run lasted longer than the $((duration + warmup)) s asked: the machine stalled or its clock was stepped; measuring again" >&2
  soak_once
  overran && echo "wrk's run overran again: its latencies include the machine's stalls" >&2
fi
growth=$(python3 -c "print(f'{100 * ($end_rss - $warm_rss) / $warm_rss:.1f}')")
echo "rss: start ${start_rss} kB, after ${warmup} s warm-up ${warm_rss} kB, end ${end_rss} kB, max ${max_rss} kB: growth ${growth}% over ${duration} s"
errors=$(awk '/WRK/ { for (i = 3; i <= 7; i++) { split($i, kv, "="); s += kv[2] } } END { print s + 0 }' "$work/wrk.log")
python3 -c "import sys; sys.exit(0 if $growth < 10 else 1)" && [ "$errors" -eq 0 ] || {
  echo "FAILED: $errors failed requests (wrk waited ${client_timeout_s} s for an answer), memory growth ${growth}%" >&2
  echo "the server's log, last lines:" >&2
  tail -n 40 "$work/serve.log" >&2
  exit 1
}
echo "ok: no failed request (each answered within ${client_timeout_s} s), memory growth under 10%"
