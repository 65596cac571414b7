#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ for FUZZ_SECONDS (default 60) each with cargo-fuzz (libFuzzer,
# no sanitizer, on the stable toolchain through RUSTC_BOOTSTRAP), seeded from the real files in
# data/ and $RAW (default ../shared/data/raw, read now, never copied into the repository) and from
# the hand-made seeds in fuzz/seeds/. Prints the executions and crashes of each target; a crash's
# input is in fuzz/artifacts/<target>/ and becomes a regression test in the crate it was found in.
#
#   make fuzz                       # every target, 60 s each
#   FUZZ_SECONDS=600 FUZZ_TARGETS="query_string scenario_body" make fuzz
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
RAW=${RAW:-../shared/data/raw}
# A request or file that takes longer than this is reported as a timeout: every input's work is
# meant to be bounded.
TIMEOUT_S=${FUZZ_TIMEOUT:-20}
export RUSTC_BOOTSTRAP=1

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
ALL_TARGETS=$(cd fuzz && cargo fuzz list)
TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}
(cd fuzz && cargo fuzz build --sanitizer none)

corpus() { mkdir -p "fuzz/corpus/$1" && echo "fuzz/corpus/$1"; }

# A seed of a layout target: the selector byte (0: detect the layout) and the file's first lines.
seed_head() { # target file lines
  local out
  out="$(corpus "$1")/seed-$(basename "$2")"
  { printf '\000'; head -n "$3" "$2"; } >"$out"
}

raw_files() { [ -d "$RAW" ] && find "$RAW" -maxdepth 1 -name "$1" | sort; true; }

# Boundary seeds: the first feature of each file with every fifth vertex, still a closed ring.
geojson_seed() { # file
  python3 - "$1" "$(corpus import_geojson)/seed-$(basename "$1")" <<'EOF'
import json, sys
source, out = sys.argv[1], sys.argv[2]
data = json.load(open(source, encoding="utf-8"))
data["features"] = data.get("features", [])[:1]
def thin(ring):
    kept = ring[:-1:5] + [ring[-1]]
    return kept if len(kept) >= 4 else ring
for feature in data["features"]:
    geometry = feature.get("geometry") or {}
    if geometry.get("type") == "Polygon":
        geometry["coordinates"] = [thin(r) for r in geometry["coordinates"]]
    elif geometry.get("type") == "MultiPolygon":
        geometry["coordinates"] = [[thin(r) for r in p] for p in geometry["coordinates"]]
with open(out, "wb") as f:
    f.write(b"\x00" + json.dumps(data, ensure_ascii=False).encode("utf-8"))
EOF
}

for file in data/*.csv $(raw_files '*.csv') $(raw_files '*.txt'); do
  seed_head import_csv "$file" 60
  head -n 20 "$file" >"$(corpus decode_text)/seed-$(basename "$file")"
done
# CP932 with half-width katakana (ｶﾝｺﾞ), and UTF-8 with a BOM.
printf '\x82\xa0\xb6\xdd\xba\xde,\x8c\x8e\r\n' >"$(corpus decode_text)/seed-halfwidth-kana"
printf '\xef\xbb\xbfid,name\r\n1,\xe8\x93\xae\xe7\x94\xb0\r\n' >"$(corpus decode_text)/seed-bom"
for file in data/municipalities.geojson $(raw_files 'n03_*.geojson'); do geojson_seed "$file"; done
cp crates/loader/tests/fixtures/register_ika_saitama_sample.xlsx "$(corpus import_workbook)/"
cp fuzz/seeds/register_cells/* "$(corpus register_cells)/"
cp fuzz/seeds/scenario_body/* "$(corpus scenario_body)/"
cp fuzz/seeds/mesh_code/* "$(corpus mesh_code)/"
n=0
while IFS= read -r target; do
  n=$((n + 1))
  printf '\000%s' "$target" >"$(corpus query_string)/seed-$n"
done <fuzz/seeds/query_string.txt
# Addresses as the sources write them.
python3 - "$(corpus address)" <<'EOF'
import csv, sys
with open("data/facilities.csv", encoding="utf-8") as f:
    for n, row in enumerate(csv.DictReader(f)):
        if n % 25 == 0:
            open(f"{sys.argv[1]}/seed-{n}", "w", encoding="utf-8").write(row["address"])
EOF

summary=()
for target in $TARGETS; do
  log="fuzz/artifacts/$target.log"
  mkdir -p "fuzz/artifacts/$target"
  before=$(find "fuzz/artifacts/$target" -type f | wc -l)
  dict=()
  [ -f "fuzz/seeds/$target.dict" ] && dict=("-dict=seeds/$target.dict")
  echo "== $target: ${SECONDS_PER_TARGET}s"
  status=0
  (cd fuzz && cargo fuzz run --sanitizer none "$target" -- \
    -max_total_time="$SECONDS_PER_TARGET" -timeout="$TIMEOUT_S" -rss_limit_mb=4096 \
    -print_final_stats=1 "${dict[@]}") >"$log" 2>&1 || status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  after=$(find "fuzz/artifacts/$target" -type f | wc -l)
  crashes=$((after - before))
  summary+=("$(printf '%-16s %10s executions  %d crash(es)  exit %d' "$target" "${runs:-?}" "$crashes" "$status")")
  if [ "$crashes" -gt 0 ] || [ "$status" -ne 0 ]; then
    grep -E 'panicked|SUMMARY|Test unit written|ERROR' "$log" | head -5 || true
  fi
done
echo
echo "fuzz: ${SECONDS_PER_TARGET}s per target"
printf '%s\n' "${summary[@]}"
