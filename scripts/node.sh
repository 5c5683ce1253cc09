#!/usr/bin/env bash
# Starts a local Hardhat node for manual use, in the foreground (Ctrl-C stops it).
#   scripts/node.sh [--port N] [--fork URL] [--fork-block-number B] [--anvil]
# --fork passes a remote JSON-RPC URL straight to Hardhat (or anvil --fork-url); forking needs
# network access to that node and is not exercised by the tests.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
port=8545 fork="" fork_block="" kind=hardhat
while [ $# -gt 0 ]; do
  case "$1" in
    --port) [ $# -ge 2 ] || die "--port needs a number"; port="$2"; shift 2 ;;
    --fork) [ $# -ge 2 ] || die "--fork needs a JSON-RPC URL"; fork="$2"; shift 2 ;;
    --fork-block-number) [ $# -ge 2 ] || die "--fork-block-number needs a block number"; fork_block="$2"; shift 2 ;;
    --anvil) kind=anvil; shift ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1'; see scripts/node.sh --help" ;;
  esac
done
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "--port '$port' is not a port number (1-65535)"
require_tools
install_node_packages
cd "$REPO_ROOT"
if [ "$kind" = anvil ]; then
  args=(--host 127.0.0.1 --port "$port" --chain-id 31337)
  [ -n "$fork" ] && args+=(--fork-url "$fork")
  [ -n "$fork_block" ] && args+=(--fork-block-number "$fork_block")
  exec node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil "${args[@]}"
fi
args=(node --hostname 127.0.0.1 --port "$port")
[ -n "$fork" ] && args+=(--fork "$fork")
[ -n "$fork_block" ] && args+=(--fork-block-number "$fork_block")
exec node node_modules/hardhat/internal/cli/bootstrap.js "${args[@]}"
