/*
 * Payload encryption: the data keys and AES-256-GCM over the payload
 * field (docs/sam-frame-format.md, "Encrypted payloads").
 *
 * The nonce is the frame's Source ID and Sequence Number, as they stand in
 * the header: a sender never seals two frames with one sequence number
 * (data.c uses a number up even when signing fails after encryption), so
 * under one key a nonce is never used twice as long as no two senders
 * share a source id.  The AAD binds the ciphertext to the header it came
 * with and to the key it claims, so a frame cannot be moved to another
 * session, source or position, even by a member who holds the data key
 * but cannot sign for the source.
 *
 * Everything is allocated when the first data key is added; sealing and
 * opening only reinitialize the one cipher context.
 */

#include <string.h>

#include <openssl/crypto.h>

#include "context.h"
#include "frame.h"
#include "payload_crypt.h"

/** Header bytes the AAD covers: version, scheme, flags, session, source,
 *  sequence number; not the lengths, which the tag binds anyway */
#define AAD_HEADER_LEN 20

/** Nonce: Source ID || Sequence Number, header bytes 8 to 20 */
#define NONCE_OFFSET 8
#define NONCE_LEN 12

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		   ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/** The held key with id, NULL if none */
static struct sam_data_key *find_key(sam_ctx *ctx, uint32_t id)
{
	struct sam_payload_crypt *pc = &ctx->crypt;
	size_t i;

	for (i = 0; i < pc->nkeys; i++)
	{
		if (pc->keys[i].id == id)
		{
			return &pc->keys[i];
		}
	}
	return NULL;
}

/** Take the i-th key out, wiping the slot that frees up at the end */
static void remove_at(struct sam_payload_crypt *pc, size_t i)
{
	memmove(&pc->keys[i], &pc->keys[i + 1],
			(pc->nkeys - i - 1) * sizeof(pc->keys[0]));
	pc->nkeys--;
	OPENSSL_cleanse(&pc->keys[pc->nkeys], sizeof(pc->keys[0]));
}

/** The cipher context and the plaintext buffer, once */
static int crypt_init(sam_ctx *ctx)
{
	struct sam_payload_crypt *pc = &ctx->crypt;

	if (pc->cipher)
	{
		return SAM_OK;
	}
	pc->plain = sam_ctx_alloc(ctx, SAM_MAX_FRAME);
	pc->cipher = EVP_CIPHER_CTX_new();
	if (!pc->plain || !pc->cipher)
	{
		sam_payload_crypt_clear(ctx);
		return SAM_E_NOMEM;
	}
	/* the algorithm now, key and nonce per frame: later inits with a NULL
	 * cipher keep OpenSSL's state instead of fetching it anew */
	if (EVP_CipherInit_ex(pc->cipher, EVP_aes_256_gcm(), NULL, NULL, NULL,
						  1) != 1)
	{
		sam_payload_crypt_clear(ctx);
		return SAM_E_CRYPTO;
	}
	return SAM_OK;
}

void sam_payload_crypt_clear(sam_ctx *ctx)
{
	struct sam_payload_crypt *pc = &ctx->crypt;

	if (pc->plain)
	{
		OPENSSL_cleanse(pc->plain, pc->plain_len);
		sam_ctx_free_mem(ctx, pc->plain);
	}
	/* frees the expanded key schedule, wiped by OpenSSL */
	EVP_CIPHER_CTX_free(pc->cipher);
	OPENSSL_cleanse(pc, sizeof(*pc));
}

int sam_add_data_key(sam_ctx *ctx, uint32_t key_id, const uint8_t *key,
					 size_t len)
{
	struct sam_payload_crypt *pc;
	struct sam_data_key *held, add;
	int err;

	if (!ctx || !key || len != SAM_DATA_KEY_SIZE || key_id == 0)
	{
		return SAM_E_INVAL;
	}
	pc = &ctx->crypt;
	held = find_key(ctx, key_id);
	if (held && CRYPTO_memcmp(held->key, key, SAM_DATA_KEY_SIZE) != 0)
	{	/* one id, one key: else a frame's key id would not say which */
		return SAM_E_EXISTS;
	}
	err = crypt_init(ctx);
	if (err != SAM_OK)
	{
		return err;
	}
	add.id = key_id;
	memcpy(add.key, key, SAM_DATA_KEY_SIZE);
	if (held)
	{	/* the same key again: it moves to the end and seals again */
		remove_at(pc, (size_t)(held - pc->keys));
	}
	else if (pc->nkeys == SAM_MAX_DATA_KEYS)
	{	/* the oldest key has been superseded longest */
		remove_at(pc, 0);
	}
	pc->keys[pc->nkeys++] = add;
	OPENSSL_cleanse(&add, sizeof(add));
	return SAM_OK;
}

int sam_remove_data_key(sam_ctx *ctx, uint32_t key_id)
{
	struct sam_data_key *held;

	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	held = find_key(ctx, key_id);
	if (!held)
	{
		return SAM_E_DATA_KEY;
	}
	remove_at(&ctx->crypt, (size_t)(held - ctx->crypt.keys));
	return SAM_OK;
}

int sam_require_encryption(sam_ctx *ctx, int on)
{
	if (!ctx)
	{
		return SAM_E_INVAL;
	}
	ctx->crypt.required = on != 0;
	return SAM_OK;
}

int sam_payload_overhead(const sam_ctx *ctx)
{
	if (ctx->crypt.nkeys)
	{
		return SAM_SEAL_OVERHEAD;
	}
	/* fail closed: never send in clear what was meant to be secret */
	return ctx->crypt.required ? SAM_E_DATA_KEY : 0;
}

/** Key and nonce into the cipher, the AAD through it */
static int start(EVP_CIPHER_CTX *cipher, const struct sam_data_key *key,
				 const uint8_t *frame, int enc)
{
	uint8_t key_id[SAM_SEAL_KEY_ID_LEN];
	int outl;

	put32(key_id, key->id);
	if (EVP_CipherInit_ex(cipher, NULL, NULL, key->key, frame + NONCE_OFFSET,
						  enc) != 1 ||
		EVP_CipherUpdate(cipher, NULL, &outl, frame, AAD_HEADER_LEN) != 1 ||
		EVP_CipherUpdate(cipher, NULL, &outl, key_id, sizeof(key_id)) != 1)
	{
		return SAM_E_CRYPTO;
	}
	return SAM_OK;
}

int sam_payload_encrypt(sam_ctx *ctx, uint8_t *frame, size_t len)
{
	struct sam_payload_crypt *pc = &ctx->crypt;
	const struct sam_data_key *key;
	uint8_t *field = frame + SAM_HEADER_SIZE;
	uint8_t *text = field + SAM_SEAL_KEY_ID_LEN;
	int outl, fin;

	if (!pc->nkeys)
	{
		return SAM_E_DATA_KEY;
	}
	key = &pc->keys[pc->nkeys - 1];
	put32(field, key->id);
	if (start(pc->cipher, key, frame, 1) != SAM_OK ||
		EVP_CipherUpdate(pc->cipher, text, &outl, text, (int)len) != 1 ||
		EVP_CipherFinal_ex(pc->cipher, text + outl, &fin) != 1 ||
		EVP_CIPHER_CTX_ctrl(pc->cipher, EVP_CTRL_GCM_GET_TAG,
							SAM_SEAL_TAG_LEN, text + len) != 1)
	{
		return SAM_E_CRYPTO;
	}
	return SAM_OK;
}

/** Decrypt under key; SAM_E_DECRYPT if the tag does not verify */
static int decrypt(EVP_CIPHER_CTX *cipher, const struct sam_data_key *key,
				   const struct sam_frame_hdr *hdr, const uint8_t *frame,
				   uint8_t *out)
{
	const uint8_t *text = frame + SAM_HEADER_SIZE + SAM_SEAL_KEY_ID_LEN;
	size_t len = (size_t)hdr->payload_len - SAM_SEAL_OVERHEAD;
	uint8_t tag[SAM_SEAL_TAG_LEN];
	int outl, fin;

	/* the tag is copied: EVP's ctrl takes a non-const pointer */
	memcpy(tag, text + len, sizeof(tag));
	if (start(cipher, key, frame, 0) != SAM_OK ||
		EVP_CipherUpdate(cipher, out, &outl, text, (int)len) != 1 ||
		EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_GCM_SET_TAG, sizeof(tag),
							tag) != 1)
	{
		return SAM_E_CRYPTO;
	}
	if (EVP_CipherFinal_ex(cipher, out + outl, &fin) != 1)
	{	/* a sender with the source's signing key but not this data key,
		 * or a corrupted frame that an authenticator let through */
		OPENSSL_cleanse(out, len);
		return SAM_E_DECRYPT;
	}
	return SAM_OK;
}

/**
 * The held key a frame's Key ID names; a key the group rotated to since
 * the keeper last looked is asked for as an unknown source is (the keeper
 * limits how often)
 */
static const struct sam_data_key *lookup(sam_ctx *ctx, const uint8_t *frame)
{
	uint32_t id = get32(frame + SAM_HEADER_SIZE);
	struct sam_data_key *key = find_key(ctx, id);

	if (!key && ctx->keeper && ctx->keeper->refresh(ctx, 1) == SAM_OK)
	{
		key = find_key(ctx, id);
	}
	return key;
}

int sam_payload_decrypt(sam_ctx *ctx, const struct sam_frame_hdr *hdr,
						const uint8_t *frame, uint8_t *out)
{
	const struct sam_data_key *key = lookup(ctx, frame);

	if (!key)
	{
		return SAM_E_DATA_KEY;
	}
	return decrypt(ctx->crypt.cipher, key, hdr, frame, out);
}

void sam_payload_release(sam_ctx *ctx)
{
	struct sam_payload_crypt *pc = &ctx->crypt;

	if (pc->plain_len)
	{
		OPENSSL_cleanse(pc->plain, pc->plain_len);
		pc->plain_len = 0;
	}
}

int sam_payload_open(sam_ctx *ctx, const struct sam_frame_hdr *hdr,
					 const uint8_t *frame, const uint8_t **payload,
					 size_t *len)
{
	struct sam_payload_crypt *pc = &ctx->crypt;
	const struct sam_data_key *key;
	int err;

	if (!(hdr->flags & SAM_FLAG_ENCRYPTED))
	{
		*payload = frame + SAM_HEADER_SIZE;
		*len = hdr->payload_len;
		return SAM_OK;
	}
	/* looked up first: the keeper may add the first key, and with it the
	 * buffer */
	key = lookup(ctx, frame);
	if (!key)
	{
		return SAM_E_DATA_KEY;
	}
	sam_payload_release(ctx);
	err = decrypt(pc->cipher, key, hdr, frame, pc->plain);
	if (err != SAM_OK)
	{
		return err;
	}
	pc->plain_len = (size_t)hdr->payload_len - SAM_SEAL_OVERHEAD;
	*payload = pc->plain;
	*len = pc->plain_len;
	return SAM_OK;
}
