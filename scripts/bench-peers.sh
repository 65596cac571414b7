#!/usr/bin/env bash
# care-atlas beside its peers, on the same machine, data and run, as ratios (issue 14):
#   1. PostGIS: KNN k=5 with `ORDER BY geog <-> point LIMIT 5` (geography, GiST) through pgbench
#      (prepared, 1 and 2 clients) beside HTTP /nearest with wrk on the shipped facilities; the
#      server-side KNN time over 1,000,000 SYNTHETIC clustered facilities beside the engine's own
#      k=5 over the same facilities and origins; every answer of PostGIS checked against the engine's.
#   2. pygeoapi (gunicorn, 2 workers; GeoJSON and PostgreSQL providers) beside care-atlas's OGC
#      items with the same bbox and limit, numberMatched and ids checked.
#   3. PySAL `access` E2SFCA on the engine's 250 m grid with and without building its cost table,
#      beside the engine's E2SFCA, scores checked.
# Installs what is missing (Debian packages when run as root, a cached venv in target/bench-peers/),
# runs everything on loopback in a throw-away directory, stops everything it started (trap), and
# prints a markdown summary, also written to target/bench-peers/summary.md. Bounded in time:
# every step runs under `timeout`. Not part of `make test` or .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cache=$root/target/bench-peers
mkdir -p "$cache"
DURATION=${DURATION:-20}          # seconds per pgbench/wrk measurement of the KNN figures
ITEMS_DURATION=${ITEMS_DURATION:-10}   # seconds per wrk run on the OGC items
ORIGINS_HTTP=200                  # origins cycled by pgbench and wrk (the first of origins.csv)
BBOX=139.62,35.96,139.72,36.06    # around 蓮田 and 白岡

# --- what this run starts, and its cleanup -------------------------------------------------------
work=$(mktemp -d /tmp/bench-peers.XXXXXX)
chmod 755 "$work"
started=()
pg_started=0
cleanup() {
  local pid
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$pg_started" = 1 ]; then as_pg "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
figures=$work/figures.txt
: >"$figures"
figure() { echo "$1 $2" >>"$figures"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 150); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done; echo "no answer from $1" >&2; return 1; }
step() { echo "=== $(date -u +%H:%M:%S) $*" >&2; }

# --- installs -------------------------------------------------------------------------------------
step installs
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
pgver=$(basename "$(dirname "${pgbin:-/x/x}")")
missing=()
[ -n "$pgbin" ] && [ -x "$pgbin/pgbench" ] || missing+=(postgresql postgresql-contrib)
[ -n "$pgbin" ] && ls /usr/share/postgresql/"$pgver"/extension/postgis.control >/dev/null 2>&1 \
  || missing+=("postgresql-${pgver:-15}-postgis-3")
command -v wrk >/dev/null || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "missing Debian packages: ${missing[*]} (apt-get install them)" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y --no-install-recommends "${missing[@]}" >&2
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
venv=$cache/venv
# Versions pinned so the peers are the same from run to run.
PY_PACKAGES="pygeoapi==0.21.0 gunicorn==27.0.1 access==1.1.10.post3 pyproj==3.7.2 psycopg2-binary==2.9.13 GeoAlchemy2 pandas==3.1.1"
if [ ! -f "$venv/.bench-peers-ok" ] || [ "$(cat "$venv/.bench-peers-ok")" != "$PY_PACKAGES" ]; then
  python3 -m venv "$venv"
  # shellcheck disable=SC2086
  timeout 600 "$venv/bin/pip" install -q $PY_PACKAGES >&2
  echo "$PY_PACKAGES" >"$venv/.bench-peers-ok"
fi
py=$venv/bin/python

# --- care-atlas: the release binary and the engine's figures --------------------------------------
step "build (release binary and examples/peer_bench.rs)"
[ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund >&2
timeout 900 cargo build --release --locked --bin care-atlas --example peer_bench >&2
step "peer inputs and the engine's figures (1,000,000 synthetic clustered facilities, E2SFCA)"
timeout 300 target/release/examples/peer_bench prepare "$work" | tee -a "$figures" >&2

# --- PostgreSQL + PostGIS on loopback, as an unprivileged user ------------------------------------
step "PostgreSQL $pgver with PostGIS"
if [ "$(id -u)" = 0 ]; then
  chown -R nobody "$work"
  as_pg() { runuser -u nobody -- "$@"; }
else
  as_pg() { "$@"; }
fi
pgport=$(free_port)
mkdir -p "$work/sock"
chown --reference="$work" "$work/sock"
as_pg "$pgbin/initdb" -D "$work/pg" -A trust -U bench -E UTF8 --no-locale >/dev/null
# fsync off only speeds up loading the tables: the measured queries do not write.
as_pg "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -o \
  "-c listen_addresses=127.0.0.1 -c port=$pgport -c unix_socket_directories=$work/sock -c fsync=off -c shared_buffers=256MB -c max_connections=40" \
  start >/dev/null
pg_started=1
export PGHOST=127.0.0.1 PGPORT=$pgport PGUSER=bench PGDATABASE=postgres
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_ -c 'CREATE EXTENSION postgis' -c "SELECT 'postgis ' || postgis_lib_version()" -tA >&2
psql_ <<SQL
CREATE TABLE origins (i int PRIMARY KEY, lat float8, lon float8, geog geography(Point, 4326));
\copy origins (i, lat, lon) FROM '$work/origins.csv' CSV HEADER
UPDATE origins SET geog = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography;
CREATE TABLE staging (id text, kind text, lat float8, lon float8);
\copy staging FROM '$work/real_facilities.csv' CSV HEADER
CREATE TABLE fac_real AS SELECT id, kind, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography AS geog FROM staging;
ALTER TABLE fac_real ADD PRIMARY KEY (id);
CREATE INDEX ON fac_real USING gist (geog);
-- pygeoapi's PostgreSQL provider filters a geometry column with ST_Intersects(envelope, geom).
CREATE TABLE fac_geom AS SELECT id, kind, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geometry(Point, 4326) AS geom FROM staging;
ALTER TABLE fac_geom ADD PRIMARY KEY (id);
CREATE INDEX ON fac_geom USING gist (geom);
DROP TABLE staging;
CREATE TABLE staging (id text, lat float8, lon float8);
\copy staging FROM '$work/synthetic_1m.csv' CSV HEADER
CREATE TABLE fac_1m AS SELECT id, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography AS geog FROM staging;
DROP TABLE staging;
ALTER TABLE fac_1m ADD PRIMARY KEY (id);
CREATE INDEX ON fac_1m USING gist (geog);
VACUUM ANALYZE;
SQL
# The query as pgbench prepares it: the plan must be an ordered scan of the GiST index.
for table in fac_real fac_1m; do
  psql_ -tA -c "PREPARE knn(float8, float8) AS SELECT id FROM $table ORDER BY geog <-> ST_SetSRID(ST_MakePoint(\$1, \$2), 4326)::geography LIMIT 5" \
    -c "EXPLAIN EXECUTE knn(139.65, 36.0)" >"$work/explain.txt"
  grep -q "Index Scan using ${table}_geog_idx" "$work/explain.txt" \
    || { cat "$work/explain.txt" >&2; echo "PostGIS KNN on $table does not use the GiST index" >&2; exit 1; }
  cat "$work/explain.txt" >&2
done

step "answers checked: PostGIS KNN k=5 against the engine at every origin"
for table in fac_real fac_1m; do
  psql_ -c "\copy (SELECT o.i, n.rank, n.id FROM origins o CROSS JOIN LATERAL (SELECT id, row_number() OVER () AS rank FROM (SELECT id FROM $table ORDER BY geog <-> o.geog LIMIT 5) s) n ORDER BY o.i, n.rank) TO '$work/postgis_$table.csv' CSV HEADER"
done
target/release/examples/peer_bench check-knn "$work/engine_knn_real.csv" "$work/postgis_fac_real.csv" "$work/real_facilities.csv" | tee "$work/check_real.txt" >&2
target/release/examples/peer_bench check-knn "$work/engine_knn_1m.csv" "$work/postgis_fac_1m.csv" "$work/synthetic_1m.csv" | tee "$work/check_1m.txt" >&2
figure knn_check_real "\"$(sed 's/^knn check [^:]*: //' "$work/check_real.txt" | head -n 1)\""
figure knn_check_1m "\"$(sed 's/^knn check [^:]*: //' "$work/check_1m.txt" | head -n 1)\""

step "PostGIS server-side KNN time over 1,000,000 synthetic facilities (PL/pgSQL loop, cached plan)"
# Each origin's query runs as a cached plan inside one function call, timed by clock_timestamp();
# the same loop around `SELECT 1` is the baseline subtracted, so what remains is the KNN itself.
psql_ <<'SQL'
CREATE FUNCTION knn_loop(rounds int, knn bool) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz; o record; ids text[]; n int := 0;
BEGIN
  t0 := clock_timestamp();
  FOR r IN 1..rounds LOOP
    FOR o IN SELECT geog FROM origins ORDER BY i LOOP
      IF knn THEN
        SELECT array_agg(id) INTO ids FROM (SELECT id FROM fac_1m ORDER BY geog <-> o.geog LIMIT 5) s;
      ELSE
        SELECT array_agg(x) INTO ids FROM (SELECT 'x'::text AS x) s;
      END IF;
      n := n + 1;
    END LOOP;
  END LOOP;
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1e6 / n;
END $$;
SQL
psql_ -tA -c 'SELECT knn_loop(1, true)' >/dev/null   # warm the cache
knn_us=$(psql_ -tA -c 'SELECT knn_loop(3, true)')
base_us=$(psql_ -tA -c 'SELECT knn_loop(3, false)')
figure postgis_knn_1m_loop_us "$knn_us"
figure postgis_loop_baseline_us "$base_us"

# --- pgbench (real facilities) beside /nearest with wrk --------------------------------------------
step "pgbench KNN on the shipped facilities, 1 and 2 clients, ${DURATION}s each"
python3 - "$work" "$ORIGINS_HTTP" <<'PY'
import csv, sys
work, n = sys.argv[1], int(sys.argv[2])
rows = list(csv.DictReader(open(f"{work}/origins.csv")))[:n]
def case(col):
    return "case " + " ".join(f"when :i = {r['i']} then {r[col]}" for r in rows) + " else 0 end"
with open(f"{work}/knn.pgbench", "w") as f:
    f.write(f"\\set i random(0, {n - 1})\n\\set lat {case('lat')}\n\\set lon {case('lon')}\n")
    f.write("SELECT id FROM fac_real ORDER BY geog <-> ST_SetSRID(ST_MakePoint(:lon::float8, :lat::float8), 4326)::geography LIMIT 5;\n")
with open(f"{work}/nearest.lua", "w") as f:
    f.write("local paths = {\n")
    for r in rows:
        f.write(f'  "/nearest?lat={r["lat"]}&lon={r["lon"]}&k=5",\n')
    f.write("}\nlocal n = 0\nrequest = function()\n  n = n % #paths + 1\n  return wrk.format(\"GET\", paths[n])\nend\n")
PY
for clients in 1 2; do
  tps=$(timeout $((DURATION + 60)) "$pgbin/pgbench" -n -M prepared -c "$clients" -j "$clients" -T "$DURATION" \
    -f "$work/knn.pgbench" postgres 2>&1 | tee "$work/pgbench_$clients.txt" | awk '/^tps/ {print $3; exit}')
  [ -n "$tps" ] || { cat "$work/pgbench_$clients.txt" >&2; exit 1; }
  figure "pgbench_real_c$clients" "$tps"
done
step "pgbench KNN over 1,000,000 synthetic facilities, 1 client, ${DURATION}s"
sed 's/fac_real/fac_1m/' "$work/knn.pgbench" >"$work/knn_1m.pgbench"
tps=$(timeout $((DURATION + 60)) "$pgbin/pgbench" -n -M prepared -c 1 -j 1 -T "$DURATION" -f "$work/knn_1m.pgbench" postgres 2>&1 | awk '/^tps/ {print $3; exit}')
figure pgbench_1m_c1 "$tps"

step "care-atlas release server on the shipped data"
caport=$(free_port)
target/release/care-atlas serve --db "$work/atlas.db" --bind "127.0.0.1:$caport" >"$work/care-atlas.log" 2>&1 &
started+=($!)
ca=http://127.0.0.1:$caport
wait_http "$ca/healthz"
# /nearest answers the engine's ids (the check above compared those with PostGIS).
"$py" scripts/bench_peers.py check-nearest "$work" "$ca" >&2
wrk_run() {  # wrk_run NAME DURATION URL [lua]: requests/s into figures, non-2xx counted
  local name=$1 seconds=$2 url=$3 script=${4:-} out
  out=$(timeout $((seconds + 60)) wrk -t2 -c16 -d"${seconds}s" --timeout 10s --latency ${script:+-s "$script"} "$url")
  echo "$out" >"$work/wrk_$name.txt"
  figure "wrk_${name}_rps" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  figure "wrk_${name}_non2xx" "$(awk '/Non-2xx/ {print $5}' <<<"$out" | grep . || echo 0)"
  figure "wrk_${name}_p99" "$(awk '$1 == "99%" {print $2}' <<<"$out")"
}
step "wrk /healthz and /nearest (${ORIGINS_HTTP} origins), 2 threads 16 connections, ${DURATION}s each"
wrk_run healthz "$DURATION" "$ca/healthz"
wrk_run nearest "$DURATION" "$ca/" "$work/nearest.lua"

# --- pygeoapi ---------------------------------------------------------------------------------------
step "pygeoapi (gunicorn, 2 workers): GeoJSON and PostgreSQL providers"
pgaport=$(free_port)
"$py" scripts/bench_peers.py pygeoapi-config "$work" "$pgaport" "$pgport"
PYGEOAPI_CONFIG=$work/pygeoapi.yml PYGEOAPI_OPENAPI=$work/pygeoapi-openapi.yml \
  timeout 120 "$venv/bin/pygeoapi" openapi generate "$work/pygeoapi.yml" --output-file "$work/pygeoapi-openapi.yml" >&2
(cd "$work" && PYGEOAPI_CONFIG=$work/pygeoapi.yml PYGEOAPI_OPENAPI=$work/pygeoapi-openapi.yml \
  exec "$venv/bin/gunicorn" -w 2 -b "127.0.0.1:$pgaport" --log-level warning pygeoapi.flask_app:APP \
  >"$work/pygeoapi.log" 2>&1) &
started+=($!)
pga=http://127.0.0.1:$pgaport
wait_http "$pga/collections/facilities_geojson/items?limit=1"
for limit in 10 1000; do
  "$py" scripts/bench_peers.py check-items "$work" "$ca/collections/facilities/items?bbox=$BBOX&limit=$limit" \
    "$pga/collections/facilities_geojson/items?bbox=$BBOX&limit=$limit" \
    "$pga/collections/facilities_postgresql/items?bbox=$BBOX&limit=$limit" | tee -a "$figures" >&2
done
for limit in 10 1000; do
  step "wrk OGC items bbox limit=$limit, ${ITEMS_DURATION}s each"
  wrk_run "items_ca_$limit" "$ITEMS_DURATION" "$ca/collections/facilities/items?bbox=$BBOX&limit=$limit"
  wrk_run "items_geojson_$limit" "$ITEMS_DURATION" "$pga/collections/facilities_geojson/items?bbox=$BBOX&limit=$limit"
  wrk_run "items_pg_$limit" "$ITEMS_DURATION" "$pga/collections/facilities_postgresql/items?bbox=$BBOX&limit=$limit"
done

# --- PySAL access -------------------------------------------------------------------------------------
step "PySAL access E2SFCA on the engine's 250 m grid"
timeout 300 "$py" scripts/bench_peers.py pysal "$work" | tee -a "$figures" >&2

step summary
"$py" scripts/bench_peers.py summary "$work" | tee "$cache/summary.md"
cp "$figures" "$cache/figures.txt"
