/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_gsa_applier mike_gsa_applier
 * @{ @ingroup mike_member
 *
 * A member turns the GSA and KD payloads the GCKS built
 * (mike_gsa_builder) back into TEKs and a KEK.
 */

#ifndef MIKE_GSA_APPLIER_H_
#define MIKE_GSA_APPLIER_H_

#include "member/mike_member_group.h"
#include "payloads/gsa_payload.h"
#include "payloads/kd_payload.h"

/**
 * Take the TEKs and the KEK of a group from received payloads,
 * checking them against the group's configuration.
 *
 * On success the TEKs, the KEK and the rekey authentication of the group's
 * GSA are replaced, its Working Key Path updated with the received
 * WRAP_KEY attributes (or, if it has none yet, started from them) and the
 * rekey Message ID set if the GSA announces the initial one.  A GSA refused
 * leaves the group as it was; why it was refused is logged.
 *
 * @param group		the group
 * @param gsa		received GSA payload
 * @param kd		received KD payload
 * @param gsk_w		key wrap key
 * @return			SUCCESS; NOT_FOUND if the rekey SA's key is wrapped
 *					with a key tree key the member does not hold (it was
 *					excluded from the group, or missed a rekey); FAILED if
 *					the GSA is refused for another reason
 */
status_t mike_gsa_apply(mike_member_group_t *group, gsa_payload_t *gsa,
						kd_payload_t *kd, chunk_t gsk_w);

#endif /** MIKE_GSA_APPLIER_H_ @}*/
