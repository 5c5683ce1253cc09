#!/usr/bin/env bash
# Checks and unit-tests the keeper's Prometheus rules (ops/prometheus/keeper-rules.yml) with promtool:
# `promtool check rules`, then `promtool test rules ops/prometheus/keeper-rules.test.yml`.
# Installs Debian's `prometheus` package (which ships promtool) when promtool is missing; with promtool on the PATH it
# does nothing but the two checks (a second or two). The package's service is not started.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

if ! command -v promtool >/dev/null; then
  command -v apt-get >/dev/null || die "promtool is missing and this is not a Debian/Ubuntu machine; install Prometheus's promtool (2.x) and run this again."
  [ "$(id -u)" = 0 ] || die "promtool is missing; install it with: sudo apt-get update && sudo apt-get install -y prometheus (or run this script as root)"
  say "Installing promtool (Debian package prometheus)"
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    # Keep the package's post-install from starting a Prometheus server.
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  status=0
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null; } || status=$?
  [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ "$status" = 0 ] || die "apt-get install prometheus failed (exit $status); install promtool by hand and run this again."
  command -v promtool >/dev/null || die "the prometheus package installed no promtool on the PATH"
fi

say "promtool check rules ops/prometheus/keeper-rules.yml"
promtool check rules ops/prometheus/keeper-rules.yml
say "promtool test rules ops/prometheus/keeper-rules.test.yml"
promtool test rules ops/prometheus/keeper-rules.test.yml
