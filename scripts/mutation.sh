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
# configured concurrency (1). MUTATE_ONLY="GLOB[,GLOB...]" (one target only) re-runs just those files (every mutant in
# them, against the target's whole filtered test suite) and replaces their entries in the kept report, so new tests for
# a few files show without a full run; the report names the re-run files and when (a lower bound for the other files,
# whose mutants the new tests may also kill).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

target="${1:-all}"
case "$target" in
  models) targets=(models) ;;
  strategy) targets=(strategy) ;;
  all) targets=(models strategy) ;;
  -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
  *) die "unknown target '$target'; use models, strategy or all (the default)" ;;
esac

command -v dotnet >/dev/null || die "the .NET SDK is not installed; install .NET 10."
command -v node >/dev/null || die "Node.js is not installed; install Node 20 (it writes the report from Stryker's JSON)."
cd "$REPO_ROOT"

say "Restoring dotnet-stryker (dotnet tool restore)"
dotnet tool restore >&2

mkdir -p mutation/out
only=()
if [ -n "${MUTATE_ONLY:-}" ]; then
  [ "${#targets[@]}" = 1 ] || die "MUTATE_ONLY re-runs files of one target; name it (models or strategy), not all"
  [ -f "mutation/out/${targets[0]}.json" ] || die "MUTATE_ONLY needs a full run's report to update (mutation/out/${targets[0]}.json); run scripts/mutation.sh ${targets[0]} first"
  IFS=',' read -r -a globs <<<"$MUTATE_ONLY"
  for g in "${globs[@]}"; do only+=(--mutate "$g"); done
fi
concurrency=()
[ -n "${STRYKER_CONCURRENCY:-}" ] && concurrency=(--concurrency "$STRYKER_CONCURRENCY")
for t in "${targets[@]}"; do
  out="$REPO_ROOT/mutation/out/$t"
  rm -rf "$out"
  say "Stryker: $t (mutation/$t.json)"
  # The configurations' paths (test project, "project" found among its references) are relative to mutation/.
  (cd mutation &&
    dotnet stryker --config-file "$t.json" --output "$out" --skip-version-check \
      --reporter Json --reporter ClearText "${concurrency[@]}" "${only[@]}" >&2)
  report="$out/reports/mutation-report.json"
  [ -f "$report" ] || die "Stryker wrote no JSON report for $t ($report); its log is above."
  if [ "${#only[@]}" -gt 0 ]; then
    node scripts/mutation-report.js --overlay "mutation/out/$t.json" "$report" "$MUTATE_ONLY"
  else
    cp "$report" "mutation/out/$t.json"
  fi
done

reports=()
for t in models strategy; do
  [ -f "mutation/out/$t.json" ] && reports+=("$t=mutation/out/$t.json")
done
node scripts/mutation-report.js docs/mutation.md "scripts/mutation.sh $target" mutation/equivalent.tsv "${reports[@]}"
say "docs/mutation.md written"
