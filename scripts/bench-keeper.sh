#!/usr/bin/env bash
# The keeper's end-to-end benchmark: from a new block to the broadcast of a rebalance, for 1 pool and for 200 pools
# in one vault, and for 8 pools all pushed out of band before one cycle, on a local node.
#   scripts/bench-keeper.sh [ROUNDS] [--anvil] [--pools "1 200 8x8"]   (default 100 rounds; NxK = N pools, K pushed per round)
#
# What runs: a fresh Hardhat node (or anvil with --anvil, same flags as scripts/node.sh; stopped by PID on any exit)
# and the benchmark program's keeper-e2e mode, once per case. That deploys tokens, oracle, vault and N pools with
# TreasuryDeployer, then starts the real keeper (KeeperRuntime: its SQLite journal in WAL mode with synchronous=FULL on
# the local disk, a real key, signed type-2 transactions) with Confirmations = 1.
#
# One round (3 warm-up rounds first, not counted):
#   untimed   chain time +61 s (the policy's minimum interval between rebalances), the reporter posts the price,
#             then a trader's swap pushes one pool's inventory to 65% (or 35%, alternately) of its value in base;
#             the node automines it and the swap's receipt comes back: the new block is available.
#   t0        taken right then — before the keeper's RunOnceAsync. The keeper is called at once: a running keeper
#             polls for new blocks (Cycle:PollIntervalMilliseconds, default 1000), and that polling delay (on average
#             half the interval) is NOT in these figures; neither is block propagation on a real network.
#   timed     Observe (one JSON-RPC batch) → Estimate → Decide → Guard (one batch: eth_call + eth_estimateGas) → Act
#             (fees, nonce, sign, journal commit, eth_sendRawTransaction).
#   t1        the executor's onPoint(Broadcast) hook: eth_sendRawTransaction has returned and the attempt is marked
#             broadcast in the journal. "send returned" is the same path ending when the HTTP answer to
#             eth_sendRawTransaction is in (without that journal write).
#   untimed   the cycle then waits for the receipt (counted as reads after the sends); the pushed pool is swapped
#             back to the oracle's price so that the next round starts with one pool out of band.
# With 200 pools the keeper observes all 200 every cycle (about 600 eth_calls in its one Observe batch) while one
# pool per round is pushed. The vault registers at most MAX_POOLS = 16 pools; past 16 the benchmark resets the length
# of the vault's pool list with hardhat_setStorageAt between groups of 16 (see KeeperEndToEnd.AddPoolsPastTheCapAsync):
# every pool is still deployed, registered with its policy, funded and rebalanced through the real vault.
#
# Every HTTP request the keeper makes is timed by a handler under its RPC client: "read" is the Observe batch (t0 to
# its answer); the phases split t0 → t1 (decide = decoding, estimators, models between the Observe answer and the
# Guard request); round trips count HTTP requests (a batch is one). Figures: p50 and p99 (nearest rank) and max, ms.
# The machine's other load shows in p99 and max; compare p50s. Targets (issue 5): 1 pool p50 ≤ 15 ms, 200 pools
# ≤ 1 s, one batched read per cycle plus the sends. With K pools pushed per round ("8x8") every plan of the cycle is
# signed with consecutive nonces and broadcast before any is waited for; "block → last broadcast" is t0 to the K-th
# eth_sendRawTransaction (target, issue 12: p50 ≤ 60 ms on anvil for 8x8).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rounds=100 kind=hardhat cases="1 200 8x8"
while [ $# -gt 0 ]; do
  case "$1" in
    --anvil) kind=anvil; shift ;;
    --pools) [ $# -ge 2 ] || die "--pools needs a list of pool counts, e.g. --pools \"1 200\""; cases="$2"; shift 2 ;;
    -h|--help) sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) [[ "$1" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS '$1' is not a positive whole number; see scripts/bench-keeper.sh --help"; rounds="$1"; shift ;;
  esac
done
for n in $cases; do [[ "$n" =~ ^[1-9][0-9]*(x[1-9][0-9]*)?$ ]] || die "--pools: '$n' is not a number of pools (N) or pools with pushed pools per round (NxK, K ≤ N)"; done
require_tools
install_node_packages
cd "$REPO_ROOT"
[ -d artifacts/contracts ] || compile_contracts
say "Building the benchmark project"
dotnet build bench/TreasuryManager.Benchmarks -c Release --nologo -v quiet "-clp:ErrorsOnly" >&2
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
if [ "$kind" = anvil ]; then
  node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil --host 127.0.0.1 --port "$port" --chain-id 31337 >/dev/null 2>&1 &
else
  node node_modules/hardhat/internal/cli/bootstrap.js node --hostname 127.0.0.1 --port "$port" >/dev/null 2>&1 &
fi
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null; wait "$node_pid" 2>/dev/null || true' EXIT
url="http://127.0.0.1:$port"
for _ in $(seq 1 200); do
  curl -s -o /dev/null -X POST -H 'content-type: application/json' --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$url" && break
  sleep 0.1
done
results=()
for n in $cases; do
  pools="${n%%x*}" pushed=1
  [[ "$n" == *x* ]] && pushed="${n##*x}"
  say "Keeper end to end on $kind ($url): $pools pool(s), $pushed pushed per round, $rounds rounds"
  results+=("$(dotnet bench/TreasuryManager.Benchmarks/bin/Release/net10.0/TreasuryManager.Benchmarks.dll keeper-e2e "$url" "$REPO_ROOT" "$pools" "$rounds" "$pushed")")
done
node -e '
const node = process.argv[1];
const rows = process.argv.slice(2).map(JSON.parse);
const f = (x) => x.toFixed(1).padStart(7);
console.log(`\nnode: ${node}   (ms; block → broadcast = new block available → eth_sendRawTransaction returned and journaled)`);
console.log("case              rounds | block→broadcast p50     p99     max | block→last broadcast p50     p99 | read p50     p99 | reads before send  sends  reads after");
for (const r of rows) {
  const last = r.block_to_last_broadcast_ms ?? r.block_to_broadcast_ms;
  const name = r.case + (r.pushed_per_round > 1 ? `, ${r.pushed_per_round} pushed` : "");
  console.log(`${name.padEnd(17)} ${String(r.rounds).padStart(6)} |           ${f(r.block_to_broadcast_ms.p50)} ${f(r.block_to_broadcast_ms.p99)} ${f(r.block_to_broadcast_ms.max)} |                ${f(last.p50)} ${f(last.p99)} | ${f(r.read_ms.p50)} ${f(r.read_ms.p99)} | ${String(r.read_round_trips_before_first_send).padStart(17)} ${String(r.sends_per_cycle).padStart(6)} ${String(r.reads_after_sends).padStart(12)}`);
}
for (const r of rows)
  console.log(`phases p50 (${r.case}): ` + Object.entries(r.phase_p50_ms).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", "));
' "$kind" "${results[@]}"
for r in "${results[@]}"; do echo "$r"; done
