# tests/integ/lib.sh: shared helpers for the shell integration tests (sourced).
set -u
: "${CS_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${CS_BUILD:=$CS_ROOT/build}"
: "${CORESIEVE:=$CS_BUILD/coresieve}"
: "${MKVMCORE:=$CS_BUILD/mkvmcore}"
: "${CS_TMP:=$CS_BUILD/test-tmp}"
: "${PYTHON:=/usr/bin/python3}"
export TMPDIR=${TMPDIR:-/tmp}
T_N=0
T_FAILED=0

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $*"; }
check() { # check "name" cmd... : passes when the command succeeds
	local name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
check_eq() { # check_eq "name" got want
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (got '$2', want '$3')"; fi
}
skip_all() { echo "SKIP: $*"; exit 77; }
done_testing() { echo "# $T_N checks, $T_FAILED failed"; [ "$T_FAILED" -eq 0 ]; }
# A per-test scratch folder under build/ (tests/run-all.sh removes it when the test ends).
scratch() {
	local d="$CS_TMP/$(basename "$0" .sh)"
	rm -rf "$d"; mkdir -p "$d"; echo "$d"
}

# Debian's makedumpfile (the oracle), or empty when it is not installed.
MDF=$(command -v makedumpfile || true)
[ -n "$MDF" ] || [ ! -x /usr/sbin/makedumpfile ] || MDF=/usr/sbin/makedumpfile

# private_workdir NAME SIZE: W = a folder of our own (two runs of a test may overlap), a
# tmpfs of SIZE when root so fsync'd dumps cost no disk time. On exit the tmpfs and any
# file systems mounted at $W/fs* go; when a check failed the logs are kept in $W.logs.
private_workdir() {
	mkdir -p "$CS_TMP"
	W=$(mktemp -d "$CS_TMP/$1.XXXXXX")
	[ "$(id -u)" = 0 ] && mount -t tmpfs -o "size=$2,mode=0700" "coresieve-$1" "$W" 2>/dev/null
	trap private_workdir_cleanup EXIT
}
private_workdir_cleanup() {
	local m
	for m in "$W"/fs*; do mountpoint -q "$m" 2>/dev/null && umount "$m"; done
	if mountpoint -q "$W" 2>/dev/null; then
		if [ "$T_FAILED" != 0 ]; then mkdir -p "$W.logs" && cp "$W"/*.log "$W.logs"/ 2>/dev/null; fi
		umount "$W"
	fi
	[ "$T_FAILED" != 0 ] || rm -rf "$W"
}
