/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * Checks of a parsed control socket message, shared by the fuzz targets of
 * the parser (fuzz_mike_msg) and of the incremental reader
 * (fuzz_mike_msg_reader).
 */

#ifndef FUZZ_MSG_CHECK_H_
#define FUZZ_MSG_CHECK_H_

#include "control/mike_msg.h"

#include "fuzz_assert.h"

/**
 * Visit every node of a parsed message (names, values, parent links), look
 * a few paths up, and check that the message re-encodes to exactly the bytes
 * it was parsed from (the encoding is canonical).  Crashes on a broken
 * invariant.
 *
 * @param msg		parsed message
 * @param data		the bytes it was parsed from, length field included
 */
void fuzz_msg_check(mike_msg_t *msg, chunk_t data);

#endif /* FUZZ_MSG_CHECK_H_ */
