/* SPDX-License-Identifier: MIT */
/* fuzz_body.c — libFuzzer target for a push body as a hub will read it: a
 * zstd frame decompressed with a cap, then an entry stream decoded entry by
 * entry. Also feeds the input to the stream reader uncompressed, the form a
 * bundle holds. No input may crash, hang, leak or exceed the cap. The cap
 * is 64 KiB here, not the hub's 1 MiB: the same code keeps either, and an
 * input that fills 1 MiB costs as much as hundreds of small ones. */
#include <stdint.h>
#include <stdlib.h>

#include "stream.h"
#include "zbody.h"

#define CAP (1 << 16)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
read_stream(const void *p, size_t n)
{
	struct cb_stream_reader r;
	struct cb_entry e = CB_ENTRY_INIT;

	cb_stream_reader_init(&r, p, n);
	while (cb_stream_next(&r, &e, NULL) == CB_OK)
		;
	cb_entry_release(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_buf out = CB_BUF_INIT;

	if (cb_zbody_decompress(data, size, CAP, &out, NULL) == CB_OK)
		read_stream(out.data, out.len);
	else if (out.len > CAP + 65536)
		abort(); /* the cap was not kept */
	cb_buf_release(&out);
	read_stream(data, size);
	return 0;
}
