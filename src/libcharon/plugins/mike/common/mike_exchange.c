/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "common/mike_exchange.h"
#include "common/mike_keywrap.h"
#include "payloads/gikev2_parser.h"

#include <daemon.h>
#include <encoding/payloads/unknown_payload.h>
#include <sa/ikev2/keymat_v2.h>

/*
 * Described in header
 */
payload_t *mike_exchange_find(message_t *message, payload_type_t type)
{
	enumerator_t *enumerator;
	payload_t *payload, *found = NULL;

	/* charon keeps payloads it does not know as unknown_payload_t, whose
	 * payload_t type is PL_UNKNOWN */
	enumerator = message->create_payload_enumerator(message);
	while (!found && enumerator->enumerate(enumerator, &payload))
	{
		if (payload->get_type(payload) == PL_UNKNOWN &&
			((unknown_payload_t*)payload)->get_type(
									(unknown_payload_t*)payload) == type)
		{
			found = payload;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/*
 * Described in header
 */
payload_t *mike_exchange_get(message_t *message, payload_type_t type,
							 bool *malformed)
{
	payload_t *payload, *parsed = NULL;

	payload = mike_exchange_find(message, type);
	if (payload)
	{
		parsed = gikev2_payload_from_unknown(payload);
		if (!parsed)
		{
			DBG1(DBG_IKE, "mike: received a malformed %s payload",
				 type == GIKEV2_PL_IDG ? "IDg" :
				 type == GIKEV2_PL_GSA ? "GSA" : "KD");
		}
	}
	if (malformed)
	{
		*malformed = payload && !parsed;
	}
	return parsed;
}

/*
 * Described in header
 */
idg_payload_t *mike_exchange_idg(char *name)
{
	identification_t *id;
	idg_payload_t *idg;

	id = identification_create_from_encoding(ID_KEY_ID, chunk_from_str(name));
	idg = idg_payload_create(id);
	id->destroy(id);
	return idg;
}

/*
 * Described in header
 */
bool mike_exchange_idg_name(idg_payload_t *idg, char *buf, size_t len)
{
	chunk_t name = idg->get_data(idg);

	/* a group name is printable and no longer than a settings key */
	if (!name.len || name.len >= len || !chunk_printable(name, NULL, 0))
	{
		return FALSE;
	}
	memcpy(buf, name.ptr, name.len);
	buf[name.len] = '\0';
	return TRUE;
}

/*
 * Described in header
 */
bool mike_exchange_gsk_w(ike_sa_t *ike_sa, chunk_t *gsk_w)
{
	keymat_v2_t *keymat = (keymat_v2_t*)ike_sa->get_keymat(ike_sa);
	pseudo_random_function_t prf_alg;
	chunk_t skd;

	if (ike_sa->get_version(ike_sa) != IKEV2)
	{
		return FALSE;
	}
	prf_alg = keymat->get_skd(keymat, &skd);
	return prf_alg != PRF_UNDEFINED &&
		   mike_keywrap_derive_gsk_w(prf_alg, skd, gsk_w);
}
