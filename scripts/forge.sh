#!/usr/bin/env bash
# Runs the forge invariant and fuzz tests (test/forge/) offline: installs what is missing (npm ci brings forge from
# the npm registry), compiles with scripts/solc-npm (the npm solc 0.8.26, as Hardhat does) and runs `forge test`.
# Usage: scripts/forge.sh [--profile deep] [forge test args...]
#   default profile (CI): fuzz 1,000 runs; invariants 1,000 runs x depth 100 (foundry.toml)
#   --profile deep:       fuzz and invariants 100,000 runs (depth 100); narrow it with --match-contract / --match-test
# Prints forge's summary line and a plain "N passed, N failed" line; exits non-zero when a test fails.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_node_tools() {
  command -v node >/dev/null || die "Node.js is not installed; install Node 20 and npm."
  command -v npm >/dev/null || die "npm is not installed; install it with Node 20."
}
require_node_tools
install_node_packages
cd "$REPO_ROOT"
FORGE="$REPO_ROOT/node_modules/@foundry-rs/forge-linux-amd64/bin/forge"
[ -x "$FORGE" ] || die "forge is missing from node_modules (@foundry-rs/forge-linux-amd64); run npm ci"
PROFILE=default
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) PROFILE="${2:?--profile needs a name}"; shift 2 ;;
    --profile=*) PROFILE="${1#--profile=}"; shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
say "forge test (profile $PROFILE, solc: scripts/solc-npm, offline)"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
start=$(date +%s)
set +e
FOUNDRY_PROFILE="$PROFILE" FOUNDRY_OFFLINE=true "$FORGE" test --offline --use "$REPO_ROOT/scripts/solc-npm" "${ARGS[@]}" 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
set -e
elapsed=$(( $(date +%s) - start ))
summary=$(grep -E '^Ran [0-9]+ test suites? ' "$LOG" | tail -1 || true)
passed=$(sed -nE 's/.*: ([0-9]+) tests passed, ([0-9]+) failed.*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.*: ([0-9]+) tests passed, ([0-9]+) failed.*/\2/p' <<<"$summary")
say "forge (profile $PROFILE) finished in ${elapsed}s, exit $rc"
if [ -n "$passed" ]; then
  echo "forge: ${passed} passed, ${failed} failed"
fi
[ "$rc" -eq 0 ] || die "forge test failed (exit $rc)"
[ -n "$passed" ] && [ "$passed" -gt 0 ] || die "forge ran no test"
