/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_registrations mike_registrations
 * @{ @ingroup mike
 */

#ifndef MIKE_REGISTRATIONS_H_
#define MIKE_REGISTRATIONS_H_

#include <library.h>

typedef struct mike_registrations_t mike_registrations_t;

/**
 * The registrations in progress of one role, one per IKE SA: what a
 * registration learnt in one message hook, kept for the next one (or for
 * authorize()).  A registration is taken out while it is worked on and put
 * back if it goes on, so no two threads work on the same one.  Thread-safe.
 */
struct mike_registrations_t {

	/**
	 * Put a registration in, destroying one the IKE SA had.
	 *
	 * @param ike_sa_id	unique ID of the IKE SA
	 * @param reg		the registration (owned)
	 */
	void (*put)(mike_registrations_t *this, uint32_t ike_sa_id, void *reg);

	/**
	 * Take the registration of an IKE SA out.
	 *
	 * @param ike_sa_id	unique ID of the IKE SA
	 * @return			the registration (the caller owns it), NULL if none
	 */
	void *(*take)(mike_registrations_t *this, uint32_t ike_sa_id);

	/**
	 * Destroy the registrations left and the table.
	 */
	void (*destroy)(mike_registrations_t *this);
};

/**
 * Create an empty table.
 *
 * @param destroy	destroys a registration
 * @return			table
 */
mike_registrations_t *mike_registrations_create(void (*destroy)(void *reg));

#endif /** MIKE_REGISTRATIONS_H_ @}*/
