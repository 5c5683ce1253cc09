#!/usr/bin/env bash
# Installs what is missing, compiles the contracts, builds the solution and runs every test.
# Tests that need a chain start their own local node (Hardhat; TREASURY_TEST_NODE=anvil for anvil)
# and stop it by its PID. Extra arguments go to `dotnet test`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_tools
install_node_packages
compile_contracts
cd "$REPO_ROOT"
say "Building TreasuryManager.sln"
dotnet build TreasuryManager.sln -c Release --nologo -v quiet "-clp:ErrorsOnly;Summary"
say "Running tests"
dotnet test TreasuryManager.sln -c Release --no-build --nologo "$@"
