#!/usr/bin/env bash
# How the release server holds under hostile load, on loopback: /healthz latency alone and while 500
# idle connections (and 100 clients sending half a request line) are held open; POST /scenarios with a
# point far from the study area; and 512 connections of POST /scenarios (wrk, 20 s): answers, p99,
# timeouts, 503s shed. Bounded in time; stops the server when done. BIN= to measure another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
bin=${BIN:-./target/release/care-atlas}
db=${DB:-atlas.db}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --db "$db" --bind "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done

healthz_ms() { # median of 20 /healthz, in ms
  for _ in $(seq 1 20); do curl -s -o /dev/null -w '%{time_total}\n' "$base/healthz"; done |
    sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]*1000}'
}
echo "/healthz median alone: $(healthz_ms) ms"
python3 - "$port" <<'EOF' &
import socket, sys, time
port = int(sys.argv[1])
held = []
for i in range(600):
    s = socket.create_connection(("127.0.0.1", port))
    if i >= 500:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHo")  # a slow client: half a request
    held.append(s)
time.sleep(12)
EOF
idle=$!
sleep 2
echo "/healthz median with 500 idle and 100 half-sent connections: $(healthz_ms) ms"
wait $idle || true

far='{"kind":"visiting_nursing_station","radius_m":2000,"add":[{"lat":0,"lon":139.66}]}'
curl -s -o "$work/far.json" -w "POST /scenarios, one point at latitude 0: %{http_code} in %{time_total} s\n" \
  -H 'Content-Type: application/json' -d "$far" "$base/scenarios"
head -c 300 "$work/far.json"; echo

cat > "$work/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"kind":"visiting_nursing_station","radius_m":2000,"add":[{"lat":36.03,"lon":139.66}]}'
local statuses = {}
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end
done = function() end
EOF
echo "wrk -t2 -c512 -d20s POST /scenarios (one point near the towns):"
wrk -t2 -c512 -d20s --latency -s "$work/post.lua" "$base/scenarios" |
  grep -E 'Latency|99%|requests in|Socket errors|Non-2xx|Requests/sec'
echo "/healthz right after: $(healthz_ms) ms"
