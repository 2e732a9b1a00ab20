/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_settings mike_settings
 * @{ @ingroup mike
 */

#ifndef MIKE_SETTINGS_H_
#define MIKE_SETTINGS_H_

#include <library.h>

/**
 * Default URI of the plugin's control socket; Debian's AppArmor profile for
 * charon allows sockets under /run/charon.*.
 */
#define MIKE_DEFAULT_SOCKET "unix:///run/charon.mike"

/**
 * Default file of the GCKS's group state.
 */
#define MIKE_DEFAULT_DATABASE "/var/lib/strongswan/mike.db"

/**
 * Default of the connections one user other than root may hold open on the
 * control socket at once.
 */
#define MIKE_DEFAULT_CONTROL_MAX_CONNECTIONS_PER_USER 8

/**
 * Default of the connections all users other than root together may hold
 * open on the control socket.
 */
#define MIKE_DEFAULT_CONTROL_MAX_CONNECTIONS 32

/**
 * Default of the seconds a control connection has to send a whole request,
 * from its first byte (or from connecting, for the first one).
 */
#define MIKE_DEFAULT_CONTROL_REQUEST_TIMEOUT 5

/**
 * Default of the largest IP datagram of a GSA_REKEY (IP and UDP headers
 * included), larger messages go as IKE fragments: a 1500-byte Ethernet MTU
 * with room for a tunnel or two on the way.
 */
#define MIKE_DEFAULT_REKEY_FRAGMENT_SIZE 1400

/**
 * The smallest rekey_fragment_size taken: the IPv4 datagram every host
 * reassembles (RFC 791), the threshold RFC 7383 2.5.1 suggests for IPv4.
 */
#define MIKE_MIN_REKEY_FRAGMENT_SIZE 576

typedef struct mike_settings_t mike_settings_t;

/**
 * The plugin's options from strongswan.conf (charon.plugins.mike.*), read
 * once when the plugin is registered.
 */
struct mike_settings_t {

	/**
	 * URI of the control socket mikectl and libsam connect to.
	 */
	char *socket;

	/**
	 * Connections a user other than root may hold open on the control
	 * socket, 0 for no limit.
	 */
	u_int control_max_connections_per_user;

	/**
	 * Connections all users other than root may hold open together, 0 for
	 * no limit.
	 */
	u_int control_max_connections;

	/**
	 * Seconds a control connection has to send a whole request, 0 for no
	 * deadline.
	 */
	u_int control_request_timeout;

	/**
	 * Extra copies of each GSA_REKEY message.
	 */
	u_int rekey_retransmissions;

	/**
	 * Milliseconds between the copies.
	 */
	u_int rekey_retransmit_interval;

	/**
	 * Multicast TTL / hop limit of GSA_REKEY messages.
	 */
	u_int rekey_ttl;

	/**
	 * Largest IP datagram of a GSA_REKEY, larger ones go as IKE fragments;
	 * 0 never to fragment.
	 */
	u_int rekey_fragment_size;

	/**
	 * SQLite file of the GCKS's group state, "" for none.
	 */
	char *database;
};

/**
 * Read the options from lib->settings.
 *
 * @param settings		filled in; strings point into lib->settings
 */
void mike_settings_load(mike_settings_t *settings);

#endif /** MIKE_SETTINGS_H_ @}*/
