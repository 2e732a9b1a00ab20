/*
 * Sliding replay window, RFC 4303 section 3.4.3 style but with 64-bit
 * sequence numbers and a bitmap indexed by seq modulo the window size (as
 * in RFC 6479): advancing the window clears the bits of the skipped
 * numbers instead of shifting the whole bitmap.
 *
 * All comparisons are written as differences of numbers known to be
 * ordered (top - seq with seq <= top), never as seq + size, so numbers near
 * UINT64_MAX cannot overflow.
 */

#include <string.h>

#include "replay.h"

size_t sam_replay_words(unsigned int size)
{
	return size / 64;
}

void sam_replay_init(struct sam_replay *w, unsigned int size, uint64_t *bits)
{
	w->top = 0;
	w->size = size;
	w->bits = bits;
	memset(bits, 0, sam_replay_words(size) * sizeof(uint64_t));
}

static int bit_is_set(const struct sam_replay *w, uint64_t seq)
{
	uint64_t pos = seq % w->size;

	return (w->bits[pos / 64] >> (pos % 64)) & 1;
}

/** Clear count bits (count < size) starting at position start, wrapping */
static void clear_bits(struct sam_replay *w, uint64_t start, uint64_t count)
{
	while (count)
	{
		unsigned int off = start % 64;
		uint64_t n = 64 - off, mask;

		if (n > count)
		{
			n = count;
		}
		mask = (n == 64) ? UINT64_MAX : ((UINT64_C(1) << n) - 1) << off;
		w->bits[start / 64] &= ~mask;
		start += n;
		/* size is a multiple of 64: a run never crosses the end */
		if (start == w->size)
		{
			start = 0;
		}
		count -= n;
	}
}

int sam_replay_check(const struct sam_replay *w, uint64_t seq)
{
	if (seq == 0)
	{
		return SAM_E_MALFORMED;
	}
	if (w->top == 0 || seq > w->top)
	{
		return SAM_OK;
	}
	if (w->top - seq >= w->size)
	{
		return SAM_E_TOO_OLD;
	}
	return bit_is_set(w, seq) ? SAM_E_REPLAY : SAM_OK;
}

void sam_replay_update(struct sam_replay *w, uint64_t seq)
{
	uint64_t pos;

	if (w->top == 0 || seq > w->top)
	{
		uint64_t diff = seq - w->top;

		if (w->top == 0 || diff >= w->size)
		{
			/* a jump past the whole window: nothing in it is still valid */
			memset(w->bits, 0, sam_replay_words(w->size) * sizeof(uint64_t));
		}
		else
		{
			/* forget top+1 .. seq, which now alias the oldest numbers;
			 * top < seq, so top + 1 cannot overflow */
			clear_bits(w, (w->top + 1) % w->size, diff);
		}
		w->top = seq;
	}
	pos = seq % w->size;
	w->bits[pos / 64] |= UINT64_C(1) << (pos % 64);
}
