#!/usr/bin/env bash
# The main job, end to end on a local chain: install what is missing, compile the contracts, start
# a local node, deploy, send signed transactions, print the state read back, stop the node.
#   scripts/demo.sh [--anvil]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_tools
install_node_packages
compile_contracts
cd "$REPO_ROOT"
say "Building the treasury command"
dotnet build src/TreasuryManager.Cli -c Release --nologo -v quiet "-clp:ErrorsOnly" >&2
dotnet src/TreasuryManager.Cli/bin/Release/net10.0/treasury.dll demo "$@"
