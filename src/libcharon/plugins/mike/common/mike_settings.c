/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "common/mike_settings.h"

/*
 * Described in header
 */
void mike_settings_load(mike_settings_t *settings)
{
	*settings = (mike_settings_t){
		.socket = lib->settings->get_str(lib->settings,
								"%s.plugins.mike.socket", MIKE_DEFAULT_SOCKET,
								lib->ns),
		.control_max_connections_per_user = lib->settings->get_int(
								lib->settings,
								"%s.plugins.mike.control.max_connections_per_user",
								MIKE_DEFAULT_CONTROL_MAX_CONNECTIONS_PER_USER,
								lib->ns),
		.control_max_connections = lib->settings->get_int(lib->settings,
								"%s.plugins.mike.control.max_connections",
								MIKE_DEFAULT_CONTROL_MAX_CONNECTIONS, lib->ns),
		.control_request_timeout = lib->settings->get_int(lib->settings,
								"%s.plugins.mike.control.request_timeout",
								MIKE_DEFAULT_CONTROL_REQUEST_TIMEOUT, lib->ns),
		.rekey_retransmissions = lib->settings->get_int(lib->settings,
								"%s.plugins.mike.rekey_retransmissions", 2,
								lib->ns),
		.rekey_retransmit_interval = lib->settings->get_int(lib->settings,
								"%s.plugins.mike.rekey_retransmit_interval",
								200, lib->ns),
		.rekey_ttl = lib->settings->get_int(lib->settings,
								"%s.plugins.mike.rekey_ttl", 8, lib->ns),
		.database = lib->settings->get_str(lib->settings,
								"%s.plugins.mike.database",
								MIKE_DEFAULT_DATABASE, lib->ns),
		.rekey_fragment_size = lib->settings->get_int(lib->settings,
								"%s.plugins.mike.rekey_fragment_size",
								MIKE_DEFAULT_REKEY_FRAGMENT_SIZE, lib->ns),
	};
	if (settings->rekey_fragment_size &&
		settings->rekey_fragment_size < MIKE_MIN_REKEY_FRAGMENT_SIZE)
	{	/* smaller fragments would only mean more of them */
		DBG1(DBG_CFG, "mike: rekey_fragment_size %u is below %u, using %u",
			 settings->rekey_fragment_size, MIKE_MIN_REKEY_FRAGMENT_SIZE,
			 MIKE_MIN_REKEY_FRAGMENT_SIZE);
		settings->rekey_fragment_size = MIKE_MIN_REKEY_FRAGMENT_SIZE;
	}
}
