#!/bin/bash
# scripts/demo.sh: generate a small vmcore and dump it with coresieve as kdump would.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/demo
mkdir -p "$out"
rm -f "$out/vmcore" "$out/vmcore.manifest.json" "$out/dumpfile"
echo "== generating a 2 GiB synthetic vmcore (build/mkvmcore)"
build/mkvmcore --ram 2G --seed 1 --paging 4 -o "$out/vmcore"
ls -lhs "$out/vmcore"
echo "== coresieve -l --message-level 1 -d 31 --show-stats $out/vmcore $out/dumpfile"
build/coresieve -l --message-level 1 -d 31 --show-stats "$out/vmcore" "$out/dumpfile"
ls -l "$out/dumpfile"
