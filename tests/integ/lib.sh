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
# A per-test scratch folder under build/, removed on success.
scratch() {
	local d="$CS_TMP/$(basename "$0" .sh)"
	rm -rf "$d"; mkdir -p "$d"; echo "$d"
}
