/* tests/fuzz/fuzz_flat.c: fuzz target: the flattened-stream offset map (formats/flat_read.c) against a naive replay, then the kdump reader over it. */
#include "fuzz_common.h"
#include "fuzz_source.h"
#include "formats/infile.h"

/* Content bytes the naive model keeps (the oracle is checked below this offset). */
#define FZ_MODEL_MAX (256u << 10)

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/*
 * The stream replayed record by record into a flat buffer, as `makedumpfile -R`
 * would write the file: later records overwrite earlier ones, holes are zero.
 */
static size_t naive_replay(const uint8_t *data, size_t size, uint8_t *model, bool *ok)
{
	size_t pos = 4096, end = 0;

	*ok = true;
	memset(model, 0, FZ_MODEL_MAX);
	while (pos + 16 <= size) {
		uint64_t off = be64(data + pos), len = be64(data + pos + 8);
		if (off == UINT64_MAX && len == UINT64_MAX)
			break;
		if ((int64_t)off < 0 || (int64_t)len <= 0 || off + len < off) {
			*ok = false; /* the reader must refuse this stream */
			return 0;
		}
		pos += 16;
		if (len > size - pos)
			len = size - pos;
		for (uint64_t i = 0; i < len && off + i < FZ_MODEL_MAX; i++)
			model[off + i] = data[pos + i];
		if (len && off + len > end)
			end = (size_t)CS_MIN(off + len, (uint64_t)SIZE_MAX);
		pos += len;
	}
	return end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sig[16] = "makedumpfile";
	struct fz_file f;
	struct cs_infile in;
	struct cs_err err;
	uint8_t *model, *got;
	size_t end;
	bool ok;

	if (size < 16 || memcmp(data, sig, 16) != 0)
		return 0;
	model = malloc(FZ_MODEL_MAX);
	got = malloc(FZ_MODEL_MAX);
	if (!model || !got)
		abort();
	end = naive_replay(data, size, model, &ok);
	fz_file_open(&f, data, size);
	if (cs_infile_open(&in, f.path, true, &err) == CS_OK) {
		FZ_ASSERT(in.flattened);
		FZ_ASSERT(ok);
		FZ_ASSERT(in.size == end);
		for (size_t i = 1; i < in.flat.n; i++)
			FZ_ASSERT(in.flat.ext[i].off >= in.flat.ext[i - 1].off + in.flat.ext[i - 1].len);
		/* Whole content below the model bound, then a few odd-sized windows. */
		size_t n = (size_t)CS_MIN(in.size, (uint64_t)FZ_MODEL_MAX);
		if (n) {
			FZ_ASSERT(cs_infile_pread(&in, got, n, 0, &err) == CS_OK);
			FZ_ASSERT(memcmp(got, model, n) == 0);
			for (size_t off = 0; off < n; off += 4093) {
				size_t len = CS_MIN((size_t)777, n - off);
				FZ_ASSERT(cs_infile_pread(&in, got, len, off, &err) == CS_OK);
				FZ_ASSERT(memcmp(got, model + off, len) == 0);
			}
		}
		/* Reads past the content fail cleanly unless the stream was cut short. */
		if (cs_infile_pread(&in, got, 16, in.size, &err) != CS_OK)
			fz_check_msg(err.msg);
		else
			FZ_ASSERT(in.flat.truncated);
		cs_infile_close(&in);
	} else {
		fz_check_msg(err.msg);
	}
	fz_file_close(&f);
	free(model);
	free(got);
	/* And the dump source on top (a flattened kdump-compressed file). */
	fz_source_exercise(data, size, FZ_SRC_SCAN | FZ_SRC_REFILTER);
	return 0;
}
