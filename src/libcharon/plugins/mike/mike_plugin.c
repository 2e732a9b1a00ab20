/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "mike_plugin.h"
#include "common/mike_settings.h"
#include "common/mike_group_config.h"
#include "group/mike_groups.h"
#include "gcks/mike_gcks_group_factory.h"
#include "member/mike_member_group.h"
#include "gcks/mike_gcks_listener.h"
#include "member/mike_member_listener.h"
#include "control/mike_commands.h"
#include "control/mike_control.h"

#include <errno.h>

#include <daemon.h>
#include <utils/capabilities.h>

typedef struct private_mike_plugin_t private_mike_plugin_t;

/**
 * Private data of the mike plugin.
 */
struct private_mike_plugin_t {

	/**
	 * Implements plugin interface.
	 */
	mike_plugin_t public;

	/**
	 * Options from strongswan.conf, read when the plugin is registered.
	 */
	mike_settings_t settings;

	/**
	 * The groups, static ones from strongswan.conf and loaded ones
	 */
	mike_groups_t *groups;

	/**
	 * The GCKS's registration and rekeying, on charon's bus; NULL until
	 * the plugin's features are registered
	 */
	mike_gcks_listener_t *gcks;

	/**
	 * The member's registration and rekeying, on charon's bus; NULL until
	 * the plugin's features are registered
	 */
	mike_member_listener_t *member;

	/**
	 * Control socket, NULL if it could not be created
	 */
	mike_control_t *control;

	/**
	 * Group commands of the control socket, NULL without one
	 */
	mike_commands_t *commands;
};

METHOD(plugin_t, get_name, char*,
	private_mike_plugin_t *this)
{
	return "mike";
}

/**
 * Load the groups of charon.plugins.mike.groups; a group with an error is
 * skipped, and the error logged, the others still load
 */
static void load_static_groups(private_mike_plugin_t *this)
{
	enumerator_t *enumerator;
	mike_group_config_t *cfg;
	mike_group_t *group;
	char *name, base[BUF_LEN];

	enumerator = lib->settings->create_section_enumerator(lib->settings,
											"%s.plugins.mike.groups", lib->ns);
	snprintf(base, sizeof(base), "%s.plugins.mike.groups", lib->ns);
	while (enumerator->enumerate(enumerator, &name))
	{
		cfg = mike_group_config_create(lib->settings, base, name, NULL);
		if (cfg)
		{
			DBG1(DBG_CFG, "mike: loaded group '%s' (%N, %H)", cfg->name,
				 mike_group_role_names, cfg->role, cfg->address);
			group = this->groups->add(this->groups, cfg);
			this->gcks->start(this->gcks, group);
			this->member->start(this->member, group);
			this->groups->checkin(this->groups, group);
		}
		else
		{
			DBG1(DBG_CFG, "mike: group '%s' not loaded", name);
		}
	}
	enumerator->destroy(enumerator);
}

/**
 * Read the settings when charon registers the plugin's features, that is
 * after strongswan.conf has been loaded (and again on reload).
 */
static bool plugin_cb(private_mike_plugin_t *this,
					  plugin_feature_t *feature, bool reg, void *cb_data)
{
	if (reg)
	{
		mike_settings_load(&this->settings);
		DBG1(DBG_CFG, "mike: control socket %s", this->settings.socket);
		/* groups of each role made by its factory: the GCKS's with the
		 * state store */
		this->groups = mike_groups_create(
						mike_gcks_group_factory_create(this->settings.database),
						mike_member_group_factory_create());
		/* one listener per role, each looking only at its groups */
		/* the GCKS only sends on its rekey socket */
		this->gcks = mike_gcks_listener_create(this->groups,
						mike_rekey_socket_create(NULL, NULL,
									this->settings.rekey_retransmissions,
									this->settings.rekey_retransmit_interval,
									this->settings.rekey_ttl,
									this->settings.rekey_fragment_size));
		this->member = mike_member_listener_create(this->groups);
		load_static_groups(this);
		charon->bus->add_listener(charon->bus, &this->gcks->listener);
		charon->bus->add_listener(charon->bus, &this->member->listener);
		this->control = mike_control_create(this->settings.socket,
							this->settings.control_max_connections_per_user,
							this->settings.control_max_connections,
							this->settings.control_request_timeout);
		if (this->control)
		{
			this->commands = mike_commands_create(this->control, this->groups,
												  this->gcks, this->member);
		}
		else
		{
			DBG1(DBG_CFG, "mike: unable to create control socket %s: %s",
				 this->settings.socket, strerror(errno));
		}
	}
	else
	{
		DESTROY_IF(this->commands);
		this->commands = NULL;
		DESTROY_IF(this->control);
		this->control = NULL;
		charon->bus->remove_listener(charon->bus, &this->member->listener);
		charon->bus->remove_listener(charon->bus, &this->gcks->listener);
		this->member->destroy(this->member);
		this->member = NULL;
		this->gcks->destroy(this->gcks);
		this->gcks = NULL;
		this->groups->destroy(this->groups);
		this->groups = NULL;
	}
	return TRUE;
}

METHOD(plugin_t, get_features, int,
	private_mike_plugin_t *this, plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK((plugin_feature_callback_t)plugin_cb, NULL),
			PLUGIN_PROVIDE(CUSTOM, "mike"),
				/* static member groups install their fail-close
				 * policies when loaded */
				PLUGIN_SDEPEND(CUSTOM, "kernel-ipsec"),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, destroy, void,
	private_mike_plugin_t *this)
{
	DESTROY_IF(this->commands);
	DESTROY_IF(this->control);
	DESTROY_IF(this->member);
	DESTROY_IF(this->gcks);
	DESTROY_IF(this->groups);
	free(this);
}

/**
 * Plugin constructor, found by charon's plugin loader by its name.
 */
plugin_t *mike_plugin_create()
{
	private_mike_plugin_t *this;

	/* members listen for GSA_REKEY messages on the IKE port 848 (RFC 9838
	 * 2.1); charon drops the capability to bind it unless a plugin asks to
	 * keep it, which must happen now, before the drop */
	if (!lib->caps->keep(lib->caps, CAP_NET_BIND_SERVICE))
	{
		DBG1(DBG_CFG, "mike: unable to keep CAP_NET_BIND_SERVICE, members "
			 "cannot receive GSA_REKEY messages on ports below 1024");
	}

	INIT(this,
		.public = {
			.plugin = {
				.get_name = _get_name,
				.get_features = _get_features,
				.destroy = _destroy,
			},
		},
	);

	return &this->public.plugin;
}
