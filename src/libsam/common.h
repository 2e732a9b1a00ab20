/*
 * Internal header every libsam source file includes first.
 *
 * The library is built with -fvisibility=hidden; declaring the public API
 * under "visibility push(default)" makes exactly the functions of sam.h
 * exported from the shared object, without decorating sam.h itself (which
 * other projects include as-is).
 */

#ifndef SAM_COMMON_H_
#define SAM_COMMON_H_

#if defined(__GNUC__) && __GNUC__ >= 4
#pragma GCC visibility push(default)
#include "sam.h"
#pragma GCC visibility pop
#else
#include "sam.h"
#endif

/** number of elements of a static array */
#define SAM_COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

#endif /* SAM_COMMON_H_ */
