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

# npm ci runs when node_modules was not installed from this package-lock.json (its SHA-256 is stamped in
# node_modules/.installed-from-lock after a successful install: content, not mtime, so a fresh clone beside an
# up-to-date folder does not reinstall). A node_modules that is a link into another checkout is never reinstalled
# through the link (npm ci would empty the other checkout's folder): that stops, saying so.
install_node_packages() {
  cd "$REPO_ROOT"
  local lock stamp=node_modules/.installed-from-lock
  lock="$(sha256sum package-lock.json | cut -d' ' -f1)"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock" ] && return 0
  if [ -L node_modules ]; then
    die "node_modules is a link to $(readlink -f node_modules), not installed from this package-lock.json; npm ci would empty that folder: run scripts from the checkout it belongs to, or remove the link (rm node_modules) and run this again"
  fi
  say "Installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
  printf '%s\n' "$lock" > "$stamp"
}

compile_contracts() {
  cd "$REPO_ROOT"
  say "Compiling contracts (solc 0.8.26, offline)"
  node node_modules/hardhat/internal/cli/bootstrap.js compile --quiet >&2
}

# PostgreSQL's server binaries (initdb, postgres), which the fleet tests start in a temporary folder: found on the PATH or
# in /usr/lib/postgresql/*/bin (Debian's layout); when missing, Debian's `postgresql` package is installed (as root; its
# service is not started — the tests run their own server). Same pattern as scripts/test-alerts.sh for promtool.
postgres_binaries_present() {
  command -v initdb >/dev/null && return 0
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

install_postgres() {
  postgres_binaries_present && return 0
  command -v apt-get >/dev/null || die "PostgreSQL's initdb is missing and this is not a Debian/Ubuntu machine; install the PostgreSQL server (15 or later) and run this again."
  [ "$(id -u)" = 0 ] || die "PostgreSQL's initdb is missing; install it with: sudo apt-get update && sudo apt-get install -y postgresql (or run this script as root)"
  say "Installing the PostgreSQL server (Debian package postgresql) for the keeper fleet tests"
  local created_policy=0 status=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    # Keep the package's post-install from starting a PostgreSQL service.
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=1
  fi
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; } || status=$?
  [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ "$status" = 0 ] || die "apt-get install postgresql failed (exit $status); install the PostgreSQL server by hand and run this again."
  postgres_binaries_present || die "the postgresql package installed no initdb on the PATH or in /usr/lib/postgresql/*/bin"
}
