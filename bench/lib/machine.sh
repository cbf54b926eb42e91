#!/usr/bin/env bash
# The machine and its load while the suites ran: printed as the `machine` fragment.
set -euo pipefail
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
read -r l1 l5 l15 _ < /proc/loadavg
echo "Latest \`bench/run\`: $(date -u +%Y-%m-%d) on $(nproc) cores ($cpu), $mem, Linux $(uname -r);"
echo "load average when it started $l1 / $l5 / $l15 (1 / 5 / 15 min); $(rustc --version), Node $(node --version)."
