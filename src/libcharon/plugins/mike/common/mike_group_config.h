/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_group_config mike_group_config
 * @{ @ingroup mike
 */

#ifndef MIKE_GROUP_CONFIG_H_
#define MIKE_GROUP_CONFIG_H_

#include <library.h>
#include <networking/host.h>
#include <utils/identification.h>
#include <ipsec/ipsec_types.h>
#include <collections/linked_list.h>

#include "common/mike_sam.h"

typedef struct mike_group_config_t mike_group_config_t;
typedef enum mike_group_role_t mike_group_role_t;

/**
 * What this host is in a group.
 */
enum mike_group_role_t {
	/** group member: registers with a GCKS over a swanctl connection */
	MIKE_ROLE_MEMBER,
	/** Group Controller / Key Server: accepts registrations, owns the keys */
	MIKE_ROLE_GCKS,
};

/**
 * Names of mike_group_role_t, "member" and "gcks".
 */
extern enum_name_t *mike_group_role_names;

/**
 * The configuration of one multicast group, as given in a groups { <name>
 * { ... } } section of swanctl.conf or charon.plugins.mike.groups of
 * strongswan.conf.  docs/configuration.md describes every key.
 *
 * Immutable once created.
 */
struct mike_group_config_t {

	/** the group's name, the section name */
	char *name;

	/** GCKS or member */
	mike_group_role_t role;

	/** multicast address of the group (port 0) */
	host_t *address;

	/** IP protocol of the group's traffic, 0 for any */
	uint8_t protocol;

	/** destination port of the group's traffic, 0 for any */
	uint16_t port;

	/** ESP proposals for the data SAs (TEKs), proposal_t; GCKS uses the
	 *  first, members accept any of them */
	linked_list_t *proposals;

	/** IPsec mode of the data SAs */
	ipsec_mode_t mode;

	/** lifetime of a TEK, in seconds */
	uint32_t tek_lifetime;

	/** lifetime of the KEK (rekey SA), in seconds */
	uint32_t kek_lifetime;

	/** GCKS: seconds between TEK rollovers (GSA_REKEY), before expiry */
	uint32_t tek_rekey_time;

	/** seconds a sender waits before it sends with a new TEK (ATD) */
	uint32_t activation_delay;

	/** seconds old TEKs stay installed after a rollover (DTD) */
	uint32_t deactivation_delay;

	/** multicast address rekey messages are sent to, NULL for unicast
	 *  rekeying over the registration SAs */
	host_t *rekey_address;

	/** UDP port of the rekey messages */
	uint16_t rekey_port;

	/** GCKS: replace the group's keys when a member joins, so it cannot
	 *  read what was sent before (backward access control) */
	bool rekey_on_join;

	/** identities that may join (identification_t, wildcards allowed); on
	 *  the GCKS only */
	linked_list_t *members;

	/** identities that may send; on the GCKS only */
	linked_list_t *senders;

	/** SAM scheme of the group, a libsam scheme name */
	char *sam_scheme;

	/** the same scheme by its ID */
	mike_sam_scheme_t sam_scheme_id;

	/** GCKS: members' applications encrypt the group's SAM payloads under
	 *  the data key derived from the KEK (docs/sam-keys.md); default yes */
	bool sam_encrypt;

	/** swanctl connection that registers the group; on members only */
	char *connection;

	/** whether this member asks to send to the group */
	bool sender;

	/** local users that may read the group's information and get its SAM
	 *  verification keys (uid_t) */
	linked_list_t *users;

	/** local users that may get this sender's SAM signing key (uid_t);
	 *  members with sender = yes only */
	linked_list_t *senders_users;

	/** member: block cleartext to and from the group while it is loaded
	 *  but has no keys (GET VPN's fail-close); default yes */
	bool fail_close;

	/** GCKS: seconds a member restored from the state store after a
	 *  restart has to register again before it is dropped (with a rekey);
	 *  default tek_lifetime */
	uint32_t rejoin_timeout;

	/**
	 * Whether an identity may join (GCKS).
	 *
	 * @param id		authenticated identity of the peer
	 * @return			TRUE if it matches one of the members patterns
	 */
	bool (*may_join)(mike_group_config_t *this, identification_t *id);

	/**
	 * Whether an identity may send (GCKS).
	 *
	 * @param id		authenticated identity of the peer
	 * @return			TRUE if it matches one of the senders patterns
	 */
	bool (*may_send)(mike_group_config_t *this, identification_t *id);

	/**
	 * Destroy the configuration.
	 */
	void (*destroy)(mike_group_config_t *this);
};

/**
 * Read a group's configuration from a settings section.
 *
 * Every error is logged with the group's name and the offending key.  A
 * key that is not known (with the closest known key, if close), a key of
 * the other role and any subsection are errors.
 *
 * @param settings	settings to read
 * @param base		the section holding the groups, e.g. "groups" (a
 *					literal path: no '%')
 * @param name		the group's name, the subsection of base
 * @param error		if not NULL, set to an allocated description of the
 *					first error (NULL if none), to free by the caller
 * @return			the configuration, NULL if it is invalid
 */
mike_group_config_t *mike_group_config_create(settings_t *settings,
											  char *base, char *name,
											  char **error);

#endif /** MIKE_GROUP_CONFIG_H_ @}*/
