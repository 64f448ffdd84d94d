#!/usr/bin/env bash
# No flakes: every lab's reference solution must pass N runs out of N (default 50) with a new seed
# each time. Not part of `npm test` (it takes a while); run it after changing a check:
#   bash scripts/no-flakes.sh [runs] [lab ...]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}
shift || true
labs=("$@")
[ ${#labs[@]} -gt 0 ] || labs=(exercise-1 exercise-1-node exercise-2 exercise-3)
status=0
for lab in "${labs[@]}"; do
  dir=$(mktemp -d)
  cp -r "templates/$lab/solution/." "$dir"
  passed=0
  for i in $(seq 1 "$runs"); do
    out=$(node bin/labs.js check "$lab" "$dir" --json 2>/dev/null)
    if [ $? -eq 0 ]; then
      passed=$((passed + 1))
    else
      echo "$lab run $i failed:"
      printf '%s\n' "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const r=JSON.parse(s);console.log("  seed "+r.seed);for(const c of r.checks.filter(c=>!c.passed))console.log("  "+c.id+": "+c.summary)}catch{console.log("  (no JSON report)")}})'
    fi
  done
  echo "$lab: $passed/$runs passed"
  [ "$passed" -eq "$runs" ] || status=1
  rm -rf "$dir"
done
exit $status
