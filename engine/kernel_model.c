/* engine/kernel_model.c: the kernel model, built once per run from the dump's note, a -i file or a -x vmlinux. */
#include "engine/run.h"

#include "formats/dwarf_layout.h"
#include "formats/vmcoreinfo.h"

#include <string.h>

cs_status cs_run_open_input(struct cs_job_run *job, struct cs_err *err)
{
	const struct cs_job_cfg *cfg = job->cfg;
	struct cs_kmodel override;
	const struct cs_kmodel *ovr = NULL;

	if (cs_source_open(&job->src, cfg->inputs, cfg->nr_inputs, cfg->use_mmap, err) != CS_OK)
		return err->status;
	job->src_open = true;
	if (cfg->vmcoreinfo_in) {
		size_t len;
		const char *note = cs_source_vmcoreinfo(&job->src, &len);
		struct cs_kmodel dump_km;
		uint64_t kaslr = 0;

		/* SYMBOL()s of a -g file come from an unrelocated vmlinux: add the dump's KERNELOFFSET. */
		if (note) {
			memset(&dump_km, 0, sizeof(dump_km));
			cs_vmcoreinfo_parse(note, len, &dump_km, NULL);
			if (cs_km_has(&dump_km, KM_KERNELOFFSET))
				kaslr = cs_km_get(&dump_km, KM_KERNELOFFSET);
		}
		memset(&override, 0, sizeof(override));
		if (cs_vmcoreinfo_load_file(cfg->vmcoreinfo_in, &override, err) != CS_OK)
			return err->status;
		/*
		 * A file with its own KERNELOFFSET is a kernel-written note (a copy of
		 * /sys/kernel/vmcoreinfo's data, or of a dump's): its SYMBOL()s are
		 * relocated already, and adding the offset again would point every one
		 * of them KERNELOFFSET too far.
		 */
		if (!cs_km_has(&override, KM_KERNELOFFSET))
			cs_km_relocate(&override, kaslr);
		/*
		 * As for -x: what a vmlinux cannot tell (-g writes no NUMBER(phys_base),
		 * NUMBER(KERNEL_IMAGE_SIZE), NUMBER(pgtable_l5_enabled), ...) comes from
		 * the dump's own note. Without it a KASLR offset >= 512 MiB puts
		 * init_top_pgt "outside the kernel image", and 5-level dumps are walked
		 * with 4 levels.
		 */
		if (note) {
			char rel[sizeof(override.osrelease)]; /* the release check is the file's */

			memcpy(rel, override.osrelease, sizeof(rel));
			cs_kmodel_merge_missing(&override, &dump_km);
			memcpy(override.osrelease, rel, sizeof(rel));
		}
		ovr = &override;
	}
	if (cfg->vmlinux) {
		/* -x: layouts from the vmlinux's DWARF, relocated by and completed from the dump's note. */
		size_t len;
		const char *note = cs_source_vmcoreinfo(&job->src, &len);
		struct cs_kmodel dump_km;

		memset(&dump_km, 0, sizeof(dump_km));
		if (note)
			cs_vmcoreinfo_parse(note, len, &dump_km, NULL);
		if (cs_dwarf_model_for_dump(cfg->vmlinux, note ? &dump_km : NULL, job->src.page_size,
					    &override, err) != CS_OK)
			return err->status;
		ovr = &override;
	}
	if (cs_kernel_init_source(&job->kernel, &job->src, ovr, err) != CS_OK)
		return cs_err_ctx(err, "%s", job->src.path);
	job->kernel_init = true;
	if (ovr) {
		/* makedumpfile's check_release: the -i file must describe the dumped kernel (exit 2). */
		char uts[6][65];
		struct cs_err uerr;

		cs_err_clear(&uerr);
		/*
		 * As makedumpfile ("check_release: Can't get the address of
		 * system_utsname"): symbols that do not even reach init_uts_ns are not
		 * this dump's, and would leave every page kept unverified, silently.
		 */
		if (cs_kernel_utsname(&job->kernel, uts, &uerr) != CS_OK)
			return cs_err_set(err, uerr.status, "%s (with the symbols of %s)", uerr.msg,
					  cfg->vmlinux ? "VMLINUX" : "VMCOREINFO file");
		if (ovr->osrelease[0] && strcmp(uts[2], ovr->osrelease) != 0)
			return cs_err_set(err, CS_ERR_RELEASE,
					  "the kernel version of %s (%s) is different from the dump's (%s)",
					  cfg->vmlinux ? "VMLINUX" : "VMCOREINFO file", ovr->osrelease, uts[2]);
	}
	return CS_OK;
}
