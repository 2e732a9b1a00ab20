/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "mike_kernel.h"

#include <daemon.h>

/** replay window of the per-sender inbound SAs */
#define REPLAY_WINDOW 128

typedef struct private_mike_kernel_t private_mike_kernel_t;

/**
 * Private data of a mike_kernel_t object.
 */
struct private_mike_kernel_t {

	/**
	 * Public interface.
	 */
	mike_kernel_t public;

	/**
	 * The group's configuration.
	 */
	mike_group_config_t *cfg;

	/**
	 * reqid shared by the group's SAs and policies.
	 */
	uint32_t reqid;

	/**
	 * Any source (of the group's family), the source of inbound SAs.
	 */
	host_t *any;

	/**
	 * Traffic selectors: any source, the group as destination.
	 */
	traffic_selector_t *src_ts, *dst_ts;

	/**
	 * SPIs of installed inbound SAs, uintptr_t.
	 */
	linked_list_t *inbound;

	/**
	 * Outbound SA, if installed.
	 */
	uint32_t out_spi;

	/**
	 * Source address of the outbound SA.
	 */
	host_t *out_src;

	/**
	 * Outbound SAs installed for rollover but not (or no longer) the out
	 * policy's, uintptr_t SPIs.
	 */
	linked_list_t *other_out;

	/**
	 * Whether the in policy is installed.
	 */
	bool in_policy;
};

/**
 * The traffic selectors as the lists add_sa() takes (not owning them)
 */
static void ts_lists(private_mike_kernel_t *this, linked_list_t **src,
					 linked_list_t **dst)
{
	*src = linked_list_create_with_items(this->src_ts, NULL);
	*dst = linked_list_create_with_items(this->dst_ts, NULL);
}

/**
 * Install one SA with a TEK
 */
static bool add_sa(private_mike_kernel_t *this, mike_tek_t *tek, host_t *src,
				   bool inbound)
{
	linked_list_t *src_ts, *dst_ts;
	lifetime_cfg_t lifetime = {
		.time = {
			.life = tek->lifetime,
		},
	};
	kernel_ipsec_sa_id_t id = {
		.src = src,
		.dst = this->cfg->address,
		.spi = htonl(tek->spi),
		.proto = IPPROTO_ESP,
	};
	kernel_ipsec_add_sa_t sa = {
		.reqid = this->reqid,
		.mode = this->cfg->mode,
		.lifetime = &lifetime,
		.enc_alg = tek->enc_alg,
		.enc_key = tek->get_enc_key(tek),
		.int_alg = tek->int_alg,
		.int_key = tek->get_int_key(tek),
		/* one sender per SA: its sequence numbers are monotonic */
		.replay_window = inbound ? REPLAY_WINDOW : 0,
		.esn = FALSE,
		.inbound = inbound,
		.initiator = !inbound,
	};
	status_t status;

	ts_lists(this, &src_ts, &dst_ts);
	sa.src_ts = src_ts;
	sa.dst_ts = dst_ts;
	status = charon->kernel->add_sa(charon->kernel, &id, &sa);
	src_ts->destroy(src_ts);
	dst_ts->destroy(dst_ts);
	if (status != SUCCESS)
	{
		DBG1(DBG_KNL, "mike: group '%s': installing %s SA with SPI %.8x "
			 "failed", this->cfg->name, inbound ? "inbound" : "outbound",
			 tek->spi);
		return FALSE;
	}
	DBG2(DBG_KNL, "mike: group '%s': installed %s SA with SPI %.8x",
		 this->cfg->name, inbound ? "inbound" : "outbound", tek->spi);
	return TRUE;
}

/**
 * Remove one SA
 */
static void del_sa(private_mike_kernel_t *this, host_t *src, uint32_t spi)
{
	kernel_ipsec_sa_id_t id = {
		.src = src,
		.dst = this->cfg->address,
		.spi = htonl(spi),
		.proto = IPPROTO_ESP,
	};
	kernel_ipsec_del_sa_t sa = {};

	if (charon->kernel->del_sa(charon->kernel, &id, &sa) != SUCCESS)
	{
		DBG1(DBG_KNL, "mike: group '%s': removing SA with SPI %.8x failed",
			 this->cfg->name, spi);
	}
}

/**
 * Add or remove a policy for the group's traffic
 */
static bool manage_policy(private_mike_kernel_t *this, policy_dir_t dir,
						  host_t *src, uint32_t spi, bool add)
{
	ipsec_sa_cfg_t sa = {
		.mode = this->cfg->mode,
		.reqid = this->reqid,
		.esp = {
			.use = TRUE,
			.spi = htonl(spi),
		},
	};
	kernel_ipsec_policy_id_t id = {
		.dir = dir,
		.src_ts = this->src_ts,
		.dst_ts = this->dst_ts,
	};
	kernel_ipsec_manage_policy_t policy = {
		.type = POLICY_IPSEC,
		.prio = POLICY_PRIORITY_DEFAULT,
		.src = src,
		.dst = this->cfg->address,
		.sa = &sa,
	};
	status_t status;

	if (add)
	{
		status = charon->kernel->add_policy(charon->kernel, &id, &policy);
	}
	else
	{
		status = charon->kernel->del_policy(charon->kernel, &id, &policy);
	}
	if (status != SUCCESS)
	{
		DBG1(DBG_KNL, "mike: group '%s': %s %N policy %R === %R failed",
			 this->cfg->name, add ? "installing" : "removing",
			 policy_dir_names, dir, this->src_ts, this->dst_ts);
		return FALSE;
	}
	return TRUE;
}

METHOD(mike_kernel_t, add_inbound, bool,
	private_mike_kernel_t *this, mike_tek_t *tek)
{
	if (!add_sa(this, tek, this->any, TRUE))
	{
		return FALSE;
	}
	this->inbound->insert_last(this->inbound, (void*)(uintptr_t)tek->spi);
	return TRUE;
}

METHOD(mike_kernel_t, add_outbound, bool,
	private_mike_kernel_t *this, mike_tek_t *tek, host_t *src)
{
	if (this->out_src || !add_sa(this, tek, src, FALSE))
	{
		return FALSE;
	}
	this->out_spi = tek->spi;
	this->out_src = src->clone(src);
	if (!manage_policy(this, POLICY_OUT, this->out_src, tek->spi, TRUE))
	{
		del_sa(this, this->out_src, this->out_spi);
		this->out_src->destroy(this->out_src);
		this->out_src = NULL;
		return FALSE;
	}
	return TRUE;
}

/**
 * Remove a SPI from a list, TRUE if it was in it
 */
static bool list_remove(linked_list_t *list, uint32_t spi)
{
	return list->remove(list, (void*)(uintptr_t)spi, NULL) > 0;
}

/**
 * Whether a list has a SPI
 */
static bool list_has(linked_list_t *list, uint32_t spi)
{
	enumerator_t *enumerator;
	uintptr_t current;
	bool found = FALSE;

	enumerator = list->create_enumerator(list);
	while (!found && enumerator->enumerate(enumerator, &current))
	{
		found = current == spi;
	}
	enumerator->destroy(enumerator);
	return found;
}

METHOD(mike_kernel_t, add_next_outbound, bool,
	private_mike_kernel_t *this, mike_tek_t *tek)
{
	if (!this->out_src || !add_sa(this, tek, this->out_src, FALSE))
	{
		return FALSE;
	}
	this->other_out->insert_last(this->other_out, (void*)(uintptr_t)tek->spi);
	return TRUE;
}

METHOD(mike_kernel_t, switch_outbound, bool,
	private_mike_kernel_t *this, uint32_t spi)
{
	uint32_t old = this->out_spi;

	if (!this->out_src || !list_remove(this->other_out, spi))
	{
		return FALSE;
	}
	/* charon's kernel-netlink keeps a policy per SA using it and installs
	 * the newest: add the new one, then drop the old one's */
	if (!manage_policy(this, POLICY_OUT, this->out_src, spi, TRUE))
	{
		this->other_out->insert_last(this->other_out, (void*)(uintptr_t)spi);
		return FALSE;
	}
	manage_policy(this, POLICY_OUT, this->out_src, old, FALSE);
	this->out_spi = spi;
	this->other_out->insert_last(this->other_out, (void*)(uintptr_t)old);
	return TRUE;
}

METHOD(mike_kernel_t, del_sa_, void,
	private_mike_kernel_t *this, uint32_t spi)
{
	if (list_remove(this->inbound, spi))
	{
		del_sa(this, this->any, spi);
	}
	else if (this->out_src && spi != this->out_spi &&
			 list_remove(this->other_out, spi))
	{
		del_sa(this, this->out_src, spi);
	}
}

METHOD(mike_kernel_t, has_sa, bool,
	private_mike_kernel_t *this, uint32_t spi)
{
	return list_has(this->inbound, spi) || list_has(this->other_out, spi) ||
		   (this->out_src && this->out_spi == spi);
}

METHOD(mike_kernel_t, add_in_policy, bool,
	private_mike_kernel_t *this)
{
	if (!this->in_policy)
	{
		this->in_policy = manage_policy(this, POLICY_IN, this->any, 0, TRUE);
	}
	return this->in_policy;
}

METHOD(mike_kernel_t, get_inbound_count, int,
	private_mike_kernel_t *this)
{
	return this->inbound->get_count(this->inbound);
}

METHOD(mike_kernel_t, destroy, void,
	private_mike_kernel_t *this)
{
	uintptr_t spi;

	if (this->in_policy)
	{
		manage_policy(this, POLICY_IN, this->any, 0, FALSE);
	}
	if (this->out_src)
	{
		manage_policy(this, POLICY_OUT, this->out_src, this->out_spi, FALSE);
		del_sa(this, this->out_src, this->out_spi);
	}
	while (this->inbound->remove_first(this->inbound,
									   (void**)&spi) == SUCCESS)
	{
		del_sa(this, this->any, spi);
	}
	while (this->other_out->remove_first(this->other_out,
										 (void**)&spi) == SUCCESS)
	{
		del_sa(this, this->out_src, spi);
	}
	this->inbound->destroy(this->inbound);
	this->other_out->destroy(this->other_out);
	DESTROY_IF(this->out_src);
	if (this->reqid)
	{
		charon->kernel->release_reqid(charon->kernel, this->reqid,
									  (mark_t){}, (mark_t){}, 0, 0, NULL);
	}
	this->src_ts->destroy(this->src_ts);
	this->dst_ts->destroy(this->dst_ts);
	this->any->destroy(this->any);
	free(this);
}

/*
 * Described in header
 */
mike_kernel_t *mike_kernel_create(mike_group_config_t *cfg)
{
	private_mike_kernel_t *this;
	linked_list_t *src_ts, *dst_ts;
	int family = cfg->address->get_family(cfg->address);
	uint16_t from = cfg->port, to = cfg->port ?: 0xffff;
	status_t status;

	INIT(this,
		.public = {
			.add_inbound = _add_inbound,
			.add_outbound = _add_outbound,
			.add_next_outbound = _add_next_outbound,
			.switch_outbound = _switch_outbound,
			.del_sa = _del_sa_,
			.has_sa = _has_sa,
			.add_in_policy = _add_in_policy,
			.get_inbound_count = _get_inbound_count,
			.destroy = _destroy,
		},
		.cfg = cfg,
		.any = host_create_any(family),
		.src_ts = traffic_selector_create_from_cidr(
							family == AF_INET ? "0.0.0.0/0" : "::/0",
							cfg->protocol, 0, 0xffff),
		.dst_ts = traffic_selector_create_from_subnet(
							cfg->address->clone(cfg->address),
							family == AF_INET ? 32 : 128,
							cfg->protocol, from, to),
		.inbound = linked_list_create(),
		.other_out = linked_list_create(),
	);

	ts_lists(this, &src_ts, &dst_ts);
	status = charon->kernel->alloc_reqid(charon->kernel, src_ts, dst_ts,
										 (mark_t){}, (mark_t){}, 0, 0, NULL,
										 &this->reqid);
	src_ts->destroy(src_ts);
	dst_ts->destroy(dst_ts);
	if (status != SUCCESS)
	{
		DBG1(DBG_KNL, "mike: group '%s': unable to allocate a reqid",
			 cfg->name);
		this->reqid = 0;
		destroy(this);
		return NULL;
	}
	return &this->public;
}
