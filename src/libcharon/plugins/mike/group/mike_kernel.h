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

#include "common/mike_group_config.h"
#include "common/mike_tek.h"

typedef struct mike_kernel_t mike_kernel_t;
typedef struct mike_kernel_guard_t mike_kernel_guard_t;

/**
 * What a member group holds in the kernel for as long as it is loaded,
 * registered or not: the reqid its SAs and policies share and, with
 * fail_close, the policies that keep it closed while it has no keys.
 *
 * Fail-close is a block (DROP) out policy and the in policy requiring ESP,
 * with the group's selectors.  The out policy has a lower priority than
 * the ESP one a sender installs with its SA, so charon's kernel-netlink
 * installs the ESP policy while there is one and falls back to the block
 * policy the moment it goes (it keeps every policy of a selector and puts
 * the best one in the kernel): no cleartext datagram to the group leaves
 * the host before registration, between a leave and the next join, while
 * the registration IKE SA is re-established, or ever from a member that
 * only receives.  The in policy drops cleartext from the group's senders
 * (XfrmInTmplMismatch) whether or not there are SAs.
 */
struct mike_kernel_guard_t {

	/**
	 * The reqid of the group's SAs and policies.
	 */
	uint32_t (*get_reqid)(mike_kernel_guard_t *this);

	/**
	 * Remove the fail-close policies and release the reqid.
	 */
	void (*destroy)(mike_kernel_guard_t *this);
};

/**
 * Allocate a member group's reqid and, if its configuration says
 * fail_close, install the fail-close policies.
 *
 * @param cfg		the group's configuration (referenced, must outlive)
 * @return			the guard, NULL if no reqid could be allocated or the
 *					fail-close policies could not be installed
 */
mike_kernel_guard_t *mike_kernel_guard_create(mike_group_config_t *cfg);

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
 * Prepare installing a group's SAs.
 *
 * @param cfg		the group's configuration (referenced, must outlive)
 * @param reqid		the group's reqid (mike_kernel_guard_t)
 * @return			the object
 */
mike_kernel_t *mike_kernel_create(mike_group_config_t *cfg, uint32_t reqid);

#endif /** MIKE_KERNEL_H_ @}*/
