#!/bin/bash
# bench/codecs.sh: per-page codec size and CPU time on the pages a dump level keeps.
#
#   bench/codecs.sh VMCORE [DUMP_LEVEL [MAX_PAGES [ROUNDS]]]
#
# Writes the pages coresieve keeps at DUMP_LEVEL (default 31) uncompressed to
# OUTDIR/pageset (byte-identical to makedumpfile's uncompressed output), builds
# bench/codec_bench.c against build/libcoresieve.a and runs it on that set: every
# codec and level on one thread, bytes as a kdump file would store them.
set -euo pipefail
cd "$(dirname "$0")/.."
VMCORE=${1:?usage: bench/codecs.sh VMCORE [DUMP_LEVEL [MAX_PAGES [ROUNDS]]]}
LEVEL=${2:-31}
MAX_PAGES=${3:-100000}
ROUNDS=${4:-3}
OUT=${OUTDIR:-build/bench-out}
mkdir -p "$OUT" build/bench
make -s build/libcoresieve.a build/coresieve
# The -D flags the Makefile derives from the installed libraries.
DEFS=$(make -s -n build/obj/engine/pipeline.o -B 2>/dev/null | grep -o -- '-DHAVE_[A-Z_]*=1' | sort -u | tr '\n' ' ')
LIBS=$(make -s -n build/coresieve -B 2>/dev/null | tail -1 | grep -o -- ' -l[a-z0-9_+]*' | sort -u | tr '\n' ' ')
cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -I. $DEFS -o build/bench/codec_bench \
	bench/codec_bench.c build/libcoresieve.a $LIBS -lpthread
rm -f "$OUT/pageset"
build/coresieve -d "$LEVEL" --message-level 0 "$VMCORE" "$OUT/pageset"
build/bench/codec_bench "$OUT/pageset" "$MAX_PAGES" "$ROUNDS"
rm -f "$OUT/pageset"
