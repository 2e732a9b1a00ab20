/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "mike_settings.h"

/*
 * Described in header
 */
void mike_settings_load(mike_settings_t *settings)
{
	*settings = (mike_settings_t){
		.socket = lib->settings->get_str(lib->settings,
								"%s.plugins.mike.socket", MIKE_DEFAULT_SOCKET,
								lib->ns),
	};
}
