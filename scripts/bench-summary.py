#!/usr/bin/env python3
"""Summarise the criterion results of `make bench` as markdown tables, ready for BENCHMARKS.md.

Reads target/criterion/**/new/{benchmark,estimates}.json (written by `cargo bench`), and
target/criterion/one-run-references.tsv (references too slow for ten samples, timed once in the
benchmark's setup, the latest run winning), and prints:
  1. every benchmark's mean with criterion's 95% confidence interval;
  2. each engine figure beside the reference computed in the same run, as a ratio;
  3. the issue-14 targets against the peers' figures (PostGIS KNN, PySAL access): the reference
     figures of the issue by default, or those of a same-session `make bench-peers` run given as
     --postgis-knn-us / --pysal-e2sfca-ms.
Only the standard library; no timing of its own.
"""

import argparse
import time
import json
import pathlib
import sys

# (engine benchmark, reference benchmark, what the reference is)
PAIRS = [
    ("nearest_k5_clustered_synthetic/10k/inside", "nearest_k5_clustered_synthetic/10k/inside_reference_geodesic_scan", "geodesic distance to every facility"),
    ("nearest_k5_clustered_synthetic/1m/inside", "nearest_k5_clustered_synthetic/1m/inside_reference_sphere_filtered_scan", "full scan on the sphere, then geodesics"),
    ("snapshot_build_1m_clustered_synthetic/atlas_new", "snapshot_build_1m_clustered_synthetic/reference_sort_and_group_without_index", "sort + group by kind, no index"),
    ("coverage_gaps_three_towns_2km_visiting_nursing/mesh250", "coverage_gaps_three_towns_2km_visiting_nursing/mesh250_reference_brute_force", "every cell × every station"),
    ("coverage_gaps_three_towns_2km_visiting_nursing/polygons", "coverage_gaps_three_towns_2km_visiting_nursing/polygons_reference_50m_lattice", "50 m lattice × every station"),
    ("e2sfca_three_towns_250m_3km_visiting_nursing/indexed", "e2sfca_three_towns_250m_3km_visiting_nursing/reference_all_pairs_brute_force", "all pairs, full cost table"),
    ("what_if_2km_visiting_nursing/site_suggestions_3", "what_if_2km_visiting_nursing/site_suggestions_3_reference", "former greedy"),
    ("snapshot_from_sqlite_shipped_data/load_atlas", "snapshot_from_sqlite_shipped_data/reference_bare_select_facilities", "bare SELECT of the facility rows"),
    ("import_shipped_data/import_files", "import_shipped_data/reference_bare_insert_facilities", "bare INSERT of the facility rows"),
]


def fmt(ns):
    if ns is None:
        return "–"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def times(ratio):
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.2g}×"


def load(root):
    results = {}
    for estimates in root.glob("**/new/estimates.json"):
        meta = estimates.with_name("benchmark.json")
        if not meta.exists():
            continue
        full_id = json.loads(meta.read_text())["full_id"]
        figures = json.loads(estimates.read_text())
        # The figure criterion prints as `time:`: the slope of linear sampling, else the mean.
        estimate = figures.get("slope") or figures["mean"]
        ci = estimate["confidence_interval"]
        results[full_id] = (estimate["point_estimate"], ci["lower_bound"], ci["upper_bound"])
    # References too slow for ten samples, timed once in the benchmark's setup.
    one_run = root / "one-run-references.tsv"
    if one_run.exists():
        for line in one_run.read_text().splitlines():
            full_id, _, nanos = line.partition("\t")
            if nanos:
                ns = float(nanos)
                results[full_id] = (ns, None, None)
    return results


def peer_figures(path):
    """The numeric figures of a `make bench-peers` run (`name value` lines), or {} without one."""
    figures = {}
    if not path.exists():
        return figures
    for line in path.read_text().splitlines():
        name, _, value = line.partition(" ")
        try:
            figures[name] = float(value)
        except ValueError:
            pass
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--criterion", default="target/criterion", type=pathlib.Path)
    parser.add_argument("--postgis-knn-us", type=float, default=359.0,
                        help="PostGIS KNN k=5 over 1,000,000 synthetic facilities, server-side mean (µs)")
    parser.add_argument("--pysal-e2sfca-ms", type=float, default=611.0,
                        help="PySAL access E2SFCA on the 250 m grid including its cost table (ms)")
    parser.add_argument("--peers", default="target/bench-peers/figures.txt", type=pathlib.Path,
                        help="figures of the last `make bench-peers`, used instead of the two above when present")
    args = parser.parse_args()
    results = load(args.criterion)
    if not results:
        sys.exit(f"no criterion results under {args.criterion}: run `make bench` first")
    mean = lambda name: results.get(name, (None,))[0]

    print("### Every benchmark (criterion's `time:` estimate and 95% interval; synthetic data is labelled so)\n")
    print("| benchmark | mean | interval |")
    print("|---|---|---|")
    for name in sorted(results):
        m, lo, hi = results[name]
        interval = f"{fmt(lo)} – {fmt(hi)}" if lo is not None else "one run, in setup"
        print(f"| `{name}` | {fmt(m)} | {interval} |")

    print("\n### Engine beside its reference (same run; the answers are asserted equal in setup)\n")
    print("| figure | care-atlas | reference | reference is | ratio |")
    print("|---|---|---|---|---|")
    for engine, reference, what in PAIRS:
        e, r = mean(engine), mean(reference)
        ratio = times(r / e) if e and r else "–"
        print(f"| `{engine}` | {fmt(e)} | {fmt(r)} | {what} | {ratio} |")

    print("\n### Growth with size (nearest k=5, clustered synthetic)\n")
    print("| origins | 10k | 100k | 1m | 1m / 10k |")
    print("|---|---|---|---|---|")
    for place in ("inside", "outside"):
        row = [mean(f"nearest_k5_clustered_synthetic/{size}/{place}") for size in ("10k", "100k", "1m")]
        growth = f"{row[2] / row[0]:.2f}×" if row[0] and row[2] else "–"
        print(f"| {place} | " + " | ".join(fmt(v) for v in row) + f" | {growth} |")

    # The peers' figures: from the last `make bench-peers` when there is one (measured on this
    # machine, though in another run than this one), else the figures the issue quotes (another
    # day, another machine of the kind). Neither is a same-run ratio: `make bench-peers` gives those.
    postgis_knn_us, pysal_e2sfca_ms = args.postgis_knn_us, args.pysal_e2sfca_ms
    peers = peer_figures(args.peers)
    if peers and "postgis_knn_1m_loop_us" in peers and "pysal_e2sfca_with_cost_table_ms" in peers:
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(args.peers.stat().st_mtime))
        postgis_knn_us = peers["postgis_knn_1m_loop_us"] - peers.get("postgis_loop_baseline_us", 0.0)
        pysal_e2sfca_ms = peers["pysal_e2sfca_with_cost_table_ms"]
        source = f"the peers of the last `make bench-peers` ({args.peers}, {when})"
    else:
        source = "the figures quoted in issue 14 (another day; run `make bench-peers` for this machine's)"
    print("\n### Issue 14 targets, beside " + source + "\n")
    print("Not a same-run ratio: the engine here and the peers were timed in different runs; "
          "`make bench-peers` times both in one run.\n")
    print("| figure | care-atlas | peer | ratio | target | met? |")
    print("|---|---|---|---|---|---|")
    targets = [
        ("nearest k=5, 1m clustered synthetic, inside", "nearest_k5_clustered_synthetic/1m/inside", postgis_knn_us * 1e3, "PostGIS KNN", 75),
        ("nearest k=5, 1m clustered synthetic, outside", "nearest_k5_clustered_synthetic/1m/outside", postgis_knn_us * 1e3, "PostGIS KNN (its origins inside)", 75),
        ("E2SFCA 250 m incl. distances", "e2sfca_three_towns_250m_3km_visiting_nursing/indexed", pysal_e2sfca_ms * 1e6, "PySAL access incl. cost table", 90),
    ]
    for label, name, peer_ns, peer, target in targets:
        e = mean(name)
        if e is None:
            print(f"| {label} | – | {peer} {fmt(peer_ns)} | – | ≥ {target}× | not run |")
            continue
        ratio = peer_ns / e
        print(f"| {label} | {fmt(e)} | {peer} {fmt(peer_ns)} | {times(ratio)} | ≥ {target}× | {'yes' if ratio >= target else 'NO'} |")


if __name__ == "__main__":
    main()
