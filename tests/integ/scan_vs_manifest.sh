#!/bin/bash
# tests/integ/scan_vs_manifest.sh: the mem_map scan on mkvmcore dumps against its truth file and manifest.
#
# For x86_64 4- and 5-level paging and arm64 (4 KiB pages, VA_BITS 48 and 39):
# generate a dump (with --truth), run the scan at every level through
# build/unit/test_scan_gen (bitmaps pfn by pfn against the truth, counts against
# the truth and the manifest), then, when the CLI can, `coresieve -d L --dry-run
# --report-json` against the manifest's counts. An arm64 dump relabelled x86_64
# must fail: its struct pages are reached through the arm64 row's translation.
. "$(dirname "$0")/lib.sh"

[ -x "$MKVMCORE" ] || skip_all "build/mkvmcore is not built"
SCAN_GEN=${SCAN_GEN:-$CS_BUILD/unit/test_scan_gen}
[ -x "$SCAN_GEN" ] || skip_all "build/unit/test_scan_gen is not built (make unit-tests)"
: "${SCAN_RAM:=2G}"
D=$(scratch)

for variant in "4:--paging 4" "5:--paging 5" "arm64-48:--arch arm64 --va-bits 48" \
	"arm64-39:--arch arm64 --va-bits 39"; do
	paging=${variant%%:*}
	# shellcheck disable=SC2206 # the generator options, split on purpose
	gen_opts=(${variant#*:})
	f="$D/l$paging.vmcore"
	if ! "$MKVMCORE" --ram "$SCAN_RAM" --seed 7 "${gen_opts[@]}" --truth "$f.truth" -o "$f" \
		>"$D/gen$paging.log" 2>&1; then
		not_ok "mkvmcore ${gen_opts[*]}: $(tail -1 "$D/gen$paging.log")"
		continue
	fi
	ok "mkvmcore ${gen_opts[*]}"
	if [ "${paging#arm64}" != "$paging" ] && [ -x "$CORESIEVE" ]; then
		cp --sparse=always "$f" "$D/relabelled.vmcore"
		printf '\x3e\x00' | dd of="$D/relabelled.vmcore" bs=1 seek=18 conv=notrunc status=none # EM_X86_64
		"$CORESIEVE" -d 31 --dry-run "$D/relabelled.vmcore" "$D/unused" >/dev/null 2>&1
		check_eq "$paging dump relabelled x86_64: not readable (exit 1)" "$?" 1
		rm -f "$D/relabelled.vmcore"
	fi
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
want = man["levels"][sys.argv[3]]
# makedumpfile's hole (so its remaining) counts pfns of overlapping PT_LOADs twice and may wrap
# below zero; their sum, the pfns not excluded, is what both must agree on.
bad = [k for k in ("total", "zero", "cache", "cache_private", "user", "free", "hwpoison", "offline")
       if got["pages"].get(k) != want[k]]
for k in bad:
    print("#   %s: got %s want %s" % (k, got["pages"].get(k), want[k]))
kept, want_kept = got["pages"]["hole"] + got["pages"]["remaining"], (want["hole"] + want["remaining"]) % 2**64
if kept != want_kept:
    print("#   hole + remaining: got %d want %d" % (kept, want_kept)); bad.append("kept")
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
