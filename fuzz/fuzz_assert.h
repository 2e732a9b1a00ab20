/*
 * The invariant check of all fuzz targets.
 */

#ifndef FUZZ_ASSERT_H_
#define FUZZ_ASSERT_H_

#include <stdio.h>

/** Crash (a finding) if cond does not hold: a broken library invariant;
 *  says which, since a trap alone leaves only a stack trace */
#define FUZZ_ASSERT(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", \
					__FILE__, __LINE__, #cond); \
			__builtin_trap(); \
		} \
	} while (0)

#endif /* FUZZ_ASSERT_H_ */
