#!/usr/bin/env bash
# Live reload under load, on loopback only: the release server of a fresh import of data/ on a free
# port; wrk keeps 32 connections busy on a mix of endpoints while the data is imported again and the
# server is sent SIGHUP, RELOADS times (default 10). A second client checks, all along, that every
# /version answer's ETag names the dataset its body reports (no answer mixes two datasets).
# Prints wrk's totals (requests, non-2xx, socket errors) and the versions served; fails on any error.
# Needs wrk (apt-get install wrk). Stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
reloads=${RELOADS:-10}
binary=./target/release/care-atlas
[ -x "$binary" ] || cargo build --release --locked
work=$(mktemp -d)
db="$work/atlas.db"
"$binary" import --db "$db" data/ >/dev/null 2>"$work/import.log"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$binary" serve --db "$db" --bind "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  kill "$server" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done

cat >"$work/mix.lua" <<'LUA'
local paths = {
  "/version",
  "/nearest?lat=36.0387&lon=139.6734&kind=visiting_nursing_station&k=5",
  "/areas/11246",
  "/collections/facilities/items?kind=visiting_nursing_station&limit=50",
  "/coverage-gaps?kind=visiting_nursing_station&radius_m=2000&area=11442",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p99_ms=%.1f\n",
    summary.requests, e.status, e.connect, e.read, e.write, e.timeout, latency:percentile(99) / 1000))
end
LUA

# The mixing check: /version's ETag must name the dataset in its body, every time.
(
  while true; do
    answer=$(curl -si "$base/version") || { echo "MIX curl-failed"; continue; }
    tag=$(printf '%s' "$answer" | tr -d '\r' | awk -F'"' 'tolower($0) ~ /^etag:/ {print $2}')
    body=$(printf '%s' "$answer" | tail -n 1)
    case "$body" in *"${tag%-*}"*) echo "OK ${tag%-*}" ;; *) echo "MIX $tag $body" ;; esac
  done
) >"$work/mix.log" &
pids+=($!)

duration=$((reloads * 6 + 10))
wrk -t2 -c32 -d"${duration}s" --timeout 10s -s "$work/mix.lua" "$base" >"$work/wrk.log" 2>&1 &
wrk_pid=$!
pids+=("$wrk_pid")
versions=("$(curl -s "$base/version")")
for n in $(seq 1 "$reloads"); do
  "$binary" import --db "$db" data/ >/dev/null 2>>"$work/import.log"
  kill -HUP "$server"
  old=${versions[-1]}
  for _ in $(seq 1 300); do
    now=$(curl -s "$base/version")
    [ "$now" != "$old" ] && break
    sleep 0.1
  done
  [ "$now" != "$old" ] || { echo "reload $n: still serving $old" >&2; exit 1; }
  versions+=("$now")
  echo "reload $n: $now"
done
wait "$wrk_pid"
kill "${pids[0]}" 2>/dev/null || true
grep WRK "$work/wrk.log"
checked=$(grep -c '^OK' "$work/mix.log" || true)
mixed=$(grep -c '^MIX' "$work/mix.log" || true)
distinct=$(grep '^OK' "$work/mix.log" | sort -u | wc -l)
echo "version checks: $checked answers from $distinct datasets, $mixed mixed or failed"
errors=$(awk '/WRK/ { for (i = 3; i <= 7; i++) { split($i, kv, "="); s += kv[2] } } END { print s + 0 }' "$work/wrk.log")
grep -q WRK "$work/wrk.log" || { cat "$work/wrk.log"; exit 1; }
[ "$errors" -eq 0 ] && [ "$mixed" -eq 0 ] && [ "${#versions[@]}" -eq $((reloads + 1)) ] || {
  echo "FAILED: $errors failed requests, $mixed mixed answers" >&2
  exit 1
}
echo "ok: $reloads reloads, no failed request, no mixed answer"
