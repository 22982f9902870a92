/* tests/fuzz/fuzz_dmesg.c: fuzz target: the printk log extractor (engine/dmesg.c: lockless ring, structured log_buf, plain ring) over fuzzed kernel memory and layout. */
#include "fuzz_common.h"
#include "engine/dmesg.h"

/*
 * Input: byte 0 options (bit 0 --partial-dmesg, bit 1 caller id, bit 2 a 1 KiB
 * -L limit), u64 presence mask, then a u16 per present key of `keys` (SYMBOLs
 * are VBASE + value), then the kernel memory image read at VBASE.
 */
#define VBASE 0xffff888000000000ULL

static const enum cs_km_id keys[] = {
	KM_SYM_prb, KM_SYM_clear_seq, KM_SYM_log_buf, KM_SYM_log_buf_len, KM_SYM_log_end,
	KM_SYM_log_first_idx, KM_SYM_clear_idx, KM_SYM_log_next_idx,
	KM_SIZE_printk_ringbuffer, KM_OFF_printk_ringbuffer_desc_ring,
	KM_OFF_printk_ringbuffer_text_data_ring, KM_OFF_prb_desc_ring_count_bits,
	KM_OFF_prb_desc_ring_descs, KM_OFF_prb_desc_ring_infos, KM_OFF_prb_desc_ring_head_id,
	KM_OFF_prb_desc_ring_tail_id, KM_SIZE_prb_desc, KM_OFF_prb_desc_state_var,
	KM_OFF_prb_desc_text_blk_lpos, KM_OFF_prb_data_blk_lpos_begin, KM_OFF_prb_data_blk_lpos_next,
	KM_OFF_prb_data_ring_size_bits, KM_OFF_prb_data_ring_data, KM_SIZE_printk_info,
	KM_OFF_printk_info_ts_nsec, KM_OFF_printk_info_text_len, KM_OFF_atomic_long_t_counter,
	KM_OFF_printk_info_seq, KM_OFF_printk_info_caller_id, KM_SIZE_latched_seq,
	KM_OFF_latched_seq_val, KM_SIZE_printk_log, KM_OFF_printk_log_ts_nsec, KM_OFF_printk_log_len,
	KM_OFF_printk_log_text_len, KM_OFF_printk_log_caller_id, KM_SIZE_log, KM_OFF_log_ts_nsec,
	KM_OFF_log_len, KM_OFF_log_text_len,
};

struct image {
	const uint8_t *mem;
	size_t len;
};

static cs_status img_read(void *ctx, vaddr_t vaddr, void *buf, size_t len, struct cs_err *err)
{
	const struct image *im = ctx;

	if (vaddr < VBASE || vaddr - VBASE > im->len || len > im->len - (vaddr - VBASE))
		return cs_err_set(err, CS_ERR_NODATA, "vaddr 0x%" PRIx64 ": not mapped", vaddr);
	memcpy(buf, im->mem + (vaddr - VBASE), len);
	return CS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_kmodel *km;
	struct cs_dmesg_opts opts = {0};
	struct cs_dmesg_stats st = {0};
	struct cs_err err;
	struct image im;
	uint64_t present;
	size_t pos = 9;
	uint8_t *mem;
	int fd;
	cs_status rc;

	if (size < 9)
		return 0;
	km = calloc(1, sizeof(*km));
	if (!km)
		abort();
	opts.partial = data[0] & 1;
	opts.caller_id = (data[0] & 2) != 0;
	opts.size_limit = (data[0] & 4) ? 1024 : 0;
	present = fz_ld64(data + 1);
	for (size_t i = 0; i < CS_ARRAY_SIZE(keys); i++) {
		uint64_t v;

		if (!(present & (1ULL << i)))
			continue;
		if (pos + 2 > size)
			goto out;
		v = (uint64_t)data[pos] | (uint64_t)data[pos + 1] << 8;
		pos += 2;
		cs_km_set(km, keys[i], cs_km_kind_of(keys[i]) == KM_SYM ? VBASE + v : v);
	}
	/* An exact-size copy of the image: ASan bounds every read of it. */
	im.len = size - pos;
	mem = malloc(im.len ? im.len : 1);
	if (!mem)
		abort();
	memcpy(mem, data + pos, im.len);
	im.mem = mem;
	opts.mem_limit = im.len;
	fd = memfd_create("coresieve-fuzz-dmesg", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	rc = cs_dmesg_extract_from(km, img_read, &im, &opts, fd, &st, &err);
	if (rc != CS_OK)
		fz_check_msg(err.msg);
	/* What the stats say was written is what the file holds, and within -L. */
	off_t end = lseek(fd, 0, SEEK_END);
	FZ_ASSERT(end >= 0);
	if (rc == CS_OK)
		FZ_ASSERT((uint64_t)end == st.bytes);
	if (opts.size_limit)
		FZ_ASSERT((uint64_t)end <= opts.size_limit);
	FZ_ASSERT(st.records <= (uint64_t)end);
	close(fd);
	free(mem);
out:
	free(km);
	return 0;
}
