#!/bin/bash
# tests/integ/layering.sh: the floors stay honest (docs/design.md): each folder includes only
# the folders below it. core/ is the ground floor; filters/ and compress/ stand on core/ only;
# formats/ on core/ and compress/; engine/ on all of those; cli/ on top.
. "$(dirname "$0")/lib.sh"

# violations ROOT: one "file:line: #include ..." line per include that goes up a floor.
violations() {
	local root=$1 dir allowed
	for rule in "core:core" "filters:core|filters" "compress:core|compress" \
		"formats:core|compress|formats" "engine:core|filters|compress|formats|engine"; do
		dir=${rule%%:*} allowed=${rule#*:}
		[ -d "$root/$dir" ] || continue
		(cd "$root" && grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z_]+/' --include='*.[ch]' "$dir") |
			grep -vE "#[[:space:]]*include[[:space:]]*\"($allowed)/" || true
	done
}

out=$(violations "$CS_ROOT")
check_eq "no include goes up a floor" "$out" ""
[ -z "$out" ] || echo "$out"

# Arch facts live in core/arch/ only (a second arch is a row there, docs/design.md).
arch_names() { # arch_names ROOT: lines outside core/arch/ and cli/ that name an arch or its constants
	(cd "$1" && grep -rnEi 'x86_64|EM_X86|0xffffffff80000000|arm64|aarch64|EM_AARCH64' \
		--include='*.[ch]' core filters compress formats engine) |
		grep -v '^core/arch/' || true
}
out=$(arch_names "$CS_ROOT")
check_eq "no x86_64 fact outside core/arch/" "$out" ""
[ -z "$out" ] || echo "$out"

# The check must catch each kind of violation: plant one per floor in a copy of the tree's headers.
d=$(scratch)
for dir in core filters compress formats engine; do mkdir -p "$d/$dir"; cp "$CS_ROOT/$dir"/*.h "$d/$dir/"; done
check_eq "the copy is clean" "$(violations "$d")" ""
echo '#include "engine/job.h"' >> "$d/core/types.h"
echo '#include "formats/source.h"' >> "$d/filters/classify.h"
echo '#include "formats/kdump_format.h"' >> "$d/compress/codec.h"
echo ' # include "engine/scan.h"' >> "$d/formats/source.h"
echo '#include "cli/options.h"' >> "$d/engine/job.h"
check_eq "each planted violation is found" "$(violations "$d" | wc -l)" 5
echo '#define PAGE_OFFSET_X86_64 0xffff888000000000ULL' >> "$d/formats/source.h"
echo '#define EM_AARCH64 183' >> "$d/engine/job.h"
echo '/* arm64 kernels keep the image above PAGE_OFFSET */' >> "$d/core/kernel.h"
echo 'if (machine == "aarch64") {}' >> "$d/filters/classify.h"
check_eq "each planted arch fact is found" "$(arch_names "$d" | wc -l)" 4
rm -rf "$d"
done_testing
