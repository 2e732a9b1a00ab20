/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "group/mike_kernel.h"

#include <daemon.h>

/** replay window of the per-sender inbound SAs */
#define REPLAY_WINDOW 128

typedef struct private_mike_kernel_t private_mike_kernel_t;

/**
 * Private data of a mike_kernel_t object.
 */
/**
 * A group's selectors: the group as destination (its protocol and port),
 * any source of the group's family
 */
typedef struct {

	/** the group's configuration */
	mike_group_config_t *cfg;

	/** reqid shared by the group's SAs and policies */
	uint32_t reqid;

	/** any address of the group's family, the source of inbound SAs */
	host_t *any;

	/** source and destination selector */
	traffic_selector_t *src_ts, *dst_ts;
} selectors_t;

struct private_mike_kernel_t {

	/**
	 * Public interface.
	 */
	mike_kernel_t public;

	/**
	 * The group's selectors and reqid.
	 */
	selectors_t sel;

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
 * Private data of a mike_kernel_guard_t object.
 */
typedef struct {

	/**
	 * Public interface.
	 */
	mike_kernel_guard_t public;

	/**
	 * The group's selectors and reqid.
	 */
	selectors_t sel;

	/**
	 * Whether the fail-close policies are installed.
	 */
	bool installed;
} private_mike_kernel_guard_t;

/**
 * The group's selectors, with a reqid
 */
static void selectors_init(selectors_t *sel, mike_group_config_t *cfg,
						   uint32_t reqid)
{
	int family = cfg->address->get_family(cfg->address);
	uint16_t from = cfg->port, to = cfg->port ?: 0xffff;

	*sel = (selectors_t){
		.cfg = cfg,
		.reqid = reqid,
		.any = host_create_any(family),
		.src_ts = traffic_selector_create_from_cidr(
							family == AF_INET ? "0.0.0.0/0" : "::/0",
							cfg->protocol, 0, 0xffff),
		.dst_ts = traffic_selector_create_from_subnet(
							cfg->address->clone(cfg->address),
							family == AF_INET ? 32 : 128,
							cfg->protocol, from, to),
	};
}

static void selectors_clear(selectors_t *sel)
{
	sel->src_ts->destroy(sel->src_ts);
	sel->dst_ts->destroy(sel->dst_ts);
	sel->any->destroy(sel->any);
}

/**
 * The traffic selectors as the lists add_sa() takes (not owning them)
 */
static void ts_lists(selectors_t *sel, linked_list_t **src,
					 linked_list_t **dst)
{
	*src = linked_list_create_with_items(sel->src_ts, NULL);
	*dst = linked_list_create_with_items(sel->dst_ts, NULL);
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
		.dst = this->sel.cfg->address,
		.spi = htonl(tek->spi),
		.proto = IPPROTO_ESP,
	};
	kernel_ipsec_add_sa_t sa = {
		.reqid = this->sel.reqid,
		.mode = this->sel.cfg->mode,
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

	ts_lists(&this->sel, &src_ts, &dst_ts);
	sa.src_ts = src_ts;
	sa.dst_ts = dst_ts;
	status = charon->kernel->add_sa(charon->kernel, &id, &sa);
	src_ts->destroy(src_ts);
	dst_ts->destroy(dst_ts);
	if (status != SUCCESS)
	{
		DBG1(DBG_KNL, "mike: group '%s': installing %s SA with SPI %.8x "
			 "failed", this->sel.cfg->name, inbound ? "inbound" : "outbound",
			 tek->spi);
		return FALSE;
	}
	DBG2(DBG_KNL, "mike: group '%s': installed %s SA with SPI %.8x",
		 this->sel.cfg->name, inbound ? "inbound" : "outbound", tek->spi);
	return TRUE;
}

/**
 * Remove one SA
 */
static void del_sa(private_mike_kernel_t *this, host_t *src, uint32_t spi)
{
	kernel_ipsec_sa_id_t id = {
		.src = src,
		.dst = this->sel.cfg->address,
		.spi = htonl(spi),
		.proto = IPPROTO_ESP,
	};
	kernel_ipsec_del_sa_t sa = {};

	if (charon->kernel->del_sa(charon->kernel, &id, &sa) != SUCCESS)
	{
		DBG1(DBG_KNL, "mike: group '%s': removing SA with SPI %.8x failed",
			 this->sel.cfg->name, spi);
	}
}

/**
 * Add or remove a policy for the group's traffic: an ESP policy (with the
 * SA's SPI, 0 for the in policy) or a fail-close block policy
 */
static bool manage_policy(selectors_t *sel, policy_dir_t dir,
						  policy_type_t type, host_t *src, uint32_t spi,
						  bool add)
{
	ipsec_sa_cfg_t sa = {
		.mode = sel->cfg->mode,
		.reqid = sel->reqid,
		.esp = {
			.use = TRUE,
			.spi = htonl(spi),
		},
	};
	kernel_ipsec_policy_id_t id = {
		.dir = dir,
		.src_ts = sel->src_ts,
		.dst_ts = sel->dst_ts,
	};
	kernel_ipsec_manage_policy_t policy = {
		.type = type,
		/* beneath the ESP policies of the same selectors */
		.prio = type == POLICY_DROP ? POLICY_PRIORITY_FALLBACK
									: POLICY_PRIORITY_DEFAULT,
		.src = src,
		.dst = sel->cfg->address,
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
		DBG1(DBG_KNL, "mike: group '%s': %s %s %N policy %R === %R failed",
			 sel->cfg->name, add ? "installing" : "removing",
			 type == POLICY_DROP ? "block" : "ESP", policy_dir_names, dir,
			 sel->src_ts, sel->dst_ts);
		return FALSE;
	}
	return TRUE;
}

METHOD(mike_kernel_t, add_inbound, bool,
	private_mike_kernel_t *this, mike_tek_t *tek)
{
	if (!add_sa(this, tek, this->sel.any, TRUE))
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
	if (!manage_policy(&this->sel, POLICY_OUT, POLICY_IPSEC, this->out_src,
					   tek->spi, TRUE))
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
	if (!manage_policy(&this->sel, POLICY_OUT, POLICY_IPSEC, this->out_src, spi,
					   TRUE))
	{
		this->other_out->insert_last(this->other_out, (void*)(uintptr_t)spi);
		return FALSE;
	}
	manage_policy(&this->sel, POLICY_OUT, POLICY_IPSEC, this->out_src, old,
				  FALSE);
	this->out_spi = spi;
	this->other_out->insert_last(this->other_out, (void*)(uintptr_t)old);
	return TRUE;
}

METHOD(mike_kernel_t, del_sa_, void,
	private_mike_kernel_t *this, uint32_t spi)
{
	if (list_remove(this->inbound, spi))
	{
		del_sa(this, this->sel.any, spi);
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
		this->in_policy = manage_policy(&this->sel, POLICY_IN, POLICY_IPSEC,
										this->sel.any, 0, TRUE);
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
		manage_policy(&this->sel, POLICY_IN, POLICY_IPSEC, this->sel.any, 0,
					  FALSE);
	}
	if (this->out_src)
	{
		manage_policy(&this->sel, POLICY_OUT, POLICY_IPSEC, this->out_src,
					  this->out_spi, FALSE);
		del_sa(this, this->out_src, this->out_spi);
	}
	while (this->inbound->remove_first(this->inbound,
									   (void**)&spi) == SUCCESS)
	{
		del_sa(this, this->sel.any, spi);
	}
	while (this->other_out->remove_first(this->other_out,
										 (void**)&spi) == SUCCESS)
	{
		del_sa(this, this->out_src, spi);
	}
	this->inbound->destroy(this->inbound);
	this->other_out->destroy(this->other_out);
	DESTROY_IF(this->out_src);
	selectors_clear(&this->sel);
	free(this);
}

/*
 * Described in header
 */
mike_kernel_t *mike_kernel_create(mike_group_config_t *cfg, uint32_t reqid)
{
	private_mike_kernel_t *this;

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
		.inbound = linked_list_create(),
		.other_out = linked_list_create(),
	);
	selectors_init(&this->sel, cfg, reqid);
	return &this->public;
}

METHOD(mike_kernel_guard_t, get_reqid, uint32_t,
	private_mike_kernel_guard_t *this)
{
	return this->sel.reqid;
}

/**
 * Install or remove the fail-close policies
 */
static bool manage_guard(private_mike_kernel_guard_t *this, bool add)
{
	bool ok;

	ok = manage_policy(&this->sel, POLICY_OUT, POLICY_DROP, this->sel.any, 0,
					   add);
	if (ok && !manage_policy(&this->sel, POLICY_IN, POLICY_IPSEC,
							 this->sel.any, 0, add))
	{
		if (add)
		{
			manage_policy(&this->sel, POLICY_OUT, POLICY_DROP, this->sel.any,
						  0, FALSE);
		}
		ok = FALSE;
	}
	return ok;
}

METHOD(mike_kernel_guard_t, guard_destroy, void,
	private_mike_kernel_guard_t *this)
{
	if (this->installed)
	{
		manage_guard(this, FALSE);
	}
	if (this->sel.reqid)
	{
		charon->kernel->release_reqid(charon->kernel, this->sel.reqid,
									  (mark_t){}, (mark_t){}, 0, 0, NULL);
	}
	selectors_clear(&this->sel);
	free(this);
}

/*
 * Described in header
 */
mike_kernel_guard_t *mike_kernel_guard_create(mike_group_config_t *cfg)
{
	private_mike_kernel_guard_t *this;
	linked_list_t *src_ts, *dst_ts;
	uint32_t reqid = 0;
	status_t status;

	INIT(this,
		.public = {
			.get_reqid = _get_reqid,
			.destroy = _guard_destroy,
		},
	);
	selectors_init(&this->sel, cfg, 0);

	ts_lists(&this->sel, &src_ts, &dst_ts);
	status = charon->kernel->alloc_reqid(charon->kernel, src_ts, dst_ts,
										 (mark_t){}, (mark_t){}, 0, 0, NULL,
										 &reqid);
	src_ts->destroy(src_ts);
	dst_ts->destroy(dst_ts);
	if (status != SUCCESS)
	{
		DBG1(DBG_KNL, "mike: group '%s': unable to allocate a reqid",
			 cfg->name);
		guard_destroy(this);
		return NULL;
	}
	this->sel.reqid = reqid;
	if (cfg->fail_close)
	{
		if (!manage_guard(this, TRUE))
		{
			DBG1(DBG_KNL, "mike: group '%s': installing the fail-close "
				 "policies failed", cfg->name);
			guard_destroy(this);
			return NULL;
		}
		this->installed = TRUE;
		DBG1(DBG_CFG, "mike: group '%s': fail-close: cleartext to and from "
			 "%H blocked while it has no keys", cfg->name, cfg->address);
	}
	return &this->public;
}
