#!/bin/bash
# tests/integ/fuzz_replay.sh: replay every fuzz corpus file (tests/fuzz/corpus/) through ASan+UBSan builds of the fuzz targets (`make fuzz-replay`).
. "$(dirname "$0")/lib.sh"
cd "$CS_ROOT" || exit 1
ls tests/fuzz/corpus/*/* >/dev/null 2>&1 || skip_all "no fuzz corpus"
# The regression builds need no libFuzzer: any compiler with ASan/UBSan will do.
make --no-print-directory -s fuzz-replay
