#!/usr/bin/env bash
# Starts a local Hardhat node for manual use, in the foreground (Ctrl-C stops it).
#   scripts/node.sh [--port N] [--fork URL [--fork-block N]] [--chain-id N] [--anvil]
# --fork makes the node a local copy of any JSON-RPC node (Hardhat --fork, or anvil --fork-url), at block N
# (--fork-block, alias --fork-block-number) or the upstream's latest; what you send to it never reaches the upstream.
# --chain-id: the id the node reports (default 31337; give a fork its upstream's). The fork node test (Hardhat
# forking anvil) and `treasury rebalance --fork` run this script.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
port=8545 fork="" fork_block="" chain_id=31337 kind=hardhat
while [ $# -gt 0 ]; do
  case "$1" in
    --port) [ $# -ge 2 ] || die "--port needs a number"; port="$2"; shift 2 ;;
    --fork) [ $# -ge 2 ] || die "--fork needs a JSON-RPC URL"; fork="$2"; shift 2 ;;
    --fork-block|--fork-block-number) [ $# -ge 2 ] || die "$1 needs a block number"; fork_block="$2"; shift 2 ;;
    --chain-id) [ $# -ge 2 ] || die "--chain-id needs a number"; chain_id="$2"; shift 2 ;;
    --anvil) kind=anvil; shift ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1'; see scripts/node.sh --help" ;;
  esac
done
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "--port '$port' is not a port number (1-65535)"
[[ "$chain_id" =~ ^[1-9][0-9]*$ ]] || die "--chain-id '$chain_id' is not a chain id (a positive integer)"
if [ -n "$fork" ]; then
  [[ "$fork" =~ ^(https?|wss?)://[^[:space:]]+$ ]] || die "--fork '$fork' is not a JSON-RPC URL (http://, https://, ws:// or wss://)"
fi
if [ -n "$fork_block" ]; then
  [ -n "$fork" ] || die "--fork-block needs --fork URL (the node to copy)"
  [[ "$fork_block" =~ ^[0-9]+$ ]] || die "--fork-block '$fork_block' is not a block number (a non-negative integer)"
fi
require_tools
install_node_packages
cd "$REPO_ROOT"
if [ "$kind" = anvil ]; then
  args=(--host 127.0.0.1 --port "$port" --chain-id "$chain_id")
  [ -n "$fork" ] && args+=(--fork-url "$fork")
  [ -n "$fork_block" ] && args+=(--fork-block-number "$fork_block")
  exec node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil "${args[@]}"
fi
export TREASURY_NODE_CHAIN_ID="$chain_id" # hardhat.config.js reads it (Hardhat's node has no --chain-id option)
args=(node --hostname 127.0.0.1 --port "$port")
[ -n "$fork" ] && args+=(--fork "$fork")
[ -n "$fork_block" ] && args+=(--fork-block-number "$fork_block")
exec node node_modules/hardhat/internal/cli/bootstrap.js "${args[@]}"
