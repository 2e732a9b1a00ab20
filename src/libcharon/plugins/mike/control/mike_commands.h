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

#include "control/mike_control.h"
#include "group/mike_groups.h"
#include "gcks/mike_gcks_listener.h"
#include "member/mike_member_listener.h"

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
 * @param gcks		the GCKS's registration (expel, readmit, reauthorize;
 *					and start, so that groups restored from the state store
 *					go on rekeying once loaded)
 * @param member	the member's registration (join, leave)
 * @return			the commands
 */
mike_commands_t *mike_commands_create(mike_control_t *control,
									  mike_groups_t *groups,
									  mike_gcks_listener_t *gcks,
									  mike_member_listener_t *member);

#endif /** MIKE_COMMANDS_H_ @}*/
