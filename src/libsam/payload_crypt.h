/*
 * Payload encryption: the data keys of a context and the AES-256-GCM
 * sealing of a frame's payload field under them (docs/sam-frame-format.md,
 * "Encrypted payloads").
 *
 * Encryption is a layer between the application and the scheme: sealing
 * encrypts the payload first and the scheme then authenticates the frame
 * as sent; opening decrypts only what the scheme found authentic.  A
 * receiver without the data key so still verifies the source, and no
 * ciphertext of a forger ever reaches the cipher.
 */

#ifndef SAM_PAYLOAD_CRYPT_H_
#define SAM_PAYLOAD_CRYPT_H_

#include <openssl/evp.h>

#include "common.h"

struct sam_frame_hdr;

/** Header flag: the payload field is Key ID || ciphertext || tag */
#define SAM_FLAG_ENCRYPTED 0x0001

/** Bytes of the Key ID that starts an encrypted payload field */
#define SAM_SEAL_KEY_ID_LEN 4

/** Bytes of the GCM tag that ends it */
#define SAM_SEAL_TAG_LEN 16

/** A data key and the id frames name it by */
struct sam_data_key {
	uint32_t id;
	uint8_t key[SAM_DATA_KEY_SIZE];
};

/** What a context holds for payload encryption */
struct sam_payload_crypt {
	/** oldest added first; the last one seals */
	struct sam_data_key keys[SAM_MAX_DATA_KEYS];
	size_t nkeys;
	/** reject cleartext frames, refuse to seal without a key */
	int required;
	/** AES-256-GCM, set up with the first key, reused for every frame */
	EVP_CIPHER_CTX *cipher;
	/** the plaintext of the last frame sam_open() decrypted, SAM_MAX_FRAME
	 *  bytes, allocated with the first key */
	uint8_t *plain;
	/** its length, wiped at the next decryption or sam_ctx_free() */
	size_t plain_len;
};

/** Free what the context holds for encryption, wiping keys and plaintext */
void sam_payload_crypt_clear(sam_ctx *ctx);

/**
 * Bytes encryption adds to the next sealed frame's payload.
 *
 * @return			SAM_SEAL_OVERHEAD if the context holds a data key, 0 if
 *					it holds none, SAM_E_DATA_KEY if it holds none but
 *					encryption is required
 */
int sam_payload_overhead(const sam_ctx *ctx);

/**
 * Encrypt a frame's payload in place under the sealing key: the header
 * (encoded, with SAM_FLAG_ENCRYPTED and the Payload Length of the
 * encrypted field) is at frame, the plaintext of len bytes at
 * frame + SAM_HEADER_SIZE + SAM_SEAL_KEY_ID_LEN; Key ID, ciphertext and
 * tag are written around it.
 */
int sam_payload_encrypt(sam_ctx *ctx, uint8_t *frame, size_t len);

/**
 * Decrypt the payload field of an authentic, encrypted frame into out
 * (room for Payload Length - SAM_SEAL_OVERHEAD bytes; may be the
 * ciphertext's own place, frame + SAM_HEADER_SIZE + SAM_SEAL_KEY_ID_LEN).
 * A key id the context does not hold makes it ask the keeper once, as an
 * unknown source does: the sources may have changed when it returns.
 *
 * @return			SAM_OK, SAM_E_DATA_KEY, SAM_E_DECRYPT or SAM_E_CRYPTO
 */
int sam_payload_decrypt(sam_ctx *ctx, const struct sam_frame_hdr *hdr,
						const uint8_t *frame, uint8_t *out);

/** Wipe the plaintext sam_payload_open() handed out last: it is valid
 *  until the next sam_open(), sam_next_authentic(), sam_readfrom() */
void sam_payload_release(sam_ctx *ctx);

/**
 * Open the payload of an authentic frame: a cleartext one as it is in the
 * frame, an encrypted one decrypted into the context's plaintext buffer
 * (sam_payload_decrypt(), with its keeper call).
 *
 * @param payload	the plaintext
 * @param len		its length
 */
int sam_payload_open(sam_ctx *ctx, const struct sam_frame_hdr *hdr,
					 const uint8_t *frame, const uint8_t **payload,
					 size_t *len);

#endif /* SAM_PAYLOAD_CRYPT_H_ */
