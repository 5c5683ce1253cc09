#!/usr/bin/env bash
# Installs what is missing, compiles the contracts, runs the forge invariant and fuzz tests (scripts/forge.sh,
# default profile; TREASURY_SKIP_FORGE=1 skips them), builds the solution and runs every test.
# Tests that need a chain start their own local node (Hardhat; TREASURY_TEST_NODE=anvil for anvil)
# and stop it by its PID; the keeper fleet tests start their own PostgreSQL server the same way (Debian's `postgresql`
# package is installed when its binaries are missing). Extra arguments go to `dotnet test`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_tools
# the CLI's terminal-prompt test runs the command under script(1) for a pseudo-terminal (util-linux; Debian's
# essential bsdutils package, so present on any Debian or Ubuntu machine)
command -v script >/dev/null || die "script(1) is missing (util-linux; Debian package bsdutils): install it and run this again."
install_postgres
install_node_packages
compile_contracts
cd "$REPO_ROOT"
if [ "${TREASURY_SKIP_FORGE:-0}" != 1 ]; then
  say "Running the forge invariant and fuzz tests (docs/invariants.md)"
  "$REPO_ROOT/scripts/forge.sh"
fi
say "Building TreasuryManager.sln"
dotnet build TreasuryManager.sln -c Release --nologo -v quiet "-clp:ErrorsOnly;Summary"
say "Checking docs/packages.txt against the resolved package graph"
"$REPO_ROOT/scripts/package-graph.sh" check
"$REPO_ROOT/scripts/test-alerts.sh"
say "Running tests (local node: ${TREASURY_TEST_NODE:-hardhat})"
dotnet test TreasuryManager.sln -c Release --no-build --nologo "$@"
if [ -z "${TREASURY_TEST_NODE:-}" ] && [ "${TREASURY_SKIP_ANVIL:-0}" != 1 ]; then
  # The node tests again on anvil, a second real node with other quirks (revert formats, late receipts).
  say "Running the node tests on anvil"
  TREASURY_TEST_NODE=anvil dotnet test TreasuryManager.sln -c Release --no-build --nologo --filter "Category=Node" "$@"
fi
