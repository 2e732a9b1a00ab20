/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * Helpers shared by the plugin's unit test programs.
 */

#ifndef MIKE_TEST_UTIL_H_
#define MIKE_TEST_UTIL_H_

#include <check.h>
#include <string.h>
#include <library.h>

/**
 * Hex to chunk, allocated.  Fails the test on an odd number of digits or
 * a character that is not one (chunk_from_hex() would silently read
 * "abc" as 0a bc, shifting every byte of a vector).  In tests only.
 */
static inline chunk_t hex(const char *str)
{
	size_t len = strlen(str);

	ck_assert_msg(len % 2 == 0, "odd number of hex digits (%zu): %s",
				  len, str);
	ck_assert_msg(strspn(str, "0123456789abcdefABCDEF") == len,
				  "not a hex digit at %zu: %s",
				  strspn(str, "0123456789abcdefABCDEF"), str);
	return chunk_from_hex(chunk_from_str((char*)str), NULL);
}

/**
 * Assert two chunks are equal, printing both if not; two empty chunks are
 * equal whatever their pointers (chunk_equals() says no to NULL ones).
 */
#define ck_assert_chunk_eq(a, b) do { \
	chunk_t _a = (a), _b = (b); \
	ck_assert_msg(_a.len == _b.len && \
				  (!_a.len || memeq(_a.ptr, _b.ptr, _a.len)), \
				  "%B\n!=\n%B", &_a, &_b); \
} while (0)

#endif /* MIKE_TEST_UTIL_H_ */
