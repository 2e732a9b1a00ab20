/*
 * Frame header codec and the syntactic receive checks.
 *
 * The checks follow the table "Receiving" of docs/sam-frame-format.md in
 * its order: the first failing check decides the error, so receivers with
 * different implementations reject a frame for the same reason.
 */

#include <string.h>

#include "frame.h"
#include "payload_crypt.h"
#include "scheme.h"

void sam_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void sam_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void sam_put64(uint8_t *p, uint64_t v)
{
	sam_put32(p, (uint32_t)(v >> 32));
	sam_put32(p + 4, (uint32_t)v);
}

uint16_t sam_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t sam_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		   ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

uint64_t sam_get64(const uint8_t *p)
{
	return ((uint64_t)sam_get32(p) << 32) | sam_get32(p + 4);
}

void sam_frame_encode(const struct sam_frame_hdr *hdr, uint8_t *out)
{
	out[0] = hdr->version;
	out[1] = hdr->scheme;
	sam_put16(out + 2, hdr->flags);
	sam_put32(out + 4, hdr->session_id);
	sam_put32(out + 8, hdr->source_id);
	sam_put64(out + 12, hdr->seq);
	sam_put16(out + 20, hdr->payload_len);
	sam_put16(out + 22, hdr->auth_len);
}

void sam_frame_decode(const uint8_t *in, struct sam_frame_hdr *hdr)
{
	hdr->version = in[0];
	hdr->scheme = in[1];
	hdr->flags = sam_get16(in + 2);
	hdr->session_id = sam_get32(in + 4);
	hdr->source_id = sam_get32(in + 8);
	hdr->seq = sam_get64(in + 12);
	hdr->payload_len = sam_get16(in + 20);
	hdr->auth_len = sam_get16(in + 22);
}

int sam_frame_parse(const uint8_t *frame, size_t len,
					struct sam_frame_hdr *hdr)
{
	/* 1: the version byte must be there before we can look at it */
	if (len < 1)
	{
		return SAM_E_MALFORMED;
	}
	/* 2: the version comes before the length, so a future version with a
	 * shorter header is reported as a version mismatch */
	if (frame[0] != SAM_FRAME_VERSION)
	{
		return SAM_E_VERSION;
	}
	/* 3 */
	if (len < SAM_HEADER_SIZE)
	{
		return SAM_E_MALFORMED;
	}
	sam_frame_decode(frame, hdr);
	/* 4: bits this version does not know could change what the frame
	 * means; a bootstrap is public and signed, never encrypted */
	if ((hdr->flags & ~(SAM_FLAG_ENCRYPTED | SAM_FLAG_BOOTSTRAP)) ||
		(hdr->flags & SAM_FLAG_ENCRYPTED && hdr->flags & SAM_FLAG_BOOTSTRAP))
	{
		return SAM_E_MALFORMED;
	}
	/* 5: both lengths are 16 bit, the sum cannot overflow a size_t; an
	 * encrypted payload field has room for its key id and tag; a
	 * bootstrap's envelope carries its own signature */
	if ((size_t)SAM_HEADER_SIZE + hdr->payload_len + hdr->auth_len != len ||
		((hdr->flags & SAM_FLAG_ENCRYPTED) &&
		 hdr->payload_len < SAM_SEAL_OVERHEAD) ||
		((hdr->flags & SAM_FLAG_BOOTSTRAP) && hdr->auth_len != 0))
	{
		return SAM_E_MALFORMED;
	}
	/* 6 */
	if (!sam_scheme_wire_known(hdr->scheme))
	{
		return SAM_E_SCHEME;
	}
	return SAM_OK;
}

int sam_frame_check_sender(const struct sam_frame_hdr *hdr,
						   const struct sam_scheme_ops *ops)
{
	/* 10 */
	if (hdr->scheme != ops->wire_id)
	{
		return SAM_E_SCHEME;
	}
	/* 11 */
	if (hdr->auth_len > ops->max_auth_len)
	{
		return SAM_E_MALFORMED;
	}
	/* 12 */
	if (hdr->seq == 0)
	{
		return SAM_E_MALFORMED;
	}
	return SAM_OK;
}
