/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "common/mike_rekey_msg.h"
#include "payloads/gikev2.h"

#include <asn1/asn1.h>
#include <crypto/aead.h>

/** IKE header: SPIi | SPIr (the rekey SPI), NP, version, exchange, flags,
 *  Message ID, Length */
#define IKE_HEADER_SIZE 28
/** offsets in the IKE header */
#define OFF_NP		16
#define OFF_VERSION	17
#define OFF_EXCHANGE 18
#define OFF_FLAGS	19
#define OFF_MSG_ID	20
#define OFF_LENGTH	24
/** the SK payload header follows the IKE header */
#define OFF_SK		IKE_HEADER_SIZE
/** A = IKE header | SK payload header, the AEAD's associated data */
#define A_SIZE		(IKE_HEADER_SIZE + GIKEV2_PAYLOAD_HEADER)
/** offset of the inner payloads (after the IV) */
#define OFF_INNER	(A_SIZE + MIKE_REKEY_IV_SIZE)
/** the SKF payload header: generic header, Fragment Number, Total
 *  Fragments (RFC 7383 2.5) */
#define SKF_HEADER	(GIKEV2_PAYLOAD_HEADER + 4)
/** offset of a fragment's content (after the IV) */
#define OFF_FRAG_INNER	(IKE_HEADER_SIZE + SKF_HEADER + MIKE_REKEY_IV_SIZE)

/** IKE version 2.0 */
#define IKE_VERSION	0x20
/** header flags */
#define FLAG_INITIATOR	0x08

/** AUTH body: method, 3 reserved, then the RFC 7427 data: ASN.1 length,
 *  AlgorithmIdentifier, signature */
#define AUTH_FIXED	4

/** largest SK payload (its Payload Length is 16 bits) */
#define MAX_SK_LEN	0xffff

/** how many times ECDSA signatures are redone to get the length assumed
 *  while signing (see sign_auth()) */
#define MAX_SIGN_TRIES 32

typedef struct private_mike_rekey_msg_t private_mike_rekey_msg_t;

/**
 * Private data of a received message.
 */
struct private_mike_rekey_msg_t {

	/** public interface */
	mike_rekey_msg_t public;

	/** Message ID */
	uint32_t msg_id;

	/** decrypted inner payloads, wiped on destroy */
	chunk_t plain;

	/** inner payloads without AUTH, pointing into plain */
	mike_rekey_payload_t *payloads;

	/** number of payloads */
	int count;

	/** signature scheme of the AUTH payload */
	signature_params_t scheme;
};

/*
 * Described in header
 */
const char *mike_rekey_status_str(mike_rekey_status_t status)
{
	switch (status)
	{
		case MIKE_REKEY_OK:
			return "accepted";
		case MIKE_REKEY_ERR_TRUNCATED:
			return "truncated or length mismatch";
		case MIKE_REKEY_ERR_HEADER:
			return "not a GSA_REKEY message (version, exchange type or "
				   "first payload)";
		case MIKE_REKEY_ERR_SPI:
			return "unknown rekey SA SPI";
		case MIKE_REKEY_ERR_ICV:
			return "ICV check failed (altered or wrong KEK)";
		case MIKE_REKEY_ERR_MALFORMED:
			return "malformed inner payloads";
		case MIKE_REKEY_ERR_PAYLOAD_TYPE:
			return "inner payload type not allowed in GSA_REKEY";
		case MIKE_REKEY_ERR_NO_AUTH:
			return "AUTH payload missing";
		case MIKE_REKEY_ERR_AUTH_NOT_LAST:
			return "AUTH payload repeated";
		case MIKE_REKEY_ERR_AUTH_METHOD:
			return "unsupported authentication method";
		case MIKE_REKEY_ERR_SIG_ALG:
			return "unsupported or unexpected signature algorithm";
		case MIKE_REKEY_ERR_REPLAY:
			return "old Message ID (replay)";
		case MIKE_REKEY_ERR_SIGNATURE:
			return "signature verification failed";
		case MIKE_REKEY_ERR_INTERNAL:
			return "internal error";
		case MIKE_REKEY_ERR_FRAGMENT:
			return "fragment does not fit (Fragment Number, Total Fragments, "
				   "padding or reassembled size)";
		case MIKE_REKEY_ERR_FRAGMENT_DUPLICATE:
			return "fragment received before";
		case MIKE_REKEY_ERR_FRAGMENT_TIMEOUT:
			return "fragments missing when the reassembly timed out";
		case MIKE_REKEY_ERR_FRAGMENT_EVICTED:
			return "fragments dropped for those of a newer message";
		case MIKE_REKEY_INCOMPLETE:
			return "fragment kept, message incomplete";
		case MIKE_REKEY_STATUS_MAX:
			break;
	}
	return "unknown status";
}

/**
 * Inner payload types allowed besides AUTH
 */
static bool allowed_type(payload_type_t type)
{
	switch ((int)type)
	{
		case GIKEV2_PL_GSA:
		case GIKEV2_PL_KD:
		case PLV2_NOTIFY:
		case PLV2_DELETE:
			return TRUE;
		default:
			return FALSE;
	}
}

/**
 * Strict structural check of a Notify or Delete body (RFC 7296 3.10, 3.11),
 * GSA and KD bodies are left to gikev2_payload_parse() of the caller.
 */
static bool check_body(payload_type_t type, chunk_t body)
{
	uint8_t spi_size;
	uint16_t num;

	switch ((int)type)
	{
		case PLV2_NOTIFY:
			/* Protocol ID, SPI Size, Notify Message Type, SPI, data */
			return body.len >= 4 && body.len >= 4 + (size_t)body.ptr[1];
		case PLV2_DELETE:
			/* Protocol ID, SPI Size, Num of SPIs, SPIs */
			if (body.len < 4)
			{
				return FALSE;
			}
			spi_size = body.ptr[1];
			num = untoh16(body.ptr + 2);
			return body.len == 4 + (size_t)spi_size * num;
		default:
			return TRUE;
	}
}

/**
 * Check the list of inner payloads to build
 */
static bool check_payloads(mike_rekey_payload_t *payloads, int count,
						   size_t *len)
{
	bool gsa = FALSE, kd = FALSE;
	int i;

	*len = 0;
	if (count < 1 || !payloads)
	{
		return FALSE;
	}
	for (i = 0; i < count; i++)
	{
		if (!allowed_type(payloads[i].type) ||
			payloads[i].body.len > MAX_SK_LEN ||
			!check_body(payloads[i].type, payloads[i].body))
		{
			return FALSE;
		}
		if (payloads[i].type == GIKEV2_PL_GSA)
		{
			if (gsa)
			{
				return FALSE;
			}
			gsa = TRUE;
		}
		if (payloads[i].type == GIKEV2_PL_KD)
		{
			if (kd)
			{
				return FALSE;
			}
			kd = TRUE;
		}
		*len += GIKEV2_PAYLOAD_HEADER + payloads[i].body.len;
		if (*len > MAX_SK_LEN)
		{
			return FALSE;
		}
	}
	return TRUE;
}

/**
 * Write the IKE header and SK payload header (A) to buf.
 */
static void write_a(u_char *buf, chunk_t spi, uint32_t msg_id, uint32_t len,
					payload_type_t first, uint16_t sk_len)
{
	memcpy(buf, spi.ptr, MIKE_REKEY_SPI_SIZE);
	buf[OFF_NP] = PLV2_ENCRYPTED;
	buf[OFF_VERSION] = IKE_VERSION;
	buf[OFF_EXCHANGE] = MIKE_REKEY_EXCHANGE;
	buf[OFF_FLAGS] = FLAG_INITIATOR;
	htoun32(buf + OFF_MSG_ID, msg_id);
	htoun32(buf + OFF_LENGTH, len);
	buf[OFF_SK] = first;
	buf[OFF_SK + 1] = 0;
	htoun16(buf + OFF_SK + 2, sk_len);
}

/**
 * Write the inner payloads P to buf, with an AUTH payload of sig_len zero
 * bytes of signature after the AlgorithmIdentifier.  Returns a pointer to
 * the signature in buf.
 */
static u_char *write_p(u_char *buf, mike_rekey_payload_t *payloads, int count,
					   chunk_t algid, size_t sig_len)
{
	payload_type_t next;
	size_t auth_len;
	int i;

	for (i = 0; i < count; i++)
	{
		next = i + 1 < count ? payloads[i + 1].type : PLV2_AUTH;
		buf[0] = next;
		buf[1] = 0;
		htoun16(buf + 2, GIKEV2_PAYLOAD_HEADER + payloads[i].body.len);
		memcpy(buf + GIKEV2_PAYLOAD_HEADER, payloads[i].body.ptr,
			   payloads[i].body.len);
		buf += GIKEV2_PAYLOAD_HEADER + payloads[i].body.len;
	}
	auth_len = GIKEV2_PAYLOAD_HEADER + AUTH_FIXED + 1 + algid.len + sig_len;
	buf[0] = PL_NONE;
	buf[1] = 0;
	htoun16(buf + 2, auth_len);
	buf += GIKEV2_PAYLOAD_HEADER;
	buf[0] = MIKE_REKEY_AUTH_DS;
	memset(buf + 1, 0, 3);
	buf += AUTH_FIXED;
	buf[0] = algid.len;
	memcpy(buf + 1, algid.ptr, algid.len);
	buf += 1 + algid.len;
	memset(buf, 0, sig_len);
	return buf;
}

/**
 * Initial guess of the signature length of a key (only a guess: the loop
 * in mike_rekey_msg_build_iv() adapts to the actual length)
 */
static size_t guess_sig_len(private_key_t *key)
{
	int bits = key->get_keysize(key);

	switch (key->get_type(key))
	{
		case KEY_ED25519:
			return 64;
		case KEY_ED448:
			return 114;
		case KEY_ECDSA:
			/* DER SEQUENCE of two INTEGERs, the most likely length */
			return 2 + 2 * (2 + (bits + 7) / 8) + 1;
		default:
			return (bits + 7) / 8;
	}
}

/**
 * Sign the inner payloads: returns A | P as signed (A with AdjustedLen and
 * AdjustedPldLen, RFC 9838 2.4.1.1), with the signature in place, and
 * len(P) in p_len; max_p_len bounds len(P)
 */
static bool sign_p(chunk_t spi, uint32_t msg_id,
				   mike_rekey_payload_t *payloads, int count,
				   private_key_t *key, signature_params_t *scheme,
				   size_t max_p_len, chunk_t *signed_data, size_t *p_len)
{
	chunk_t algid = chunk_empty, tbs = chunk_empty, sig = chunk_empty;
	size_t inner_len, sig_len;
	u_char *sig_pos;
	bool ok = FALSE;
	int tries;

	*signed_data = chunk_empty;
	if (spi.len != MIKE_REKEY_SPI_SIZE || !key || !scheme ||
		!check_payloads(payloads, count, &inner_len))
	{
		return FALSE;
	}
	if (!signature_params_build(scheme, &algid) || algid.len > 0xff)
	{
		goto out;
	}
	/* the Authentication Data is zeroed while signing, but its length is
	 * that of the final signature; DER-encoded ECDSA signatures vary in
	 * length, so sign again, assuming the length just seen, until the
	 * assumed length is the actual one (deterministic schemes need at most
	 * two rounds, ECDSA usually a few) */
	sig_len = guess_sig_len(key);
	for (tries = 0; tries < MAX_SIGN_TRIES; tries++)
	{
		*p_len = inner_len + GIKEV2_PAYLOAD_HEADER + AUTH_FIXED + 1 +
				 algid.len + sig_len;
		if (*p_len > max_p_len)
		{
			goto out;
		}
		chunk_clear(&tbs);
		tbs = chunk_alloc(A_SIZE + *p_len);
		/* A with AdjustedLen and AdjustedPldLen, then P */
		write_a(tbs.ptr, spi, msg_id, A_SIZE + *p_len, payloads[0].type,
				GIKEV2_PAYLOAD_HEADER + *p_len);
		sig_pos = write_p(tbs.ptr + A_SIZE, payloads, count, algid, sig_len);
		chunk_free(&sig);
		if (!key->sign(key, scheme->scheme, scheme->params, tbs, &sig))
		{
			goto out;
		}
		if (sig.len == sig_len)
		{
			memcpy(sig_pos, sig.ptr, sig_len);
			*signed_data = tbs;
			tbs = chunk_empty;
			ok = TRUE;
			break;
		}
		sig_len = sig.len;
	}

out:
	chunk_clear(&tbs);
	chunk_free(&sig);
	chunk_free(&algid);
	return ok;
}

/**
 * The unfragmented message of signed A | P: A with the real lengths, IV,
 * P, Pad Length 0 (the block size of GCM and CCM is 1: no padding), ICV
 */
static bool seal_sk(chunk_t signed_data, aead_t *aead, size_t icv_len,
					chunk_t iv, chunk_t *msg)
{
	size_t p_len = signed_data.len - A_SIZE;
	size_t sk_len = GIKEV2_PAYLOAD_HEADER + MIKE_REKEY_IV_SIZE + p_len + 1 +
					icv_len;
	chunk_t out;

	out = chunk_alloc(IKE_HEADER_SIZE + sk_len);
	memcpy(out.ptr, signed_data.ptr, A_SIZE);
	htoun32(out.ptr + OFF_LENGTH, out.len);
	htoun16(out.ptr + OFF_SK + 2, sk_len);
	memcpy(out.ptr + A_SIZE, iv.ptr, MIKE_REKEY_IV_SIZE);
	memcpy(out.ptr + OFF_INNER, signed_data.ptr + A_SIZE, p_len);
	out.ptr[OFF_INNER + p_len] = 0;
	/* in place: the ICV is appended after the encrypted data */
	if (!aead->encrypt(aead, chunk_create(out.ptr + OFF_INNER, p_len + 1),
					   chunk_create(out.ptr, A_SIZE), iv, NULL))
	{
		chunk_clear(&out);
		return FALSE;
	}
	*msg = out;
	return TRUE;
}

/*
 * Described in header
 */
bool mike_rekey_msg_build_iv(chunk_t spi, uint32_t msg_id,
							 mike_rekey_payload_t *payloads, int count,
							 const mike_rekey_suite_t *suite, chunk_t gsk_e,
							 private_key_t *key, signature_params_t *scheme,
							 chunk_t iv, chunk_t *msg)
{
	size_t icv_len = mike_rekey_suite_icv_size(suite), p_len;
	chunk_t signed_data;
	aead_t *aead;
	bool ok;

	*msg = chunk_empty;
	if (iv.len != MIKE_REKEY_IV_SIZE)
	{
		return FALSE;
	}
	aead = mike_rekey_suite_create_aead(suite, gsk_e);
	if (!aead)
	{
		return FALSE;
	}
	/* unfragmented, the whole SK payload has a 16-bit length */
	ok = sign_p(spi, msg_id, payloads, count, key, scheme,
				MAX_SK_LEN - GIKEV2_PAYLOAD_HEADER - MIKE_REKEY_IV_SIZE - 1 -
				icv_len, &signed_data, &p_len) &&
		 seal_sk(signed_data, aead, icv_len, iv, msg);
	chunk_clear(&signed_data);
	aead->destroy(aead);
	return ok;
}

/**
 * A random IV, as strongSwan's iv_gen_rand: unique with overwhelming
 * probability for the few messages (and fragments) sent per KEK
 */
static bool random_iv(u_char *buf)
{
	rng_t *rng;
	bool ok;

	rng = lib->crypto->create_rng(lib->crypto, RNG_WEAK);
	if (!rng)
	{
		return FALSE;
	}
	ok = rng->get_bytes(rng, MIKE_REKEY_IV_SIZE, buf);
	rng->destroy(rng);
	return ok;
}

/*
 * Described in header
 */
bool mike_rekey_msg_build(chunk_t spi, uint32_t msg_id,
						  mike_rekey_payload_t *payloads, int count,
						  const mike_rekey_suite_t *suite, chunk_t gsk_e,
						  private_key_t *key, signature_params_t *scheme,
						  chunk_t *msg)
{
	u_char buf[MIKE_REKEY_IV_SIZE];

	*msg = chunk_empty;
	if (!random_iv(buf))
	{
		return FALSE;
	}
	return mike_rekey_msg_build_iv(spi, msg_id, payloads, count, suite, gsk_e,
								   key, scheme, chunk_from_thing(buf), msg);
}

/**
 * Fragment signed A | P into total IKE messages with an Encrypted Fragment
 * payload each (RFC 7383 2.5), piece bytes of P in each but the last
 */
static bool seal_fragments(chunk_t signed_data, aead_t *aead, size_t icv_len,
						   size_t piece, int total, chunk_t *datagrams)
{
	chunk_t p = chunk_skip(signed_data, A_SIZE), out, iv;
	size_t len, skf_len;
	u_char *pos;
	int i;

	for (i = 0; i < total; i++)
	{
		len = min(piece, p.len);
		skf_len = SKF_HEADER + MIKE_REKEY_IV_SIZE + len + 1 + icv_len;
		out = chunk_alloc(IKE_HEADER_SIZE + skf_len);
		/* the message's IKE header, but SKF first, and this datagram's
		 * Length */
		memcpy(out.ptr, signed_data.ptr, IKE_HEADER_SIZE);
		out.ptr[OFF_NP] = MIKE_REKEY_PL_SKF;
		htoun32(out.ptr + OFF_LENGTH, out.len);
		/* Next Payload: the first inner payload's type in fragment 1, 0 in
		 * the others (RFC 7383 2.5); C | RESERVED as the SK header's */
		pos = out.ptr + OFF_SK;
		pos[0] = i ? PL_NONE : signed_data.ptr[OFF_SK];
		pos[1] = signed_data.ptr[OFF_SK + 1];
		htoun16(pos + 2, skf_len);
		htoun16(pos + 4, i + 1);
		htoun16(pos + 6, total);
		pos += SKF_HEADER;
		iv = chunk_create(pos, MIKE_REKEY_IV_SIZE);
		if (!random_iv(iv.ptr))
		{
			chunk_free(&out);
			return FALSE;
		}
		pos += MIKE_REKEY_IV_SIZE;
		memcpy(pos, p.ptr, len);
		pos[len] = 0;
		/* associated data: the IKE header and the SKF header, Fragment
		 * Number and Total Fragments included */
		if (!aead->encrypt(aead, chunk_create(pos, len + 1),
						   chunk_create(out.ptr, IKE_HEADER_SIZE + SKF_HEADER),
						   iv, NULL))
		{
			chunk_clear(&out);
			return FALSE;
		}
		datagrams[i] = out;
		p = chunk_skip(p, len);
	}
	return TRUE;
}

/*
 * Described in header
 */
bool mike_rekey_msg_build_fragments(chunk_t spi, uint32_t msg_id,
									mike_rekey_payload_t *payloads, int count,
									const mike_rekey_suite_t *suite,
									chunk_t gsk_e, private_key_t *key,
									signature_params_t *scheme, size_t max_len,
									chunk_t **datagrams, int *fragments)
{
	size_t icv_len = mike_rekey_suite_icv_size(suite), p_len, piece;
	size_t overhead = IKE_HEADER_SIZE + SKF_HEADER + MIKE_REKEY_IV_SIZE + 1 +
					  icv_len;
	chunk_t signed_data = chunk_empty, *out = NULL, iv;
	u_char buf[MIKE_REKEY_IV_SIZE];
	aead_t *aead;
	bool ok = FALSE;
	int total = 0;

	*datagrams = NULL;
	*fragments = 0;
	aead = mike_rekey_suite_create_aead(suite, gsk_e);
	if (!aead)
	{
		return FALSE;
	}
	/* signed whole, before fragmentation (RFC 9838 2.4.1.2) */
	if (!sign_p(spi, msg_id, payloads, count, key, scheme,
				MIKE_REKEY_MAX_P_LEN, &signed_data, &p_len))
	{
		goto out;
	}
	if (!max_len || OFF_INNER + p_len + 1 + icv_len <= max_len)
	{	/* fits into one datagram, or must */
		iv = chunk_from_thing(buf);
		out = calloc(1, sizeof(chunk_t));
		ok = OFF_INNER + p_len + 1 + icv_len <= IKE_HEADER_SIZE + MAX_SK_LEN &&
			 random_iv(buf) && seal_sk(signed_data, aead, icv_len, iv, out);
		total = 1;
		goto out;
	}
	if (max_len <= overhead)
	{
		goto out;
	}
	piece = max_len - overhead;
	total = (p_len + piece - 1) / piece;
	if (total > MIKE_REKEY_MAX_FRAGMENTS)
	{
		goto out;
	}
	out = calloc(total, sizeof(chunk_t));
	ok = seal_fragments(signed_data, aead, icv_len, piece, total, out);

out:
	chunk_clear(&signed_data);
	aead->destroy(aead);
	*fragments = total;
	if (!ok)
	{
		mike_rekey_msg_free_fragments(out, out ? total : 0);
		return FALSE;
	}
	*datagrams = out;
	return TRUE;
}

/*
 * Described in header
 */
void mike_rekey_msg_free_fragments(chunk_t *datagrams, int count)
{
	int i;

	for (i = 0; datagrams && i < count; i++)
	{
		chunk_free(&datagrams[i]);
	}
	free(datagrams);
}

METHOD(mike_rekey_msg_t, get_message_id, uint32_t,
	private_mike_rekey_msg_t *this)
{
	return this->msg_id;
}

METHOD(mike_rekey_msg_t, get_payloads, int,
	private_mike_rekey_msg_t *this, mike_rekey_payload_t **payloads)
{
	*payloads = this->payloads;
	return this->count;
}

METHOD(mike_rekey_msg_t, get_scheme, signature_params_t*,
	private_mike_rekey_msg_t *this)
{
	return &this->scheme;
}

METHOD(mike_rekey_msg_t, destroy, void,
	private_mike_rekey_msg_t *this)
{
	chunk_clear(&this->plain);
	signature_params_clear(&this->scheme);
	free(this->payloads);
	free(this);
}

/**
 * Parse the inner payload chain P, starting with type first; counts the
 * payloads before AUTH and fills payloads (if not NULL); returns the AUTH
 * payload's body.
 */
static mike_rekey_status_t parse_chain(chunk_t p, payload_type_t first,
									   mike_rekey_payload_t *payloads,
									   int *count, chunk_t *auth)
{
	payload_type_t type = first;
	bool gsa = FALSE, kd = FALSE, have_auth = FALSE;
	size_t len;
	int n = 0;

	while (TRUE)
	{
		if (type == PL_NONE)
		{
			if (p.len)
			{	/* bytes after the last payload */
				return MIKE_REKEY_ERR_MALFORMED;
			}
			if (!have_auth)
			{
				return MIKE_REKEY_ERR_NO_AUTH;
			}
			if (!n)
			{	/* nothing but AUTH */
				return MIKE_REKEY_ERR_MALFORMED;
			}
			*count = n;
			return MIKE_REKEY_OK;
		}
		if (type != PLV2_AUTH && !allowed_type(type))
		{
			return MIKE_REKEY_ERR_PAYLOAD_TYPE;
		}
		if (p.len < GIKEV2_PAYLOAD_HEADER)
		{
			return MIKE_REKEY_ERR_MALFORMED;
		}
		len = untoh16(p.ptr + 2);
		if (len < GIKEV2_PAYLOAD_HEADER || len > p.len)
		{
			return MIKE_REKEY_ERR_MALFORMED;
		}
		if (type == PLV2_AUTH)
		{	/* anywhere, once (RFC 9838 2.4.1 puts it last, but does not
			 * require it): the signature covers what follows, too */
			if (have_auth)
			{
				return MIKE_REKEY_ERR_AUTH_NOT_LAST;
			}
			have_auth = TRUE;
			*auth = chunk_create(p.ptr + GIKEV2_PAYLOAD_HEADER,
								 len - GIKEV2_PAYLOAD_HEADER);
			type = p.ptr[0];
			p = chunk_skip(p, len);
			continue;
		}
		if (!check_body(type, chunk_create(p.ptr + GIKEV2_PAYLOAD_HEADER,
										   len - GIKEV2_PAYLOAD_HEADER)) ||
			(type == GIKEV2_PL_GSA && gsa) || (type == GIKEV2_PL_KD && kd))
		{
			return MIKE_REKEY_ERR_MALFORMED;
		}
		gsa |= type == GIKEV2_PL_GSA;
		kd |= type == GIKEV2_PL_KD;
		if (payloads)
		{
			payloads[n] = (mike_rekey_payload_t){
				.type = type,
				.body = chunk_create(p.ptr + GIKEV2_PAYLOAD_HEADER,
									 len - GIKEV2_PAYLOAD_HEADER),
			};
		}
		n++;
		type = p.ptr[0];
		p = chunk_skip(p, len);
	}
}

/**
 * Parse the RFC 7427 data of the AUTH body: method, AlgorithmIdentifier,
 * signature
 */
static mike_rekey_status_t parse_auth(chunk_t auth, public_key_t *key,
									  signature_params_t *expected,
									  signature_params_t *scheme,
									  chunk_t *sig)
{
	chunk_t algid, der, content;
	size_t algid_len;

	if (auth.len < AUTH_FIXED + 1)
	{
		return MIKE_REKEY_ERR_MALFORMED;
	}
	if (auth.ptr[0] != MIKE_REKEY_AUTH_DS)
	{
		return MIKE_REKEY_ERR_AUTH_METHOD;
	}
	/* the RESERVED bytes are ignored (RFC 7296), but signed */
	auth = chunk_skip(auth, AUTH_FIXED);
	algid_len = auth.ptr[0];
	if (auth.len <= 1 + algid_len)
	{	/* no room for a signature */
		return MIKE_REKEY_ERR_MALFORMED;
	}
	algid = chunk_create(auth.ptr + 1, algid_len);
	*sig = chunk_skip(auth, 1 + algid_len);
	/* exactly one DER SEQUENCE filling the announced length */
	der = algid;
	if (asn1_unwrap(&der, &content) != ASN1_SEQUENCE || der.len)
	{
		return MIKE_REKEY_ERR_SIG_ALG;
	}
	if (!signature_params_parse(algid, 0, scheme))
	{
		return MIKE_REKEY_ERR_SIG_ALG;
	}
	if (key_type_from_signature_scheme(scheme->scheme) != key->get_type(key) ||
		(expected && !signature_params_equal(expected, scheme)))
	{
		signature_params_clear(scheme);
		return MIKE_REKEY_ERR_SIG_ALG;
	}
	return MIKE_REKEY_OK;
}

/**
 * Verify decrypted inner payloads p (in plain, which is taken over on
 * success) under a: the chain, AUTH, the Message ID and the signature over
 * A | P, A being a (IKE header and Encrypted payload header, A_SIZE bytes)
 * with AdjustedLen and AdjustedPldLen
 */
static mike_rekey_status_t verify(u_char *a, chunk_t *plain, chunk_t p,
								  public_key_t *key,
								  signature_params_t *expected,
								  uint64_t min_msg_id, mike_rekey_msg_t **msg)
{
	private_mike_rekey_msg_t *this = NULL;
	mike_rekey_status_t status;
	signature_params_t scheme = {};
	chunk_t tbs = chunk_empty, auth, sig;
	uint32_t msg_id = untoh32(a + OFF_MSG_ID);
	int count = 0;

	/* the inner payloads: count them first, then note them */
	status = parse_chain(p, a[OFF_SK], NULL, &count, &auth);
	if (status != MIKE_REKEY_OK)
	{
		return status;
	}
	INIT(this,
		.public = {
			.get_message_id = _get_message_id,
			.get_payloads = _get_payloads,
			.get_scheme = _get_scheme,
			.destroy = _destroy,
		},
		.msg_id = msg_id,
		.payloads = calloc(count, sizeof(mike_rekey_payload_t)),
	);
	status = parse_chain(p, a[OFF_SK], this->payloads, &count, &auth);
	if (status != MIKE_REKEY_OK)
	{
		goto out;
	}
	this->count = count;

	status = parse_auth(auth, key, expected, &scheme, &sig);
	if (status != MIKE_REKEY_OK)
	{
		goto out;
	}
	/* authentic for KEK holders: check for replays before the expensive
	 * signature check (retransmissions are the usual case) */
	if (msg_id < min_msg_id)
	{
		status = MIKE_REKEY_ERR_REPLAY;
		goto out;
	}

	/* A with AdjustedLen and AdjustedPldLen | P with a zeroed signature */
	tbs = chunk_alloc(A_SIZE + p.len);
	memcpy(tbs.ptr, a, A_SIZE);
	htoun32(tbs.ptr + OFF_LENGTH, A_SIZE + p.len);
	htoun16(tbs.ptr + OFF_SK + 2, GIKEV2_PAYLOAD_HEADER + p.len);
	memcpy(tbs.ptr + A_SIZE, p.ptr, p.len);
	memset(tbs.ptr + A_SIZE + (sig.ptr - p.ptr), 0, sig.len);
	if (!key->verify(key, scheme.scheme, scheme.params, tbs, sig))
	{
		status = MIKE_REKEY_ERR_SIGNATURE;
		goto out;
	}
	this->scheme = scheme;
	scheme = (signature_params_t){};
	this->plain = *plain;
	*plain = chunk_empty;
	*msg = &this->public;
	this = NULL;

out:
	chunk_clear(&tbs);
	signature_params_clear(&scheme);
	if (this)
	{
		destroy(this);
	}
	return status;
}

/**
 * The header checks common to SK and SKF messages, up to the SPI
 */
static mike_rekey_status_t check_header(chunk_t data, chunk_t spi,
										uint8_t np, size_t min_len)
{
	if (data.len < IKE_HEADER_SIZE)
	{
		return MIKE_REKEY_ERR_TRUNCATED;
	}
	/* the flags are not checked (RFC 9838 4.1 leaves them as RFC 7296,
	 * where I names the IKE SA's initiator, which a GSA_REKEY has none
	 * of); the ICV and the signature cover them */
	if ((data.ptr[OFF_VERSION] & 0xf0) != (IKE_VERSION & 0xf0) ||
		data.ptr[OFF_EXCHANGE] != MIKE_REKEY_EXCHANGE ||
		data.ptr[OFF_NP] != np)
	{
		return MIKE_REKEY_ERR_HEADER;
	}
	/* the encrypted payload is the only one */
	if (untoh32(data.ptr + OFF_LENGTH) != data.len ||
		data.len < min_len ||
		untoh16(data.ptr + OFF_SK + 2) != data.len - IKE_HEADER_SIZE)
	{
		return MIKE_REKEY_ERR_TRUNCATED;
	}
	if (!memeq_const(data.ptr, spi.ptr, MIKE_REKEY_SPI_SIZE))
	{
		return MIKE_REKEY_ERR_SPI;
	}
	return MIKE_REKEY_OK;
}

/**
 * Decrypt the encrypted part of data, from offset, in a buffer of our own,
 * with associated data of ad_len bytes and the IV just before offset;
 * returns the plaintext, without ICV, empty if the ICV does not verify
 */
static mike_rekey_status_t decrypt(chunk_t data, size_t offset, size_t ad_len,
								   const mike_rekey_suite_t *suite,
								   chunk_t gsk_e, chunk_t *plain)
{
	size_t icv_len = mike_rekey_suite_icv_size(suite);
	aead_t *aead;

	aead = mike_rekey_suite_create_aead(suite, gsk_e);
	if (!aead)
	{
		return MIKE_REKEY_ERR_INTERNAL;
	}
	/* in place, in a buffer of our own: some AEADs leak the allocated
	 * result on a failed ICV check */
	*plain = chunk_clone(chunk_skip(data, offset));
	if (!aead->decrypt(aead, *plain, chunk_create(data.ptr, ad_len),
					   chunk_create(data.ptr + offset - MIKE_REKEY_IV_SIZE,
									MIKE_REKEY_IV_SIZE), NULL))
	{
		aead->destroy(aead);
		chunk_clear(plain);
		return MIKE_REKEY_ERR_ICV;
	}
	aead->destroy(aead);
	/* the ICV follows the plaintext */
	memwipe(plain->ptr + plain->len - icv_len, icv_len);
	plain->len -= icv_len;
	return MIKE_REKEY_OK;
}

/**
 * The length of a plaintext without padding and Pad Length (any padding
 * content, Pad Length within the plaintext), FALSE if it does not fit
 */
static bool strip_padding(chunk_t plain, size_t *len)
{
	if (plain.len < 1 || (size_t)plain.ptr[plain.len - 1] + 1 > plain.len)
	{
		return FALSE;
	}
	*len = plain.len - plain.ptr[plain.len - 1] - 1;
	return TRUE;
}

/*
 * Described in header
 */
mike_rekey_status_t mike_rekey_msg_parse(chunk_t data, chunk_t spi,
										 const mike_rekey_suite_t *suite,
										 chunk_t gsk_e, public_key_t *key,
										 signature_params_t *expected,
										 uint64_t min_msg_id,
										 mike_rekey_msg_t **msg)
{
	mike_rekey_status_t status;
	chunk_t plain = chunk_empty;
	size_t p_len, icv_len = mike_rekey_suite_icv_size(suite);

	*msg = NULL;
	if (spi.len != MIKE_REKEY_SPI_SIZE || !key)
	{
		return MIKE_REKEY_ERR_INTERNAL;
	}
	/* A, IV, Pad Length, ICV: the smallest message */
	status = check_header(data, spi, PLV2_ENCRYPTED, OFF_INNER + 1 + icv_len);
	if (status != MIKE_REKEY_OK)
	{
		return status;
	}
	status = decrypt(data, OFF_INNER, A_SIZE, suite, gsk_e, &plain);
	if (status != MIKE_REKEY_OK)
	{
		return status;
	}
	if (!strip_padding(plain, &p_len))
	{
		chunk_clear(&plain);
		return MIKE_REKEY_ERR_MALFORMED;
	}
	status = verify(data.ptr, &plain, chunk_create(plain.ptr, p_len), key,
					expected, min_msg_id, msg);
	chunk_clear(&plain);
	return status;
}

/*
 * Described in header
 */
bool mike_rekey_msg_is_fragment(chunk_t data)
{
	return data.len >= IKE_HEADER_SIZE &&
		   data.ptr[OFF_NP] == MIKE_REKEY_PL_SKF;
}

/*
 * Described in header
 */
mike_rekey_status_t mike_rekey_msg_open_fragment(chunk_t data, chunk_t spi,
										const mike_rekey_suite_t *suite,
										chunk_t gsk_e,
										mike_rekey_fragment_t *fragment)
{
	mike_rekey_status_t status;
	chunk_t plain = chunk_empty;
	size_t len, icv_len = mike_rekey_suite_icv_size(suite);
	uint16_t number, total;

	*fragment = (mike_rekey_fragment_t){};
	if (spi.len != MIKE_REKEY_SPI_SIZE)
	{
		return MIKE_REKEY_ERR_INTERNAL;
	}
	status = check_header(data, spi, MIKE_REKEY_PL_SKF,
						  OFF_FRAG_INNER + 1 + icv_len);
	if (status != MIKE_REKEY_OK)
	{
		return status;
	}
	/* the associated data has the Fragment Number and Total Fragments */
	status = decrypt(data, OFF_FRAG_INNER, IKE_HEADER_SIZE + SKF_HEADER,
					 suite, gsk_e, &plain);
	if (status != MIKE_REKEY_OK)
	{
		return status;
	}
	/* authentic for KEK holders from here on; the Next Payload of the
	 * fragments after the first is not checked (RFC 7383 2.5 has the
	 * sender set it to 0), it is authenticated all the same */
	number = untoh16(data.ptr + OFF_SK + 4);
	total = untoh16(data.ptr + OFF_SK + 6);
	if (!number || number > total || total > MIKE_REKEY_MAX_FRAGMENTS ||
		!strip_padding(plain, &len))
	{
		chunk_clear(&plain);
		return MIKE_REKEY_ERR_FRAGMENT;
	}
	plain.len = len;
	fragment->msg_id = untoh32(data.ptr + OFF_MSG_ID);
	fragment->number = number;
	fragment->total = total;
	memcpy(fragment->header, data.ptr, sizeof(fragment->header));
	fragment->content = plain;
	return MIKE_REKEY_OK;
}

/*
 * Described in header
 */
mike_rekey_status_t mike_rekey_msg_parse_reassembled(u_char *first, chunk_t p,
										public_key_t *key,
										signature_params_t *expected,
										uint64_t min_msg_id,
										mike_rekey_msg_t **msg)
{
	mike_rekey_status_t status = MIKE_REKEY_ERR_INTERNAL;
	u_char a[A_SIZE];

	*msg = NULL;
	if (key && p.len <= MIKE_REKEY_MAX_P_LEN)
	{
		/* the message as it was signed: the IKE header with SK as first
		 * payload, the SK header with the first fragment's Next Payload
		 * and C | RESERVED (RFC 9838 2.4.1.2); verify() writes the
		 * adjusted lengths */
		memcpy(a, first, IKE_HEADER_SIZE + 2);
		a[OFF_NP] = PLV2_ENCRYPTED;
		htoun16(a + OFF_SK + 2, 0);
		status = verify(a, &p, p, key, expected, min_msg_id, msg);
	}
	else if (key)
	{
		status = MIKE_REKEY_ERR_FRAGMENT;
	}
	chunk_clear(&p);
	return status;
}
