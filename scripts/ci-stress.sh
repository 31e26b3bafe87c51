#!/usr/bin/env bash
# Proves the suite is stable the way CI meets it: a fresh clone of HEAD, a CPU hog on one core,
# and `CI=true bash .ci/run` N times in a row. Exits non-zero if any run fails; the log of every
# run is kept (path printed) and a table of outcomes and wall times is printed at the end.
#
#   scripts/ci-stress.sh [RUNS]        (default 5; npm run stress -- RUNS)
#
# The hog is stress-ng from Debian when installed, else a busy Node.js loop: either keeps one of
# the two cores busy for the whole session. It is stopped on every exit path.
set -euo pipefail
runs="${1:-5}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
# The clone lives in a temp dir without ../shared next to it: point .ci/run at this checkout's
# vendored test tools (moto) instead.
if [ -z "${RUNBOOK_VENDOR_DIR:-}" ] && [ -d "$repo/../shared/vendor" ]; then export RUNBOOK_VENDOR_DIR="$(cd "$repo/../shared/vendor" && pwd)"; fi
work="$(mktemp -d "${TMPDIR:-/tmp}/runbook-ci-stress-XXXXXX")"
hog_pid=""

stop_hog() { if [ -n "$hog_pid" ]; then kill "$hog_pid" 2>/dev/null || true; wait "$hog_pid" 2>/dev/null || true; hog_pid=""; fi; }
trap stop_hog EXIT INT TERM

git clone --quiet --no-hardlinks "$repo" "$work/clone"
echo "clone of $(git -C "$work/clone" rev-parse --short HEAD) in $work/clone"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  echo "note: the working tree has uncommitted changes; they are not in the clone" >&2
fi

if command -v stress-ng >/dev/null 2>&1; then
  stress-ng --cpu 1 --quiet &
  hog_pid=$!
  echo "CPU hog: stress-ng --cpu 1 (pid $hog_pid)"
else
  node -e 'for (;;) {}' &
  hog_pid=$!
  echo "CPU hog: busy Node.js loop (pid $hog_pid)"
fi

results=()
failed=0
for i in $(seq 1 "$runs"); do
  log="$work/run-$i.log"
  start=$(date +%s)
  # Each run starts from the clean clone, as CI does: no node_modules, no dist/, no .runbook/.
  git -C "$work/clone" clean -fdxq
  if (cd "$work/clone" && CI=true bash .ci/run >"$log" 2>&1); then status=pass; else status=FAIL; failed=$((failed + 1)); fi
  secs=$(( $(date +%s) - start ))
  tests=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ +Tests ' | tail -1 | sed 's/^ *//' || true)
  results+=("run $i: $status in ${secs}s — ${tests:-no test summary} — $log")
  echo "${results[-1]}"
done

stop_hog
echo
echo "ci-stress: $((runs - failed)) of $runs runs passed with a CPU hog on one core"
printf '  %s\n' "${results[@]}"
[ "$failed" -eq 0 ]
