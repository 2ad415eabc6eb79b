#!/usr/bin/env bash
# Times `kpilint check` on a generated 100,000-metric catalogue against merely parsing the
# same file (toml crate / serde_json), and `kpilint eval` on 10 million CSV rows (over
# 10,000 series, then over 1,000,000) against the csv crate merely reading them. Each pair
# of commands runs alternately, so the ratio is fair on a noisy machine. Then start-up on
# the demo, and check's cost from 1k to 100k metrics (linear or not). Usage:
# scripts/bench.sh [N_METRICS] [RUNS]. Prints medians of wall time and peak RSS.
# DATA_ROWS=0 skips the data shapes, SERIES_1M=0 the 1M-series one, EMITTERS=0 the cost of
# each output format, SCALE=0 the rest; CHECK_FORMATS="" skips the 100k-metric checks.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
runs=${2:-5}
out=bench-out
mkdir -p "$out"
cargo build --release -q --bin kpilint --example bench_gen --example parse_floor --example bench_data
bin=target/release
cat > "$out/policy.toml" <<'TOML'
[policy]
id = "bench"
[[category]]
id = "identity_access"
owner = "iam@example.com"
[[banned]]
id = "scan-count"
match = { name = '(?i)\b(number|count|#) of (scans|alerts|tickets)\b' }
reason = "Counts activity, not exposure."
TOML
for fmt in ${CHECK_FORMATS-toml json}; do
  [ -f "$out/catalogue-$n.$fmt" ] || "$bin/examples/bench_gen" "$fmt" "$n" "$out/catalogue-$n.$fmt"
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# Wall time of a command in seconds, to the microsecond (/usr/bin/time counts hundredths).
wall() {
  local t0=$EPOCHREALTIME
  "$@" >/dev/null 2>&1 || true
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.4f", b - a }'
}
# Times the floor command and the kpilint command alternately, RUNS times each, so that
# the machine's moods fall on both alike; prints "floor_s floor_kib ours_s ours_kib"
# (medians). Usage: pair FLOOR_CMD... -- OURS_CMD...
pair() {
  local floor=() ours=()
  while [ "$1" != "--" ]; do floor+=("$1"); shift; done
  shift
  ours=("$@")
  local ft=() fm=() ot=() om=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$out/time.txt" "${floor[@]}" >/dev/null 2>&1 || true
    read -r t m < <(tail -n 1 "$out/time.txt"); ft+=("$t"); fm+=("$m")
    /usr/bin/time -f '%e %M' -o "$out/time.txt" "${ours[@]}" >/dev/null 2>&1 || true
    read -r t m < <(tail -n 1 "$out/time.txt"); ot+=("$t"); om+=("$m")
  done
  echo "$(printf '%s\n' "${ft[@]}" | median) $(printf '%s\n' "${fm[@]}" | median) $(printf '%s\n' "${ot[@]}" | median) $(printf '%s\n' "${om[@]}" | median)"
}

printf '%-28s %10s %12s\n' "" "median s" "peak MiB"
for fmt in ${CHECK_FORMATS-toml json}; do
  file="$out/catalogue-$n.$fmt"
  size=$(du -m "$file" | cut -f1)
  echo "# $n metrics, $fmt, ${size} MB, $runs runs each"
  read -r pt pm ct cm < <(pair "$bin/examples/parse_floor" "$file" -- \
    "$bin/kpilint" check --policy "$out/policy.toml" --as-of 2026-11-24 --format json --output "$out/report.json" "$file")
  printf '%-28s %10s %12d\n' "parse only ($fmt)" "$pt" "$((pm / 1024))"
  printf '%-28s %10s %12d\n' "kpilint check" "$ct" "$((cm / 1024))"
  # Targets (issue 14): TOML at most 1.3x the toml crate's parse; JSON at most 1.5x
  # serde_json's parse, in time and in memory.
  if [ "$fmt" = toml ]; then limit=1.3; mlimit=0; else limit=1.5; mlimit=1.5; fi
  awk -v a="$ct" -v b="$pt" -v c="$cm" -v d="$pm" -v l="$limit" -v ml="$mlimit" 'BEGIN {
    ok = a / b <= l && (ml == 0 || c / d <= ml)
    printf "%-28s %10.2fx %11.2fx  %s (time <= %sx%s)\n", "ratio", a / b, c / d,
      ok ? "PASS" : "FAIL", l, ml == 0 ? "" : ", memory <= " ml "x" }'
done

# Data: 10 million rows over SERIES series, evaluated against the csv crate merely reading
# them, as of the end of their last month (a period after --as-of is a finding, not a
# value). Memory is judged against its bound, not against the reader, which keeps
# nothing. Usage: eval_shape SERIES NAME MEMORY_TARGET_MIB TIME_TARGET_RATIO
eval_shape() {
  local series=$1 name=$2 bound=$3 limit=$4
  local csv="$out/$name-$rows.csv"
  "$bin/examples/bench_data" gen "$rows" "$series" "$csv" "$out/$name-policy.toml" "$out/$name-catalogue.toml" 2>/dev/null \
    || true
  [ -s "$csv" ] || { echo "data generation failed"; exit 1; }
  echo "# $rows data rows, $series series, $(du -m "$csv" | cut -f1) MB, $runs runs each"
  read -r pt pm ct cm < <(pair "$bin/examples/bench_data" read "$csv" -- \
    "$bin/kpilint" eval --policy "$out/$name-policy.toml" --as-of 2026-12-31 --format json --output "$out/eval-$name.json" "$out/$name-catalogue.toml" "$csv")
  printf '%-28s %10s %12d\n' "csv read only" "$pt" "$((pm / 1024))"
  printf '%-28s %10s %12d\n' "kpilint eval" "$ct" "$((cm / 1024))"
  awk -v a="$ct" -v b="$pt" -v c="$cm" -v m="$bound" -v l="$limit" 'BEGIN {
    t = a / b <= l; mem = c / 1024 < m
    printf "%-28s %10.2fx %12s  %s (time <= %sx: %s, memory < %s MiB: %s)\n", "ratio", a / b, "",
      t && mem ? "PASS" : "FAIL", l, t ? "yes" : "no", m, mem ? "yes" : "no" }'
}
# DATA_ROWS=0 skips both shapes, SERIES_1M=0 the 1M-series one.
rows=${DATA_ROWS:-10000000}
if [ "$rows" != 0 ]; then
  eval_shape 10000 data 200 1.3
  [ "${SERIES_1M:-1}" = 0 ] || eval_shape 1000000 data1m 400 3
fi

# Emitters: one eval of 1M rows over 100k series (58k findings, 100k scorecard lines) in
# every format; what a format costs beyond the cheapest, per finding. EMITTERS=0 skips.
if [ "${EMITTERS:-1}" != 0 ]; then
  "$bin/examples/bench_data" gen 1000000 100000 "$out/mid.csv" "$out/mid-policy.toml" "$out/mid-catalogue.toml" 2>/dev/null || true
  findings=$("$bin/kpilint" eval --policy "$out/mid-policy.toml" --as-of 2026-12-31 --format json "$out/mid-catalogue.toml" "$out/mid.csv" 2>/dev/null \
    | grep -o '"warnings": *[0-9]*' | grep -o '[0-9]*$' || echo 1)
  echo "# emitters: eval of 1M rows, 100k series, $findings findings ($runs runs each)"
  declare -A took
  for f in json human sarif junit github markdown; do
    ts=()
    for _ in $(seq "$runs"); do
      ts+=("$(wall "$bin/kpilint" eval --policy "$out/mid-policy.toml" --as-of 2026-12-31 --format "$f" --output "$out/mid-report.$f" "$out/mid-catalogue.toml" "$out/mid.csv")")
    done
    took[$f]=$(printf '%s\n' "${ts[@]}" | median)
  done
  fastest=$(printf '%s\n' "${took[@]}" | sort -n | head -n 1)
  for f in json human sarif junit github markdown; do
    awk -v f="$f" -v t="${took[$f]}" -v b="$fastest" -v n="$findings" -v s="$(du -k "$out/mid-report.$f" | cut -f1)" 'BEGIN {
      printf "%-28s %10.3f %9d KiB  +%.2f us per finding\n", "--format " f, t, s, (t - b) * 1e6 / n }'
  done
fi

if [ "${SCALE:-1}" != 0 ]; then
  # Start-up: the demo, 21 runs, median wall time.
  ts=()
  for _ in $(seq 21); do
    ts+=("$(wall "$bin/kpilint" check fixtures/demo)")
  done
  t=$(printf '%s\n' "${ts[@]}" | median)
  awk -v t="$t" 'BEGIN { printf "%-28s %10.4f %12s  %s (< 0.015 s)\n", "check fixtures/demo", t, "", t < 0.015 ? "PASS" : "FAIL" }'
  # Scale: check on JSON catalogues of 1k to 100k metrics; time per 1k metrics should stay
  # flat.
  echo "# check, JSON, by size ($runs runs each)"
  for k in 1000 10000 100000; do
    file="$out/catalogue-$k.json"
    [ -f "$file" ] || "$bin/examples/bench_gen" json "$k" "$file"
    ts=()
    for _ in $(seq "$runs"); do
      ts+=("$(wall "$bin/kpilint" check --policy "$out/policy.toml" --as-of 2026-11-24 --format json --output "$out/report.json" "$file")")
    done
    t=$(printf '%s\n' "${ts[@]}" | median)
    awk -v n="$k" -v t="$t" 'BEGIN { printf "%-28s %10s %9.4f s per 1k\n", n " metrics", t, t / (n / 1000) }'
  done
fi
