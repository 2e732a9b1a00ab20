/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_registrar mike_registrar
 * @{ @ingroup mike
 */

#ifndef MIKE_REGISTRAR_H_
#define MIKE_REGISTRAR_H_

#include <library.h>

typedef struct mike_registrar_t mike_registrar_t;

/**
 * What the rekey logic (mike_rekey) needs from group registration: an
 * exchange over a member's IKE SA, and dropping members that did not come
 * back.
 *
 * The rekey logic only knows this interface; the registration listener
 * (mike_listener) implements it and creates the rekey logic with it, so the
 * dependency runs one way: listener -> rekey -> registrar.  A unit test can
 * drive the rekey logic with a registrar of its own.
 *
 * None of the methods is to be called with the group store locked: they
 * check IKE SAs out, or lock the store themselves.
 */
struct mike_registrar_t {

	/**
	 * GCKS: push a group's GSA to a member over its IKE SA (unicast
	 * rekeying), without waiting.
	 *
	 * @param ike_sa_id	unique ID of the member's IKE SA
	 * @param name		group name
	 * @return			TRUE if the exchange was started
	 */
	bool (*push_over)(mike_registrar_t *this, uint32_t ike_sa_id, char *name);

	/**
	 * Member: register a group again over an established IKE SA (an
	 * INFORMATIONAL exchange, after a missed rekey), without waiting for
	 * the outcome.
	 *
	 * @param ike_sa_id	unique ID of the IKE SA
	 * @param name		group name
	 * @return			TRUE if the exchange was started
	 */
	bool (*register_over)(mike_registrar_t *this, uint32_t ike_sa_id,
						  char *name);

	/**
	 * GCKS: drop the members restored from the state store that have not
	 * registered again since (rejoin_timeout), with the usual rekey.
	 *
	 * @param name		group name
	 * @return			memberships removed
	 */
	int (*drop_dormant)(mike_registrar_t *this, char *name);
};

#endif /** MIKE_REGISTRAR_H_ @}*/
