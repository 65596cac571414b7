"""The Python side of `make bench-peers` (scripts/bench-peers.sh), run in its venv.

Subcommands, each given the run's throw-away directory DIR (written by `peer_bench prepare`):

- `check-nearest DIR URL`: care-atlas's HTTP /nearest returns the engine's ids at the first origins.
- `pygeoapi-config DIR PORT PGPORT`: pygeoapi's configuration: the shipped facilities as a GeoJSON
  collection and as the PostGIS table `fac_geom` through the PostgreSQL provider.
- `check-items DIR CARE_ATLAS_URL GEOJSON_URL POSTGRESQL_URL`: the three servers match the same
  number of features for the bbox, return the same number on the page, and, fetched whole, the
  same ids. Prints one `items_check_<limit> "…"` figure line; fails on any difference.
- `pysal DIR`: PySAL `access` E2SFCA on the engine's own inputs, timed with building its cost table
  (WGS84 geodesic distances of every demand–supply pair with pyproj.Geod, as a planner would) and
  without (the table given); its scores checked against the engine's. Prints figure lines.
- `summary DIR`: the markdown table of every figure beside its peer, the ratio and the target.
"""

import csv
import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path


def get_json(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        if r.status != 200:
            sys.exit(f"{url}: HTTP {r.status}")
        return json.load(r)


def check_nearest(work, base):
    engine = {}
    for row in csv.DictReader(open(work / "engine_knn_real.csv")):
        engine.setdefault(int(row["origin"]), []).append(row["id"])
    origins = list(csv.DictReader(open(work / "origins.csv")))[:20]
    for o in origins:
        body = get_json(f"{base}/nearest?lat={o['lat']}&lon={o['lon']}&k=5")
        ids = [f["id"] for f in body["features"]]
        if ids != engine[int(o["i"])]:
            sys.exit(f"/nearest at origin {o['i']}: {ids}, the engine {engine[int(o['i'])]}")
    print(f"/nearest returns the engine's ids at the first {len(origins)} origins")


def pygeoapi_config(work, port, pgport):
    url = f"http://127.0.0.1:{port}"
    extent = {"spatial": {"bbox": [139.3, 35.7, 140.0, 36.3],
                          "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}}

    def collection(title, provider):
        return {"type": "collection", "title": title, "description": title,
                "keywords": ["facilities"], "links": [], "extents": extent,
                "providers": [provider]}

    config = {
        "server": {
            "bind": {"host": "127.0.0.1", "port": int(port)},
            "url": url,
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["en-US"],
            "limits": {"default_items": 10, "max_items": 10000},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                    "attribution": "OpenStreetMap"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": "bench-peers", "description": "bench-peers",
                               "keywords": ["bench"], "keywords_type": "theme",
                               "terms_of_service": url, "url": url},
            "license": {"name": "CC-BY 4.0", "url": url},
            "provider": {"name": "bench-peers", "url": url},
            "contact": {"name": "bench-peers", "position": "-", "address": "-", "city": "-",
                        "stateorprovince": "-", "postalcode": "-", "country": "-",
                        "phone": "-", "fax": "-", "email": "bench@127.0.0.1", "url": url,
                        "hours": "-", "instructions": "-", "role": "pointOfContact"},
        },
        "resources": {
            "facilities_geojson": collection("facilities (GeoJSON provider)", {
                "type": "feature", "name": "GeoJSON",
                "data": str(work / "facilities.geojson"), "id_field": "id"}),
            "facilities_postgresql": collection("facilities (PostgreSQL provider)", {
                "type": "feature", "name": "PostgreSQL",
                "data": {"host": "127.0.0.1", "port": int(pgport), "dbname": "postgres",
                         "user": "bench", "password": "", "search_path": ["public"]},
                "id_field": "id", "table": "fac_geom", "geom_field": "geom"}),
        },
    }
    # JSON is YAML: no YAML writer needed.
    (work / "pygeoapi.yml").write_text(json.dumps(config, indent=1, ensure_ascii=False))


def with_limit(url, limit):
    base, _, query = url.partition("?")
    params = [p for p in query.split("&") if not p.startswith("limit=")]
    return f"{base}?{'&'.join(params + [f'limit={limit}'])}"


def check_items(work, urls):
    names = ["care-atlas", "pygeoapi GeoJSON", "pygeoapi PostgreSQL"]
    limit = urls[0].rpartition("limit=")[2]
    pages = [get_json(u) for u in urls]
    matched = [p.get("numberMatched") for p in pages]
    returned = [len(p["features"]) for p in pages]
    whole = [get_json(with_limit(u, 10000)) for u in urls]
    ids = [sorted(str(f["id"]) for f in w["features"]) for w in whole]
    facts = ", ".join(f"{n}: matched {m} returned {r}" for n, m, r in zip(names, matched, returned))
    if len(set(matched)) != 1 or len(set(returned)) != 1 or any(i != ids[0] for i in ids):
        differing = [n for n, i in zip(names, ids) if i != ids[0]]
        sys.exit(f"OGC items disagree for limit={limit}: {facts}; ids differ: {differing}")
    print(f'items_check_{limit} "{facts}; the {len(ids[0])} ids of the bbox are the same"')


def read_rows(path):
    return list(csv.DictReader(open(path, encoding="utf-8")))


def pysal(work):
    import numpy as np
    import pandas as pd
    from access import Access, weights
    from pyproj import Geod

    catchment = 3000.0
    demand = pd.read_csv(work / "e2sfca_demand.csv")
    supply = pd.read_csv(work / "e2sfca_supply.csv")
    step = weights.step_fn({catchment / 3: 1.0, 2 * catchment / 3: 0.68, catchment: 0.22})
    geod = Geod(ellps="WGS84")

    def cost_table():
        # Every demand–supply pair's WGS84 geodesic distance; pairs beyond the catchment dropped
        # (PySAL drops them anyway with cost <= max_cost).
        d_lat = np.repeat(demand["lat"].to_numpy(), len(supply))
        d_lon = np.repeat(demand["lon"].to_numpy(), len(supply))
        s_lat = np.tile(supply["lat"].to_numpy(), len(demand))
        s_lon = np.tile(supply["lon"].to_numpy(), len(demand))
        _, _, dist = geod.inv(d_lon, d_lat, s_lon, s_lat)
        keep = dist <= catchment
        return pd.DataFrame({
            "origin": np.repeat(demand["id"].to_numpy(), len(supply))[keep],
            "dest": np.tile(supply["id"].to_numpy(), len(demand))[keep],
            "cost": dist[keep],
        })

    def e2sfca(costs, normalize):
        a = Access(demand_df=demand, demand_index="id", demand_value="population",
                   supply_df=supply, supply_index="id", supply_value="capacity",
                   cost_df=costs, cost_origin="origin", cost_dest="dest", cost_name="cost")
        out = a.enhanced_two_stage_fca(name="e2sfca", max_cost=catchment, weight_fn=step,
                                       normalize=normalize)
        return out["e2sfca_capacity"]

    def timed(f, runs):
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            f()
            times.append((time.perf_counter() - t0) * 1e3)
        return statistics.mean(times)

    costs = cost_table()
    e2sfca(costs, False)  # warm-up: imports and caches out of the timing
    with_table = timed(lambda: e2sfca(cost_table(), False), 5)
    without_table = timed(lambda: e2sfca(costs, False), 5)

    # The check: PySAL's scores for the study cells equal the engine's (NaN where PySAL reaches
    # nothing, 0 in the engine).
    raw, normalised = e2sfca(costs, False), e2sfca(costs, True)
    worst = 0.0
    engine = read_rows(work / "e2sfca_engine.csv")
    for row in engine:
        for theirs, ours in ((raw[row["id"]], float(row["raw"])),
                             (normalised[row["id"]], float(row["normalised"]))):
            if np.isnan(theirs):
                if ours != 0.0:
                    sys.exit(f"E2SFCA {row['id']}: PySAL NaN (nothing in reach), engine {ours}")
                continue
            diff = abs(ours - theirs) / max(abs(theirs), 1e-300)
            worst = max(worst, diff)
            if diff > 1e-9:
                sys.exit(f"E2SFCA {row['id']}: engine {ours}, PySAL {theirs}")
    print(f"pysal_e2sfca_with_cost_table_ms {with_table}")
    print(f"pysal_e2sfca_without_cost_table_ms {without_table}")
    print(f'pysal_check "{len(engine)} study cells of {len(demand)} demand cells, '
          f'{len(supply)} supply points, {len(costs)} pairs within {catchment:.0f} m: raw and '
          f'normalised scores agree (largest relative difference {worst:.1e})"')


def read_figures(work):
    figures = {}
    for line in open(work / "figures.txt", encoding="utf-8"):
        name, _, value = line.strip().partition(" ")
        if name:
            figures[name] = value.strip('"')
    return figures


def summary(work):
    f = read_figures(work)
    num = lambda name: float(f[name])  # noqa: E731
    rows = []

    def row(figure, ours, theirs, ratio, target):
        met = "—" if target is None else ("yes" if ratio >= target else "**no**")
        rows.append(f"| {figure} | {ours} | {theirs} | {ratio:.1f}× | "
                    f"{'—' if target is None else f'≥ {target}×'} | {met} |")

    postgis_us = num("postgis_knn_1m_loop_us") - num("postgis_loop_baseline_us")
    engine_us = num("engine_knn_1m_mean_us")
    row("KNN k=5 over 1,000,000 **synthetic** clustered facilities, server-side mean per query "
        "(engine in-process / PostGIS PL/pgSQL loop minus `SELECT` baseline)",
        f"{engine_us:.2f} µs", f"{postgis_us:.1f} µs", postgis_us / engine_us, 75)
    row("KNN k=5 on the shipped facilities: HTTP `/nearest` (wrk 2 threads, 16 conn.) vs "
        "pgbench prepared, 2 clients", f"{num('wrk_nearest_rps'):,.0f} req/s",
        f"{num('pgbench_real_c2'):,.0f} tps", num("wrk_nearest_rps") / num("pgbench_real_c2"), 2)
    row("… vs pgbench prepared, 1 client", f"{num('wrk_nearest_rps'):,.0f} req/s",
        f"{num('pgbench_real_c1'):,.0f} tps", num("wrk_nearest_rps") / num("pgbench_real_c1"), None)
    row("… `/nearest` beside `/healthz` in the same run (peer column: `/healthz`)",
        f"{num('wrk_nearest_rps'):,.0f} req/s", f"{num('wrk_healthz_rps'):,.0f} req/s",
        num("wrk_nearest_rps") / num("wrk_healthz_rps"), None)
    for limit in ("10", "1000"):
        ca = num(f"wrk_items_ca_{limit}_rps")
        for peer, label, target in (("geojson", "GeoJSON", 200), ("pg", "PostgreSQL", 50)):
            theirs = num(f"wrk_items_{peer}_{limit}_rps")
            row(f"OGC `items?bbox=…&limit={limit}` vs pygeoapi {label} provider (gunicorn 2 workers)",
                f"{ca:,.0f} req/s", f"{theirs:,.1f} req/s", ca / theirs, target)
    engine_ms = num("engine_e2sfca_mean_ms")
    row("E2SFCA 250 m grid, 3 km, visiting nursing, 75+: engine incl. distances vs PySAL `access` "
        "incl. its cost table", f"{engine_ms:.2f} ms",
        f"{num('pysal_e2sfca_with_cost_table_ms'):,.0f} ms",
        num("pysal_e2sfca_with_cost_table_ms") / engine_ms, 90)
    row("… vs PySAL `access` with the cost table given", f"{engine_ms:.2f} ms",
        f"{num('pysal_e2sfca_without_cost_table_ms'):,.0f} ms",
        num("pysal_e2sfca_without_cost_table_ms") / engine_ms, None)

    out = ["## bench-peers: care-atlas beside PostGIS, pygeoapi and PySAL `access` (same run)", "",
           "| figure | care-atlas | peer | ratio | target | met |", "|---|---|---|---|---|---|",
           *rows, "", "Checks (all passed, or the run would have stopped):", ""]
    for name in sorted(k for k in f if k.endswith("check") or "_check_" in k):
        out.append(f"- {name}: {f[name]}")
    errors = {k: v for k, v in f.items() if k.endswith("_non2xx") and v not in ("0", "")}
    out.append(f"- non-2xx answers under wrk: {errors or 'none'}")
    p99 = ", ".join(f"{k[4:-4]} {v}" for k, v in sorted(f.items()) if k.endswith("_p99"))
    out.append(f"- wrk p99 latency: {p99}")
    out.append(f"- PostGIS server-side loop: {num('postgis_knn_1m_loop_us'):.1f} µs per KNN, "
               f"baseline {num('postgis_loop_baseline_us'):.1f} µs; pgbench over 1M synthetic, "
               f"1 client: {num('pgbench_1m_c1'):,.0f} tps")
    print("\n".join(out))


def main():
    command, work, *rest = sys.argv[1:]
    work = Path(work)
    if command == "check-nearest":
        check_nearest(work, rest[0])
    elif command == "pygeoapi-config":
        pygeoapi_config(work, *rest)
    elif command == "check-items":
        check_items(work, rest)
    elif command == "pysal":
        pysal(work)
    elif command == "summary":
        summary(work)
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
