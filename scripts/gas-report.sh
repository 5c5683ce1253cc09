#!/usr/bin/env bash
# Measures receipt gasUsed of TreasuryManager's contracts and of Uniswap v3's own pool on a local Hardhat node
# (started and stopped by the tool), through the project's C# Ethereum layer, and writes docs/gas.md.
#   scripts/gas-report.sh          # writes docs/gas.md, prints the targets to stderr
#   scripts/gas-report.sh --json   # the same, and prints one JSON object (operation -> gas) on stdout
# Everything but the JSON goes to stderr.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

args=()
for a in "$@"; do
  case "$a" in
    --json) args+=(--json) ;;
    -h|--help) sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument '$a' (usage: scripts/gas-report.sh [--json])" ;;
  esac
done

require_tools
install_node_packages
compile_contracts
cd "$REPO_ROOT"
say "Building tools/TreasuryManager.GasReport"
dotnet build tools/TreasuryManager.GasReport -c Release --nologo -v quiet "-clp:ErrorsOnly;Summary" >&2
say "Measuring gas (writes docs/gas.md)"
exec dotnet tools/TreasuryManager.GasReport/bin/Release/net10.0/TreasuryManager.GasReport.dll --repo "$REPO_ROOT" "${args[@]}"
