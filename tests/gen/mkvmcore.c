/* tests/gen/mkvmcore.c: the synthetic /proc/vmcore generator's command line and the order of its steps. */
#include "tests/gen/gen.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
	"usage: mkvmcore [options] -o FILE\n"
	"\n"
	"Write a synthetic x86_64 (or arm64) ELF vmcore shaped like a capture kernel's /proc/vmcore\n"
	"(Debian 12, Linux 6.1), plus FILE.manifest.json with the page counts that\n"
	"makedumpfile 1.7.2 --message-level 16 reports at dump levels 0,1,2,4,8,16,31.\n"
	"Everything is a function of the options and the seed. Zero pages are holes in\n"
	"the (sparse) output file.\n"
	"\n"
	"options:\n"
	"  --ram SIZE        RAM size, e.g. 1G, 3G, 64G (default 1G; suffixes K M G T)\n"
	"  --seed N          seed of every random choice (default 1)\n"
	"  --paging 4|5      4- or 5-level page tables (default 4)\n"
	"  --mix SPEC        page mix, KEY=PERCENT[,...]; class keys are weights\n"
	"                    (normalised to 100): free cache cachepriv swapcache anon thp\n"
	"                    hugetlb slab pgtable kernel hwpoison offline; content keys:\n"
	"                    zero = % of non-free pages that are all zero,\n"
	"                    freezero = % of free blocks that are all zero.\n"
	"                    default: free=45,cache=14,cachepriv=3,swapcache=1,anon=12,\n"
	"                    thp=6,hugetlb=4,slab=6,pgtable=1,kernel=7.5,hwpoison=0.02,\n"
	"                    offline=0.3,zero=80,freezero=97\n"
	"  --arch A          x86_64 (default) or arm64 (4 KiB pages, Linux 6.1's layout)\n"
	"  --page-size S     4K (the only page size generated)\n"
	"  --va-bits N       arm64: 39 (3 levels) or 48 (4 levels, default)\n"
	"  --holes SPEC      physical holes, comma separated: START-END or START+SIZE\n"
	"                    (page aligned; sizes as --ram), 'default' (0-4K, 640K-1M,\n"
	"                    3G-4G) or 'none'. RAM is laid out upwards around the holes.\n"
	"                    default: 'default'; e.g. --holes default,0x50000000+256M,6G-40G\n"
	"  --unaligned       unaligned segment starts and ends, and p_filesz < p_memsz\n"
	"  --cpus N          CPUs with a PRSTATUS note (default 2)\n"
	"  --osrelease STR   kernel release (default 6.1.0-56-amd64)\n"
	"  --truth FILE      write one byte per pfn: class | flags (tests/gen/truth.h)\n"
	"  -o FILE           the vmcore to write (required)\n"
	"  -h, --help        this text\n"
	"\n"
	"usage: mkvmcore --verify-kdump KDUMPFILE --truth FILE --level L\n"
	"\n"
	"Check, pfn by pfn, the 1st and 2nd bitmaps and the shared-zero-page\n"
	"descriptors of a kdump-compressed file made at dump level L from a mkvmcore\n"
	"dump against the kept set its truth file implies (tests/gen/truth.h).\n"
	"Exit 0 if they agree, 1 otherwise.\n";

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static cs_status parse_args(int argc, char **argv, struct gen_opts *o, bool *help, struct cs_err *err)
{
	enum { O_RAM = 256, O_SEED, O_PAGING, O_MIX, O_HOLES, O_UNALIGNED, O_CPUS, O_OSREL, O_TRUTH, O_VERIFY,
	       O_LEVEL, O_ARCH, O_PAGE_SIZE, O_VA_BITS };
	static const struct option longopts[] = {
		{"ram", required_argument, NULL, O_RAM},
		{"seed", required_argument, NULL, O_SEED},
		{"paging", required_argument, NULL, O_PAGING},
		{"arch", required_argument, NULL, O_ARCH},
		{"page-size", required_argument, NULL, O_PAGE_SIZE},
		{"va-bits", required_argument, NULL, O_VA_BITS},
		{"mix", required_argument, NULL, O_MIX},
		{"holes", required_argument, NULL, O_HOLES},
		{"unaligned", no_argument, NULL, O_UNALIGNED},
		{"cpus", required_argument, NULL, O_CPUS},
		{"osrelease", required_argument, NULL, O_OSREL},
		{"truth", required_argument, NULL, O_TRUTH},
		{"verify-kdump", required_argument, NULL, O_VERIFY},
		{"level", required_argument, NULL, O_LEVEL},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool holes_given = false, osrel_given = false, paging_given = false;
	uint64_t page_size = GEN_PAGE_SIZE;
	cs_status st;
	int opt;
	char *end;

	o->ram = 1ULL << 30;
	o->seed = 1;
	o->levels = 4;
	o->ncpus = 2;
	o->osrelease = "6.1.0-56-amd64";
	o->verify_level = -1;
	gen_mix_defaults(&o->mix);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (opt) {
		case O_RAM:
			if ((st = gen_parse_size(optarg, &o->ram, err)))
				return cs_err_ctx(err, "--ram");
			break;
		case O_SEED:
			o->seed = strtoull(optarg, &end, 0);
			if (*end || end == optarg)
				return cs_err_set(err, CS_ERR_ARGS, "--seed: '%s' is not a number", optarg);
			break;
		case O_PAGING:
			if (strcmp(optarg, "4") && strcmp(optarg, "5"))
				return cs_err_set(err, CS_ERR_ARGS, "--paging: must be 4 or 5, not '%s'", optarg);
			o->levels = optarg[0] - '0';
			paging_given = true;
			break;
		case O_ARCH:
			if (strcmp(optarg, "x86_64") && strcmp(optarg, "arm64"))
				return cs_err_set(err, CS_ERR_ARGS, "--arch: x86_64 or arm64, not '%s'", optarg);
			o->arm64 = !strcmp(optarg, "arm64");
			break;
		case O_PAGE_SIZE:
			if ((st = gen_parse_size(optarg, &page_size, err)))
				return cs_err_ctx(err, "--page-size");
			break;
		case O_VA_BITS:
			o->va_bits = (unsigned)strtoul(optarg, &end, 0);
			if (*end || (o->va_bits != 39 && o->va_bits != 48))
				return cs_err_set(err, CS_ERR_ARGS, "--va-bits: 39 or 48, not '%s'", optarg);
			break;
		case O_MIX:
			if ((st = gen_parse_mix(optarg, &o->mix, err)))
				return st;
			break;
		case O_HOLES:
			if ((st = gen_parse_holes(optarg, o, err)))
				return st;
			holes_given = true;
			break;
		case O_UNALIGNED:
			o->unaligned = true;
			break;
		case O_CPUS:
			o->ncpus = (unsigned)strtoul(optarg, &end, 0);
			if (*end || o->ncpus < 1 || o->ncpus > 8192)
				return cs_err_set(err, CS_ERR_ARGS, "--cpus: '%s' is not 1..8192", optarg);
			break;
		case O_OSREL:
			if (strlen(optarg) > 64)
				return cs_err_set(err, CS_ERR_ARGS, "--osrelease: longer than 64 characters");
			o->osrelease = optarg;
			osrel_given = true;
			break;
		case O_TRUTH:
			o->truth_path = optarg;
			break;
		case 'o':
			o->out_path = optarg;
			break;
		case O_VERIFY:
			o->verify_path = optarg;
			break;
		case O_LEVEL:
			o->verify_level = (int)strtol(optarg, &end, 0);
			if (*end || end == optarg || o->verify_level < 0 || o->verify_level > 31)
				return cs_err_set(err, CS_ERR_ARGS, "--level: '%s' is not 0..31", optarg);
			break;
		case 'h':
			*help = true;
			return CS_OK;
		default:
			return cs_err_set(err, CS_ERR_ARGS, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cs_err_set(err, CS_ERR_ARGS, "unexpected argument '%s'", argv[optind]);
	if (o->verify_path) {
		if (!o->truth_path || o->verify_level < 0)
			return cs_err_set(err, CS_ERR_ARGS, "--verify-kdump needs --truth and --level");
		return CS_OK;
	}
	if (!o->out_path)
		return cs_err_set(err, CS_ERR_ARGS, "-o FILE is required");
	/* Every page-sized thing here is 4 KiB: 16K and 64K granules are not generated (yet). */
	if (page_size != GEN_PAGE_SIZE)
		return cs_err_set(err, CS_ERR_ARGS, "--page-size: only 4K pages are generated, not %" PRIu64,
				  page_size);
	if (!o->arm64 && o->va_bits)
		return cs_err_set(err, CS_ERR_ARGS, "--va-bits is for --arch arm64 (x86_64: --paging)");
	if (o->arm64) {
		if (paging_given)
			return cs_err_set(err, CS_ERR_ARGS, "--paging is for x86_64 (arm64: --va-bits)");
		if (!o->va_bits)
			o->va_bits = 48;
		o->levels = o->va_bits == 48 ? 4 : 3;
		if (!osrel_given)
			o->osrelease = "6.1.0-56-arm64";
	}
	if (o->ram < (256ULL << 20) || o->ram % GEN_PAGE_SIZE)
		return cs_err_set(err, CS_ERR_ARGS, "--ram: at least 256M and a multiple of 4K");
	if (!holes_given && (st = gen_parse_holes("default", o, err)))
		return st;
	return CS_OK;
}

static void ctx_deinit(struct gen_ctx *c)
{
	free(c->o.holes);
	free(c->ram);
	free(c->loads);
	free(c->kind);
	free(c->aux);
	free(c->truth);
	free(c->sec_present);
	free(c->memsec_array_pfn);
	free(c->tables);
	free(c->table_order);
	free(c->ext);
	free(c->corpus_text);
	free(c->corpus_code);
	free(c->vmcoreinfo);
}

static cs_status run(struct gen_ctx *c, struct cs_err *err)
{
	cs_status st;
	double t0 = now(), t1;

	/* Debian 6.1 has CONFIG_PAGE_EXTENSION: struct mem_section is 32 bytes. */
	c->sizeof_mem_section = 32;
	c->crashtime = 1700000000 + gen_hash(c->o.seed, 0x717e, 0) % 100000000;
	for (int i = 0; i < 20; i++)
		c->build_id[i] = (uint8_t)gen_hash(c->o.seed, 0xb1d, (uint64_t)i);
	if ((st = gen_layout(c, err)) || (st = gen_build_mm(c, err)) || (st = gen_assign_pages(c, err)) ||
	    (st = gen_vmcoreinfo(c, err)) || (st = gen_content_init(c, err)))
		return st;
	t1 = now();
	if ((st = gen_write_vmcore(c, err)))
		return st;
	if ((st = gen_write_manifest(c, err)))
		return st;
	if (c->o.truth_path && (st = gen_write_truth(c, err)))
		return st;
	fprintf(stderr, "mkvmcore: %s: %" PRIu64 " pfns, %zu PT_LOADs, %" PRIu64 " data pages written; "
			"model %.2fs, write %.2fs\n",
		c->o.out_path, c->max_pfn, c->nloads, c->pages_written, t1 - t0, now() - t1);
	return CS_OK;
}

int main(int argc, char **argv)
{
	struct gen_ctx c = {0};
	struct cs_err err;
	bool help = false;
	cs_status st;

	cs_err_clear(&err);
	st = parse_args(argc, argv, &c.o, &help, &err);
	if (st == CS_OK && help) {
		fputs(usage, stdout);
		ctx_deinit(&c);
		return 0;
	}
	if (st == CS_OK && c.o.verify_path) {
		uint64_t bad = 0;
		st = gen_verify_kdump(c.o.verify_path, c.o.truth_path, (unsigned)c.o.verify_level, &bad, &err);
		if (st == CS_OK) {
			printf("mkvmcore: verify: %s at -d %d: %" PRIu64 " pfns disagree with %s\n", c.o.verify_path,
			       c.o.verify_level, bad, c.o.truth_path);
			ctx_deinit(&c);
			return bad ? 1 : 0;
		}
	} else if (st == CS_OK) {
		st = run(&c, &err);
	}
	if (st != CS_OK)
		fprintf(stderr, "mkvmcore: %s\n%s", err.msg, st == CS_ERR_ARGS ? "try 'mkvmcore --help'\n" : "");
	ctx_deinit(&c);
	return st == CS_OK ? 0 : st == CS_ERR_ARGS ? 2 : 1;
}
