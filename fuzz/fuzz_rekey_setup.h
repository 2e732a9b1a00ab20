/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * What the GSA_REKEY fuzz targets share: a quiet libstrongswan with the
 * openssl plugin, and the unit tests' vector of rekey SA and GCKS: SPI
 * 00..0f, GSK_e 40..63 (an AES-256 key and a 4-byte salt; its first 19
 * bytes serve AES-CCM-128), the Ed25519 key of RFC 8032 7.1 TEST 1.
 */

#ifndef FUZZ_REKEY_SETUP_H_
#define FUZZ_REKEY_SETUP_H_

#include <library.h>
#include <credentials/keys/private_key.h>

/**
 * Initialize the library and make the vector's SPI, GSK_e and GCKS key;
 * exits if that fails.
 *
 * @param name		the target's name, for library_init()
 * @param spi		rekey SA SPI
 * @param gsk_e		GSK_e
 * @param gcks		GCKS key
 */
void fuzz_rekey_setup(char *name, chunk_t *spi, chunk_t *gsk_e,
					  private_key_t **gcks);

#endif /* FUZZ_REKEY_SETUP_H_ */
