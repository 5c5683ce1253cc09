#!/usr/bin/env bash
# Mutation testing with Stryker.NET (dotnet-stryker, pinned in .config/dotnet-tools.json) over the Models and the
# Strategy core, then docs/mutation.md from Stryker's JSON reports and mutation/equivalent.tsv.
#
#   scripts/mutation.sh [models|strategy|all]    (default all)
#
# Scope, exclusions and test filters: mutation/models.json, mutation/strategy.json (docs/mutation-testing.md says why).
# Each run's JSON report is kept in mutation/out/TARGET.json (not committed); the Markdown report covers every target
# that has one, so `scripts/mutation.sh strategy` refreshes the Strategy section and keeps the last Models one.
# Slow (tens of minutes a target on two cores): not part of scripts/test.sh. STRYKER_CONCURRENCY overrides the
# configured concurrency (1).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

target="${1:-all}"
case "$target" in
  models) targets=(models) ;;
  strategy) targets=(strategy) ;;
  all) targets=(models strategy) ;;
  -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
  *) die "unknown target '$target'; use models, strategy or all (the default)" ;;
esac

command -v dotnet >/dev/null || die "the .NET SDK is not installed; install .NET 10."
command -v node >/dev/null || die "Node.js is not installed; install Node 20 (it writes the report from Stryker's JSON)."
cd "$REPO_ROOT"

say "Restoring dotnet-stryker (dotnet tool restore)"
dotnet tool restore >&2

mkdir -p mutation/out
concurrency=()
[ -n "${STRYKER_CONCURRENCY:-}" ] && concurrency=(--concurrency "$STRYKER_CONCURRENCY")
for t in "${targets[@]}"; do
  out="$REPO_ROOT/mutation/out/$t"
  rm -rf "$out"
  say "Stryker: $t (mutation/$t.json)"
  # The configurations' paths (test project, "project" found among its references) are relative to mutation/.
  (cd mutation &&
    dotnet stryker --config-file "$t.json" --output "$out" --skip-version-check \
      --reporter Json --reporter ClearText "${concurrency[@]}" >&2)
  report="$out/reports/mutation-report.json"
  [ -f "$report" ] || die "Stryker wrote no JSON report for $t ($report); its log is above."
  cp "$report" "mutation/out/$t.json"
done

reports=()
for t in models strategy; do
  [ -f "mutation/out/$t.json" ] && reports+=("$t=mutation/out/$t.json")
done
node scripts/mutation-report.js docs/mutation.md "scripts/mutation.sh $target" mutation/equivalent.tsv "${reports[@]}"
say "docs/mutation.md written"
