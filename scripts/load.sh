#!/usr/bin/env bash
# Load benchmark of the HTTP layer with wrk, on loopback only: the release server of $DB (default
# atlas.db) on a free port; every endpoint of the API at 16 and 128 connections (CONNECTIONS), each
# for DURATION seconds (default 4) after a 1 s warm-up, beside /healthz measured at the same level in
# the same run, so that the figures read as ratios (absolute figures depend on what else runs).
# Reports requests/s, p50, p99, non-2xx answers by status and socket errors/timeouts, from a wrk Lua
# script (`response()` counts statuses; `done()` prints one JSON line). Two round trips are run as
# wrk Lua scripts alternating their requests: the planner's what-if (POST /scenarios, then the
# printable report /planner/report reading the same what-if back) and a site suggestion (GET
# /site-suggestions, then POST /scenarios adding the site it suggested). Pooled routes shed with 503
# after --queue-wait-ms (1 s) of waiting: at 128 connections heavy analyses do, and are reported so.
# Writes the markdown table to target/load/summary.md (raw JSON lines beside it). ONLY=regex keeps
# the endpoints whose label matches. Bounded in time; stops the server when done.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
db=${DB:-atlas.db}
duration=${DURATION:-4}
connections=${CONNECTIONS:-16 128}
only=${ONLY:-.}
binary=${BINARY:-./target/release/care-atlas}
[ -x "$binary" ] || { echo "$binary is missing: cargo build --release --locked" >&2; exit 1; }
[ -f "$db" ] || { echo "$db is missing: make $db (or DB=path)" >&2; exit 1; }
out=target/load
mkdir -p "$out"
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$binary" serve --db "$db" --bind "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "$base/healthz" >/dev/null || { echo "the server did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }

# The site a planner would try next: the first suggestion, asked once before the run.
sites='/site-suggestions?kind=visiting_nursing_station&radius_m=2000&n=3&area=11442'
site=$(curl -sf "$base$sites" | python3 -c '
import json, sys
f = json.load(sys.stdin)["features"][0]["geometry"]["coordinates"]
print(f"{f[1]:.6f} {f[0]:.6f}")')
read -r site_lat site_lon <<<"$site"
whatif='{"kind":"visiting_nursing_station","radius_m":2000,"add":[{"lat":36.0135,"lon":139.7078}]}'
report='/planner/report?area=11442&kind=visiting_nursing_station&radius_m=2000&add=36.0135,139.7078'
try_site="{\"kind\":\"visiting_nursing_station\",\"radius_m\":2000,\"add\":[{\"lat\":$site_lat,\"lon\":$site_lon}]}"

# One Lua script for every run: REQUESTS is a list of {method, path, body}, taken in turn by each
# connection; statuses are counted per thread and summed in done().
lua() {
  cat <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  statuses = {}
  i = 0
  prepared = {}
  for _, r in ipairs(REQUESTS) do
    local headers = {}
    if r[3] then headers["Content-Type"] = "application/json" end
    table.insert(prepared, wrk.format(r[1], r[2], headers, r[3]))
  end
end
function request()
  i = i + 1
  return prepared[((i - 1) % #prepared) + 1]
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do counts[status] = (counts[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%d":%d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    'LOAD {"requests":%d,"seconds":%.3f,"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"connect":%d,"read":%d,"write":%d,"timeout":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect, e.read, e.write, e.timeout, table.concat(parts, ",")))
end
LUA
}

# script LABEL METHOD PATH [BODY] [METHOD PATH [BODY]]...: the Lua file of one endpoint or round trip.
script() {
  local file="$work/$1.lua"
  shift
  {
    echo "REQUESTS = {"
    while [ $# -ge 2 ]; do
      local method=$1 path=$2 body=${3:-}
      shift 2
      [ $# -eq 0 ] || shift
      printf '  {"%s", [[%s]], %s},\n' "$method" "$path" "$([ -n "$body" ] && printf '[[%s]]' "$body" || echo nil)"
    done
    echo "}"
    lua
  } >"$file"
  echo "$file"
}

# CPU seconds the server has used so far, user and system (all its threads), from /proc.
ticks=$(getconf CLK_TCK)
server_cpu() { awk -v t="$ticks" '{printf "%.3f %.3f", $14 / t, $15 / t}' "/proc/$server/stat"; }
# CPU seconds used by this shell's finished children (wrk among them), user and system, from `times`
# into VARIABLE; `times` runs in this shell, as in a subshell it would count the subshell's children.
children_cpu() {
  times >"$work/times"
  printf -v "$1" '%s' "$(awk 'NR == 2 {
    split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.3f %.3f", u[1] * 60 + u[2], s[1] * 60 + s[2]
  }' "$work/times")"
}

# Waits until the server has no queued work: until /healthz answers again, at most 60 s.
drain() { for _ in $(seq 1 60); do curl -sf -m 1 "$base/healthz" >/dev/null && break; done; }

# measure LABEL CONNECTIONS LUAFILE: a warm-up, then DURATION seconds; appends one JSON line, with
# the CPU time the server and wrk used over the measured run (what the requests cost, whoever was
# scheduled: on a machine where wrk and the server share the cores, requests/s follows their sum).
measure() {
  local label=$1 c=$2 file=$3 line
  wrk -t2 -c"$c" -d1s --timeout 10s -s "$file" "$base" >/dev/null 2>&1 || true
  # Work still queued after the warm-up would be charged to the run: let it drain first.
  drain
  local server_before client_before server_after client_after
  server_before=$(server_cpu)
  children_cpu client_before
  line=$(wrk -t2 -c"$c" -d"${duration}s" --timeout 10s -s "$file" "$base" 2>&1 | sed -n 's/^LOAD //p')
  children_cpu client_after
  # Work still queued in the server (answers wrk stopped waiting for) would be charged to the next
  # endpoint: its cost stays with this one.
  drain
  server_after=$(server_cpu)
  [ -n "$line" ] || line='{"requests":0,"seconds":1,"p50_ms":0,"p99_ms":0,"max_ms":0,"connect":0,"read":0,"write":0,"timeout":0,"statuses":{},"failed":true}'
  local cpu
  cpu=$(echo "$server_before $server_after $client_before $client_after" | awk '{
    printf "\"server_user_s\":%.3f,\"server_system_s\":%.3f,\"client_user_s\":%.3f,\"client_system_s\":%.3f",
      $3 - $1, $4 - $2, $7 - $5, $8 - $6 }')
  printf '%s\t%s\t%s\n' "$label" "$c" "${line%\}},$cpu}" >>"$out/raw.tsv"
}

# The endpoints: label, then method/path/body triples (a round trip has two).
endpoints=(
  "healthz|GET|/healthz|"
  "version|GET|/version|"
  "sources|GET|/sources|"
  "openapi.json|GET|/openapi.json|"
  "nearest one kind k=5|GET|/nearest?lat=35.996631&lon=139.676669&kind=visiting_nursing_station&k=5|"
  "nearest all kinds k=20|GET|/nearest?lat=36.0&lon=139.7&k=20|"
  "nearest by address|GET|/nearest?address=%E6%96%B0%E7%99%BD%E5%B2%A14-14&kind=visiting_nursing_station&k=5|"
  "nearest from a facility|GET|/nearest?from=mhlw-iryo-hospitals-1111108985700&kind=visiting_nursing_station|"
  "areas|GET|/areas|"
  "areas radius_m=2000|GET|/areas?radius_m=2000|"
  "areas csv|GET|/areas?f=csv|"
  "areas/{code}|GET|/areas/11442|"
  "areas/{code} aged_75_plus|GET|/areas/11442?population=aged_75_plus|"
  "areas/{code} xlsx|GET|/areas/11442?f=xlsx|"
  "mesh/{meshcode} 250 m|GET|/mesh/5339759431|"
  "coverage-gaps polygons one town|GET|/coverage-gaps?kind=visiting_nursing_station&radius_m=2000&area=11442|"
  "coverage-gaps polygons all towns|GET|/coverage-gaps?kind=visiting_nursing_station&radius_m=2000|"
  "coverage-gaps mesh250|GET|/coverage-gaps?kind=visiting_nursing_station&radius_m=2000&resolution=mesh250|"
  "coverage-gaps mesh500 csv|GET|/coverage-gaps?kind=visiting_nursing_station&radius_m=2000&resolution=mesh500&f=csv|"
  "underserved-places|GET|/underserved-places?kind=visiting_nursing_station&radius_m=2000&area=11442&n=5|"
  "accessibility e2sfca mesh500|GET|/accessibility?kind=visiting_nursing_station&catchment_m=3000&resolution=mesh500|"
  "accessibility mesh250 xlsx|GET|/accessibility?kind=visiting_nursing_station&catchment_m=3000&resolution=mesh250&f=xlsx|"
  "site-suggestions n=3 one town|GET|$sites|"
  "scenarios POST (what-if)|POST|/scenarios|$whatif"
  "OGC landing|GET|/|"
  "OGC collections|GET|/collections|"
  "OGC items kind filter limit=100|GET|/collections/facilities/items?kind=visiting_nursing_station&limit=100|"
  "OGC items bbox limit=10|GET|/collections/facilities/items?bbox=139.60,35.95,139.75,36.06&limit=10|"
  "OGC items bbox limit=1000|GET|/collections/facilities/items?bbox=139.60,35.95,139.75,36.06&limit=1000|"
  "OGC items csv|GET|/collections/facilities/items?kind=visiting_nursing_station&f=csv|"
  "OGC items xlsx|GET|/collections/facilities/items?kind=visiting_nursing_station&f=xlsx|"
  "OGC item|GET|/collections/facilities/items/mhlw-iryo-hospitals-1111108985700|"
  "OGC municipalities items|GET|/collections/municipalities/items?limit=10|"
  "embed|GET|/embed?kind=visiting_nursing_station&area=11442|"
  "widget.js|GET|/widget.js|"
  "planner|GET|/planner?area=11442|"
  "planner/report|GET|$report|"
  "round trip: what-if (POST /scenarios + GET /planner/report)|POST|/scenarios|$whatif|GET|$report|"
  "round trip: site suggestion (GET /site-suggestions + POST /scenarios with the site)|GET|$sites||POST|/scenarios|$try_site"
  "healthz again (drift within the level)|GET|/healthz|"
)

: >"$out/raw.tsv"
started=$(date +%s)
for c in $connections; do
  for entry in "${endpoints[@]}"; do
    IFS='|' read -r -a fields <<<"$entry"
    label=${fields[0]}
    [ "$label" = healthz ] || [[ "$label" =~ $only ]] || continue
    file=$(script "$(echo "$label" | tr -c 'a-zA-Z0-9' _)" "${fields[@]:1}")
    echo "  $label at $c connections" >&2
    measure "$label" "$c" "$file"
  done
done

# The table: each endpoint beside /healthz at the same number of connections.
python3 - "$out/raw.tsv" "$duration" "$(($(date +%s) - started))" >"$out/summary.md" <<'PY'
import json, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]


def cpu_us(d, who):
    """CPU µs per answered request used by the server or by wrk (user + system), or None."""
    if not d["requests"] or f"{who}_user_s" not in d:
        return None
    return (d[f"{who}_user_s"] + d[f"{who}_system_s"]) / d["requests"] * 1e6


healthz, healthz_cpu = {}, {}
for label, c, data in rows:
    if label == "healthz":
        d = json.loads(data)
        healthz[c] = d["requests"] / d["seconds"]
        server, client = cpu_us(d, "server"), cpu_us(d, "client")
        healthz_cpu[c] = server + client if server is not None and client is not None else None
print(f"wrk, 2 threads, {sys.argv[2]} s per endpoint after a 1 s warm-up; run took {sys.argv[3]} s. "
      "Ratio = requests/s over /healthz at the same connections in this run. A round trip is two requests "
      "(requests/s counts requests; round trips/s is half). CPU µs/request: CPU time (user + system, "
      "all threads) the server and wrk used over the run, per answered request; work still queued when wrk "
      "stopped is charged to the endpoint. × /healthz by CPU = /healthz's server + wrk CPU per request over "
      "the endpoint's: the requests/s ratio to expect where wrk and the server share the cores and the "
      "cores are busy.\n")
print("| endpoint | conns | requests/s | × /healthz | p50 ms | p99 ms | non-2xx | socket errors/timeouts "
      "| server CPU µs/req | wrk CPU µs/req | × /healthz by CPU |")
print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
for label, c, data in rows:
    d = json.loads(data)
    rate = d["requests"] / d["seconds"]
    non2xx = {s: n for s, n in d["statuses"].items() if not 200 <= int(s) < 300}
    shown = ", ".join(f"{n} × {s}" for s, n in sorted(non2xx.items())) or "0"
    socket = d["connect"] + d["read"] + d["write"] + d["timeout"]
    failed = " (wrk failed)" if d.get("failed") else " (no answer within the run)" if not d["requests"] else ""
    ratio = rate / healthz[c] if healthz.get(c) else float("nan")
    server, client = cpu_us(d, "server"), cpu_us(d, "client")
    reference = healthz_cpu.get(c)
    by_cpu = (f"{reference / (server + client):.3f}"
              if reference and server is not None and client is not None and server + client > 0 else "–")
    print(f"| {label}{failed} | {c} | {rate:,.0f} | {ratio:.3f} | {d['p50_ms']:.2f} | {d['p99_ms']:.2f} "
          f"| {shown} | {socket} | {'–' if server is None else f'{server:,.1f}'} "
          f"| {'–' if client is None else f'{client:.1f}'} | {by_cpu} |")
PY
cat "$out/summary.md"
