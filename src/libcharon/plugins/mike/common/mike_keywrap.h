/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_keywrap mike_keywrap
 * @{ @ingroup mike
 *
 * Key wrapping of G-IKEv2 (RFC 9838 section 4.5.3): AES Key Wrap with
 * Padding (RFC 5649), and the default key wrap key GSK_w of a registration
 * IKE SA.
 */

#ifndef MIKE_KEYWRAP_H_
#define MIKE_KEYWRAP_H_

#include <library.h>
#include <crypto/prfs/prf.h>

/**
 * Size of the key wrap keys mike uses: AES-256 Key Wrap with Padding, the
 * Key Wrap Algorithm transform ID 3 (KW_5649_256).  Stock charon cannot
 * negotiate the Key Wrap Algorithm transform in IKE_SA_INIT, so this is the
 * fixed algorithm of the registration SA (docs/g-ikev2-registration.md).
 */
#define MIKE_KWK_SIZE 32

/**
 * Derive the default KWK of a unicast IKE SA:
 * GSK_w = prf+(SK_d, "Key Wrap for G-IKEv2").
 *
 * @param prf_alg	the IKE SA's PRF
 * @param sk_d		the IKE SA's SK_d
 * @param gsk_w		allocated key of MIKE_KWK_SIZE bytes
 * @return			TRUE if derived
 */
bool mike_keywrap_derive_gsk_w(pseudo_random_function_t prf_alg, chunk_t sk_d,
							   chunk_t *gsk_w);

/**
 * Wrap a key with AES Key Wrap with Padding (RFC 5649).
 *
 * @param kwk		key wrap key, 16, 24 or 32 bytes
 * @param key		key to wrap, 1 to 65536 bytes
 * @param wrapped	allocated wrapped key (8 bytes longer, padded to 8)
 * @return			TRUE if wrapped
 */
bool mike_keywrap_wrap(chunk_t kwk, chunk_t key, chunk_t *wrapped);

/**
 * Unwrap a key wrapped by mike_keywrap_wrap().
 *
 * The integrity check of RFC 5649 fails for a wrong key or altered data.
 *
 * @param kwk		key wrap key
 * @param wrapped	wrapped key
 * @param key		allocated unwrapped key (wipe it after use)
 * @return			TRUE if the integrity check passed
 */
bool mike_keywrap_unwrap(chunk_t kwk, chunk_t wrapped, chunk_t *key);

#endif /** MIKE_KEYWRAP_H_ @}*/
