/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_gsa mike_gsa
 * @{ @ingroup mike
 *
 * The group SA as G-IKEv2 payloads: the GCKS turns its keys into a GSA
 * payload (policies) and a KD payload (wrapped keys); a member turns them
 * back into TEKs and a KEK.
 */

#ifndef MIKE_GSA_H_
#define MIKE_GSA_H_

#include "mike_group.h"
#include "payloads/gsa_payload.h"
#include "payloads/kd_payload.h"

/**
 * GCKS: the GSA and KD payloads of a group, keys wrapped with gsk_w.
 *
 * @param group		the group, with its KEK and TEKs
 * @param gsk_w		key wrap key
 * @param gsa		the GSA payload
 * @param kd		the KD payload
 * @return			TRUE if built
 */
bool mike_gsa_build(mike_group_t *group, chunk_t gsk_w, gsa_payload_t **gsa,
					kd_payload_t **kd);

/**
 * Member: take the TEKs and the KEK of a group from received payloads,
 * checking them against the group's configuration.
 *
 * On success the group's teks, kek_spi and kek_keymat are replaced.
 *
 * @param group		the group
 * @param gsa		received GSA payload
 * @param kd		received KD payload
 * @param gsk_w		key wrap key
 * @return			NULL on success, otherwise why the GSA was refused
 */
char *mike_gsa_apply(mike_group_t *group, gsa_payload_t *gsa, kd_payload_t *kd,
					 chunk_t gsk_w);

#endif /** MIKE_GSA_H_ @}*/
