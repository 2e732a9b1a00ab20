/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "gikev2_parser.h"
#include "idg_payload.h"
#include "gsa_payload.h"
#include "kd_payload.h"

#include <encoding/payloads/unknown_payload.h>
#include <utils/debug.h>

/*
 * Described in header
 */
payload_t *gikev2_payload_parse(payload_type_t type, chunk_t body)
{
	idg_payload_t *idg;
	gsa_payload_t *gsa;
	kd_payload_t *kd;

	switch ((int)type)
	{
		case GIKEV2_PL_IDG:
			idg = idg_payload_create_from_data(body);
			return idg ? &idg->payload_interface : NULL;
		case GIKEV2_PL_GSA:
			gsa = gsa_payload_create_from_data(body);
			return gsa ? &gsa->payload_interface : NULL;
		case GIKEV2_PL_KD:
			kd = kd_payload_create_from_data(body);
			return kd ? &kd->payload_interface : NULL;
		default:
			DBG1(DBG_ENC, "G-IKEv2: payload type %d is not IDg, GSA or KD",
				 type);
			return NULL;
	}
}

/*
 * Described in header
 */
payload_t *gikev2_payload_from_unknown(payload_t *payload)
{
	unknown_payload_t *unknown;

	if (payload->get_type(payload) != PL_UNKNOWN)
	{
		return NULL;
	}
	unknown = (unknown_payload_t*)payload;
	return gikev2_payload_parse(unknown->get_type(unknown),
								unknown->get_data(unknown));
}

/*
 * Described in header
 */
chunk_t gikev2_payload_get_body(payload_t *payload)
{
	switch ((int)payload->get_type(payload))
	{
		case GIKEV2_PL_IDG:
			return ((idg_payload_t*)payload)->get_body((idg_payload_t*)payload);
		case GIKEV2_PL_GSA:
			return ((gsa_payload_t*)payload)->get_body((gsa_payload_t*)payload);
		case GIKEV2_PL_KD:
			return ((kd_payload_t*)payload)->get_body((kd_payload_t*)payload);
		default:
			return chunk_empty;
	}
}
