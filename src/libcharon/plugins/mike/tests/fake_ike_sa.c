/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf */
#endif
#include "tests/fake_ike_sa.h"

#include <check.h>
#include <stdio.h>

#include <daemon.h>
#include <sa/ikev2/keymat_v2.h>
#include <encoding/payloads/unknown_payload.h>

#include "common/mike_exchange.h"
#include "common/mike_keywrap.h"
#include "payloads/gikev2_parser.h"
#include "member/mike_gsa_applier.h"

/**
 * The SK_d of every fake IKE SA: what the GCKS's end and the member's end
 * of a real one would share
 */
static u_char sk_d[32] = {
	0x5a, 0x5a, 0x5a, 0x5a, 0x01, 0x02, 0x03, 0x04,
	0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
	0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14,
	0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c,
};

typedef struct private_fake_ike_sa_t private_fake_ike_sa_t;

/**
 * Private data of a fake IKE SA.
 */
struct private_fake_ike_sa_t {

	/** public interface */
	fake_ike_sa_t public;

	/** keymat with the fixed SK_d */
	keymat_v2_t keymat;

	uint32_t unique_id;
	host_t *me, *other;
	identification_t *my_id, *other_id;
	peer_cfg_t *peer_cfg;
};

METHOD(keymat_t, keymat_get_version, ike_version_t,
	keymat_v2_t *this)
{
	return IKEV2;
}

METHOD(keymat_v2_t, get_skd, pseudo_random_function_t,
	keymat_v2_t *this, chunk_t *skd)
{
	*skd = chunk_create(sk_d, sizeof(sk_d));
	return PRF_HMAC_SHA2_256;
}

METHOD(ike_sa_t, get_unique_id, uint32_t,
	private_fake_ike_sa_t *this)
{
	return this->unique_id;
}

METHOD(ike_sa_t, get_version, ike_version_t,
	private_fake_ike_sa_t *this)
{
	return IKEV2;
}

METHOD(ike_sa_t, get_state, ike_sa_state_t,
	private_fake_ike_sa_t *this)
{
	return this->public.state;
}

METHOD(ike_sa_t, set_state, void,
	private_fake_ike_sa_t *this, ike_sa_state_t state)
{
	this->public.state = state;
}

METHOD(ike_sa_t, get_name, char*,
	private_fake_ike_sa_t *this)
{
	return this->peer_cfg->get_name(this->peer_cfg);
}

METHOD(ike_sa_t, get_my_host, host_t*,
	private_fake_ike_sa_t *this)
{
	return this->me;
}

METHOD(ike_sa_t, get_other_host, host_t*,
	private_fake_ike_sa_t *this)
{
	return this->other;
}

METHOD(ike_sa_t, get_my_id, identification_t*,
	private_fake_ike_sa_t *this)
{
	return this->my_id;
}

METHOD(ike_sa_t, get_other_id, identification_t*,
	private_fake_ike_sa_t *this)
{
	return this->other_id;
}

METHOD(ike_sa_t, get_peer_cfg, peer_cfg_t*,
	private_fake_ike_sa_t *this)
{
	return this->peer_cfg;
}

METHOD(ike_sa_t, has_condition, bool,
	private_fake_ike_sa_t *this, ike_condition_t condition)
{
	return FALSE;
}

METHOD(ike_sa_t, get_keymat, keymat_t*,
	private_fake_ike_sa_t *this)
{
	return &this->keymat.keymat;
}

METHOD(ike_sa_t, queue_task, void,
	private_fake_ike_sa_t *this, task_t *task)
{
	this->public.tasks->insert_last(this->public.tasks, task);
}

METHOD(ike_sa_t, destroy, void,
	private_fake_ike_sa_t *this)
{
	this->public.tasks->destroy_offset(this->public.tasks,
									   offsetof(task_t, destroy));
	this->peer_cfg->destroy(this->peer_cfg);
	this->me->destroy(this->me);
	this->other->destroy(this->other);
	this->my_id->destroy(this->my_id);
	this->other_id->destroy(this->other_id);
	free(this);
}

/*
 * Described in header
 */
fake_ike_sa_t *fake_ike_sa_create(uint32_t unique_id, char *connection,
								  char *me, char *other, char *my_id,
								  char *other_id)
{
	private_fake_ike_sa_t *this;
	ike_cfg_t *ike_cfg;
	peer_cfg_create_t peer = {};

	ike_cfg = ike_cfg_create(&(ike_cfg_create_t){
		.version = IKEV2,
		.local = me,
		.remote = other,
	});
	INIT(this,
		.public = {
			.ike_sa = {
				.get_unique_id = _get_unique_id,
				.get_version = _get_version,
				.get_state = _get_state,
				.set_state = _set_state,
				.get_name = _get_name,
				.get_my_host = _get_my_host,
				.get_other_host = _get_other_host,
				.get_my_id = _get_my_id,
				.get_other_id = _get_other_id,
				/* no EAP: the identity the member authenticated with */
				.get_other_eap_id = _get_other_id,
				.get_peer_cfg = _get_peer_cfg,
				.has_condition = _has_condition,
				.get_keymat = _get_keymat,
				.queue_task = _queue_task,
				.destroy = _destroy,
			},
			.state = IKE_CONNECTING,
			.tasks = linked_list_create(),
		},
		.keymat = {
			.keymat = {
				.get_version = (void*)_keymat_get_version,
			},
			.get_skd = _get_skd,
		},
		.unique_id = unique_id,
		.me = host_create_from_string(me, 500),
		.other = host_create_from_string(other, 500),
		.my_id = identification_create_from_string(my_id),
		.other_id = identification_create_from_string(other_id),
		.peer_cfg = peer_cfg_create(connection, ike_cfg, &peer),
	);
	ck_assert(this->me && this->other);
	return &this->public;
}

/*
 * Described in header
 */
chunk_t fake_ike_sa_gsk_w(void)
{
	chunk_t gsk_w;

	ck_assert(mike_keywrap_derive_gsk_w(PRF_HMAC_SHA2_256,
						chunk_create(sk_d, sizeof(sk_d)), &gsk_w));
	return gsk_w;
}

/*
 * Described in header
 */
message_t *fake_message(exchange_type_t exchange, bool request, uint32_t mid)
{
	message_t *message;

	message = message_create(IKEV2_MAJOR_VERSION, IKEV2_MINOR_VERSION);
	message->set_exchange_type(message, exchange);
	message->set_request(message, request);
	message->set_message_id(message, mid);
	return message;
}

/*
 * Described in header
 */
void fake_message_add_unknown(message_t *message, payload_type_t type,
							  chunk_t body)
{
	message->add_payload(message, &unknown_payload_create_data(type, FALSE,
										chunk_clone(body))->payload_interface);
}

/*
 * Described in header
 */
message_t *fake_message_deliver(message_t *sent)
{
	enumerator_t *enumerator;
	message_t *received;
	payload_t *payload;
	notify_payload_t *notify;
	payload_type_t type;

	received = fake_message(sent->get_exchange_type(sent),
							sent->get_request(sent),
							sent->get_message_id(sent));
	enumerator = sent->create_payload_enumerator(sent);
	while (enumerator->enumerate(enumerator, &payload))
	{
		type = payload->get_type(payload);
		if (type == PLV2_NOTIFY)
		{
			notify = (notify_payload_t*)payload;
			received->add_notify(received, FALSE,
								 notify->get_notify_type(notify),
								 notify->get_notification_data(notify));
		}
		else if (type == GIKEV2_PL_IDG || type == GIKEV2_PL_GSA ||
				 type == GIKEV2_PL_KD)
		{
			fake_message_add_unknown(received, type,
									 gikev2_payload_get_body(payload));
		}
	}
	enumerator->destroy(enumerator);
	return received;
}

/*
 * Described in header
 */
mike_group_config_t *fake_group_config(char *name, const char *body)
{
	mike_group_config_t *cfg;
	settings_t *settings;
	char *str, *error = NULL;

	ck_assert(asprintf(&str, "groups {\n %s {\n%s\n }\n}\n", name, body) > 0);
	settings = settings_create_string(str);
	free(str);
	cfg = mike_group_config_create(settings, "groups", name, &error);
	settings->destroy(settings);
	ck_assert_msg(cfg, "group '%s' rejected: %s\n%s", name, error, body);
	return cfg;
}

/*
 * Described in header
 */
mike_group_t *fake_group_add(mike_groups_t *groups, char *name,
							 const char *body)
{
	mike_group_t *group;

	group = groups->add(groups, fake_group_config(name, body));
	groups->checkin(groups, group);
	return group;
}

/*
 * Described in header
 */
mike_group_t *fake_group_get(mike_groups_t *groups, char *name)
{
	mike_group_t *group;

	group = groups->checkout(groups, name);
	if (group)
	{
		groups->checkin(groups, group);
	}
	return group;
}

/*
 * Described in header
 */
mike_groups_t *fake_groups_create()
{
	return mike_groups_create(mike_gcks_group_factory_create(NULL),
							  mike_member_group_factory_create());
}

/*
 * Described in header
 */
message_t *fake_idg_request(char *name, bool sender)
{
	message_t *request;
	idg_payload_t *idg;

	request = fake_message(IKE_AUTH, TRUE, 1);
	idg = mike_exchange_idg(name);
	ck_assert(idg);
	fake_message_add_unknown(request, GIKEV2_PL_IDG,
						gikev2_payload_get_body(&idg->payload_interface));
	idg->destroy(idg);
	if (sender)
	{	/* one Sender-ID, as members ask (RFC 9838 4.7.4) */
		request->add_notify(request, FALSE, GIKEV2_NOTIFY_GROUP_SENDER,
							chunk_from_chars(0x00, 0x00, 0x00, 0x01));
	}
	return request;
}

/*
 * Described in header
 */
bool fake_respond(listener_t *listener, ike_sa_t *ike_sa, message_t *request,
				  message_t **response)
{
	message_t *sent;
	bool success = TRUE;

	listener->message(listener, ike_sa, request, TRUE, TRUE);
	listener->authorize(listener, ike_sa, TRUE, &success);
	sent = fake_message(request->get_exchange_type(request), FALSE,
						request->get_message_id(request));
	listener->message(listener, ike_sa, sent, FALSE, TRUE);
	*response = fake_message_deliver(sent);
	sent->destroy(sent);
	request->destroy(request);
	return success;
}

/*
 * Described in header
 */
mike_member_group_t *fake_member_state(const char *body, message_t *response)
{
	mike_member_group_t *group;
	payload_t *gsa, *kd;
	chunk_t gsk_w = fake_ike_sa_gsk_w();
	status_t status;

	gsa = mike_exchange_get(response, GIKEV2_PL_GSA, NULL);
	kd = mike_exchange_get(response, GIKEV2_PL_KD, NULL);
	ck_assert(gsa && kd);
	group = mike_member_group_create(fake_group_config("g", body));
	status = mike_gsa_apply(group, (gsa_payload_t*)gsa, (kd_payload_t*)kd,
							gsk_w, FALSE);
	gsa->destroy(gsa);
	kd->destroy(kd);
	chunk_clear(&gsk_w);
	if (status != SUCCESS)
	{
		group->group.destroy(&group->group);
		return NULL;
	}
	return group;
}

METHOD(mike_rekey_socket_t, socket_send, bool,
	fake_socket_t *this, host_t *dst, chunk_t *msgs, int count)
{
	chunk_t *copy;
	int i;

	for (i = 0; i < count; i++)
	{
		INIT(copy);
		*copy = chunk_clone(msgs[i]);
		this->sent->insert_last(this->sent, copy);
	}
	this->sends++;
	DESTROY_IF(this->dst);
	this->dst = dst->clone(dst);
	return TRUE;
}

METHOD(mike_rekey_socket_t, socket_send_late, void,
	fake_socket_t *this, host_t *dst, chunk_t *msgs, int count)
{
	this->late++;
}

METHOD(mike_rekey_socket_t, socket_get_max_message, size_t,
	fake_socket_t *this, host_t *dst)
{
	return this->max_message;
}

METHOD(mike_rekey_socket_t, socket_subscribe, bool,
	fake_socket_t *this, host_t *group)
{
	return TRUE;
}

METHOD(mike_rekey_socket_t, socket_unsubscribe, void,
	fake_socket_t *this, host_t *group)
{
}

static void sent_destroy(chunk_t *msg)
{
	chunk_free(msg);
	free(msg);
}

METHOD(mike_rekey_socket_t, socket_destroy, void,
	fake_socket_t *this)
{
	this->sent->destroy_function(this->sent, (void*)sent_destroy);
	DESTROY_IF(this->dst);
	free(this);
}

/*
 * Described in header
 */
fake_socket_t *fake_socket_create(void)
{
	fake_socket_t *this;

	INIT(this,
		.socket = {
			.send = _socket_send,
			.send_late = _socket_send_late,
			.get_max_message = _socket_get_max_message,
			.subscribe = _socket_subscribe,
			.unsubscribe = _socket_unsubscribe,
			.destroy = _socket_destroy,
		},
		.sent = linked_list_create(),
	);
	return this;
}

/*
 * Described in header
 */
chunk_t fake_socket_get(fake_socket_t *this, int n)
{
	enumerator_t *enumerator;
	chunk_t *msg, found = chunk_empty;

	enumerator = this->sent->create_enumerator(this->sent);
	while (enumerator->enumerate(enumerator, &msg))
	{
		if (n-- == 0)
		{
			found = *msg;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * SPIs of the SAs in the fake kernel, host order
 */
static linked_list_t *kernel_sas;

METHOD(kernel_ipsec_t, kernel_get_features, kernel_feature_t,
	kernel_ipsec_t *this)
{
	return 0;
}

METHOD(kernel_ipsec_t, kernel_add_sa, status_t,
	kernel_ipsec_t *this, kernel_ipsec_sa_id_t *id,
	kernel_ipsec_add_sa_t *data)
{
	kernel_sas->insert_last(kernel_sas, (void*)(uintptr_t)ntohl(id->spi));
	return SUCCESS;
}

METHOD(kernel_ipsec_t, kernel_del_sa, status_t,
	kernel_ipsec_t *this, kernel_ipsec_sa_id_t *id,
	kernel_ipsec_del_sa_t *data)
{
	return kernel_sas->remove(kernel_sas, (void*)(uintptr_t)ntohl(id->spi),
							  NULL) ? SUCCESS : NOT_FOUND;
}

METHOD(kernel_ipsec_t, kernel_policy, status_t,
	kernel_ipsec_t *this, kernel_ipsec_policy_id_t *id,
	kernel_ipsec_manage_policy_t *data)
{
	return SUCCESS;
}

METHOD(kernel_ipsec_t, kernel_flush, status_t,
	kernel_ipsec_t *this)
{
	return SUCCESS;
}

METHOD(kernel_ipsec_t, kernel_destroy, void,
	kernel_ipsec_t *this)
{
	kernel_sas->destroy(kernel_sas);
	kernel_sas = NULL;
	free(this);
}

/**
 * The constructor charon's kernel interface takes
 */
static kernel_ipsec_t *fake_kernel_create(void)
{
	kernel_ipsec_t *this;

	INIT(this,
		.get_features = _kernel_get_features,
		.add_sa = _kernel_add_sa,
		.del_sa = _kernel_del_sa,
		.flush_sas = _kernel_flush,
		.add_policy = _kernel_policy,
		.del_policy = _kernel_policy,
		.flush_policies = _kernel_flush,
		.destroy = _kernel_destroy,
	);
	kernel_sas = linked_list_create();
	return this;
}

/*
 * Described in header
 */
void fake_kernel_install(void)
{
	ck_assert(charon->kernel->add_ipsec_interface(charon->kernel,
												  fake_kernel_create));
}

/*
 * Described in header
 */
void fake_kernel_remove(void)
{
	charon->kernel->remove_ipsec_interface(charon->kernel,
										   fake_kernel_create);
}

/*
 * Described in header
 */
bool fake_kernel_has_sa(uint32_t spi)
{
	enumerator_t *enumerator;
	uintptr_t current;
	bool found = FALSE;

	enumerator = kernel_sas->create_enumerator(kernel_sas);
	while (!found && enumerator->enumerate(enumerator, &current))
	{
		found = current == spi;
	}
	enumerator->destroy(enumerator);
	return found;
}

/*
 * Described in header
 */
int fake_kernel_sa_count(void)
{
	return kernel_sas->get_count(kernel_sas);
}

/**
 * The ID fake_manager_checkout_by_id() was last asked for
 */
static uint32_t last_checkout;

METHOD(ike_sa_manager_t, manager_checkout_by_id, ike_sa_t*,
	ike_sa_manager_t *this, uint32_t id)
{
	last_checkout = id;
	return NULL;
}

METHOD(ike_sa_manager_t, manager_destroy, void,
	ike_sa_manager_t *this)
{
	free(this);
}

/*
 * Described in header
 */
void fake_manager_install(void)
{
	ike_sa_manager_t *manager;

	ck_assert(!charon->ike_sa_manager);
	INIT(manager,
		.checkout_by_id = _manager_checkout_by_id,
		.destroy = _manager_destroy,
	);
	charon->ike_sa_manager = manager;
	last_checkout = 0;
}

/*
 * Described in header
 */
void fake_manager_remove(void)
{
	charon->ike_sa_manager->destroy(charon->ike_sa_manager);
	charon->ike_sa_manager = NULL;
}

/*
 * Described in header
 */
uint32_t fake_manager_last_checkout(void)
{
	return last_checkout;
}
