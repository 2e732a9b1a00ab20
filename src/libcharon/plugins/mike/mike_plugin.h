/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike mike
 * @ingroup cplugins
 *
 * @defgroup mike_plugin mike_plugin
 * @{ @ingroup mike
 */

#ifndef MIKE_PLUGIN_H_
#define MIKE_PLUGIN_H_

#include <plugins/plugin.h>

typedef struct mike_plugin_t mike_plugin_t;

/**
 * Multicast IKE: group registration and group key management (G-IKEv2,
 * RFC 9838) for charon, as Group Controller/Key Server and as group member.
 */
struct mike_plugin_t {

	/**
	 * Implements plugin interface.
	 */
	plugin_t plugin;
};

#endif /** MIKE_PLUGIN_H_ @}*/
