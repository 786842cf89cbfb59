#!/usr/bin/env bash
# Checks the Prometheus alert rules with Prometheus's own tool: `promtool check rules` (syntax, PromQL,
# templates) and `promtool test rules` (the unit tests in deploy/prometheus/alerts.test.yaml, where every
# alert must fire on the series that should fire it and stay quiet on the others).
# promtool comes with Debian's `prometheus` package; .ci/run installs it when missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v promtool >/dev/null 2>&1; then
  echo "error: promtool not found; install it with: apt-get install --no-install-recommends prometheus" >&2
  exit 1
fi

echo "promtool: $(promtool --version 2>&1 | sed -n 1p)"
promtool check rules deploy/prometheus/alerts.yaml
promtool test rules deploy/prometheus/alerts.test.yaml
