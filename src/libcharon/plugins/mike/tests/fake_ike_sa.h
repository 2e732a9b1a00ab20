/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * What the registrar tests drive the listeners with instead of charon's
 * network, as strongSwan's own task tests do: an IKE SA that answers the
 * listeners' questions, messages as charon hands them to listeners, a rekey
 * socket that records what it is asked to send and an IPsec kernel
 * interface that records the SAs installed.  In tests only.
 */

#ifndef FAKE_IKE_SA_H_
#define FAKE_IKE_SA_H_

#include <sa/ike_sa.h>
#include <encoding/message.h>
#include <kernel/kernel_ipsec.h>
#include <sa/ike_sa_manager.h>
#include <bus/listeners/listener.h>

#include "group/mike_groups.h"
#include "gcks/mike_gcks_group.h"
#include "gcks/mike_gcks_group_factory.h"
#include "member/mike_member_group.h"
#include "common/mike_rekey_socket.h"

typedef struct fake_ike_sa_t fake_ike_sa_t;
typedef struct fake_socket_t fake_socket_t;

/**
 * An IKEv2 SA between a member and the GCKS.  Both ends' fakes have the same
 * SK_d, so the GCKS and the member derive the same GSK_w from it.
 */
struct fake_ike_sa_t {

	/** implements the part of ike_sa_t the listeners call */
	ike_sa_t ike_sa;

	/** what get_state() returns, IKE_CONNECTING at first */
	ike_sa_state_t state;

	/** tasks queued with queue_task(), task_t (owned) */
	linked_list_t *tasks;
};

/**
 * Create an IKE SA.
 *
 * @param unique_id		its unique ID
 * @param connection	name of its peer_cfg (a member group's connection)
 * @param me			own address
 * @param other			peer's address
 * @param my_id			own identity
 * @param other_id		peer's identity (get_other_id() and
 *						get_other_eap_id())
 * @return				IKE SA, destroy with ike_sa.destroy()
 */
fake_ike_sa_t *fake_ike_sa_create(uint32_t unique_id, char *connection,
								  char *me, char *other, char *my_id,
								  char *other_id);

/**
 * The GSK_w both ends of a fake IKE SA derive (allocated).
 */
chunk_t fake_ike_sa_gsk_w(void);

/**
 * An empty plaintext IKEv2 message.
 *
 * @param exchange		exchange type
 * @param request		TRUE for a request
 * @param mid			Message ID
 */
message_t *fake_message(exchange_type_t exchange, bool request, uint32_t mid);

/**
 * Add a G-IKEv2 payload to a message as charon's parser leaves it in a
 * received one, an unknown_payload_t of the payload's type.
 *
 * @param message		received message
 * @param type			GIKEV2_PL_*
 * @param body			payload body (cloned)
 */
void fake_message_add_unknown(message_t *message, payload_type_t type,
							  chunk_t body);

/**
 * The message a peer receives for one a listener built: the same header,
 * notifies and G-IKEv2 payloads, those as unknown_payload_t.
 *
 * @param sent			message as sent (not modified)
 * @return				message as received
 */
message_t *fake_message_deliver(message_t *sent);

/**
 * A group's configuration from the body of its settings section.
 *
 * @param name			group name
 * @param body			settings of the group, "key = value\n" lines
 * @return				configuration (fails the test if invalid)
 */
mike_group_config_t *fake_group_config(char *name, const char *body);

/**
 * The GSA of a group of either role
 */
#define GSA(g) ((g)->group.get_gsa(&(g)->group))

/**
 * The KEK's SPI and keying material of a group of either role
 */
#define KEK_SPI(g) (GSA(g)->get_kek_spi(GSA(g)))
#define KEK_KEYMAT(g) (GSA(g)->get_kek_keymat(GSA(g)))

/**
 * An empty group store with the plugin's factories (GCKS groups keep no
 * state across restarts).
 *
 * @return				store
 */
mike_groups_t *fake_groups_create();

/**
 * Add a group from the body of its settings section to a store.
 *
 * @return				the group (owned by the store, checked in)
 */
mike_group_t *fake_group_add(mike_groups_t *groups, char *name,
							 const char *body);

/**
 * A group of a store, checked out and in again (tests run in one thread).
 *
 * @return				the group, NULL if there is none of that name
 */
mike_group_t *fake_group_get(mike_groups_t *groups, char *name);

/**
 * A received registration request: IKE_AUTH, Message ID 1, with an IDg for
 * a group and, for a sender, N(GROUP_SENDER).
 */
message_t *fake_idg_request(char *name, bool sender);

/**
 * Run a received IKE_AUTH request through a listener as charon does when it
 * responds: the message hook, authorize(final) and the message hook on the
 * response it sends.
 *
 * @param listener		responder's listener
 * @param ike_sa		the IKE SA
 * @param request		request as received (destroyed)
 * @param response		the response as the initiator receives it
 * @return				what authorize() left of success
 */
bool fake_respond(listener_t *listener, ike_sa_t *ike_sa, message_t *request,
				  message_t **response);

/**
 * A member group's state taken from the GSA and KD of a registration
 * response, with the GSK_w of the fake IKE SAs.
 *
 * @param body			the member group's settings
 * @param response		received response
 * @return				member group (not in a store), NULL if the GSA
 *						was refused
 */
mike_member_group_t *fake_member_state(const char *body, message_t *response);

/**
 * A rekey socket that records the datagrams sent.
 */
struct fake_socket_t {

	/** implements mike_rekey_socket_t */
	mike_rekey_socket_t socket;

	/** datagrams sent, chunk_t* (owned), each fragment on its own */
	linked_list_t *sent;

	/** destination of the last one, NULL if none */
	host_t *dst;

	/** what get_max_message() returns, 0 (never fragment) by default */
	size_t max_message;

	/** messages send_late() was called for (not sent again) */
	int late;

	/** calls of send(): messages sent, whole or in fragments */
	u_int sends;
};

/**
 * Create a recording rekey socket.
 */
fake_socket_t *fake_socket_create(void);

/**
 * The n-th datagram sent (from 0), chunk_empty if there is none.
 */
chunk_t fake_socket_get(fake_socket_t *this, int n);

/**
 * Replace charon's IPsec kernel interface by one that records SAs and
 * accepts policies; fake_kernel_remove() puts charon's back.
 */
void fake_kernel_install(void);

/**
 * Remove the fake IPsec kernel interface.
 */
void fake_kernel_remove(void);

/**
 * Whether the fake kernel has an SA with an SPI.
 */
bool fake_kernel_has_sa(uint32_t spi);

/**
 * Number of SAs in the fake kernel.
 */
int fake_kernel_sa_count(void);

/**
 * Give charon an IKE SA manager (the tests' libcharon has none) that knows
 * no IKE SA: what the plugin checks out to close or initiate over is
 * recorded, and not found.
 */
void fake_manager_install(void);

/**
 * Remove the fake IKE SA manager.
 */
void fake_manager_remove(void);

/**
 * The unique ID of the IKE SA last asked for, 0 if none.
 */
uint32_t fake_manager_last_checkout(void);

#endif /* FAKE_IKE_SA_H_ */
