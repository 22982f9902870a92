#!/bin/bash
# tests/fresh/test_fresh_root.sh: a newcomer's first contact: on a fresh Debian root (debootstrap
# minbase + what a bare build machine has), a clone of HEAD runs `make demo` to exit 0 and a kdump file.
#
# The root is built once and cached as build/fresh-root/<suite>-minbase-<key>.tar (key: suite,
# variant and package list); each run unpacks a copy, so a second run costs seconds plus `make
# demo` itself. The apt archive cache build/fresh-root/archives is bind-mounted into the root, so
# a re-run downloads no package. The root's apt uses the host's sources, apt.conf.d and keyrings:
# the same mirror as the host. Mounts live in a private mount namespace (unshare -m): they go
# when it exits, whatever the exit path; the trap only removes the unpacked copy.
#
# Environment: CS_FRESH_REV (commit to clone, default HEAD), CS_FRESH_KEEP=1 (keep the copy).
# Needs root, unshare and debootstrap (else exit 77).
set -u
: "${CS_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${CS_BUILD:=$CS_ROOT/build}"
SUITE=bookworm
VARIANT=minbase
# What a bare build machine has (the issue's "compiler, make, git, python3, pkg-config").
BARE_PKGS="build-essential git python3 pkg-config ca-certificates"
CACHE=$CS_BUILD/fresh-root
ARCHIVES=$CACHE/archives
KEY=$(printf '%s %s %s\n' "$SUITE" "$VARIANT" "$BARE_PKGS" | sha256sum | cut -c1-12)
TARBALL=$CACHE/$SUITE-$VARIANT-$KEY.tar
PATH_IN='/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

log() { printf '[fresh-root %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot, mounts)"
command -v unshare >/dev/null || skip "no unshare (util-linux)"
PATH=$PATH:/usr/sbin:/sbin command -v debootstrap >/dev/null ||
	skip "debootstrap is not installed (apt-get install debootstrap, or scripts/install-deps check)"
unshare --mount --fork true 2>/dev/null || skip "unshare --mount is not permitted here"
export PATH=$PATH:/usr/sbin:/sbin

mkdir -p "$ARCHIVES/partial" "$CACHE/debootstrap"
# Copies left by a run that was killed (SIGKILL skips the trap): its pid is gone, its mounts too.
for w in "$CACHE"/work.*; do
	[ -d "$w" ] && ! kill -0 "$(cat "$w/pid" 2>/dev/null || echo 0)" 2>/dev/null &&
		! grep -q " $w/" /proc/self/mountinfo && rm -rf --one-file-system "$w"
done
WORK=$(mktemp -d "$CACHE/work.XXXXXX")
echo $$ > "$WORK/pid"

# Nothing is mounted in this namespace, but never delete through a mount that leaked out.
cleanup() {
	if grep -q " $WORK/" /proc/self/mountinfo; then
		echo "fresh-root: mounts under $WORK left in place; not removing it" >&2
		return
	fi
	[ "${CS_FRESH_KEEP:-0}" = 1 ] && { log "kept $WORK"; return; }
	rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# in_root ROOT CMD...: run CMD (a shell command line) chrooted in ROOT with proc, sys, dev and
# the shared apt archive cache mounted, in a mount namespace of its own, with a clean environment
# (no MAKEFLAGS or jobserver from a calling make).
in_root() {
	local root=$1; shift
	unshare --mount --propagation private --fork /bin/sh -ec '
		r=$1; a=$2; shift 2
		mount -t proc proc "$r/proc"
		mount --rbind /sys "$r/sys"
		mount --rbind /dev "$r/dev"
		mount --bind "$a" "$r/var/cache/apt/archives"
		exec chroot "$r" /usr/bin/env -i PATH="'"$PATH_IN"'" HOME=/root LANG=C.UTF-8 \
			DEBIAN_FRONTEND=noninteractive /bin/sh -ec "$1"' _ "$root" "$ARCHIVES" "$@"
}

# The host's apt configuration, so that the root reaches the host's mirror the host's way.
copy_apt_config() {
	local r=$1 d
	rm -f "$r/etc/apt/sources.list"
	[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$r/etc/apt/"
	for d in sources.list.d apt.conf.d preferences.d trusted.gpg.d keyrings auth.conf.d; do
		[ -d "/etc/apt/$d" ] && mkdir -p "$r/etc/apt/$d" && cp -a "/etc/apt/$d/." "$r/etc/apt/$d/"
	done
	[ -f /etc/apt/trusted.gpg ] && cp /etc/apt/trusted.gpg "$r/etc/apt/"
	mkdir -p "$r/usr/share/keyrings" && cp -a /usr/share/keyrings/. "$r/usr/share/keyrings/"
	cp -L /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
	cp -L /etc/hosts "$r/etc/hosts" 2>/dev/null || true
}

# The debootstrap mirror: the first Debian URI of the host's sources.
host_mirror() {
	local m
	m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs: *\([^ ]*\/debian\)\/*$/\1/p' | head -n1)
	[ -n "$m" ] || m=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
		awk '$2 ~ /\/debian\/?$/ {print $2; exit}')
	echo "${m:-http://deb.debian.org/debian}"
}

build_root() {
	local r=$WORK/build-root mirror
	mirror=$(host_mirror)
	log "debootstrap --variant=$VARIANT $SUITE from $mirror"
	debootstrap --variant=$VARIANT --cache-dir="$CACHE/debootstrap" "$SUITE" "$r" "$mirror" \
		> "$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; fail "debootstrap failed"; }
	copy_apt_config "$r"
	log "installing the bare build machine's packages: $BARE_PKGS"
	in_root "$r" "apt-get update -qq && apt-get install -y -qq --no-install-recommends $BARE_PKGS >/dev/null" ||
		fail "apt-get install $BARE_PKGS in the root failed"
	# A bare machine: none of our libraries (else the test proves nothing).
	in_root "$r" '! dpkg-query -W -f="\${Status}" libelf-dev 2>/dev/null | grep -q "ok installed"' ||
		fail "the bare root already has libelf-dev"
	tar -C "$r" -cf "$TARBALL.tmp" . && mv "$TARBALL.tmp" "$TARBALL"
	rm -rf --one-file-system "$r"
	log "cached $(du -h "$TARBALL" | cut -f1) in ${TARBALL#"$CS_ROOT"/}"
}

t0=$SECONDS
[ -f "$TARBALL" ] || build_root
t_root=$((SECONDS - t0))

ROOTFS=$WORK/root
mkdir -p "$ROOTFS"
tar -C "$ROOTFS" -xf "$TARBALL" || fail "cannot unpack $TARBALL"
rev=$(git -C "$CS_ROOT" rev-parse "${CS_FRESH_REV:-HEAD}") || fail "no commit ${CS_FRESH_REV:-HEAD}"
git clone -q --no-checkout "$CS_ROOT" "$ROOTFS/src/coresieve" && git -C "$ROOTFS/src/coresieve" checkout -q "$rev" ||
	fail "cannot clone $CS_ROOT at $rev"
t_ready=$((SECONDS - t0))
log "root ready in ${t_ready}s (building it: ${t_root}s); clone of ${rev:0:12}"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

# A plain `make` on the bare root: the one-line libelf error, exit 2, nothing installed.
out=$(in_root "$ROOTFS" 'cd /src/coresieve && make 2>&1'); rc=$?
if [ $rc = 2 ] && [ "$(printf '%s\n' "$out" | grep -c 'libelf is required')" = 1 ]; then
	ok "plain make without libelf: exit 2 and one clear line"
else
	not_ok "plain make without libelf: exit $rc, want 2 and 'libelf is required'"; printf '%s\n' "$out" | tail -5
fi

t1=$SECONDS
in_root "$ROOTFS" 'cd /src/coresieve && make demo' > "$WORK/demo.log" 2>&1; rc=$?
t_demo=$((SECONDS - t1))
sed 's/^/# /' "$WORK/demo.log" | tail -25
if [ $rc = 0 ]; then ok "make demo on the fresh root: exit 0 (${t_demo}s)"; else
	not_ok "make demo on the fresh root: exit $rc (${t_demo}s)"; fi
dump=$ROOTFS/src/coresieve/build/demo/dumpfile
sig=$(head -c 8 "$dump" 2>/dev/null)
if [ "$sig" = "KDUMP   " ]; then ok "build/demo/dumpfile is a kdump file ($(stat -c %s "$dump") bytes)"; else
	not_ok "build/demo/dumpfile is a kdump file (signature '$sig')"; fi

echo "# timings: root ${t_root}s (0 = cached), ready ${t_ready}s, make demo ${t_demo}s, total $((SECONDS - t0))s"
echo "# $n checks, $failed failed"
[ $failed = 0 ]
