/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_commands mike_commands
 * @{ @ingroup mike
 */

#ifndef MIKE_COMMANDS_H_
#define MIKE_COMMANDS_H_

#include "mike_control.h"
#include "mike_groups.h"
#include "mike_listener.h"

typedef struct mike_commands_t mike_commands_t;

/**
 * The group commands of the control socket: load-groups, list-groups,
 * join, leave and stats (docs/control-socket.md).
 */
struct mike_commands_t {

	/**
	 * Unregister the commands and destroy the object.
	 */
	void (*destroy)(mike_commands_t *this);
};

/**
 * Register the group commands with the control socket.
 *
 * @param control	the control socket
 * @param groups	the group store
 * @param listener	the registration listener (join, leave, expel, readmit;
 *					and start, so that GCKS groups restored from the state
 *					store go on rekeying once loaded)
 * @return			the commands
 */
mike_commands_t *mike_commands_create(mike_control_t *control,
									  mike_groups_t *groups,
									  mike_listener_t *listener);

#endif /** MIKE_COMMANDS_H_ @}*/
