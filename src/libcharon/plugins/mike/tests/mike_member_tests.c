/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * The member's registrar (member/mike_member_listener.c) and its receiving
 * side of rekeying (member/mike_member_rekey.c), against the GCKS's code:
 * requests the member's listener builds go through the GCKS's listener and
 * back, GSA_REKEY datagrams the GCKS's rekeying sent (to a recording
 * socket) go to mike_member_rekey_t.receive().  SAs go to a fake IPsec
 * kernel interface.
 */

#include "tests/mike_tests.h"
#include "tests/fake_ike_sa.h"
#include "common/mike_sam.h"
#include "tests/test_util.h"

#include <daemon.h>
#include <encoding/payloads/unknown_payload.h>

#include "gcks/mike_gcks_listener.h"
#include "gcks/mike_gsa_builder.h"
#include "member/mike_member_listener.h"
#include "member/mike_member_rekey.h"
#include "member/mike_gsa_applier.h"
#include "common/mike_exchange.h"
#include "common/mike_rekey_msg.h"
#include "common/mike_keywrap.h"
#include "payloads/gikev2_parser.h"

/** the groups of the GCKS: g, and s for senders */
static const char *gcks_body =
	"role = gcks\n"
	"address = 239.1.2.3\n"
	"port = 5000\n"
	"esp_proposals = aes256gcm16\n"
	"members = *@example.org\n"
	"senders = *@example.org\n";

/** the same with GSA_REKEY messages */
static const char *gcks_rekey_body =
	"role = gcks\n"
	"address = 239.1.2.3\n"
	"port = 5000\n"
	"esp_proposals = aes256gcm16\n"
	"members = *@example.org\n"
	"senders = *@example.org\n"
	"rekey_address = 239.1.2.4\n"
	"rekey_port = 4848\n";

/** a member group on connection c */
static const char *member_body =
	"address = 239.1.2.3\n"
	"port = 5000\n"
	"esp_proposals = aes256gcm16\n"
	"connection = c\n";

/** a member group on connection cs, sending */
static const char *sender_body =
	"address = 239.1.2.3\n"
	"port = 5000\n"
	"esp_proposals = aes256gcm16\n"
	"connection = cs\n"
	"sender = yes\n";

static mike_groups_t *gcks_groups;
static fake_socket_t *sock;
static mike_gcks_listener_t *gcks;
static private_key_t *signing_key;

/**
 * The GCKS with its groups, signing GSA_REKEY messages
 */
static void gcks_setup(const char *body)
{
	enumerator_t *enumerator;
	mike_gcks_group_t *group;

	/* before the groups: a member group takes its fail-close policies */
	fake_kernel_install();
	gcks_groups = fake_groups_create();
	fake_group_add(gcks_groups, "g", body);
	fake_group_add(gcks_groups, "s", body);
	signing_key = lib->creds->create(lib->creds, CRED_PRIVATE_KEY,
									 KEY_ED25519, BUILD_END);
	ck_assert(signing_key);
	enumerator = mike_gcks_group_create_enumerator(gcks_groups, NULL);
	while (enumerator->enumerate(enumerator, &group))
	{
		ck_assert(group->ensure_signing_key(group, signing_key));
	}
	enumerator->destroy(enumerator);
	sock = fake_socket_create();
	gcks = mike_gcks_listener_create(gcks_groups, &sock->socket);
}

static void gcks_teardown(void)
{
	gcks->destroy(gcks);
	gcks_groups->destroy(gcks_groups);
	signing_key->destroy(signing_key);
	fake_kernel_remove();
}

/**
 * The GCKS's group of a name
 */
static mike_gcks_group_t *gcks_group(char *name)
{
	return mike_gcks_group(fake_group_get(gcks_groups, name));
}


/**
 * The two ends of an IKE SA (unique ID n) of a member on a connection
 */
static void ike_sa_pair(uint32_t n, char *connection, char *identity,
						ike_sa_t **member, ike_sa_t **gcks_end)
{
	char host[32];

	snprintf(host, sizeof(host), "192.0.2.%u", n);
	*member = &fake_ike_sa_create(n, connection, host, "192.0.2.254",
								  identity, "gcks.example.org")->ike_sa;
	*gcks_end = &fake_ike_sa_create(n, connection, "192.0.2.254", host,
									"gcks.example.org", identity)->ike_sa;
}

/*******************************************************************************
 * Member registrar
 */

static mike_groups_t *groups;
static mike_member_listener_t *member;
static ike_sa_t *member_sa, *gcks_sa;

/**
 * The member's group of a name
 */
static mike_member_group_t *member_group(char *name)
{
	return mike_member_group(fake_group_get(groups, name));
}

static void member_setup(void)
{
	gcks_setup(gcks_body);
	groups = fake_groups_create();
	fake_group_add(groups, "g", member_body);
	fake_group_add(groups, "h", member_body);
	fake_group_add(groups, "s", sender_body);
	member = mike_member_listener_create(groups);
	ike_sa_pair(1, "c", "alice@example.org", &member_sa, &gcks_sa);
}

static void member_teardown(void)
{
	member->destroy(member);
	groups->destroy(groups);
	member_sa->destroy(member_sa);
	gcks_sa->destroy(gcks_sa);
	gcks_teardown();
}

/**
 * The first IKE_AUTH request the member's listener sends, as received
 */
static message_t *first_request(ike_sa_t *ike_sa, uint32_t mid)
{
	message_t *sent, *received;

	sent = fake_message(IKE_AUTH, TRUE, mid);
	member->listener.message(&member->listener, ike_sa, sent, FALSE, TRUE);
	received = fake_message_deliver(sent);
	sent->destroy(sent);
	return received;
}

/**
 * Assert a received request asks for a group, as a sender or not
 */
static void assert_asks_for(message_t *request, char *name, bool sender)
{
	idg_payload_t *idg;
	char buf[64];

	idg = (idg_payload_t*)mike_exchange_get(request, GIKEV2_PL_IDG, NULL);
	ck_assert(idg);
	ck_assert(mike_exchange_idg_name(idg, buf, sizeof(buf)));
	ck_assert_str_eq(buf, name);
	ck_assert(!request->get_notify(request,
								   GIKEV2_NOTIFY_GROUP_SENDER) == !sender);
	if (sender)
	{	/* RFC 9838 4.7.4: a 4-octet count of Sender-IDs, one */
		notify_payload_t *notify;

		notify = request->get_notify(request, GIKEV2_NOTIFY_GROUP_SENDER);
		ck_assert_chunk_eq(notify->get_notification_data(notify),
						   chunk_from_chars(0x00, 0x00, 0x00, 0x01));
	}
	idg->destroy(idg);
}

/**
 * The member's listener takes a response, then charon authenticated the
 * GCKS; returns what authorize() left of success
 */
static bool take_response(message_t *response)
{
	bool success = TRUE;

	member->listener.message(&member->listener, member_sa, response, TRUE,
							 TRUE);
	response->destroy(response);
	member->listener.authorize(&member->listener, member_sa, TRUE, &success);
	return success;
}

/**
 * Register over the member's IKE SA through the GCKS; returns success
 */
static bool register_member(void)
{
	message_t *response;

	ck_assert(fake_respond(&gcks->listener, gcks_sa,
						   first_request(member_sa, 1), &response));
	return take_response(response);
}

/**
 * Register cam, a sender, over connection cs (IKE SA 2)
 */
static bool register_cam(ike_sa_t **cam, ike_sa_t **cam_gcks)
{
	message_t *response;
	bool success = TRUE;

	ike_sa_pair(2, "cs", "cam@example.org", cam, cam_gcks);
	ck_assert(fake_respond(&gcks->listener, *cam_gcks,
						   first_request(*cam, 1), &response));
	member->listener.message(&member->listener, *cam, response, TRUE, TRUE);
	response->destroy(response);
	member->listener.authorize(&member->listener, *cam, TRUE, &success);
	return success;
}

START_TEST(test_first_request_asks_for_group)
{
	message_t *request;

	request = first_request(member_sa, 1);
	assert_asks_for(request, "g", FALSE);
	request->destroy(request);
}
END_TEST

START_TEST(test_first_request_sender_group)
{
	ike_sa_t *cam, *cam_gcks;
	message_t *request;

	ike_sa_pair(2, "cs", "cam@example.org", &cam, &cam_gcks);
	request = first_request(cam, 1);
	assert_asks_for(request, "s", TRUE);
	request->destroy(request);
	cam->destroy(cam);
	cam_gcks->destroy(cam_gcks);
}
END_TEST

START_TEST(test_sender_presents_sam_key)
{
	mike_member_group_t *group = member_group("s");
	mike_gcks_member_t *sender;
	notify_payload_t *notify;
	ike_sa_t *cam, *cam_gcks;
	message_t *request;
	public_key_t *pub;
	chunk_t spki, expected;
	char *why;

	/* made on this host with the group; the public half is asked with */
	ck_assert(group->get_sam_key(group));
	ck_assert(!member_group("g")->get_sam_key(member_group("g")));
	pub = group->get_sam_key(group)->get_public_key(group->get_sam_key(group));
	ck_assert(pub->get_encoding(pub, PUBKEY_SPKI_ASN1_DER, &expected));
	pub->destroy(pub);

	ike_sa_pair(2, "cs", "cam@example.org", &cam, &cam_gcks);
	request = first_request(cam, 1);
	notify = request->get_notify(request, GIKEV2_NOTIFY_MIKE_SAM_KEY);
	ck_assert(notify);
	ck_assert(mike_sam_key_parse(notify->get_notification_data(notify),
								 MIKE_SAM_ED25519, &spki, &why));
	ck_assert_chunk_eq(spki, expected);
	/* no bootstrap until a local sender publishes one */
	ck_assert(!request->get_notify(request, GIKEV2_NOTIFY_MIKE_SAM_BOOTSTRAP));
	request->destroy(request);
	cam->destroy(cam);
	cam_gcks->destroy(cam_gcks);

	/* one published goes with the key */
	ck_assert_int_eq(group->set_sam_bootstrap(group, chunk_from_str("chain")),
					 SUCCESS);
	/* the same again changes nothing, another one must wait */
	ck_assert_int_eq(group->set_sam_bootstrap(group, chunk_from_str("chain")),
					 ALREADY_DONE);
	ck_assert_int_eq(group->set_sam_bootstrap(group, chunk_from_str("other")),
					 INVALID_STATE);
	ike_sa_pair(2, "cs", "cam@example.org", &cam, &cam_gcks);
	request = first_request(cam, 1);
	notify = request->get_notify(request, GIKEV2_NOTIFY_MIKE_SAM_BOOTSTRAP);
	ck_assert(notify);
	ck_assert_chunk_eq(notify->get_notification_data(notify),
					   chunk_from_str("chain"));
	request->destroy(request);
	cam->destroy(cam);
	cam_gcks->destroy(cam_gcks);

	/* the GCKS hands it out with the sender's TEK */
	ck_assert(register_cam(&cam, &cam_gcks));
	sender = gcks_group("s")->find_member(gcks_group("s"), 2);
	ck_assert(sender && sender->tek);
	ck_assert_chunk_eq(sender->tek->sam_key, expected);
	ck_assert_chunk_eq(sender->tek->sam_bootstrap, chunk_from_str("chain"));
	chunk_free(&expected);
	cam->destroy(cam);
	cam_gcks->destroy(cam_gcks);
}
END_TEST

START_TEST(test_other_requests_unchanged)
{
	ike_sa_t *other, *other_gcks;
	message_t *request;

	/* a later IKE_AUTH round (EAP) */
	request = first_request(member_sa, 2);
	ck_assert(!mike_exchange_find(request, GIKEV2_PL_IDG));
	request->destroy(request);

	/* a connection no group is bound to */
	ike_sa_pair(2, "other", "alice@example.org", &other, &other_gcks);
	request = first_request(other, 1);
	ck_assert(!mike_exchange_find(request, GIKEV2_PL_IDG));
	request->destroy(request);
	other->destroy(other);
	other_gcks->destroy(other_gcks);
}
END_TEST

START_TEST(test_nothing_applied_before_authorize)
{
	mike_member_group_t *group = member_group("g");
	message_t *response;
	bool success = TRUE;

	ck_assert(fake_respond(&gcks->listener, gcks_sa,
						   first_request(member_sa, 1), &response));
	ck_assert(mike_exchange_find(response, GIKEV2_PL_GSA));
	member->listener.message(&member->listener, member_sa, response, TRUE,
							 TRUE);
	response->destroy(response);
	/* charon has not authenticated the GCKS yet */
	ck_assert(!group->get_kernel(group));
	ck_assert_int_eq(KEK_KEYMAT(group).len, 0);
	ck_assert(!group->get_ike_sa_id(group));
	ck_assert_int_eq(fake_kernel_sa_count(), 0);

	member->listener.authorize(&member->listener, member_sa, TRUE, &success);
	ck_assert(success);
	ck_assert(group->get_kernel(group));
	ck_assert_int_eq(group->get_ike_sa_id(group), 1);
	ck_assert_chunk_eq(KEK_KEYMAT(group), KEK_KEYMAT(gcks_group("g")));
	ck_assert(member->wait_registered(member, "g", 0));
}
END_TEST

START_TEST(test_sender_installs_own_sa)
{
	mike_member_group_t *group = member_group("s");
	mike_gcks_member_t *sender;
	ike_sa_t *cam, *cam_gcks;

	ck_assert(register_cam(&cam, &cam_gcks));

	sender = gcks_group("s")->find_member(gcks_group("s"), 2);
	ck_assert(sender && sender->tek);
	ck_assert_int_eq(group->get_own_spi(group), sender->tek->spi);
	ck_assert(fake_kernel_has_sa(sender->tek->spi));
	cam->destroy(cam);
	cam_gcks->destroy(cam_gcks);
}
END_TEST

START_TEST(test_further_groups_queued)
{
	fake_ike_sa_t *fake = (fake_ike_sa_t*)member_sa;
	message_t *sent, *request;
	task_t *task;

	ck_assert(register_member());
	/* h is bound to the same connection: registered over the IKE SA */
	ck_assert_int_eq(fake->tasks->get_count(fake->tasks), 1);
	ck_assert(fake->tasks->get_first(fake->tasks, (void**)&task) == SUCCESS);
	sent = fake_message(INFORMATIONAL, TRUE, 2);
	ck_assert_int_eq(task->build(task, sent), NEED_MORE);
	request = fake_message_deliver(sent);
	assert_asks_for(request, "h", FALSE);
	request->destroy(request);
	sent->destroy(sent);
}
END_TEST

START_TEST(test_refusal_fails_authorize)
{
	mike_member_group_t *group = member_group("g");
	ike_sa_t *mallory, *mallory_gcks;
	message_t *response;
	bool success = TRUE;

	ike_sa_pair(2, "c", "mallory@example.com", &mallory, &mallory_gcks);
	/* the GCKS answers IDr, AUTH, N and leaves the IKE SA to the member
	 * (RFC 9838 2.3.1), which ends it */
	ck_assert(fake_respond(&gcks->listener, mallory_gcks,
						   first_request(mallory, 1), &response));
	ck_assert(response->get_notify(response,
								   GIKEV2_NOTIFY_AUTHORIZATION_FAILED));
	member->listener.message(&member->listener, mallory, response, TRUE,
							 TRUE);
	response->destroy(response);
	member->listener.authorize(&member->listener, mallory, TRUE, &success);
	ck_assert(!success);
	ck_assert(!group->get_kernel(group));
	mallory->destroy(mallory);
	mallory_gcks->destroy(mallory_gcks);
}
END_TEST

START_TEST(test_response_without_gsa_fails)
{
	message_t *request;

	request = first_request(member_sa, 1);
	request->destroy(request);
	ck_assert(!take_response(fake_message(IKE_AUTH, FALSE, 1)));
	ck_assert(!member_group("g")->get_kernel(member_group("g")));
}
END_TEST

/* RFC 9838 2.3.4: N(USE_TRANSPORT_MODE) in the response decides the mode;
 * a member configured for another refuses the GSA rather than install
 * SAs the GCKS's other members do not expect */
START_TEST(test_mode_follows_gcks)
{
	message_t *response, *stripped;
	payload_t *payload;

	ck_assert(fake_respond(&gcks->listener, gcks_sa,
						   first_request(member_sa, 1), &response));
	ck_assert(response->get_notify(response, USE_TRANSPORT_MODE));
	/* the same GSA and KD without the notify: a tunnel-mode GCKS */
	stripped = fake_message(IKE_AUTH, FALSE, 1);
	payload = mike_exchange_find(response, GIKEV2_PL_GSA);
	fake_message_add_unknown(stripped, GIKEV2_PL_GSA,
					((unknown_payload_t*)payload)->get_data(
											(unknown_payload_t*)payload));
	payload = mike_exchange_find(response, GIKEV2_PL_KD);
	fake_message_add_unknown(stripped, GIKEV2_PL_KD,
					((unknown_payload_t*)payload)->get_data(
											(unknown_payload_t*)payload));
	response->destroy(response);
	if (_i)
	{	/* the same with the notify: registered */
		stripped->add_notify(stripped, FALSE, USE_TRANSPORT_MODE,
							 chunk_empty);
		ck_assert(take_response(stripped));
		ck_assert(member_group("g")->get_kernel(member_group("g")));
		return;
	}
	ck_assert(!take_response(stripped));
	ck_assert(!member_group("g")->get_kernel(member_group("g")));
}
END_TEST

START_TEST(test_ike_sa_gone_unregisters)
{
	mike_member_group_t *group = member_group("s");
	ike_sa_t *cam, *cam_gcks;

	ck_assert(register_cam(&cam, &cam_gcks));
	ck_assert_int_eq(fake_kernel_sa_count(), 1);

	member->listener.ike_state_change(&member->listener, cam, IKE_DESTROYING);
	ck_assert(!group->get_kernel(group));
	ck_assert(!group->get_ike_sa_id(group));
	ck_assert_int_eq(fake_kernel_sa_count(), 0);
	cam->destroy(cam);
	cam_gcks->destroy(cam_gcks);
}
END_TEST

/**
 * The GCKS's group g's GSA as the GCKS pushes it to a member over its IKE
 * SA (unicast rekeying), as the member receives it
 */
static message_t *push_request(void)
{
	message_t *request;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	idg_payload_t *idg;
	chunk_t gsk_w = fake_ike_sa_gsk_w();

	ck_assert(mike_gsa_build(gcks_group("g"), gsk_w, NULL, &gsa, &kd));
	idg = mike_exchange_idg("g");
	request = fake_message(INFORMATIONAL, TRUE, 2);
	fake_message_add_unknown(request, GIKEV2_PL_IDG,
						gikev2_payload_get_body(&idg->payload_interface));
	fake_message_add_unknown(request, GIKEV2_PL_GSA,
						gikev2_payload_get_body(&gsa->payload_interface));
	fake_message_add_unknown(request, GIKEV2_PL_KD,
						gikev2_payload_get_body(&kd->payload_interface));
	idg->destroy(idg);
	gsa->destroy(gsa);
	kd->destroy(kd);
	chunk_clear(&gsk_w);
	return request;
}

START_TEST(test_pushed_gsa_applied)
{
	mike_member_group_t *group = member_group("g");
	mike_gcks_group_t *gcks_g = gcks_group("g");
	message_t *request;

	ck_assert(register_member());
	/* the GCKS replaced its KEK (a member left): it pushes the GSA */
	ck_assert(gcks_g->new_kek(gcks_g));
	ck_assert(!chunk_equals(KEK_KEYMAT(group), KEK_KEYMAT(gcks_g)));
	((fake_ike_sa_t*)member_sa)->state = IKE_ESTABLISHED;
	request = push_request();
	member->listener.message(&member->listener, member_sa, request, TRUE,
							 TRUE);
	request->destroy(request);
	ck_assert_chunk_eq(KEK_KEYMAT(group), KEK_KEYMAT(gcks_g));
	ck_assert_int_eq(GSA(group)->get_rekeys(GSA(group)), 1);
	ck_assert(group->get_kernel(group));
}
END_TEST

START_TEST(test_pushed_gsa_over_other_ike_sa_ignored)
{
	mike_member_group_t *group = member_group("g");
	mike_gcks_group_t *gcks_g = gcks_group("g");
	ike_sa_t *other, *other_gcks;
	message_t *request;
	chunk_t kek;

	ck_assert(register_member());
	kek = chunk_clone(KEK_KEYMAT(group));
	ck_assert(gcks_g->new_kek(gcks_g));
	/* a GSA for g over an IKE SA g is not registered over */
	ike_sa_pair(7, "c", "alice@example.org", &other, &other_gcks);
	((fake_ike_sa_t*)other)->state = IKE_ESTABLISHED;
	request = push_request();
	member->listener.message(&member->listener, other, request, TRUE, TRUE);
	request->destroy(request);
	ck_assert_chunk_eq(KEK_KEYMAT(group), kek);
	ck_assert_int_eq(GSA(group)->get_rekeys(GSA(group)), 0);
	chunk_clear(&kek);
	other->destroy(other);
	other_gcks->destroy(other_gcks);
}
END_TEST

START_TEST(test_leave_closes_ike_sa)
{
	mike_member_group_t *group = member_group("g");

	ck_assert(register_member());
	ck_assert(group->get_kernel(group));
	fake_manager_install();
	/* the IKE SA carries no other group: closing it tells the GCKS */
	ck_assert(member->leave(member, "g"));
	ck_assert(!group->get_kernel(group));
	ck_assert_int_eq(fake_manager_last_checkout(), 1);
	/* not registered any more: nothing to leave */
	ck_assert(!member->leave(member, "g"));
	fake_manager_remove();
}
END_TEST

START_TEST(test_wait_registered)
{
	/* not registered: the wait ends at its timeout */
	ck_assert(!member->wait_registered(member, "g", 50));
	ck_assert(register_member());
	ck_assert(member->wait_registered(member, "g", 50));
	/* nor does one for a group that is not configured */
	ck_assert(!member->wait_registered(member, "nosuch", 10));
}
END_TEST

/*******************************************************************************
 * Member rekeying
 */

/**
 * A member that registered with the GCKS: its group's state, in a store of
 * its own, with its SAs in the fake kernel and its receiving side of
 * rekeying
 */
typedef struct {
	mike_groups_t *groups;
	mike_member_group_t *group;
	mike_member_rekey_t *rekey;
	ike_sa_t *ike_sa, *gcks_end;
} rekeyed_t;

static rekeyed_t alice, bob, cam;

/** registering again, which the rekeying asks for from a job */
static mike_member_registrar_t no_registrar;

static void rekey_setup(void)
{
	gcks_setup(gcks_rekey_body);
}

static void rekeyed_destroy(rekeyed_t *this)
{
	if (this->rekey)
	{
		this->rekey->destroy(this->rekey);
		this->groups->destroy(this->groups);
		this->ike_sa->destroy(this->ike_sa);
		this->gcks_end->destroy(this->gcks_end);
	}
	/* the next test starts from nothing, also without fork (CK_FORK=no) */
	*this = (rekeyed_t){};
}

static void rekey_teardown(void)
{
	rekeyed_destroy(&alice);
	rekeyed_destroy(&bob);
	rekeyed_destroy(&cam);
	gcks_teardown();
}

/**
 * Register a member to g with the GCKS and set its group up as the member's
 * listener would (that part is tested above)
 */
static void join(rekeyed_t *this, uint32_t n, char *identity, bool sender)
{
	message_t *response;
	payload_t *gsa, *kd;
	enumerator_t *enumerator;
	mike_kernel_t *kernel;
	mike_tek_t *tek;
	chunk_t gsk_w = fake_ike_sa_gsk_w();

	ike_sa_pair(n, "c", identity, &this->ike_sa, &this->gcks_end);
	ck_assert(fake_respond(&gcks->listener, this->gcks_end,
						   fake_idg_request("g", sender), &response));
	this->groups = fake_groups_create();
	this->group = mike_member_group(fake_group_add(this->groups, "g",
									sender ? sender_body : member_body));
	gsa = mike_exchange_get(response, GIKEV2_PL_GSA, NULL);
	kd = mike_exchange_get(response, GIKEV2_PL_KD, NULL);
	ck_assert(mike_gsa_apply(this->group, (gsa_payload_t*)gsa,
							 (kd_payload_t*)kd, gsk_w, FALSE) == SUCCESS);
	kernel = this->group->create_kernel(this->group);
	ck_assert(kernel);
	enumerator = GSA(this->group)->create_tek_enumerator(GSA(this->group));
	while (enumerator->enumerate(enumerator, &tek))
	{
		ck_assert(kernel->add_inbound(kernel, tek));
	}
	enumerator->destroy(enumerator);
	this->group->registered(this->group, n,
							this->ike_sa->get_my_host(this->ike_sa), kernel, 0);
	this->rekey = mike_member_rekey_create(this->groups, &no_registrar);
	gsa->destroy(gsa);
	kd->destroy(kd);
	chunk_clear(&gsk_w);
	response->destroy(response);
}

/**
 * A datagram the GCKS sent arrives at a member
 */
static void receive(rekeyed_t *this, chunk_t datagram)
{
	host_t *from = host_create_from_string("192.0.2.254", 4848);

	ck_assert(datagram.len);
	this->rekey->receive(this->rekey, datagram, from);
	from->destroy(from);
}

/**
 * Number of datagrams a member rejected, for any reason
 */
static uint64_t rejected(rekeyed_t *this)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < MIKE_REKEY_STATUS_MAX; i++)
	{
		sum += this->group->get_rejected(this->group, i);
	}
	return sum;
}

/**
 * alice, then cam as sender: alice learns cam's TEK from datagram 0
 */
static mike_gcks_member_t *alice_and_cam(void)
{
	mike_gcks_member_t *sender;

	join(&alice, 1, "alice@example.org", FALSE);
	join(&cam, 2, "cam@example.org", TRUE);
	sender = gcks_group("g")->find_member(gcks_group("g"), 2);
	ck_assert(sender && sender->tek);
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 1);
	return sender;
}

START_TEST(test_receive_applies_rekey)
{
	mike_gcks_member_t *sender = alice_and_cam();
	int sas = fake_kernel_sa_count();
	mike_kernel_t *kernel;

	ck_assert_int_eq(GSA(alice.group)->get_tek_count(GSA(alice.group)), 0);
	receive(&alice, fake_socket_get(sock, 0));
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)), 1);
	ck_assert_int_eq(GSA(alice.group)->get_rekey_msg_id(GSA(alice.group)), 1);
	ck_assert_int_eq(GSA(alice.group)->get_tek_count(GSA(alice.group)), 1);
	kernel = alice.group->get_kernel(alice.group);
	ck_assert(kernel->has_sa(kernel, sender->tek->spi));
	/* its inbound SA for cam */
	ck_assert_int_eq(fake_kernel_sa_count(), sas + 1);
	ck_assert_int_eq(rejected(&alice), 0);
}
END_TEST

START_TEST(test_receive_replay_rejected)
{
	alice_and_cam();
	receive(&alice, fake_socket_get(sock, 0));
	/* the GCKS's retransmission, or an attacker's */
	receive(&alice, fake_socket_get(sock, 0));
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)), 1);
	ck_assert_int_eq(alice.group->get_rejected(alice.group,
											   MIKE_REKEY_ERR_REPLAY), 1);
	ck_assert_int_eq(rejected(&alice), 1);
}
END_TEST

START_TEST(test_receive_bit_flip_rejected)
{
	chunk_t datagram;

	alice_and_cam();
	datagram = chunk_clone(fake_socket_get(sock, 0));
	datagram.ptr[datagram.len - 1] ^= 0x01;
	receive(&alice, datagram);
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)), 0);
	ck_assert_int_eq(alice.group->get_rejected(alice.group,
											   MIKE_REKEY_ERR_ICV), 1);
	ck_assert_int_eq(GSA(alice.group)->get_tek_count(GSA(alice.group)), 0);
	ck_assert_int_eq(GSA(alice.group)->get_rekey_msg_id(GSA(alice.group)), 0);
	chunk_free(&datagram);

	/* the original still goes through */
	receive(&alice, fake_socket_get(sock, 0));
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)), 1);
}
END_TEST

START_TEST(test_receive_unknown_spi_ignored)
{
	chunk_t datagram;

	alice_and_cam();
	datagram = chunk_clone(fake_socket_get(sock, 0));
	datagram.ptr[0] ^= 0x80;
	receive(&alice, datagram);
	/* not for a group of ours: neither taken nor counted */
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)), 0);
	ck_assert_int_eq(rejected(&alice), 0);
	chunk_free(&datagram);
}
END_TEST

START_TEST(test_left_member_cannot_follow)
{
	mike_gcks_group_t *group;
	chunk_t bob_kek;

	join(&alice, 1, "alice@example.org", FALSE);
	join(&bob, 3, "bob@example.org", FALSE);
	/* a receiver on a free leaf: nothing to tell alice */
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 0);
	bob_kek = chunk_clone(KEK_KEYMAT(bob.group));

	/* bob's IKE SA goes: the new KEK under the key tree's new root, then
	 * new TEKs under that */
	gcks->listener.ike_state_change(&gcks->listener, bob.gcks_end,
									IKE_DESTROYING);
	group = gcks_group("g");
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 2);

	receive(&alice, fake_socket_get(sock, 0));
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)), 1);
	ck_assert_chunk_eq(KEK_KEYMAT(alice.group), KEK_KEYMAT(group));
	receive(&alice, fake_socket_get(sock, 1));
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)), 2);

	/* bob verifies the first (it is under the KEK it has) but cannot
	 * unwrap the new KEK; it would register again */
	receive(&bob, fake_socket_get(sock, 0));
	ck_assert_int_eq(GSA(bob.group)->get_rekeys(GSA(bob.group)), 0);
	ck_assert_chunk_eq(KEK_KEYMAT(bob.group), bob_kek);
	ck_assert_int_eq(bob.group->get_reregistrations(bob.group), 1);
	/* the second is under a KEK it never had */
	receive(&bob, fake_socket_get(sock, 1));
	ck_assert_int_eq(GSA(bob.group)->get_rekeys(GSA(bob.group)), 0);
	ck_assert(!chunk_equals(KEK_KEYMAT(bob.group), KEK_KEYMAT(group)));
	chunk_clear(&bob_kek);
}
END_TEST

START_TEST(test_announce_new_sender_tek)
{
	mike_gcks_member_t *sender;
	message_t *response;

	/* cam joins as a receiver, then registers again asking to send */
	join(&alice, 1, "alice@example.org", FALSE);
	join(&cam, 2, "cam@example.org", FALSE);
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 0);
	ck_assert(fake_respond(&gcks->listener, cam.gcks_end,
						   fake_idg_request("g", TRUE), &response));
	response->destroy(response);
	sender = gcks_group("g")->find_member(gcks_group("g"), 2);
	ck_assert(sender && sender->tek);
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 1);

	receive(&alice, fake_socket_get(sock, 0));
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)), 1);
	ck_assert(fake_kernel_has_sa(sender->tek->spi));
}
END_TEST

/** members only the GCKS knows of, for a deeper key tree and a larger GSA */
#define CROWD 48

/** the largest IKE message per datagram: 576-byte IPv4 datagrams */
#define SMALL_MESSAGE (576 - 28)

/**
 * CROWD members register with the GCKS, the first senders of them as
 * senders; their IKE SAs' two ends go to sas
 */
static void crowd_join(ike_sa_t **sas, int senders)
{
	message_t *response;
	char id[32];
	int i;

	for (i = 0; i < CROWD; i++)
	{
		snprintf(id, sizeof(id), "m%d@example.org", i);
		ike_sa_pair(10 + i, i < senders ? "cs" : "c", id, &sas[2 * i],
					&sas[2 * i + 1]);
		ck_assert(fake_respond(&gcks->listener, sas[2 * i + 1],
							   fake_idg_request("g", i < senders), &response));
		response->destroy(response);
	}
}

/**
 * The datagrams from first on that belong to the message of the first,
 * as indices after first
 */
static int message_end(int first)
{
	chunk_t start = fake_socket_get(sock, first), next;
	int i = first + 1;

	while ((next = fake_socket_get(sock, i)).len &&
		   memeq(next.ptr, start.ptr, 24) && mike_rekey_msg_is_fragment(next))
	{	/* same SPI, header and Message ID */
		i++;
	}
	return i;
}

/**
 * A member receives the fragments of datagrams [first, end) backwards
 */
static void receive_backwards(rekeyed_t *this, int first, int end)
{
	int i;

	for (i = end - 1; i >= first; i--)
	{
		receive(this, fake_socket_get(sock, i));
	}
}

START_TEST(test_eviction_fragmented)
{
	ike_sa_t *crowd[2 * CROWD];
	chunk_t datagram;
	int i, count, first, end, sends, bob_rekeys;

	sock->max_message = SMALL_MESSAGE;
	join(&alice, 1, "alice@example.org", FALSE);
	join(&bob, 3, "bob@example.org", FALSE);
	crowd_join(crowd, 8);
	/* the notices of receivers' joins wait for others (mike_join_batch) */
	gcks->flush(gcks, "g");
	/* alice and bob follow every rekey of the joins */
	count = sock->sent->get_count(sock->sent);
	ck_assert_int_gt(count, sock->sends);
	for (i = 0; i < count; i++)
	{
		receive(&alice, fake_socket_get(sock, i));
		receive(&bob, fake_socket_get(sock, i));
	}
	ck_assert_int_eq(rejected(&alice), 0);
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)),
					 sock->sends);
	ck_assert_int_eq(GSA(alice.group)->get_tek_count(GSA(alice.group)), 8);

	/* bob's IKE SA goes: the new KEK under the key tree's new root, then
	 * new TEKs under that, each in fragments */
	sends = sock->sends;
	bob_rekeys = GSA(bob.group)->get_rekeys(GSA(bob.group));
	gcks->listener.ike_state_change(&gcks->listener, bob.gcks_end,
									IKE_DESTROYING);
	ck_assert_int_eq(sock->sends, sends + 2);
	for (i = count; i < sock->sent->get_count(sock->sent); i++)
	{
		datagram = fake_socket_get(sock, i);
		ck_assert_int_le(datagram.len, SMALL_MESSAGE);
		ck_assert(mike_rekey_msg_is_fragment(datagram));
	}
	first = count;
	end = message_end(first);
	ck_assert_int_gt(end - first, 2);
	ck_assert_int_gt(sock->sent->get_count(sock->sent), end + 1);

	/* alice puts the first together backwards and takes the new KEK */
	receive_backwards(&alice, first, end);
	ck_assert_int_eq(rejected(&alice), 0);
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)),
					 sends + 1);
	ck_assert_chunk_eq(KEK_KEYMAT(alice.group), KEK_KEYMAT(gcks_group("g")));
	/* the second under the new KEK */
	receive_backwards(&alice, end, sock->sent->get_count(sock->sent));
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)),
					 sends + 2);
	/* the GCKS's copies of its fragments are replays */
	receive(&alice, fake_socket_get(sock, end));
	ck_assert_int_eq(alice.group->get_rejected(alice.group,
											   MIKE_REKEY_ERR_REPLAY), 1);
	ck_assert_int_eq(alice.group->get_reregistrations(alice.group), 0);
	ck_assert_int_eq(alice.group->get_reassembly(alice.group)->get_count(
							alice.group->get_reassembly(alice.group)), 0);

	/* bob reassembles and verifies the first, but cannot unwrap its KEK */
	receive_backwards(&bob, first, end);
	ck_assert_int_eq(GSA(bob.group)->get_rekeys(GSA(bob.group)), bob_rekeys);
	/* its fragments and signature hold: nothing is counted as rejected */
	ck_assert_int_eq(rejected(&bob), 0);
	ck_assert(!chunk_equals(KEK_KEYMAT(bob.group),
							KEK_KEYMAT(gcks_group("g"))));
	ck_assert_int_eq(bob.group->get_reregistrations(bob.group), 1);

	for (i = 0; i < 2 * CROWD; i++)
	{
		crowd[i]->destroy(crowd[i]);
	}
}
END_TEST


/**
 * What another RFC 9838 GCKS may send (issue 13): payloads chosen by the
 * test, under the member's current KEK, signed with the GCKS's key
 */
static chunk_t foreign_rekey(rekeyed_t *this, uint32_t msg_id,
							 mike_rekey_payload_t *payloads, int count)
{
	mike_gsa_t *state = GSA(this->group);
	const mike_rekey_suite_t *suite = state->get_kek_suite(state);
	chunk_t msg;

	ck_assert(mike_rekey_msg_build(state->get_kek_spi(state), msg_id,
							payloads, count, suite,
							mike_rekey_suite_gsk_e(suite,
											state->get_kek_keymat(state)),
							signing_key,
							GSA(gcks_group("g"))->get_rekey_auth_scheme(
											GSA(gcks_group("g"))), &msg));
	return msg;
}

/**
 * A TEK policy for the group, AES-GCM-16-256, with a private-use and an
 * unassigned attribute a member must skip
 */
static gsa_policy_t *foreign_tek_policy(uint32_t spi)
{
	traffic_selector_t *src, *dst;
	gsa_policy_t *policy;
	uint32_t nspi = htonl(spi);

	src = traffic_selector_create_from_cidr("0.0.0.0/0", IPPROTO_UDP, 0,
											0xffff);
	dst = traffic_selector_create_from_cidr("239.1.2.3/32", IPPROTO_UDP,
											5000, 5000);
	policy = gsa_policy_create(GIKEV2_PROTO_ESP, chunk_from_thing(nspi),
							   src, dst);
	src->destroy(src);
	dst->destroy(dst);
	gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_ENCR,
							 ENCR_AES_GCM_ICV16, 256);
	gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_SN,
							 GIKEV2_SN_32BIT_SEQUENTIAL, 0);
	gsa_policy_add_attr(policy, gikev2_attr_create_tlv_u32(16390, 7));
	gsa_policy_add_attr(policy, gikev2_attr_create_tlv_u32(200, 7));
	return policy;
}

/**
 * A key bag with keymat wrapped under kwk
 */
static kd_key_bag_t *foreign_key_bag(uint8_t protocol, chunk_t spi,
									 chunk_t keymat, chunk_t kwk)
{
	kd_key_bag_t *bag;
	chunk_t wrapped;

	ck_assert(mike_keywrap_wrap(kwk, keymat, &wrapped));
	bag = kd_key_bag_create(protocol, spi);
	kd_key_bag_add_wrapped_key(bag, GIKEV2_GKB_SA_KEY, 0, 0, wrapped);
	chunk_free(&wrapped);
	return bag;
}

/**
 * GSA and KD payload bodies of policies and key bags (both lists destroyed)
 */
static void foreign_payloads(linked_list_t *policies, linked_list_t *bags,
							 mike_rekey_payload_t *payloads,
							 gsa_payload_t **gsa, kd_payload_t **kd)
{
	*gsa = gsa_payload_create(policies);
	*kd = kd_payload_create(bags);
	ck_assert(*gsa && *kd);
	payloads[0] = (mike_rekey_payload_t){
		.type = GIKEV2_PL_GSA,
		.body = gikev2_payload_get_body(&(*gsa)->payload_interface),
	};
	payloads[1] = (mike_rekey_payload_t){
		.type = GIKEV2_PL_KD,
		.body = gikev2_payload_get_body(&(*kd)->payload_interface),
	};
	policies->destroy_function(policies, (void*)gsa_policy_destroy);
	bags->destroy_function(bags, (void*)kd_key_bag_destroy);
}

/**
 * A GSA_REKEY with just one new TEK (and an unknown status notify)
 */
static chunk_t foreign_new_tek(rekeyed_t *this, uint32_t msg_id, uint32_t spi)
{
	mike_gsa_t *state = GSA(this->group);
	mike_rekey_payload_t payloads[3];
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	uint32_t nspi = htonl(spi);
	u_char keymat[36], notify[] = { 0, 0, 0xa0, 0x10 };
	chunk_t msg;

	memset(keymat, spi & 0xff, sizeof(keymat));
	foreign_payloads(
		linked_list_create_with_items(foreign_tek_policy(spi), NULL),
		linked_list_create_with_items(foreign_key_bag(GIKEV2_PROTO_ESP,
				chunk_from_thing(nspi), chunk_from_thing(keymat),
				mike_rekey_suite_gsk_w(state->get_kek_suite(state),
									   state->get_kek_keymat(state))), NULL),
		payloads, &gsa, &kd);
	payloads[2] = (mike_rekey_payload_t){
		.type = PLV2_NOTIFY,
		.body = chunk_from_thing(notify),
	};
	msg = foreign_rekey(this, msg_id, payloads, 3);
	gsa->destroy(gsa);
	kd->destroy(kd);
	return msg;
}

START_TEST(test_foreign_only_new_teks)
{
	mike_gcks_member_t *sender = alice_and_cam();
	chunk_t msg;

	receive(&alice, fake_socket_get(sock, 0));
	ck_assert_int_eq(GSA(alice.group)->get_tek_count(GSA(alice.group)), 1);
	/* no KEK policy, one TEK: added, cam's stays (RFC 9838 2.4.1) */
	msg = foreign_new_tek(&alice, 5, 0x1234);
	receive(&alice, msg);
	chunk_free(&msg);
	ck_assert_int_eq(rejected(&alice), 0);
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)), 2);
	ck_assert_int_eq(GSA(alice.group)->get_tek_count(GSA(alice.group)), 2);
	ck_assert(fake_kernel_has_sa(0x1234));
	ck_assert(fake_kernel_has_sa(sender->tek->spi));
	/* the same again under a later Message ID: a repeat, nothing new */
	msg = foreign_new_tek(&alice, 6, 0x1234);
	receive(&alice, msg);
	chunk_free(&msg);
	ck_assert_int_eq(GSA(alice.group)->get_tek_count(GSA(alice.group)), 2);
}
END_TEST

START_TEST(test_foreign_only_delete)
{
	mike_gcks_member_t *sender = alice_and_cam();
	mike_rekey_payload_t payload;
	u_char del[8] = { GIKEV2_PROTO_ESP, 4, 0, 1 };
	u_int jobs;
	chunk_t msg;

	receive(&alice, fake_socket_get(sock, 0));
	/* only a Delete of cam's TEK: it goes after the deactivation delay */
	htoun32(del + 4, sender->tek->spi);
	payload = (mike_rekey_payload_t){
		.type = PLV2_DELETE,
		.body = chunk_from_thing(del),
	};
	jobs = lib->scheduler->get_job_load(lib->scheduler);
	msg = foreign_rekey(&alice, 1, &payload, 1);
	receive(&alice, msg);
	chunk_free(&msg);
	ck_assert_int_eq(rejected(&alice), 0);
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)), 2);
	ck_assert_int_eq(alice.group->get_reregistrations(alice.group), 0);
	ck_assert_int_eq(lib->scheduler->get_job_load(lib->scheduler), jobs + 1);
}
END_TEST

START_TEST(test_foreign_exclusion)
{
	mike_gcks_member_t *sender = alice_and_cam();
	mike_rekey_payload_t payload;
	u_char del[4 + 16] = { GIKEV2_PROTO_GIKE_UPDATE, 16, 0, 1 };
	chunk_t msg;

	receive(&alice, fake_socket_get(sock, 0));
	ck_assert(fake_kernel_has_sa(sender->tek->spi));
	/* a Delete of the rekey SA with SPI 0: excluded (RFC 9838 4.9), the
	 * SAs go at once, it registers again */
	payload = (mike_rekey_payload_t){
		.type = PLV2_DELETE,
		.body = chunk_from_thing(del),
	};
	msg = foreign_rekey(&alice, 5, &payload, 1);
	receive(&alice, msg);
	chunk_free(&msg);
	ck_assert_int_eq(GSA(alice.group)->get_tek_count(GSA(alice.group)), 0);
	ck_assert(!fake_kernel_has_sa(sender->tek->spi));
	ck_assert_int_eq(alice.group->get_reregistrations(alice.group), 1);
}
END_TEST

/**
 * A KEK policy of a suite, as another GCKS sends it: no private attributes
 */
static gsa_policy_t *foreign_kek_policy(chunk_t spi, uint16_t encr,
										uint16_t bits, uint16_t kwa,
										char *gcauth)
{
	traffic_selector_t *src, *dst;
	gsa_policy_t *policy;

	src = traffic_selector_create_from_cidr("0.0.0.0/0", IPPROTO_UDP, 0,
											0xffff);
	dst = traffic_selector_create_from_cidr("239.1.2.4/32", IPPROTO_UDP,
											4848, 4848);
	policy = gsa_policy_create(GIKEV2_PROTO_GIKE_UPDATE, spi, src, dst);
	src->destroy(src);
	dst->destroy(dst);
	gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_ENCR, encr, bits);
	gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_KWA, kwa, 0);
	if (gcauth)
	{
		gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_GCAUTH,
								 GIKEV2_GCAUTH_IMPLICIT, 0);
	}
	gsa_policy_add_attr(policy, gikev2_attr_create_tlv_u32(
									GIKEV2_GSA_KEY_LIFETIME, 3600));
	return policy;
}

/**
 * A new rekey SA of another suite, in a GSA_REKEY of the current one
 */
static chunk_t foreign_new_kek(rekeyed_t *this, uint32_t msg_id,
							   uint16_t encr, uint16_t bits, uint16_t kwa,
							   size_t keymat_len, char *gcauth)
{
	mike_gsa_t *state = GSA(this->group);
	mike_rekey_payload_t payloads[2];
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	u_char spi[16], keymat[80];
	chunk_t msg;

	ck_assert(keymat_len <= sizeof(keymat));
	memset(spi, 0x5a, sizeof(spi));
	memset(keymat, 0x42, sizeof(keymat));
	foreign_payloads(linked_list_create_with_items(foreign_kek_policy(
				chunk_from_thing(spi), encr, bits, kwa, gcauth), NULL),
		linked_list_create_with_items(foreign_key_bag(
				GIKEV2_PROTO_GIKE_UPDATE, chunk_from_thing(spi),
				chunk_create(keymat, keymat_len),
				mike_rekey_suite_gsk_w(state->get_kek_suite(state),
									   state->get_kek_keymat(state))), NULL),
		payloads, &gsa, &kd);
	msg = foreign_rekey(this, msg_id, payloads, 2);
	gsa->destroy(gsa);
	kd->destroy(kd);
	return msg;
}

START_TEST(test_foreign_same_kek)
{
	mike_gsa_t *state;
	mike_rekey_payload_t payload;
	linked_list_t *policies;
	gsa_payload_t *gsa;
	host_t *dst;
	uint32_t session;
	chunk_t msg;

	alice_and_cam();
	receive(&alice, fake_socket_get(sock, 0));
	state = GSA(alice.group);
	session = state->get_sam_session(state);
	dst = alice.group->get_rekey_dst(alice.group)->clone(
									alice.group->get_rekey_dst(alice.group));
	/* the current rekey SA again, without mike's private attributes and to
	 * another address: it changes nothing (RFC 9838 2.4.1) */
	policies = linked_list_create_with_items(
				foreign_kek_policy(state->get_kek_spi(state),
								   ENCR_AES_GCM_ICV16, 256,
								   GIKEV2_KWA_5649_256, NULL), NULL);
	gsa = gsa_payload_create(policies);
	policies->destroy_function(policies, (void*)gsa_policy_destroy);
	ck_assert(gsa);
	payload = (mike_rekey_payload_t){
		.type = GIKEV2_PL_GSA,
		.body = gikev2_payload_get_body(&gsa->payload_interface),
	};
	msg = foreign_rekey(&alice, 5, &payload, 1);
	gsa->destroy(gsa);
	receive(&alice, msg);
	chunk_free(&msg);
	ck_assert_int_eq(rejected(&alice), 0);
	ck_assert_int_eq(state->get_rekeys(state), 2);
	ck_assert_int_eq(state->get_sam_session(state), session);
	ck_assert(dst->equals(dst, alice.group->get_rekey_dst(alice.group)));
	ck_assert_int_eq(state->get_rekey_msg_id(state), 6);
	dst->destroy(dst);
}
END_TEST

/**
 * Rekey SAs of other suites: AES-CCM-8-128 and AES-GCM-16-128 with
 * KW_5649_128, then Message ID 0 on the new one (RFC 9838 2.4.1.3)
 */
static struct {
	uint16_t encr;
	uint16_t bits;
	size_t keymat;
} foreign_suites[] = {
	{ ENCR_AES_CCM_ICV8, 128, 16 + 3 + 16 },
	{ ENCR_AES_GCM_ICV16, 128, 16 + 4 + 16 },
	{ ENCR_AES_CCM_ICV16, 256, 32 + 3 + 16 },
};

START_TEST(test_foreign_kek_suites)
{
	mike_rekey_suite_t suite;
	char name[48];
	chunk_t msg;

	alice_and_cam();
	receive(&alice, fake_socket_get(sock, 0));
	msg = foreign_new_kek(&alice, 5, foreign_suites[_i].encr,
						  foreign_suites[_i].bits, GIKEV2_KWA_5649_128,
						  foreign_suites[_i].keymat, NULL);
	receive(&alice, msg);
	chunk_free(&msg);
	ck_assert_int_eq(rejected(&alice), 0);
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)), 2);
	suite = *GSA(alice.group)->get_kek_suite(GSA(alice.group));
	ck_assert_int_eq(suite.encr, foreign_suites[_i].encr);
	ck_assert_int_eq(suite.kwa, GIKEV2_KWA_5649_128);
	ck_assert_int_eq(KEK_KEYMAT(alice.group).len, foreign_suites[_i].keymat);
	ck_assert_int_eq(GSA(alice.group)->get_rekey_msg_id(GSA(alice.group)), 0);
	mike_rekey_suite_name(&suite, name, sizeof(name));
	ck_assert(strstr(name, "KW_5649_128"));

	/* the first message over the new rekey SA: Message ID 0 */
	msg = foreign_new_tek(&alice, 0, 0x4321);
	receive(&alice, msg);
	chunk_free(&msg);
	ck_assert_int_eq(rejected(&alice), 0);
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)), 3);
	ck_assert(fake_kernel_has_sa(0x4321));
}
END_TEST

START_TEST(test_foreign_kek_refused)
{
	chunk_t msg, kek;

	alice_and_cam();
	receive(&alice, fake_socket_get(sock, 0));
	kek = chunk_clone(KEK_KEYMAT(alice.group));
	/* keying material that does not fit the transforms */
	msg = foreign_new_kek(&alice, 5, ENCR_AES_CCM_ICV8, 128,
						  GIKEV2_KWA_5649_128, 36, NULL);
	receive(&alice, msg);
	chunk_free(&msg);
	/* a GCAUTH that changes the method */
	msg = foreign_new_kek(&alice, 6, ENCR_AES_GCM_ICV16, 256,
						  GIKEV2_KWA_5649_256, 68, "implicit");
	receive(&alice, msg);
	chunk_free(&msg);
	/* a key wrap we do not have */
	msg = foreign_new_kek(&alice, 7, ENCR_AES_GCM_ICV16, 256,
						  GIKEV2_KWA_ARX, 68, NULL);
	receive(&alice, msg);
	chunk_free(&msg);
	ck_assert_int_eq(GSA(alice.group)->get_rekeys(GSA(alice.group)), 1);
	ck_assert_chunk_eq(KEK_KEYMAT(alice.group), kek);
	/* each refused, the member registers again (once: a holdoff) */
	ck_assert_int_eq(alice.group->get_reregistrations(alice.group), 1);
	chunk_free(&kek);
}
END_TEST

Suite *member_suite(void)
{
	Suite *s = suite_create("member");
	TCase *tc;

	tc = tcase_create("registration");
	tcase_add_checked_fixture(tc, member_setup, member_teardown);
	tcase_add_test(tc, test_first_request_asks_for_group);
	tcase_add_test(tc, test_first_request_sender_group);
	tcase_add_test(tc, test_sender_presents_sam_key);
	tcase_add_test(tc, test_other_requests_unchanged);
	tcase_add_test(tc, test_nothing_applied_before_authorize);
	tcase_add_test(tc, test_sender_installs_own_sa);
	tcase_add_test(tc, test_further_groups_queued);
	tcase_add_test(tc, test_refusal_fails_authorize);
	tcase_add_test(tc, test_response_without_gsa_fails);
	tcase_add_loop_test(tc, test_mode_follows_gcks, 0, 2);
	tcase_add_test(tc, test_ike_sa_gone_unregisters);
	suite_add_tcase(s, tc);

	tc = tcase_create("established IKE SA");
	tcase_add_checked_fixture(tc, member_setup, member_teardown);
	tcase_add_test(tc, test_pushed_gsa_applied);
	tcase_add_test(tc, test_pushed_gsa_over_other_ike_sa_ignored);
	tcase_add_test(tc, test_leave_closes_ike_sa);
	tcase_add_test(tc, test_wait_registered);
	suite_add_tcase(s, tc);
	return s;
}

Suite *member_rekey_suite(void)
{
	Suite *s = suite_create("member_rekey");
	TCase *tc;

	tc = tcase_create("receive");
	tcase_add_checked_fixture(tc, rekey_setup, rekey_teardown);
	tcase_add_test(tc, test_receive_applies_rekey);
	tcase_add_test(tc, test_receive_replay_rejected);
	tcase_add_test(tc, test_receive_bit_flip_rejected);
	tcase_add_test(tc, test_receive_unknown_spi_ignored);
	tcase_add_test(tc, test_left_member_cannot_follow);
	tcase_add_test(tc, test_announce_new_sender_tek);
	tcase_add_test(tc, test_eviction_fragmented);
	suite_add_tcase(s, tc);

	tc = tcase_create("from another GCKS");
	tcase_add_checked_fixture(tc, rekey_setup, rekey_teardown);
	tcase_add_test(tc, test_foreign_only_new_teks);
	tcase_add_test(tc, test_foreign_only_delete);
	tcase_add_test(tc, test_foreign_exclusion);
	tcase_add_test(tc, test_foreign_same_kek);
	tcase_add_loop_test(tc, test_foreign_kek_suites, 0,
						countof(foreign_suites));
	tcase_add_test(tc, test_foreign_kek_refused);
	suite_add_tcase(s, tc);
	return s;
}
