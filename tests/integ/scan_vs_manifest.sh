#!/bin/bash
# tests/integ/scan_vs_manifest.sh: the mem_map scan on mkvmcore dumps against its truth file and manifest.
#
# For 4- and 5-level paging: generate a dump (with --truth), run the scan at
# every level through build/unit/test_scan_gen (bitmaps pfn by pfn against the
# truth, counts against the truth and the manifest), then, when the CLI can,
# `coresieve -d L --dry-run --report-json` against the manifest's counts.
. "$(dirname "$0")/lib.sh"

[ -x "$MKVMCORE" ] || skip_all "build/mkvmcore is not built"
SCAN_GEN=${SCAN_GEN:-$CS_BUILD/unit/test_scan_gen}
[ -x "$SCAN_GEN" ] || skip_all "build/unit/test_scan_gen is not built (make unit-tests)"
: "${SCAN_RAM:=2G}"
D=$(scratch)

for paging in 4 5; do
	f="$D/l$paging.vmcore"
	if ! "$MKVMCORE" --ram "$SCAN_RAM" --seed 7 --paging "$paging" --truth "$f.truth" -o "$f" \
		>"$D/gen$paging.log" 2>&1; then
		not_ok "mkvmcore --paging $paging: $(tail -1 "$D/gen$paging.log")"
		continue
	fi
	ok "mkvmcore --paging $paging"
	if CS_TEST_VMCORE="$f" CS_TEST_TRUTH="$f.truth" "$SCAN_GEN" >"$D/scan$paging.log" 2>&1; then
		ok "scan = truth and manifest, $paging-level, levels 0..31"
	else
		not_ok "scan vs truth/manifest, $paging-level: $(grep -m3 '^not ok' "$D/scan$paging.log" | tr '\n' ' ')"
	fi

	# Through the CLI, once it has --dry-run --report-json.
	if [ -x "$CORESIEVE" ] && "$CORESIEVE" --help 2>&1 | grep -q -- --report-json; then
		for level in 0 1 2 4 8 16 31; do
			out="$D/r$paging-$level.json"
			if ! "$CORESIEVE" -d "$level" --dry-run --report-json "$out" "$f" "$D/unused" \
				>/dev/null 2>&1; then
				not_ok "coresieve -d $level --dry-run ($paging-level)"
				continue
			fi
			if "$PYTHON" - "$out" "$f.manifest.json" "$level" <<'EOF'; then
import json, sys
got = json.load(open(sys.argv[1]))
man = json.load(open(sys.argv[2]))
level = int(sys.argv[3])
def find(o):
    # the manifest's entry for this level: any dict with "dump_level": level and "pages"
    if isinstance(o, dict):
        if o.get("dump_level") == level and "pages" in o:
            return o["pages"]
        for v in o.values():
            r = find(v)
            if r is not None:
                return r
    elif isinstance(o, list):
        for v in o:
            r = find(v)
            if r is not None:
                return r
    return None
want = find(man)
if want is None:
    print("# manifest has no entry for level", level); sys.exit(0)
bad = [k for k in ("total", "hole", "zero", "cache", "cache_private", "user", "free",
                   "hwpoison", "offline", "remaining")
       if k in want and got["pages"].get(k) != want[k]]
for k in bad:
    print("#   %s: got %s want %s" % (k, got["pages"].get(k), want[k]))
sys.exit(1 if bad else 0)
EOF
				ok "coresieve -d $level report = manifest ($paging-level)"
			else
				not_ok "coresieve -d $level report = manifest ($paging-level)"
			fi
		done
	fi
done
done_testing
