/*
 * Human readable error messages.
 */

#include "common.h"

const char *sam_strerror(int err)
{
	switch (err)
	{
		case SAM_OK:
			return "success";
		case SAM_E_INVAL:
			return "invalid argument";
		case SAM_E_NOMEM:
			return "out of memory";
		case SAM_E_IO:
			return "I/O error";
		case SAM_E_BUFSIZE:
			return "buffer too small";
		case SAM_E_TOOBIG:
			return "payload too big for one frame";
		case SAM_E_MALFORMED:
			return "truncated or malformed frame";
		case SAM_E_VERSION:
			return "unsupported frame version";
		case SAM_E_SCHEME:
			return "unsupported or mismatched scheme";
		case SAM_E_SESSION:
			return "wrong session";
		case SAM_E_UNKNOWN_SOURCE:
			return "unknown source";
		case SAM_E_BAD_AUTH:
			return "bad authenticator";
		case SAM_E_REPLAY:
			return "replayed frame";
		case SAM_E_TOO_OLD:
			return "frame older than the replay window";
		case SAM_E_KEY:
			return "unusable key";
		case SAM_E_NOKEY:
			return "no signing key or source id set";
		case SAM_E_EXISTS:
			return "source already registered";
		case SAM_E_SEQ_EXHAUSTED:
			return "sequence numbers exhausted";
		case SAM_E_CRYPTO:
			return "crypto library failure";
		case SAM_E_NOSESSION:
			return "no session id set";
		case SAM_E_BUDGET:
			return "the source's pending budget is full";
		case SAM_E_PRECOMPUTE:
			return "no precomputed signing values left";
		case SAM_E_KEY_USED:
			return "one-time key used twice";
		case SAM_E_EXPIRED:
			return "pending frame expired";
		case SAM_E_ATTACH:
			return "no keys from the mike plugin";
		case SAM_E_DENIED:
			return "the mike plugin denied the keys";
		case SAM_E_DATA_KEY:
			return "no data key for the frame or to seal with";
		case SAM_E_CLEARTEXT:
			return "unencrypted frame, encryption required";
		case SAM_E_DECRYPT:
			return "payload does not decrypt under its data key";
		case SAM_E_UNSAFE:
			return "the frame arrived after its key may have been disclosed "
				   "(TESLA safety condition)";
		case SAM_E_KEY_EXPIRED:
			return "the TESLA key chain is used up";
		case SAM_E_STALE:
			return "the bootstrap is not newer than the one applied for its "
				   "source (a replayed old bootstrap)";
		case SAM_E_BEHIND:
			return "the disclosed TESLA key is too far ahead to check now "
				   "(catching up from the sender's next bootstrap)";
		case SAM_PENDING:
			return "pending";
		case SAM_BOOTSTRAP:
			return "bootstrap frame taken";
		default:
			return "unknown error";
	}
}
