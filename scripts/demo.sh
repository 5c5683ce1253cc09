#!/usr/bin/env bash
# The main job, end to end on a local chain, in a few minutes: installs what is missing, compiles the contracts,
# builds the treasury command, then `treasury demo` starts a local node, deploys tokens, oracle, vault and pool,
# plays a simulated market on chain (the reporter posts to the real oracle, traders send signed swaps, the keeper
# runs its real cycle) with a live progress display, prints the summary (PnL against hold, rebalances, gas) next to
# the in-memory strategies on the same path, writes demo-report/report.md with its charts, and stops the node
# however the run ends.
#   scripts/demo.sh [--scenario calm|trending|volatile|crash|FILE] [--steps N] [--seed S] [--out DIR] [--anvil] [--uniswap-v3]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_tools
install_node_packages
compile_contracts
cd "$REPO_ROOT"
say "Building the treasury command"
dotnet build src/TreasuryManager.Cli -c Release --nologo -v quiet "-clp:ErrorsOnly" >&2
dotnet src/TreasuryManager.Cli/bin/Release/net10.0/treasury.dll demo "$@"
