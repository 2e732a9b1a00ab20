/*
 * A sender's signed bootstrap (docs/sam-bootstrap.md): the envelope in
 * which a sender announces what receivers need before its first frame (a
 * TESLA key-chain commitment and interval schedule), signed with its SAM
 * key and carried through mike next to that key.
 */

#ifndef SAM_BOOTSTRAP_H_
#define SAM_BOOTSTRAP_H_

#include "common.h"

/** the envelope's version */
#define SAM_BOOTSTRAP_VERSION 1

/** version, scheme, reserved, session, source, issued, body length */
#define SAM_BOOTSTRAP_HEADER 22

/** the signature: Ed25519, or ECDSA P-256 as r || s */
#define SAM_BOOTSTRAP_SIG 64

/** what the signature covers first: the label, 16 bytes without a NUL */
#define SAM_BOOTSTRAP_LABEL "SAM bootstrap v1"
#define SAM_BOOTSTRAP_LABEL_LEN (sizeof(SAM_BOOTSTRAP_LABEL) - 1)

#endif /* SAM_BOOTSTRAP_H_ */
