/*
 * The table of known schemes and their names.
 */

#include <string.h>

#include "scheme.h"

static const struct sam_scheme_ops *const schemes[] = {
	&sam_scheme_hmac_sha256,
	&sam_scheme_ed25519,
	&sam_scheme_ecdsa_p256,
	&sam_scheme_ed25519_oo,
	&sam_scheme_hybrid,
	&sam_scheme_tree,
	&sam_scheme_tesla,
};

const struct sam_scheme_ops *sam_scheme_get(unsigned int id)
{
	size_t i;

	for (i = 0; i < SAM_COUNTOF(schemes); i++)
	{
		if ((unsigned int)schemes[i]->id == id)
		{
			return schemes[i];
		}
	}
	return NULL;
}

int sam_scheme_wire_known(unsigned int wire_id)
{
	size_t i;

	for (i = 0; i < SAM_COUNTOF(schemes); i++)
	{
		if ((unsigned int)schemes[i]->wire_id == wire_id)
		{
			return 1;
		}
	}
	return 0;
}

unsigned int sam_scheme_wire_id(sam_scheme scheme)
{
	const struct sam_scheme_ops *ops = sam_scheme_get(scheme);

	return ops ? ops->wire_id : 0;
}

sam_auth sam_scheme_auth(sam_scheme scheme)
{
	const struct sam_scheme_ops *ops = sam_scheme_get(scheme);

	return ops ? ops->auth : (sam_auth)0;
}

const char *sam_scheme_name(sam_scheme scheme)
{
	const struct sam_scheme_ops *ops = sam_scheme_get(scheme);

	return ops ? ops->name : NULL;
}

int sam_scheme_from_name(const char *name, sam_scheme *scheme)
{
	size_t i;

	if (!name || !scheme)
	{
		return SAM_E_SCHEME;
	}
	for (i = 0; i < SAM_COUNTOF(schemes); i++)
	{
		if (strcmp(schemes[i]->name, name) == 0)
		{
			*scheme = schemes[i]->id;
			return SAM_OK;
		}
	}
	return SAM_E_SCHEME;
}
