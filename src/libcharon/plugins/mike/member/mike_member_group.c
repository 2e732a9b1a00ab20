/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "member/mike_member_group.h"
#include "group/mike_lkh.h"

#include <daemon.h>

typedef struct private_mike_member_group_t private_mike_member_group_t;

/**
 * Private data of a mike_member_group_t object.
 */
struct private_mike_member_group_t {

	/**
	 * Public interface.
	 */
	mike_member_group_t public;

	/**
	 * Configuration, owned
	 */
	mike_group_config_t *cfg;

	/**
	 * The GSA received
	 */
	mike_gsa_t *gsa;

	/**
	 * Reqid and fail-close policies, for as long as the group is loaded
	 */
	mike_kernel_guard_t *guard;

	/**
	 * Installed SAs and policies, NULL if not registered
	 */
	mike_kernel_t *kernel;

	/**
	 * Unique ID of the IKE SA registered over, 0 if not registered
	 */
	uint32_t ike_sa_id;

	/**
	 * Own address in that IKE SA, NULL if not registered
	 */
	host_t *my_host;

	/**
	 * When it registered
	 */
	time_t registered;

	/**
	 * The SPI this member sends with, 0 if it does not
	 */
	uint32_t own_spi;

	/**
	 * When it last got keys (registration or GSA_REKEY)
	 */
	time_t keys_updated;

	/**
	 * Working Key Path, leaf to root, mike_lkh_key_t
	 */
	linked_list_t *key_path;

	/**
	 * Where GSA_REKEY messages come to, NULL for unicast rekeying
	 */
	host_t *rekey_dst;

	/**
	 * The GCKS's GWP_ATD and GWP_DTD, -1 if not sent
	 */
	int atd, dtd;

	/**
	 * When it last started to register again by itself
	 */
	time_t reregistered;

	/**
	 * How often it registered again by itself
	 */
	uint64_t reregistrations;

	/**
	 * SAM signing key of this sender, NULL if none
	 */
	private_key_t *sam_key;

	/**
	 * The SAM bootstrap a local sender published, empty if none
	 */
	chunk_t sam_bootstrap;

	/**
	 * When it was published (time_monotonic()), 0 if never
	 */
	time_t sam_bootstrap_time;

	/**
	 * Requests of local applications for the SAM keys, refused and granted
	 */
	uint64_t sam_requests[2];

	/**
	 * GSA_REKEY messages (and fragments) rejected, by reason
	 */
	uint64_t rejected[MIKE_REKEY_STATUS_MAX];

	/**
	 * Fragments of GSA_REKEY messages received so far
	 */
	mike_rekey_reassembly_t *reassembly;
};

METHOD(mike_group_t, get_config, mike_group_config_t*,
	private_mike_member_group_t *this)
{
	return this->cfg;
}

METHOD(mike_group_t, get_gsa, mike_gsa_t*,
	private_mike_member_group_t *this)
{
	return this->gsa;
}

METHOD(mike_group_t, reconfigure, bool,
	private_mike_member_group_t *this, mike_group_config_t *cfg)
{
	/* a member group loaded again registers anew */
	return FALSE;
}

METHOD(mike_member_group_t, create_kernel, mike_kernel_t*,
	private_mike_member_group_t *this)
{
	if (!this->guard)
	{
		return NULL;
	}
	return mike_kernel_create(this->cfg, this->guard->get_reqid(this->guard));
}

METHOD(mike_member_group_t, get_sam_bootstrap, chunk_t,
	private_mike_member_group_t *this)
{
	return this->sam_bootstrap;
}

METHOD(mike_member_group_t, set_sam_bootstrap, status_t,
	private_mike_member_group_t *this, chunk_t bootstrap)
{
	time_t now = time_monotonic(NULL);

	if (chunk_equals(bootstrap, this->sam_bootstrap))
	{
		return ALREADY_DONE;
	}
	if (this->sam_bootstrap_time &&
		now < this->sam_bootstrap_time + MIKE_SAM_CHANGE_INTERVAL)
	{
		return INVALID_STATE;
	}
	chunk_free(&this->sam_bootstrap);
	this->sam_bootstrap = chunk_clone(bootstrap);
	this->sam_bootstrap_time = now;
	return SUCCESS;
}

METHOD(mike_member_group_t, get_sam_key, private_key_t*,
	private_mike_member_group_t *this)
{
	return this->sam_key;
}

METHOD(mike_member_group_t, registered, void,
	private_mike_member_group_t *this, uint32_t ike_sa_id, host_t *me,
	mike_kernel_t *kernel, uint32_t own_spi)
{
	DESTROY_IF(this->kernel);
	DESTROY_IF(this->my_host);
	this->kernel = kernel;
	this->own_spi = own_spi;
	this->ike_sa_id = ike_sa_id;
	this->my_host = me->clone(me);
	this->registered = time_monotonic(NULL);
	this->keys_updated = this->registered;
}

/**
 * Wipe and destroy a Working Key Path
 */
static void key_path_destroy(linked_list_t *path)
{
	path->destroy_function(path, (void*)mike_lkh_key_destroy);
}

METHOD(mike_member_group_t, unregister, void,
	private_mike_member_group_t *this)
{
	DESTROY_IF(this->kernel);
	this->kernel = NULL;
	this->gsa->clear(this->gsa);
	DESTROY_IF(this->my_host);
	this->my_host = NULL;
	DESTROY_IF(this->rekey_dst);
	this->rekey_dst = NULL;
	this->atd = this->dtd = -1;
	this->ike_sa_id = 0;
	this->own_spi = 0;
	this->registered = 0;
	this->keys_updated = 0;
	key_path_destroy(this->key_path);
	this->key_path = linked_list_create();
}

METHOD(mike_member_group_t, get_kernel, mike_kernel_t*,
	private_mike_member_group_t *this)
{
	return this->kernel;
}

METHOD(mike_member_group_t, get_ike_sa_id, uint32_t,
	private_mike_member_group_t *this)
{
	return this->ike_sa_id;
}

METHOD(mike_member_group_t, move_to, void,
	private_mike_member_group_t *this, uint32_t ike_sa_id)
{
	this->ike_sa_id = ike_sa_id;
}

METHOD(mike_member_group_t, get_my_host, host_t*,
	private_mike_member_group_t *this)
{
	return this->my_host;
}

METHOD(mike_member_group_t, get_registered, time_t,
	private_mike_member_group_t *this)
{
	return this->registered;
}

METHOD(mike_member_group_t, get_own_spi, uint32_t,
	private_mike_member_group_t *this)
{
	return this->own_spi;
}

METHOD(mike_member_group_t, set_own_spi, void,
	private_mike_member_group_t *this, uint32_t spi)
{
	this->own_spi = spi;
}

METHOD(mike_member_group_t, keys_updated, void,
	private_mike_member_group_t *this)
{
	this->keys_updated = time_monotonic(NULL);
}

METHOD(mike_member_group_t, get_keys_updated, time_t,
	private_mike_member_group_t *this)
{
	return this->keys_updated;
}

METHOD(mike_member_group_t, create_key_path_enumerator, enumerator_t*,
	private_mike_member_group_t *this)
{
	return this->key_path->create_enumerator(this->key_path);
}

METHOD(mike_member_group_t, get_key_path_count, int,
	private_mike_member_group_t *this)
{
	return this->key_path->get_count(this->key_path);
}

METHOD(mike_member_group_t, set_key_path, void,
	private_mike_member_group_t *this, linked_list_t *path)
{
	key_path_destroy(this->key_path);
	this->key_path = path;
}

METHOD(mike_member_group_t, get_rekey_dst, host_t*,
	private_mike_member_group_t *this)
{
	return this->rekey_dst;
}

METHOD(mike_member_group_t, get_gw_delays, bool,
	private_mike_member_group_t *this, uint32_t *atd, uint32_t *dtd)
{
	if (this->atd < 0 || this->dtd < 0)
	{
		return FALSE;
	}
	if (atd)
	{
		*atd = this->atd;
	}
	if (dtd)
	{
		*dtd = this->dtd;
	}
	return TRUE;
}

METHOD(mike_member_group_t, set_gw_delays, void,
	private_mike_member_group_t *this, int atd, int dtd)
{
	this->atd = atd;
	this->dtd = dtd;
}

METHOD(mike_member_group_t, set_rekey_dst, void,
	private_mike_member_group_t *this, host_t *dst)
{
	DESTROY_IF(this->rekey_dst);
	this->rekey_dst = dst;
}

METHOD(mike_member_group_t, start_reregistration, bool,
	private_mike_member_group_t *this, u_int holdoff)
{
	time_t now = time_monotonic(NULL);

	if (this->reregistered && now < this->reregistered + holdoff)
	{
		return FALSE;
	}
	this->reregistered = now;
	this->reregistrations++;
	return TRUE;
}

METHOD(mike_member_group_t, get_reregistrations, uint64_t,
	private_mike_member_group_t *this)
{
	return this->reregistrations;
}

METHOD(mike_member_group_t, count_sam_request, void,
	private_mike_member_group_t *this, bool granted)
{
	this->sam_requests[granted ? 1 : 0]++;
}

METHOD(mike_member_group_t, get_sam_requests, uint64_t,
	private_mike_member_group_t *this, bool granted)
{
	return this->sam_requests[granted ? 1 : 0];
}

METHOD(mike_member_group_t, count_rejected, void,
	private_mike_member_group_t *this, mike_rekey_status_t reason)
{
	if (reason < countof(this->rejected))
	{
		this->rejected[reason]++;
	}
}

METHOD(mike_member_group_t, get_rejected, uint64_t,
	private_mike_member_group_t *this, mike_rekey_status_t reason)
{
	return reason < countof(this->rejected) ? this->rejected[reason] : 0;
}

METHOD(mike_member_group_t, get_reassembly, mike_rekey_reassembly_t*,
	private_mike_member_group_t *this)
{
	return this->reassembly;
}

/**
 * An incomplete GSA_REKEY the reassembly gave up: counted as a rejection
 */
static void reassembly_dropped(private_mike_member_group_t *this,
							   mike_rekey_status_t why, uint32_t msg_id,
							   u_int received, u_int total)
{
	count_rejected(this, why);
	DBG1(DBG_NET, "mike: group '%s': GSA_REKEY %u dropped with %u of %u "
		 "fragments: %s", this->cfg->name, msg_id, received, total,
		 mike_rekey_status_str(why));
}

METHOD(mike_group_t, destroy, void,
	private_mike_member_group_t *this)
{
	unregister(this);
	this->reassembly->destroy(this->reassembly);
	/* after the SAs: the block policies take over from the ESP ones */
	DESTROY_IF(this->guard);
	DESTROY_IF(this->sam_key);
	chunk_free(&this->sam_bootstrap);
	this->gsa->destroy(this->gsa);
	this->key_path->destroy(this->key_path);
	this->cfg->destroy(this->cfg);
	free(this);
}

/*
 * Described in header
 */
mike_member_group_t *mike_member_group_create(mike_group_config_t *cfg)
{
	private_mike_member_group_t *this;

	INIT(this,
		.public = {
			.group = {
				.get_config = _get_config,
				.get_gsa = _get_gsa,
				.reconfigure = _reconfigure,
				.destroy = _destroy,
			},
			.create_kernel = _create_kernel,
			.get_sam_key = _get_sam_key,
			.get_sam_bootstrap = _get_sam_bootstrap,
			.set_sam_bootstrap = _set_sam_bootstrap,
			.registered = _registered,
			.unregister = _unregister,
			.get_kernel = _get_kernel,
			.get_ike_sa_id = _get_ike_sa_id,
			.move_to = _move_to,
			.get_my_host = _get_my_host,
			.get_registered = _get_registered,
			.get_own_spi = _get_own_spi,
			.set_own_spi = _set_own_spi,
			.keys_updated = _keys_updated,
			.get_keys_updated = _get_keys_updated,
			.create_key_path_enumerator = _create_key_path_enumerator,
			.get_key_path_count = _get_key_path_count,
			.set_key_path = _set_key_path,
			.get_rekey_dst = _get_rekey_dst,
			.set_rekey_dst = _set_rekey_dst,
			.get_gw_delays = _get_gw_delays,
			.set_gw_delays = _set_gw_delays,
			.start_reregistration = _start_reregistration,
			.get_reregistrations = _get_reregistrations,
			.count_sam_request = _count_sam_request,
			.get_sam_requests = _get_sam_requests,
			.count_rejected = _count_rejected,
			.get_rejected = _get_rejected,
			.get_reassembly = _get_reassembly,
		},
		.cfg = cfg,
		.gsa = mike_gsa_create(),
		.guard = mike_kernel_guard_create(cfg),
		.key_path = linked_list_create(),
		.atd = -1,
		.dtd = -1,
	);
	this->reassembly = mike_rekey_reassembly_create(
							MIKE_REKEY_REASSEMBLY_SETS,
							MIKE_REKEY_REASSEMBLY_TIMEOUT,
							(mike_rekey_reassembly_drop_t)reassembly_dropped,
							this);
	if (cfg->sender && mike_sam_scheme_signs(cfg->sam_scheme_id))
	{	/* the private half never leaves this host */
		this->sam_key = mike_sam_key_generate(cfg->sam_scheme_id);
		if (!this->sam_key)
		{
			DBG1(DBG_CFG, "mike: group '%s': generating the SAM key (%s) "
				 "failed, receivers cannot verify this sender", cfg->name,
				 cfg->sam_scheme);
		}
	}
	return &this->public;
}

/*
 * Described in header
 */
mike_member_group_t *mike_member_group(mike_group_t *group)
{
	if (!group || group->get_config(group)->role != MIKE_ROLE_MEMBER)
	{
		return NULL;
	}
	return (mike_member_group_t*)group;
}

/*
 * Described in header
 */
mike_member_group_t *mike_member_group_checkout(mike_groups_t *groups,
												char *name)
{
	return mike_member_group(groups->checkout_role(groups, name,
												   MIKE_ROLE_MEMBER));
}

/*
 * Described in header
 */
enumerator_t *mike_member_group_create_enumerator(mike_groups_t *groups)
{
	/* a mike_member_group_t starts with its mike_group_t */
	return groups->create_role_enumerator(groups, MIKE_ROLE_MEMBER);
}

METHOD(mike_group_factory_t, factory_create, mike_group_t*,
	mike_group_factory_t *this, mike_group_config_t *cfg)
{
	mike_member_group_t *group = mike_member_group_create(cfg);

	return &group->group;
}

METHOD(mike_group_factory_t, factory_destroy, void,
	mike_group_factory_t *this)
{
	free(this);
}

/*
 * Described in header
 */
mike_group_factory_t *mike_member_group_factory_create()
{
	mike_group_factory_t *this;

	INIT(this,
		.create = _factory_create,
		.destroy = _factory_destroy,
	);
	return this;
}
