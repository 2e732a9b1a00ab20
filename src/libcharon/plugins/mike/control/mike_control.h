/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_control mike_control
 * @{ @ingroup mike
 */

#ifndef MIKE_CONTROL_H_
#define MIKE_CONTROL_H_

#include "control/mike_msg.h"

#include <sys/types.h>

/**
 * Version of the plugin reported by the "version" command; the build may
 * pass the package version.
 */
#ifndef MIKE_VERSION
#define MIKE_VERSION "0.1.0"
#endif

/**
 * Milliseconds the plugin waits for a client to take its response before
 * the connection is closed, so a client that does not read cannot hold a
 * thread for long.
 */
#define MIKE_CONTROL_WRITE_TIMEOUT 1000

typedef struct mike_control_t mike_control_t;

/**
 * Handler of a control command.
 *
 * @param data		data passed to register_command()
 * @param request	the parsed request
 * @param uid		the peer's uid, from SO_PEERCRED
 * @return			response (MIKE_MSG_RESPONSE or MIKE_MSG_ERROR), owned
 *					by the caller; NULL is answered with a generic error
 */
typedef mike_msg_t *(*mike_control_cb_t)(void *data, mike_msg_t *request,
										 uid_t uid);

/**
 * The plugin's control socket: a stream service whose connections send one
 * request at a time and get one response each, dispatched by command name.
 *
 * No local user can stall it: requests are read without blocking as their
 * bytes arrive, handled in jobs below the watcher's priority while reading
 * of that connection pauses, must be complete within a deadline, and users
 * other than root may hold only a limited number of connections.
 */
struct mike_control_t {

	/**
	 * Register a command; a later registration of the same name replaces
	 * the earlier one.
	 *
	 * @param name			command name (copied)
	 * @param cb			handler
	 * @param data			data passed to the handler
	 * @param needs_root	TRUE to refuse peers other than uid 0 before the
	 *						handler runs
	 */
	void (*register_command)(mike_control_t *this, char *name,
							 mike_control_cb_t cb, void *data,
							 bool needs_root);

	/**
	 * Remove a command.
	 *
	 * @param name			command name
	 */
	void (*unregister_command)(mike_control_t *this, char *name);

	/**
	 * Answer a request as if it came from a peer with the given uid; the
	 * socket uses it, tests can call it directly.
	 *
	 * @param request		parsed request
	 * @param uid			uid of the peer
	 * @return				response, owned by the caller
	 */
	mike_msg_t* (*dispatch)(mike_control_t *this, mike_msg_t *request,
							uid_t uid);

	/**
	 * Close the socket and all connections.
	 */
	void (*destroy)(mike_control_t *this);
};

/**
 * Create the control socket service.
 *
 * @param uri				URI of the socket, e.g. unix:///run/charon.mike
 * @param max_per_user		connections a user other than root may hold open,
 *							0 for no limit
 * @param max_connections	connections all users other than root may hold
 *							open together, 0 for no limit
 * @param request_timeout	seconds a connection has to send a whole request,
 *							from its first byte, or from connecting for the
 *							first request; 0 for no deadline
 * @return					control socket, NULL if the service can't be
 *							created (errno as left by the stream service)
 */
mike_control_t *mike_control_create(char *uri, u_int max_per_user,
									u_int max_connections,
									u_int request_timeout);

#endif /** MIKE_CONTROL_H_ @}*/
