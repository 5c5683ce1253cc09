#!/usr/bin/env bash
# Shared helpers for the scripts: find the repository, install what is missing, compile contracts.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

require_tools() {
  command -v node >/dev/null || die "Node.js is not installed; install Node 20 and npm."
  command -v npm >/dev/null || die "npm is not installed; install it with Node 20."
  command -v dotnet >/dev/null || die "the .NET SDK is not installed; install .NET 10."
}

# npm ci only when node_modules is missing or older than the lock file.
install_node_packages() {
  cd "$REPO_ROOT"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "Installing npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
}

compile_contracts() {
  cd "$REPO_ROOT"
  say "Compiling contracts (solc 0.8.26, offline)"
  node node_modules/hardhat/internal/cli/bootstrap.js compile --quiet >&2
}
