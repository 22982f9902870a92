#!/bin/bash
# tests/integ/dump_gen.sh: kdump-compressed output on generated dumps: kept set, bytes, codecs, threads, -F/-R.
. "$(dirname "$0")/lib.sh"
D=$(scratch)
[ -x "$MKVMCORE" ] || skip_all "no $MKVMCORE"
KB=$CS_ROOT/tests/integ/kdump_bitmap.py
VERIFY=$CS_ROOT/tests/integ/kdump_verify.py

codecs=""
for c in c l p z; do "$CORESIEVE" -v | grep -q "^$( [ $c = l ] && echo lzo || ([ $c = p ] && echo snappy) || ([ $c = z ] && echo zstd) || echo x)" && codecs="$codecs -$c"; done
codecs="none -c$codecs"

# Two small dumps: 4-level with the default holes, 5-level unaligned with an extra hole.
"$MKVMCORE" --ram 320M --seed 11 --paging 4 --truth "$D/a.truth" -o "$D/a" > /dev/null || { not_ok "mkvmcore a"; done_testing; exit 1; }
"$MKVMCORE" --ram 384M --seed 12 --paging 5 --unaligned --holes default,0x10000000+32M --truth "$D/b.truth" -o "$D/b" > /dev/null ||
	{ not_ok "mkvmcore b"; done_testing; exit 1; }

for dump in a b; do
	for codec in $codecs; do
		flag=$codec; [ "$codec" = none ] && flag=""
		for level in 0 1 31; do
			out="$D/$dump.$codec.$level"
			if ! "$CORESIEVE" $flag -d $level --message-level 0 "$D/$dump" "$out"; then
				not_ok "$dump $codec -d $level: coresieve failed"; continue
			fi
			check "$dump $codec -d $level: kept set equals the generator's truth" \
				$PYTHON "$KB" kept "$out" "$D/$dump.truth" $level
			check "$dump $codec -d $level: libkdumpfile reads every kept page identically" \
				$PYTHON "$VERIFY" "$out" "$D/$dump"
			# Keep only what later checks use.
			[ "$level" = 31 ] || rm -f "$out"
		done
	done
done

# Threads: the output does not depend on --num-threads.
for t in 1 2 8; do
	"$CORESIEVE" -l -d 31 --num-threads $t --message-level 0 "$D/a" "$D/a.t$t" || not_ok "-l --num-threads $t failed"
done
check "--num-threads 1 and 2 give byte-identical output" cmp -s "$D/a.t1" "$D/a.t2"
check "--num-threads 1 and 8 give byte-identical output" cmp -s "$D/a.t1" "$D/a.t8"
for t in 1 3; do
	"$CORESIEVE" -z -d 1 --num-threads $t --message-level 0 "$D/b" "$D/b.z.t$t" || not_ok "-z --num-threads $t failed"
done
check "-z -d 1: --num-threads 1 and 3 byte-identical" cmp -s "$D/b.z.t1" "$D/b.z.t3"
# zstd's fast modes (negative --compress-level) and a high level: still zstd frames every reader decodes.
if [[ " $codecs " == *" -z "* ]]; then
	for zl in -5 19; do
		"$CORESIEVE" -z --compress-level=$zl -d 1 --num-threads 2 --message-level 0 "$D/b" "$D/b.z$zl" ||
			not_ok "-z --compress-level $zl failed"
		check "-z --compress-level $zl: libkdumpfile reads every kept page identically" \
			$PYTHON "$VERIFY" "$D/b.z$zl" "$D/b"
	done
	check "-z: level -5 is larger than level 1, level 19 smaller" \
		test "$(stat -c %s "$D/b.z-5")" -gt "$(stat -c %s "$D/b.z.t1")" -a \
		"$(stat -c %s "$D/b.z19")" -lt "$(stat -c %s "$D/b.z.t1")"
	rm -f "$D/b.z-5" "$D/b.z19"
fi

# -F | -R reproduces the direct output byte for byte.
"$CORESIEVE" -F -l -d 31 --message-level 0 "$D/a" > "$D/a.flat" || not_ok "-F failed"
"$CORESIEVE" -R "$D/a.R" < "$D/a.flat" > /dev/null || not_ok "-R failed"
check "-F | -R equals the direct output" cmp -s "$D/a.R" "$D/a.t1"
# Our -R of makedumpfile's -F stream equals makedumpfile's own -R result.
if command -v makedumpfile > /dev/null; then
	makedumpfile -F -l -d 31 --message-level 0 "$D/a" > "$D/a.mflat" 2> /dev/null &&
		makedumpfile -R "$D/a.mR" < "$D/a.mflat" > /dev/null 2>&1 &&
		"$CORESIEVE" -R "$D/a.cR" < "$D/a.mflat" > /dev/null
	check "our -R of makedumpfile's -F stream equals makedumpfile's -R" cmp -s "$D/a.cR" "$D/a.mR"
	# makedumpfile re-filters our -l and -c outputs to -d 31: same pages as its direct -d 31.
	makedumpfile -l -d 31 --message-level 0 "$D/a" "$D/a.mdf31" > /dev/null 2>&1
	check "our -l -d 31 keeps exactly makedumpfile's -l -d 31 pages" $PYTHON "$KB" same "$D/a.t1" "$D/a.mdf31"
	for c in -l -c; do
		"$CORESIEVE" $c -d 1 --message-level 0 "$D/a" "$D/a.re$c" &&
			makedumpfile -d 31 --message-level 0 "$D/a.re$c" "$D/a.re$c.31" > /dev/null 2>&1
		check "makedumpfile re-filters our $c -d 1 output to -d 31 like a direct run" \
			$PYTHON "$KB" same "$D/a.re$c.31" "$D/a.mdf31"
	done
fi

# drgn opens the output and reads memory.
if $PYTHON -c 'import drgn' 2> /dev/null; then
	check "drgn opens our -l output and reads init_uts_ns through the kernel page tables" \
		$PYTHON - "$D/a.t1" "$D/a" <<'PY'
import re, sys, drgn
head = open(sys.argv[2], "rb").read(1 << 20)
sym = int(re.search(rb"SYMBOL\(init_uts_ns\)=([0-9a-f]+)", head).group(1), 16)
off = int(re.search(rb"OFFSET\(uts_namespace.name\)=([0-9]+)", head).group(1))
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
sysname = prog.read(sym + off, 5)
print("# init_uts_ns.name.sysname =", sysname)
sys.exit(0 if sysname == b"Linux" else 1)
PY
fi

# Output file mode and O_EXCL.
check "output is created 0600" test "$(stat -c %a "$D/a.t1")" = 600
"$CORESIEVE" -l -d 31 --message-level 0 "$D/a" "$D/a.t1" > /dev/null 2>&1
check_eq "an existing output without -f is refused (exit 1)" "$?" 1

done_testing && rm -rf "$D"
