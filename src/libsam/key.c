/*
 * sam_key: Ed25519 / EC P-256 key pairs as EVP_PKEY, group MAC secrets as
 * bytes, and their PEM forms: PKCS#8 "PRIVATE KEY", SubjectPublicKeyInfo
 * "PUBLIC KEY", and "SAM GROUP KEY" for the secret.
 */

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "key.h"
#include "scheme.h"

#define PEM_GROUP_KEY "SAM GROUP KEY"

/* a key file is a few hundred bytes; refuse to slurp anything huge */
#define PEM_FILE_MAX (64 * 1024)

static sam_key *key_alloc(void)
{
	return OPENSSL_zalloc(sizeof(sam_key));
}

void sam_key_copy(struct sam_key *dst, const struct sam_key *src)
{
	*dst = *src;
	if (dst->pkey)
	{
		EVP_PKEY_up_ref(dst->pkey);
	}
}

void sam_key_clear(struct sam_key *key)
{
	EVP_PKEY_free(key->pkey);
	OPENSSL_cleanse(key, sizeof(*key));
}

void sam_key_free(sam_key *key)
{
	if (key)
	{
		sam_key_clear(key);
		OPENSSL_free(key);
	}
}

/**
 * Which scheme an EVP_PKEY belongs to: Ed25519 or EC on P-256; anything
 * else (RSA, P-384, X25519, ...) cannot be used.
 */
static int pkey_scheme(EVP_PKEY *pkey, sam_scheme *scheme)
{
	char group[64];
	size_t glen = 0;

	if (EVP_PKEY_is_a(pkey, "ED25519"))
	{
		*scheme = SAM_SCHEME_ED25519;
		return SAM_OK;
	}
	if (EVP_PKEY_is_a(pkey, "EC") &&
		EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
									   group, sizeof(group), &glen) == 1 &&
		(strcasecmp(group, "prime256v1") == 0 ||
		 strcasecmp(group, "P-256") == 0 ||
		 strcasecmp(group, "secp256r1") == 0))
	{
		*scheme = SAM_SCHEME_ECDSA_P256;
		return SAM_OK;
	}
	return SAM_E_KEY;
}

/** Wrap pkey (taking ownership) into a new sam_key */
static int key_from_pkey(EVP_PKEY *pkey, int can_sign, sam_key **out)
{
	sam_scheme scheme;
	sam_key *key;

	if (pkey_scheme(pkey, &scheme) != SAM_OK)
	{
		EVP_PKEY_free(pkey);
		return SAM_E_KEY;
	}
	key = key_alloc();
	if (!key)
	{
		EVP_PKEY_free(pkey);
		return SAM_E_NOMEM;
	}
	key->scheme = scheme;
	key->pkey = pkey;
	key->can_sign = can_sign;
	*out = key;
	return SAM_OK;
}

int sam_key_generate(sam_scheme scheme, sam_key **key)
{
	const struct sam_scheme_ops *ops = sam_scheme_get(scheme);
	sam_key *k;
	int err;

	if (!key)
	{
		return SAM_E_INVAL;
	}
	if (!ops)
	{
		return SAM_E_SCHEME;
	}
	k = key_alloc();
	if (!k)
	{
		return SAM_E_NOMEM;
	}
	err = ops->generate(k);
	if (err != SAM_OK)
	{
		sam_key_free(k);
		return err;
	}
	/* schemes sharing a kind of key share its generator */
	k->scheme = scheme;
	*key = k;
	return SAM_OK;
}

/** The kind of key a sam_key holds */
static enum sam_key_kind key_kind(const struct sam_key *key)
{
	const struct sam_scheme_ops *ops = sam_scheme_get(key->scheme);

	return ops ? ops->key_kind : SAM_KEY_SECRET;
}

int sam_key_set_scheme(sam_key *key, sam_scheme scheme)
{
	const struct sam_scheme_ops *ops = sam_scheme_get(scheme);

	if (!key)
	{
		return SAM_E_INVAL;
	}
	if (!ops || ops->key_kind != key_kind(key))
	{
		return SAM_E_KEY;
	}
	key->scheme = scheme;
	return SAM_OK;
}

int sam_key_from_secret(const uint8_t *secret, size_t len, sam_key **key)
{
	sam_key *k;

	if (!secret || !key)
	{
		return SAM_E_INVAL;
	}
	if (len < SAM_SECRET_MIN || len > SAM_SECRET_MAX)
	{
		return SAM_E_KEY;
	}
	k = key_alloc();
	if (!k)
	{
		return SAM_E_NOMEM;
	}
	k->scheme = SAM_SCHEME_HMAC_SHA256;
	k->can_sign = 1;
	memcpy(k->secret, secret, len);
	k->secret_len = len;
	*key = k;
	return SAM_OK;
}

/** Decode one PEM block given its label and DER body */
/**
 * An EC private key file carries the public point beside the scalar; if
 * they disagree, every frame signed with it fails under the public key
 * handed to receivers.  Refuse such a key here, where the reason is known.
 */
static int private_key_consistent(EVP_PKEY *pkey)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	int ok = ctx && EVP_PKEY_pairwise_check(ctx) == 1;

	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

static int key_from_block(const char *name, const uint8_t *data, long dlen,
						  sam_key **key)
{
	const uint8_t *p = data;
	EVP_PKEY *pkey;

	if (strcmp(name, PEM_GROUP_KEY) == 0)
	{
		return sam_key_from_secret(data, (size_t)dlen, key);
	}
	if (strcmp(name, PEM_STRING_PUBLIC) == 0)
	{
		pkey = d2i_PUBKEY(NULL, &p, dlen);
		if (!pkey || p != data + dlen)
		{
			EVP_PKEY_free(pkey);
			return SAM_E_KEY;
		}
		return key_from_pkey(pkey, 0, key);
	}
	/* "PRIVATE KEY" (PKCS#8) or a traditional "EC PRIVATE KEY", ...;
	 * an encrypted PKCS#8 key needs a passphrase we don't have */
	if (strcmp(name, PEM_STRING_PKCS8INF) == 0 ||
		strcmp(name, PEM_STRING_ECPRIVATEKEY) == 0 ||
		strcmp(name, PEM_STRING_RSA) == 0)
	{
		pkey = d2i_AutoPrivateKey(NULL, &p, dlen);
		if (!pkey || !private_key_consistent(pkey))
		{
			EVP_PKEY_free(pkey);
			return SAM_E_KEY;
		}
		return key_from_pkey(pkey, 1, key);
	}
	return SAM_E_KEY;
}

int sam_key_from_pem(const char *pem, size_t len, sam_key **key)
{
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long dlen = 0;
	BIO *bio;
	int err = SAM_E_KEY;

	if (!pem || !key)
	{
		return SAM_E_INVAL;
	}
	if (len > INT_MAX)
	{
		return SAM_E_KEY;
	}
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
	{
		return SAM_E_NOMEM;
	}
	/* the first block that is not a parameter block ("openssl ecparam
	 * -genkey" writes EC PARAMETERS before the key) */
	while (PEM_read_bio(bio, &name, &header, &data, &dlen) == 1)
	{
		if (strcmp(name, PEM_STRING_ECPARAMETERS) != 0)
		{
			/* encrypted traditional keys carry Proc-Type headers */
			if (header && header[0])
			{
				err = SAM_E_KEY;
			}
			else
			{
				err = key_from_block(name, data, dlen, key);
			}
			break;
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_clear_free(data, (size_t)dlen);
		name = header = NULL;
		data = NULL;
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	if (data)
	{
		OPENSSL_clear_free(data, (size_t)dlen);
	}
	BIO_free(bio);
	ERR_clear_error();
	return err;
}

int sam_key_load(const char *path, sam_key **key)
{
	char *buf;
	size_t len;
	FILE *f;
	int err;

	if (!path || !key)
	{
		return SAM_E_INVAL;
	}
	f = fopen(path, "rb");
	if (!f)
	{
		return SAM_E_IO;
	}
	buf = OPENSSL_malloc(PEM_FILE_MAX);
	if (!buf)
	{
		fclose(f);
		return SAM_E_NOMEM;
	}
	len = fread(buf, 1, PEM_FILE_MAX, f);
	if (ferror(f))
	{
		err = SAM_E_IO;
	}
	else if (len == PEM_FILE_MAX)
	{
		err = SAM_E_KEY;
	}
	else
	{
		err = sam_key_from_pem(buf, len, key);
	}
	fclose(f);
	OPENSSL_clear_free(buf, PEM_FILE_MAX);
	return err;
}

ssize_t sam_key_to_pem(const sam_key *key, int private_part, char *buf,
					   size_t len)
{
	BUF_MEM *mem = NULL;
	BIO *bio;
	ssize_t ret;
	int ok;

	if (!key || !buf)
	{
		return SAM_E_INVAL;
	}
	if (private_part && !key->can_sign)
	{
		return SAM_E_KEY;
	}
	if (!private_part && !key->pkey)
	{
		/* a group secret has no public half */
		return SAM_E_KEY;
	}
	/* secure heap BIO: the private key text is wiped when freed */
	bio = BIO_new(private_part ? BIO_s_secmem() : BIO_s_mem());
	if (!bio)
	{
		return SAM_E_NOMEM;
	}
	if (!key->pkey)
	{
		ok = PEM_write_bio(bio, PEM_GROUP_KEY, "", key->secret,
						   (long)key->secret_len) > 0;
	}
	else if (private_part)
	{
		ok = PEM_write_bio_PKCS8PrivateKey(bio, key->pkey, NULL, NULL, 0,
										   NULL, NULL) == 1;
	}
	else
	{
		ok = PEM_write_bio_PUBKEY(bio, key->pkey) == 1;
	}
	if (!ok || BIO_get_mem_ptr(bio, &mem) != 1 || !mem)
	{
		ret = SAM_E_CRYPTO;
	}
	else if (mem->length >= len)
	{
		ret = SAM_E_BUFSIZE;
	}
	else
	{
		memcpy(buf, mem->data, mem->length);
		buf[mem->length] = '\0';
		ret = (ssize_t)mem->length;
	}
	BIO_free(bio);
	ERR_clear_error();
	return ret;
}

sam_scheme sam_key_scheme(const sam_key *key)
{
	return key ? key->scheme : (sam_scheme)0;
}

int sam_key_can_sign(const sam_key *key)
{
	return key ? key->can_sign : 0;
}
