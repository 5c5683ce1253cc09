#!/usr/bin/env bash
# The keeper fleet at scale (issue 15): POOLS pools over four keepers of one fleet (one PostgreSQL, one node) against
# one keeper with a fleet keeper's share of the pools alone (SQLite), in the same run; prints, per keeper, block →
# broadcast p50/p99 and the lease statements per cycle, then the single keeper's block → broadcast.
#   scripts/bench-fleet.sh [POOLS] [ROUNDS]     (default 200 pools, 40 rounds a phase)
#
# What runs: tests/TreasuryManager.Keeper.Tests FleetScaleTests with TREASURY_FLEET_BENCH_POOLS / _ROUNDS (the suite
# runs it with 16 pools and 4 rounds). It starts its own Hardhat node and PostgreSQL server (initdb in a temporary
# folder), deploys POOLS pools behind one vault (past the vault's 16 with hardhat_setStorageAt, as scripts/bench-keeper.sh
# does), registers dev accounts 1, 6, 7, 8 (the fleet) and 9 (the single keeper) as keepers, and runs the real keepers
# (KeeperRuntime, signed type-2 transactions, Confirmations = 1) in one process.
#
# One fleet round: chain time +61 s, the reporter posts the price, a trader pushes one pool (held by keeper round mod 4)
# to 65 % or 35 % base; t0 right after that swap's receipt; then the four keepers' cycles run at once, as on a new
# block; t1 the holder's Broadcast point (eth_sendRawTransaction returned, journaled). Only the holder may broadcast, once
# (asserted). The pool is pushed back to 50 %. A single-keeper round is the same with the single keeper alone. Lease
# statements per cycle: the heartbeat, the leases read, the keepers read and one renewal per held pool (asserted from
# treasury_keeper_lease_renewals_total). The four keepers share the machine's cores; on separate machines each cycle runs
# alone, as the single keeper's does here.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pools="${1:-200}" rounds="${2:-40}"
[[ "$pools" =~ ^[1-9][0-9]*$ && "$pools" -ge 4 ]] || die "POOLS '$pools' is not a whole number of at least 4 (four keepers); see the top of scripts/bench-fleet.sh"
[[ "$rounds" =~ ^[1-9][0-9]*$ && "$rounds" -ge 4 ]] || die "ROUNDS '$rounds' is not a whole number of at least 4; see the top of scripts/bench-fleet.sh"
require_tools
install_node_packages
cd "$REPO_ROOT"
[ -d artifacts/contracts ] || compile_contracts
postgres_binaries_present || install_postgres
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
say "Fleet at scale: $pools pools over 4 keepers vs one keeper with $((pools / 4)), $rounds rounds a phase"
TREASURY_FLEET_BENCH_POOLS="$pools" TREASURY_FLEET_BENCH_ROUNDS="$rounds" TREASURY_FLEET_REPORT="$report" \
  dotnet test tests/TreasuryManager.Keeper.Tests -c Release --nologo --filter "FullyQualifiedName~FleetScaleTests" >&2 \
  || die "FleetScaleTests failed (its output is above)"
cat "$report"
