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
 * The most TEKs a member holds for a group: GSA_REKEYs add TEKs, and only
 * Delete payloads and lifetimes remove them, so a GCKS that never deletes
 * cannot grow a member's state without end; beyond it the member
 * registers again, which replaces them all.
 */
#define MIKE_MEMBER_MAX_TEKS 1024

/**
 * Take the TEKs and the KEK of a group from received payloads,
 * checking them against the group's configuration.
 *
 * At registration (and with a unicast push, which repeats the whole GSA)
 * the GSA must have a rekey SA; on success the TEKs, the KEK and the rekey
 * authentication of the group's GSA are replaced.  A GSA_REKEY (RFC 9838
 * 2.4.1) may carry a new rekey SA, new TEKs, both or neither: its TEKs are
 * added to the ones held (Delete payloads remove them, see
 * mike_member_rekey), a KEK policy with the current SPI changes nothing, a
 * new AUTH_KEY replaces the GCKS's key, a GCAUTH transform must name the
 * current method.  Either way the Working Key Path is updated with the
 * received WRAP_KEY attributes (or, if it has none yet, started from
 * them) and the rekey Message ID set if the GSA announces the initial one.
 * A GSA refused leaves the group as it was; why it was refused is logged.
 *
 * @param group		the group
 * @param gsa		received GSA payload (NULL in a GSA_REKEY without one)
 * @param kd		received KD payload (NULL in a GSA_REKEY without one)
 * @param gsk_w		key wrap key
 * @param rekey		TRUE for a GSA_REKEY, FALSE at registration
 * @return			SUCCESS; NOT_FOUND if the rekey SA's key is wrapped
 *					with a key tree key the member does not hold (it was
 *					excluded from the group, or missed a rekey); FAILED if
 *					the GSA is refused for another reason
 */
status_t mike_gsa_apply(mike_member_group_t *group, gsa_payload_t *gsa,
						kd_payload_t *kd, chunk_t gsk_w, bool rekey);

#endif /** MIKE_GSA_APPLIER_H_ @}*/
