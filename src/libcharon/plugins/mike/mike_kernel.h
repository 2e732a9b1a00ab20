/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_kernel mike_kernel
 * @{ @ingroup mike
 */

#ifndef MIKE_KERNEL_H_
#define MIKE_KERNEL_H_

#include "mike_group_config.h"
#include "mike_tek.h"

typedef struct mike_kernel_t mike_kernel_t;

/**
 * The multicast SAs and policies of one group on a member, installed
 * through charon's kernel interface (kernel-netlink on Linux).
 *
 * An inbound SA per sender TEK, with destination the group address and a
 * replay window (each sender has its own SA); an outbound SA with the own
 * TEK if this member sends; an out policy for the group's traffic when
 * sending; an in policy requiring ESP so that cleartext to the group is
 * dropped.  All SAs share one reqid so the one in policy covers every
 * sender.  SAs go in before policies: an out policy without its SA drops
 * traffic silently.
 */
struct mike_kernel_t {

	/**
	 * Install an inbound SA for a sender's TEK.
	 *
	 * @param tek		the sender's TEK
	 * @return			TRUE if installed
	 */
	bool (*add_inbound)(mike_kernel_t *this, mike_tek_t *tek);

	/**
	 * Install the outbound SA and the out policy with this member's TEK.
	 *
	 * @param tek		this member's TEK
	 * @param src		this member's address
	 * @return			TRUE if installed
	 */
	bool (*add_outbound)(mike_kernel_t *this, mike_tek_t *tek, host_t *src);

	/**
	 * Rekey: install the outbound SA of this member's new TEK beside the
	 * current one; the out policy moves to it with switch_outbound().
	 *
	 * @param tek		the new TEK
	 * @return			TRUE if installed
	 */
	bool (*add_next_outbound)(mike_kernel_t *this, mike_tek_t *tek);

	/**
	 * Rekey: move the out policy to the SA added by add_next_outbound().
	 *
	 * @param spi		its SPI
	 * @return			TRUE if moved
	 */
	bool (*switch_outbound)(mike_kernel_t *this, uint32_t spi);

	/**
	 * Rekey: remove an SA that is no longer used (inbound or a replaced
	 * outbound one).
	 *
	 * @param spi		its SPI
	 */
	void (*del_sa)(mike_kernel_t *this, uint32_t spi);

	/**
	 * Whether an SA with an SPI is installed.
	 */
	bool (*has_sa)(mike_kernel_t *this, uint32_t spi);

	/**
	 * Install the in policy that requires ESP for the group's traffic.
	 *
	 * @return			TRUE if installed
	 */
	bool (*add_in_policy)(mike_kernel_t *this);

	/**
	 * Number of installed inbound SAs.
	 */
	int (*get_inbound_count)(mike_kernel_t *this);

	/**
	 * Remove everything installed, policies first.
	 */
	void (*destroy)(mike_kernel_t *this);
};

/**
 * Prepare installing a group's SAs; allocates the reqid.
 *
 * @param cfg		the group's configuration (referenced, must outlive)
 * @return			the object, NULL if no reqid could be allocated
 */
mike_kernel_t *mike_kernel_create(mike_group_config_t *cfg);

#endif /** MIKE_KERNEL_H_ @}*/
