#!/usr/bin/env bash
# End-to-end send benchmark, side by side in one run: N signed type-2 transfers sent to and mined
# by one local Hardhat node, first by our C# layer, then by ethers.js v6 (its wallet path and its
# sign-then-send-raw path); prints the rates and the ratios.   scripts/bench-e2e.sh [N]   (default N = 500)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
count="${1:-500}"
[[ "$count" =~ ^[1-9][0-9]*$ ]] || die "N '$count' is not a positive whole number"
require_tools
install_node_packages
cd "$REPO_ROOT"
say "Building the benchmark project"
dotnet build bench/TreasuryManager.Benchmarks -c Release --nologo -v quiet "-clp:ErrorsOnly" >&2
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
node node_modules/hardhat/internal/cli/bootstrap.js node --hostname 127.0.0.1 --port "$port" >/dev/null 2>&1 &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null; wait "$node_pid" 2>/dev/null || true' EXIT
url="http://127.0.0.1:$port"
for _ in $(seq 1 200); do
  curl -s -o /dev/null -X POST -H 'content-type: application/json' --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$url" && break
  sleep 0.1
done
say "Sending $count transactions with each client to $url"
csharp=$(dotnet bench/TreasuryManager.Benchmarks/bin/Release/net10.0/TreasuryManager.Benchmarks.dll send-e2e "$url" "$count")
ethers_wallet=$(node bench/e2e/ethers-send.js "$url" "$count" wallet)
ethers_raw=$(node bench/e2e/ethers-send.js "$url" "$count" raw)
echo "$csharp"; echo "$ethers_wallet"; echo "$ethers_raw"
node -e '
const [a, b, c] = process.argv.slice(1).map(JSON.parse);
const r = (x) => x.tx_per_second.toFixed(1);
console.log(`C# layer: ${r(a)} tx/s | ethers wallet.sendTransaction: ${r(b)} tx/s (ratio ${(a.tx_per_second / b.tx_per_second).toFixed(2)}) | ethers signTransaction+eth_sendRawTransaction: ${r(c)} tx/s (ratio ${(a.tx_per_second / c.tx_per_second).toFixed(2)})`);
' "$csharp" "$ethers_wallet" "$ethers_raw"
