/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "mike_plugin.h"
#include "mike_settings.h"

#include <daemon.h>

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
};

METHOD(plugin_t, get_name, char*,
	private_mike_plugin_t *this)
{
	return "mike";
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
	}
	return TRUE;
}

METHOD(plugin_t, get_features, int,
	private_mike_plugin_t *this, plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK((plugin_feature_callback_t)plugin_cb, NULL),
			PLUGIN_PROVIDE(CUSTOM, "mike"),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, destroy, void,
	private_mike_plugin_t *this)
{
	free(this);
}

/**
 * Plugin constructor, found by charon's plugin loader by its name.
 */
plugin_t *mike_plugin_create()
{
	private_mike_plugin_t *this;

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
