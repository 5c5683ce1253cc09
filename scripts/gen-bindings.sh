#!/usr/bin/env bash
# Compiles the contracts and regenerates their typed C# bindings: the treasury's in src/TreasuryManager.Contracts/Generated,
# its Nethereum typed classes (vault, pool, oracles, perp market) in src/TreasuryManager.Contracts.Nethereum/Generated,
# the test contracts' in tests/TreasuryManager.TestContracts/Generated.
# A test (BindingFreshnessTests) fails while the checked-in bindings differ from what this writes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_tools
install_node_packages
compile_contracts
cd "$REPO_ROOT"
dotnet run --project tools/TreasuryManager.BindGen -c Release -- "$REPO_ROOT"
