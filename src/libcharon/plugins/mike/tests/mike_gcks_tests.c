/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/*
 * The GCKS's registrar (gcks/mike_gcks_listener.c) and what it sends
 * through its rekeying (gcks/mike_gcks_rekey.c), driven with fake IKE SAs
 * and messages as charon hands them to listeners; GSA_REKEY datagrams go
 * to a recording socket.  The keys it hands out are checked the way a
 * member takes them: unwrapped with the member's end of the IKE SA.
 */

#include "tests/mike_tests.h"
#include "tests/fake_ike_sa.h"
#include "tests/test_util.h"

#include <daemon.h>

#include "gcks/mike_gcks_listener.h"
#include "gcks/mike_gcks_rekey.h"
#include "gcks/mike_gsa_builder.h"
#include "gcks/mike_join_batch.h"
#include "member/mike_gsa_applier.h"
#include "common/mike_exchange.h"
#include "common/mike_rekey_msg.h"
#include "common/mike_sam.h"
#include "payloads/gikev2_parser.h"

#include <unistd.h>

/** the suite of the rekey SAs a mike GCKS makes */
#define SUITE (&mike_rekey_suite_default)

/** the GCKS's group: anybody of example.org may join, cam may send */
static const char *gcks_body =
	"role = gcks\n"
	"address = 239.1.2.3\n"
	"port = 5000\n"
	"esp_proposals = aes256gcm16\n"
	"members = *@example.org\n"
	"senders = cam@example.org\n"
	"rekey_address = 239.1.2.4\n"
	"rekey_port = 4848\n";

/** the same group as members configure it */
static const char *member_body =
	"address = 239.1.2.3\n"
	"port = 5000\n"
	"esp_proposals = aes256gcm16\n"
	"connection = c\n"
	"fail_close = no\n";

static mike_groups_t *groups;
static mike_gcks_group_t *group;
static fake_socket_t *sock;
static mike_gcks_listener_t *gcks;
static private_key_t *signing_key;

/** the GCKS's ends of the IKE SAs of alice, cam (who may send) and bob */
static ike_sa_t *alice_sa, *cam_sa, *bob_sa;

static ike_sa_t *member_sa(uint32_t n, char *identity);

static void setup(void)
{
	groups = fake_groups_create();
	group = mike_gcks_group(fake_group_add(groups, "g", gcks_body));
	/* a real GCKS takes it from its credentials, by its own identity */
	signing_key = lib->creds->create(lib->creds, CRED_PRIVATE_KEY,
									 KEY_ED25519, BUILD_END);
	ck_assert(signing_key);
	ck_assert(group->ensure_signing_key(group, signing_key));
	sock = fake_socket_create();
	gcks = mike_gcks_listener_create(groups, &sock->socket);
	alice_sa = member_sa(1, "alice@example.org");
	cam_sa = member_sa(2, "cam@example.org");
	bob_sa = member_sa(3, "bob@example.org");
	/* expel() closes IKE SAs */
	fake_manager_install();
}

static void teardown(void)
{
	gcks->destroy(gcks);
	groups->destroy(groups);
	signing_key->destroy(signing_key);
	alice_sa->destroy(alice_sa);
	cam_sa->destroy(cam_sa);
	bob_sa->destroy(bob_sa);
	fake_manager_remove();
}

/**
 * The GCKS's end of member n's IKE SA (unique ID n, address 192.0.2.n)
 */
static ike_sa_t *member_sa(uint32_t n, char *identity)
{
	char other[32];

	snprintf(other, sizeof(other), "192.0.2.%u", n);
	return &fake_ike_sa_create(n, "c", "192.0.2.254", other,
							   "gcks.example.org", identity)->ike_sa;
}

/**
 * Register over an IKE SA; returns the response as the member receives it
 */
static message_t *try_register(ike_sa_t *ike_sa, char *name, bool sender,
							   bool *success)
{
	message_t *response;

	*success = fake_respond(&gcks->listener, ike_sa,
							fake_idg_request(name, sender), &response);
	return response;
}

/**
 * Register to "g" and return the member's state made from the response
 */
static mike_member_group_t *join(ike_sa_t *ike_sa, bool sender)
{
	message_t *response;
	mike_member_group_t *member;
	bool success;

	response = try_register(ike_sa, "g", sender, &success);
	ck_assert(success);
	member = fake_member_state(member_body, response);
	ck_assert(member);
	response->destroy(response);
	return member;
}

/**
 * Tell the GCKS an IKE SA changed its state, as charon does
 */
static void ike_state(ike_sa_t *ike_sa, ike_sa_state_t state)
{
	gcks->listener.ike_state_change(&gcks->listener, ike_sa, state);
}

/**
 * Assert a registration is refused with a notify: the IKE SA stays
 * authorized (RFC 9838 2.3.1), the response carries the notify and no
 * keys, nobody was added
 */
static void assert_refused(ike_sa_t *ike_sa, char *name, bool sender,
						   notify_type_t refusal)
{
	message_t *response;
	bool success;

	response = try_register(ike_sa, name, sender, &success);
	ck_assert(success);
	ck_assert(response->get_notify(response, refusal));
	ck_assert(!mike_exchange_find(response, GIKEV2_PL_GSA));
	ck_assert(!mike_exchange_find(response, GIKEV2_PL_KD));
	ck_assert(!group->find_member(group, ike_sa->get_unique_id(ike_sa)));
	response->destroy(response);
}

/**
 * Remove the TEKs a Delete payload names from a member's GSA, as a member
 * does after the deactivation delay
 */
static void apply_delete(mike_member_group_t *member, chunk_t body)
{
	enumerator_t *enumerator;
	mike_tek_t *tek;
	uint16_t i;

	ck_assert_int_eq(body.ptr[0], GIKEV2_PROTO_ESP);
	ck_assert_int_eq(body.ptr[1], 4);
	for (i = 0; i < untoh16(body.ptr + 2); i++)
	{
		enumerator = GSA(member)->create_tek_enumerator(GSA(member));
		while (enumerator->enumerate(enumerator, &tek))
		{
			if (tek->spi == untoh32(body.ptr + 4 + 4 * i) &&
				GSA(member)->remove_tek(GSA(member), tek))
			{
				tek->destroy(tek);
				break;
			}
		}
		enumerator->destroy(enumerator);
	}
}

/**
 * Verify a GSA_REKEY datagram the way a member holding member's keys does
 * and apply it to member
 */
static status_t apply_rekey(mike_member_group_t *member, chunk_t datagram)
{
	mike_gsa_t *gcks_gsa = GSA(group);
	mike_rekey_msg_t *msg;
	mike_rekey_payload_t *payloads;
	payload_t *gsa = NULL, *kd = NULL;
	chunk_t wrap;
	status_t status;
	int i, count;

	ck_assert(datagram.len);
	ck_assert_int_eq(mike_rekey_msg_parse(datagram, KEK_SPI(member), SUITE,
							mike_rekey_suite_gsk_e(SUITE, KEK_KEYMAT(member)),
							gcks_gsa->get_rekey_auth_key(gcks_gsa),
							gcks_gsa->get_rekey_auth_scheme(gcks_gsa),
							GSA(member)->get_rekey_msg_id(GSA(member)), &msg),
					 MIKE_REKEY_OK);
	count = msg->get_payloads(msg, &payloads);
	for (i = 0; i < count; i++)
	{
		if (payloads[i].type == GIKEV2_PL_GSA)
		{
			gsa = gikev2_payload_parse(GIKEV2_PL_GSA, payloads[i].body);
		}
		else if (payloads[i].type == GIKEV2_PL_KD)
		{
			kd = gikev2_payload_parse(GIKEV2_PL_KD, payloads[i].body);
		}
	}
	ck_assert(gsa && kd);
	/* what RFC 9838 allows at registration only: the GCAUTH transform
	 * (4.4.2.1.1) and AUTH_KEY, unless the key changes (5, note 4) */
	ck_assert(!gsa_policy_get_transform(
					((gsa_payload_t*)gsa)->get_kek_policy((gsa_payload_t*)gsa),
					GIKEV2_TRANSFORM_GCAUTH));
	ck_assert(!((kd_payload_t*)kd)->get_member_key_bag((kd_payload_t*)kd) ||
			  !gikev2_attrs_find(((kd_payload_t*)kd)->get_member_key_bag(
							(kd_payload_t*)kd)->attrs, GIKEV2_MKB_AUTH_KEY));
	GSA(member)->set_rekey_msg_id(GSA(member), msg->get_message_id(msg) + 1);
	wrap = chunk_clone(mike_rekey_suite_gsk_w(SUITE, KEK_KEYMAT(member)));
	status = mike_gsa_apply(member, (gsa_payload_t*)gsa, (kd_payload_t*)kd,
							wrap, TRUE);
	chunk_clear(&wrap);
	for (i = 0; status == SUCCESS && i < count; i++)
	{
		if (payloads[i].type == PLV2_DELETE)
		{
			apply_delete(member, payloads[i].body);
		}
	}
	gsa->destroy(gsa);
	kd->destroy(kd);
	msg->destroy(msg);
	return status;
}

/**
 * Whether a group has a TEK with an SPI (and, on a member, the GCKS's key)
 */
static bool has_tek(mike_member_group_t *member, mike_tek_t *tek)
{
	enumerator_t *enumerator;
	mike_tek_t *current;
	bool found = FALSE;

	enumerator = GSA(member)->create_tek_enumerator(GSA(member));
	while (!found && enumerator->enumerate(enumerator, &current))
	{
		found = current->spi == tek->spi &&
				chunk_equals(current->keymat, tek->keymat);
	}
	enumerator->destroy(enumerator);
	return found;
}

/*******************************************************************************
 * Registration
 */

START_TEST(test_register_answers_gsa_kd)
{
	ike_sa_t *ike_sa = alice_sa;
	mike_gcks_member_t *member;
	message_t *response;
	mike_member_group_t *state;
	public_key_t *key;
	bool success;

	response = try_register(ike_sa, "g", FALSE, &success);
	ck_assert(success);
	ck_assert(mike_exchange_find(response, GIKEV2_PL_GSA));
	ck_assert(mike_exchange_find(response, GIKEV2_PL_KD));
	ck_assert(!response->get_notify(response,
									GIKEV2_NOTIFY_AUTHORIZATION_FAILED));

	/* the member's end of the IKE SA unwraps the group's KEK */
	state = fake_member_state(member_body, response);
	ck_assert(state);
	ck_assert_chunk_eq(KEK_SPI(state), KEK_SPI(group));
	ck_assert_chunk_eq(KEK_KEYMAT(state), KEK_KEYMAT(group));
	key = GSA(state)->get_rekey_auth_key(GSA(state));
	ck_assert(key->equals(key, GSA(group)->get_rekey_auth_key(GSA(group))));
	ck_assert_int_eq(GSA(state)->get_tek_count(GSA(state)), 0);

	ck_assert_int_eq(group->get_member_count(group), 1);
	member = group->find_member(group, 1);
	ck_assert(member && !member->tek);
	ck_assert(member->id->equals(member->id, ike_sa->get_other_id(ike_sa)));
	/* nobody else to tell */
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 0);

	state->group.destroy(&state->group);
	response->destroy(response);
}
END_TEST

START_TEST(test_register_sender_gets_tek)
{
	ike_sa_t *ike_sa = cam_sa;
	mike_gcks_member_t *member;
	mike_member_group_t *state;

	state = join(ike_sa, TRUE);
	member = group->find_member(group, 2);
	ck_assert(member && member->tek);
	ck_assert(member->tek->source->ip_equals(member->tek->source,
											 ike_sa->get_other_host(ike_sa)));
	ck_assert_int_eq(GSA(state)->get_tek_count(GSA(state)), 1);
	ck_assert(has_tek(state, member->tek));

	state->group.destroy(&state->group);
}
END_TEST

/**
 * Register cam as a sender asking for Sender-IDs with N(GROUP_SENDER)
 * data; @return the Sender-IDs of the response's member key bag, -1 at
 * the end, and the GW policy's GWP_SENDER_ID_BITS in *bits (0: none)
 */
static void sender_ids_of(chunk_t count, bool sender, uint16_t *bits,
						  int ids[8])
{
	message_t *request, *response;
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	kd_key_bag_t *bag;
	enumerator_t *enumerator;
	gikev2_attr_t *attr;
	uint32_t id;
	int n = 0;

	request = fake_idg_request("g", FALSE);
	if (sender)
	{
		request->add_notify(request, FALSE, GIKEV2_NOTIFY_GROUP_SENDER,
							count);
	}
	ck_assert(fake_respond(&gcks->listener, sender ? cam_sa : alice_sa,
						   request, &response));
	gsa = (gsa_payload_t*)mike_exchange_get(response, GIKEV2_PL_GSA, NULL);
	kd = (kd_payload_t*)mike_exchange_get(response, GIKEV2_PL_KD, NULL);
	ck_assert(gsa && kd);
	*bits = 0;
	/* the GW policy is always there (ATD, DTD), the bits for senders */
	ck_assert(gsa->get_gw_policy(gsa));
	gikev2_attrs_get_tv(gsa->get_gw_policy(gsa)->attrs,
						GIKEV2_GWP_SENDER_ID_BITS, bits);
	bag = kd->get_member_key_bag(kd);
	enumerator = bag->attrs->create_enumerator(bag->attrs);
	while (enumerator->enumerate(enumerator, &attr))
	{
		if (attr->type == GIKEV2_MKB_GM_SENDER_ID)
		{
			ck_assert(attr->data.len == 4 && n < 7);
			id = untoh32(attr->data.ptr);
			ids[n++] = id;
		}
	}
	enumerator->destroy(enumerator);
	ids[n] = -1;
	gsa->payload_interface.destroy(&gsa->payload_interface);
	kd->payload_interface.destroy(&kd->payload_interface);
	response->destroy(response);
}

/* RFC 9838 2.5: a sender of AES-GCM TEKs gets the Sender-IDs it asks for,
 * at least one and at most MIKE_MAX_SENDER_IDS, new ones every time, and
 * the IV bits they take; a receiver none */
START_TEST(test_sender_ids)
{
	uint16_t bits;
	int ids[8];

	sender_ids_of(chunk_empty, FALSE, &bits, ids);
	ck_assert_int_eq(bits, 0);
	ck_assert_int_eq(ids[0], -1);
	sender_ids_of(chunk_from_chars(0x00, 0x00, 0x00, 0x03), TRUE, &bits,
				  ids);
	ck_assert_int_eq(bits, MIKE_SENDER_ID_BITS);
	ck_assert_int_eq(ids[0], 0);
	ck_assert_int_eq(ids[1], 1);
	ck_assert_int_eq(ids[2], 2);
	ck_assert_int_eq(ids[3], -1);
	/* registering again: new ones; more than the bound: the bound */
	sender_ids_of(chunk_from_chars(0x00, 0x00, 0x01, 0x00), TRUE, &bits,
				  ids);
	ck_assert_int_eq(ids[0], 3);
	ck_assert_int_eq(ids[MIKE_MAX_SENDER_IDS - 1], 3 + MIKE_MAX_SENDER_IDS - 1);
	ck_assert_int_eq(ids[MIKE_MAX_SENDER_IDS], -1);
	/* a count of 0 (or an earlier draft's empty notify): one */
	sender_ids_of(chunk_from_chars(0x00, 0x00, 0x00, 0x00), TRUE, &bits,
				  ids);
	ck_assert_int_eq(ids[0], 3 + MIKE_MAX_SENDER_IDS);
	ck_assert_int_eq(ids[1], -1);
	sender_ids_of(chunk_empty, TRUE, &bits, ids);
	ck_assert_int_eq(ids[1], -1);
}
END_TEST

START_TEST(test_sender_ids_malformed_count)
{
	message_t *request, *response;

	request = fake_idg_request("g", FALSE);
	request->add_notify(request, FALSE, GIKEV2_NOTIFY_GROUP_SENDER,
						chunk_from_chars(0x00, 0x01));
	ck_assert(fake_respond(&gcks->listener, cam_sa, request, &response));
	ck_assert(response->get_notify(response, INVALID_SYNTAX));
	ck_assert(!mike_exchange_find(response, GIKEV2_PL_GSA));
	response->destroy(response);
}
END_TEST

START_TEST(test_refuse_unknown_group)
{
	ike_sa_t *ike_sa = alice_sa;

	assert_refused(ike_sa, "nope", FALSE, GIKEV2_NOTIFY_INVALID_GROUP_ID);
	ck_assert_int_eq(group->get_member_count(group), 0);
}
END_TEST

START_TEST(test_refuse_not_permitted_member)
{
	ike_sa_t *ike_sa = member_sa(1, "mallory@example.com");

	assert_refused(ike_sa, "g", FALSE, GIKEV2_NOTIFY_AUTHORIZATION_FAILED);
	ike_sa->destroy(ike_sa);
}
END_TEST

START_TEST(test_refuse_not_permitted_sender)
{
	ike_sa_t *ike_sa = alice_sa;

	/* alice may join, but not send */
	assert_refused(ike_sa, "g", TRUE, GIKEV2_NOTIFY_AUTHORIZATION_FAILED);
}
END_TEST

START_TEST(test_refuse_expelled)
{
	ike_sa_t *first = member_sa(1, "alice@example.org");
	ike_sa_t *again = member_sa(2, "alice@example.org");
	identification_t *alice;
	mike_member_group_t *state;

	alice = identification_create_from_string("alice@example.org");
	/* no membership to remove yet, but the group is there */
	ck_assert_int_eq(gcks->expel(gcks, "g", alice), 0);
	ck_assert_int_eq(gcks->expel(gcks, "nope", alice), -1);
	assert_refused(first, "g", FALSE, GIKEV2_NOTIFY_AUTHORIZATION_FAILED);

	ck_assert_int_eq(gcks->readmit(gcks, "g", alice), 1);
	state = join(again, FALSE);
	ck_assert(group->find_member(group, 2));

	state->group.destroy(&state->group);
	alice->destroy(alice);
	first->destroy(first);
	again->destroy(again);
}
END_TEST

START_TEST(test_refuse_malformed_idg)
{
	ike_sa_t *ike_sa = alice_sa;
	message_t *request, *response;
	bool success;

	/* an IDg too short for its ID type and reserved bytes */
	request = fake_message(IKE_AUTH, TRUE, 1);
	fake_message_add_unknown(request, GIKEV2_PL_IDG, chunk_from_chars(0x0b));
	success = fake_respond(&gcks->listener, ike_sa, request, &response);
	ck_assert(success);
	ck_assert(response->get_notify(response, INVALID_SYNTAX));
	ck_assert(!mike_exchange_find(response, GIKEV2_PL_GSA));
	ck_assert_int_eq(group->get_member_count(group), 0);
	response->destroy(response);
}
END_TEST

START_TEST(test_no_idg_not_a_registration)
{
	ike_sa_t *ike_sa = alice_sa;
	message_t *response;
	bool success;

	/* an IKE_AUTH of another connection: the GCKS stays out of it */
	success = fake_respond(&gcks->listener, ike_sa,
						   fake_message(IKE_AUTH, TRUE, 1), &response);
	ck_assert(success);
	ck_assert(!mike_exchange_find(response, GIKEV2_PL_GSA));
	ck_assert(!response->get_notify(response,
									GIKEV2_NOTIFY_AUTHORIZATION_FAILED));
	ck_assert_int_eq(group->get_member_count(group), 0);
	response->destroy(response);
}
END_TEST

/*******************************************************************************
 * Membership changes and the rekeys they send
 */

/**
 * alice joins "g", then cam as a sender; returns cam's membership on the
 * GCKS, with its TEK (announced to alice by the first GSA_REKEY)
 */
static mike_gcks_member_t *join_alice_and_sender(mike_member_group_t **alice,
												 mike_member_group_t **cam)
{
	mike_gcks_member_t *sender;

	*alice = join(alice_sa, FALSE);
	*cam = join(cam_sa, TRUE);
	sender = group->find_member(group, 2);
	ck_assert(sender && sender->tek);
	return sender;
}

START_TEST(test_second_member_rekey_has_its_tek)
{
	mike_member_group_t *alice, *cam;
	mike_gcks_member_t *sender;
	host_t *dst;

	sender = join_alice_and_sender(&alice, &cam);

	/* alice learns the new sender's TEK from a GSA_REKEY */
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 1);
	dst = host_create_from_string("239.1.2.4", 4848);
	ck_assert(dst->equals(dst, sock->dst));
	dst->destroy(dst);
	ck_assert(!has_tek(alice, sender->tek));
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 0)), SUCCESS);
	ck_assert(has_tek(alice, sender->tek));
	ck_assert_chunk_eq(KEK_KEYMAT(alice), KEK_KEYMAT(group));
	ck_assert_int_eq(GSA(group)->get_rekeys(GSA(group)), 1);

	alice->group.destroy(&alice->group);
	cam->group.destroy(&cam->group);
}
END_TEST

START_TEST(test_member_gone_forward_access_control)
{
	mike_member_group_t *alice, *cam;
	chunk_t old_kek;

	join_alice_and_sender(&alice, &cam);
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 0)), SUCCESS);
	/* cam got what that said in its registration: no replay for it */
	ck_assert_int_eq(GSA(cam)->get_rekey_msg_id(GSA(cam)), 1);
	old_kek = chunk_clone(KEK_KEYMAT(group));

	ike_state(cam_sa, IKE_DESTROYING);
	ck_assert(!group->find_member(group, 2));
	ck_assert_int_eq(group->get_member_count(group), 1);
	ck_assert_int_eq(GSA(group)->get_tek_count(GSA(group)), 0);
	ck_assert(!chunk_equals(old_kek, KEK_KEYMAT(group)));

	/* the new KEK under the key tree's new root, then the TEKs under it */
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 3);
	ck_assert_int_eq(apply_rekey(cam, fake_socket_get(sock, 1)), NOT_FOUND);
	ck_assert_chunk_eq(KEK_KEYMAT(cam), old_kek);
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 1)), SUCCESS);
	ck_assert_chunk_eq(KEK_KEYMAT(alice), KEK_KEYMAT(group));
	/* RFC 9838 2.4.1.3: the first message over the new rekey SA has
	 * Message ID 0, and the member expects it */
	ck_assert_int_ne(untoh32(fake_socket_get(sock, 1).ptr + 20), 0);
	ck_assert_int_eq(untoh32(fake_socket_get(sock, 2).ptr + 20), 0);
	ck_assert_int_eq(GSA(alice)->get_rekey_msg_id(GSA(alice)), 0);
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 2)), SUCCESS);
	ck_assert_int_eq(GSA(alice)->get_rekey_msg_id(GSA(alice)), 1);
	ck_assert_int_eq(GSA(alice)->get_tek_count(GSA(alice)), 0);

	chunk_clear(&old_kek);
	alice->group.destroy(&alice->group);
	cam->group.destroy(&cam->group);
}
END_TEST

START_TEST(test_late_copies_after_registration)
{
	mike_member_group_t *alice, *cam;

	/* cam's registration was answered as its join went out: the members
	 * that registered just now may take their keys after the message and
	 * its copies, so it goes again later */
	join_alice_and_sender(&alice, &cam);
	ck_assert_int_eq(sock->sends, 1);
	ck_assert_int_eq(sock->late, 1);
	/* long after the last registration, a leave's messages go as usual */
	sleep(3);
	ike_state(cam_sa, IKE_DESTROYING);
	ck_assert_int_eq(sock->sends, 3);
	ck_assert_int_eq(sock->late, 1);
	alice->group.destroy(&alice->group);
	cam->group.destroy(&cam->group);
}
END_TEST

START_TEST(test_last_member_gone_new_kek_no_rekey)
{
	mike_member_group_t *alice;

	alice = join(alice_sa, FALSE);
	ike_state(alice_sa, IKE_DESTROYING);
	ck_assert_int_eq(group->get_member_count(group), 0);
	/* nobody to send to; the next member gets a KEK alice never had */
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 0);
	ck_assert(!chunk_equals(KEK_KEYMAT(alice), KEK_KEYMAT(group)));

	alice->group.destroy(&alice->group);
}
END_TEST

START_TEST(test_other_state_change_keeps_member)
{
	mike_member_group_t *alice;

	alice = join(alice_sa, FALSE);
	ike_state(alice_sa, IKE_DELETING);
	ck_assert(group->find_member(group, 1));

	alice->group.destroy(&alice->group);
}
END_TEST

START_TEST(test_ike_rekey_moves_membership)
{
	ike_sa_t *old = member_sa(1, "alice@example.org");
	ike_sa_t *new = member_sa(5, "alice@example.org");
	mike_member_group_t *alice;

	alice = join(old, FALSE);
	gcks->listener.ike_rekey(&gcks->listener, old, new);
	ck_assert(!group->find_member(group, 1));
	ck_assert(group->find_member(group, 5));

	/* the old IKE SA goes away without the membership ... */
	ike_state(old, IKE_DESTROYING);
	ck_assert(group->find_member(group, 5));
	/* ... which goes with the new one */
	ike_state(new, IKE_DESTROYING);
	ck_assert_int_eq(group->get_member_count(group), 0);

	alice->group.destroy(&alice->group);
	old->destroy(old);
	new->destroy(new);
}
END_TEST

START_TEST(test_sender_returns_announced)
{
	mike_member_group_t *alice, *cam;
	mike_gcks_member_t *sender;

	alice = join(alice_sa, FALSE);
	cam = join(cam_sa, FALSE);
	/* a receiver on a free leaf: nothing to tell alice */
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 0);
	ck_assert_int_eq(GSA(group)->get_tek_count(GSA(group)), 0);

	/* cam registers again over its IKE SA, now asking to send: the others
	 * learn its TEK before it gets it */
	cam->group.destroy(&cam->group);
	cam = join(cam_sa, TRUE);
	sender = group->find_member(group, 2);
	ck_assert(sender && sender->tek);
	ck_assert_int_eq(group->get_member_count(group), 2);
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 1);
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 0)), SUCCESS);
	ck_assert(has_tek(alice, sender->tek));
	ck_assert(has_tek(cam, sender->tek));

	/* and stops sending: its TEK is gone from the group's GSA */
	cam->group.destroy(&cam->group);
	cam = join(cam_sa, FALSE);
	ck_assert(!sender->tek);
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 2);
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 1)), SUCCESS);
	ck_assert_int_eq(GSA(alice)->get_tek_count(GSA(alice)), 0);

	alice->group.destroy(&alice->group);
	cam->group.destroy(&cam->group);
}
END_TEST

START_TEST(test_join_rekey_carries_only_changes)
{
	mike_member_group_t *alice, *cam, *bob;
	mike_rekey_msg_t *msg;
	mike_rekey_payload_t *payloads;
	enumerator_t *enumerator;
	gsa_policy_t *policy;
	gsa_payload_t *gsa = NULL;
	kd_payload_t *kd = NULL;
	int i, count, teks = 0;

	join_alice_and_sender(&alice, &cam);
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 1);
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 0)), SUCCESS);
	/* bob, a receiver, splits a leaf: the GSA_REKEY has the split keys but
	 * not cam's TEK, which did not change (RFC 9838 2.4.1); it waits for
	 * other joins a moment */
	bob = join(bob_sa, FALSE);
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 1);
	gcks->flush(gcks, "g");
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 2);
	ck_assert_int_eq(mike_rekey_msg_parse(fake_socket_get(sock, 1),
							KEK_SPI(alice), SUITE,
							mike_rekey_suite_gsk_e(SUITE, KEK_KEYMAT(alice)),
							GSA(group)->get_rekey_auth_key(GSA(group)),
							GSA(group)->get_rekey_auth_scheme(GSA(group)),
							GSA(alice)->get_rekey_msg_id(GSA(alice)), &msg),
					 MIKE_REKEY_OK);
	count = msg->get_payloads(msg, &payloads);
	for (i = 0; i < count; i++)
	{
		if (payloads[i].type == GIKEV2_PL_GSA)
		{
			gsa = (gsa_payload_t*)gikev2_payload_parse(GIKEV2_PL_GSA,
													   payloads[i].body);
		}
		else if (payloads[i].type == GIKEV2_PL_KD)
		{
			kd = (kd_payload_t*)gikev2_payload_parse(GIKEV2_PL_KD,
													 payloads[i].body);
		}
	}
	ck_assert(gsa && kd);
	enumerator = gsa->create_policy_enumerator(gsa);
	while (enumerator->enumerate(enumerator, &policy))
	{
		teks += policy->protocol == GIKEV2_PROTO_ESP;
	}
	enumerator->destroy(enumerator);
	ck_assert_int_eq(teks, 0);
	ck_assert(kd->get_member_key_bag(kd) &&
			  gikev2_attrs_find(kd->get_member_key_bag(kd)->attrs,
								GIKEV2_MKB_WRAP_KEY));
	gsa->payload_interface.destroy(&gsa->payload_interface);
	kd->payload_interface.destroy(&kd->payload_interface);
	msg->destroy(msg);
	/* the members keep the TEKs they hold */
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 1)), SUCCESS);
	ck_assert_int_eq(GSA(alice)->get_tek_count(GSA(alice)), 1);

	alice->group.destroy(&alice->group);
	cam->group.destroy(&cam->group);
	bob->group.destroy(&bob->group);
}
END_TEST

/**
 * Assert a member holds the key tree path the GCKS has for it
 */
static void assert_key_path(mike_member_group_t *member, uint32_t ike_sa_id)
{
	mike_gcks_member_t *record = group->find_member(group, ike_sa_id);
	mike_lkh_t *lkh = group->get_lkh(group);
	enumerator_t *held, *expected;
	mike_lkh_key_t *a, *b;
	linked_list_t *path;

	ck_assert(record);
	ck_assert(lkh->get_path(lkh, record->leaf, &path));
	ck_assert_int_eq(member->get_key_path_count(member),
					 path->get_count(path));
	held = member->create_key_path_enumerator(member);
	expected = path->create_enumerator(path);
	while (held->enumerate(held, &a) && expected->enumerate(expected, &b))
	{
		ck_assert_int_eq(a->id, b->id);
		ck_assert_chunk_eq(a->key, b->key);
	}
	held->destroy(held);
	expected->destroy(expected);
	path->destroy_function(path, (void*)mike_lkh_key_destroy);
}

/** members of the batched joins test: 4 first, then the batch */
#define BATCH_FIRST 4
#define BATCH_MEMBERS (BATCH_FIRST + MIKE_JOIN_BATCH_MAX - 1)

START_TEST(test_joins_batched)
{
	mike_member_group_t *members[BATCH_MEMBERS + 3];
	ike_sa_t *sas[BATCH_MEMBERS + 3];
	char identity[64];
	int i, j, sent, total = BATCH_MEMBERS + 3;

	for (i = 0; i < total; i++)
	{
		snprintf(identity, sizeof(identity), "m%d@example.org", i);
		sas[i] = member_sa(10 + i, identity);
	}
	for (i = 0; i < BATCH_FIRST; i++)
	{
		members[i] = join(sas[i], FALSE);
	}
	gcks->flush(gcks, "g");
	for (j = 0; j < sock->sent->get_count(sock->sent); j++)
	{
		for (i = 0; i < BATCH_FIRST; i++)
		{
			apply_rekey(members[i], fake_socket_get(sock, j));
		}
	}
	/* the tree is full: every join splits a leaf, and tells nobody yet */
	sent = sock->sent->get_count(sock->sent);
	for (i = BATCH_FIRST; i < BATCH_MEMBERS; i++)
	{
		members[i] = join(sas[i], FALSE);
		ck_assert_int_eq(GSA(members[i])->get_rekey_msg_id(GSA(members[i])),
						 GSA(group)->get_rekey_msg_id(GSA(group)));
	}
	ck_assert_int_eq(sock->sent->get_count(sock->sent), sent);

	/* one signed GSA_REKEY with every split key; each member, those that
	 * joined meanwhile too, ends up with the path the GCKS has for it */
	gcks->flush(gcks, "g");
	ck_assert_int_eq(sock->sent->get_count(sock->sent), sent + 1);
	for (i = 0; i < BATCH_MEMBERS; i++)
	{
		ck_assert_int_eq(apply_rekey(members[i],
									 fake_socket_get(sock, sent)), SUCCESS);
		assert_key_path(members[i], 10 + i);
	}
	gcks->flush(gcks, "g");
	ck_assert_int_eq(sock->sent->get_count(sock->sent), sent + 1);

	/* joins waiting when a member leaves go first, in a message of their
	 * own: the eviction is wrapped under the keys they bring */
	for (i = BATCH_MEMBERS; i < total; i++)
	{
		members[i] = join(sas[i], FALSE);
	}
	sent = sock->sent->get_count(sock->sent);
	ike_state(sas[BATCH_FIRST + 1], IKE_DESTROYING);
	ck_assert_int_eq(sock->sent->get_count(sock->sent), sent + 3);
	for (i = 0; i < total; i++)
	{
		if (i == BATCH_FIRST + 1)
		{
			continue;
		}
		for (j = sent; j < sent + 3; j++)
		{
			ck_assert_int_eq(apply_rekey(members[i], fake_socket_get(sock, j)),
							 SUCCESS);
		}
		ck_assert_chunk_eq(KEK_KEYMAT(members[i]), KEK_KEYMAT(group));
		assert_key_path(members[i], 10 + i);
	}

	for (i = 0; i < total; i++)
	{
		members[i]->group.destroy(&members[i]->group);
		sas[i]->destroy(sas[i]);
	}
}
END_TEST

START_TEST(test_expel_member_rekeys)
{
	identification_t *bob_id;
	mike_member_group_t *alice, *bob;

	alice = join(alice_sa, FALSE);
	bob = join(bob_sa, FALSE);

	bob_id = identification_create_from_string("bob@example.org");
	ck_assert_int_eq(gcks->expel(gcks, "g", bob_id), 1);
	ck_assert(!group->find_member(group, 3));
	ck_assert(group->is_expelled(group, bob_id));
	/* its IKE SA carries no other membership: closed */
	ck_assert_int_eq(fake_manager_last_checkout(), 3);
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 2);
	ck_assert_int_eq(apply_rekey(bob, fake_socket_get(sock, 0)), NOT_FOUND);
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 0)), SUCCESS);
	ck_assert_chunk_eq(KEK_KEYMAT(alice), KEK_KEYMAT(group));

	bob_id->destroy(bob_id);
	alice->group.destroy(&alice->group);
	bob->group.destroy(&bob->group);
}
END_TEST

/*******************************************************************************
 * Over an established IKE SA, and the periodic rollover
 */

/**
 * An INFORMATIONAL request from a member over its IKE SA, as charon hands
 * it to the GCKS (which answers at once, there is no authorize() step):
 * IDg, and N(NO_PROPOSAL_CHOSEN) for a de-registration; returns the
 * response as the member receives it
 */
static message_t *informational(ike_sa_t *ike_sa, char *name, bool leave)
{
	message_t *request, *sent, *response;
	idg_payload_t *idg;

	request = fake_message(INFORMATIONAL, TRUE, 2);
	idg = mike_exchange_idg(name);
	fake_message_add_unknown(request, GIKEV2_PL_IDG,
						gikev2_payload_get_body(&idg->payload_interface));
	idg->destroy(idg);
	if (leave)
	{
		request->add_notify(request, FALSE, NO_PROPOSAL_CHOSEN, chunk_empty);
	}
	gcks->listener.message(&gcks->listener, ike_sa, request, TRUE, TRUE);
	sent = fake_message(INFORMATIONAL, FALSE, 2);
	gcks->listener.message(&gcks->listener, ike_sa, sent, FALSE, TRUE);
	response = fake_message_deliver(sent);
	sent->destroy(sent);
	request->destroy(request);
	return response;
}

/** the IKE SA is up, as for any INFORMATIONAL exchange */
static void established(ike_sa_t *ike_sa)
{
	((fake_ike_sa_t*)ike_sa)->state = IKE_ESTABLISHED;
}

START_TEST(test_informational_registration)
{
	mike_member_group_t *alice;
	message_t *response;

	established(alice_sa);
	response = informational(alice_sa, "g", FALSE);
	ck_assert(group->find_member(group, 1));
	alice = fake_member_state(member_body, response);
	ck_assert(alice);
	ck_assert_chunk_eq(KEK_KEYMAT(alice), KEK_KEYMAT(group));
	response->destroy(response);
	alice->group.destroy(&alice->group);
}
END_TEST

START_TEST(test_informational_needs_established_ike_sa)
{
	message_t *response;

	/* the peer is not authenticated yet: nothing for it */
	response = informational(alice_sa, "g", FALSE);
	ck_assert(!group->find_member(group, 1));
	ck_assert(!mike_exchange_find(response, GIKEV2_PL_GSA));
	ck_assert(!response->get_notify(response,
									GIKEV2_NOTIFY_INVALID_GROUP_ID));
	response->destroy(response);
}
END_TEST

START_TEST(test_informational_while_deleting_refused)
{
	identification_t *alice;
	message_t *response;

	/* expelled: the GCKS deletes the IKE SA, the member's re-registration
	 * crosses that and gets the reason (RFC 9838 2.3.2) */
	alice = identification_create_from_string("alice@example.org");
	ck_assert_int_eq(gcks->expel(gcks, "g", alice), 0);
	((fake_ike_sa_t*)alice_sa)->state = IKE_DELETING;
	response = informational(alice_sa, "g", FALSE);
	ck_assert(response->get_notify(response,
								   GIKEV2_NOTIFY_AUTHORIZATION_FAILED));
	ck_assert(!mike_exchange_find(response, GIKEV2_PL_GSA));
	response->destroy(response);
	/* readmitted, but over the IKE SA that goes */
	ck_assert_int_eq(gcks->readmit(gcks, "g", alice), 1);
	response = informational(alice_sa, "g", FALSE);
	ck_assert(response->get_notify(response,
								   GIKEV2_NOTIFY_REGISTRATION_FAILED));
	ck_assert_int_eq(group->get_member_count(group), 0);
	response->destroy(response);
	alice->destroy(alice);
}
END_TEST

START_TEST(test_informational_unknown_group_refused)
{
	message_t *response;

	established(alice_sa);
	response = informational(alice_sa, "nosuch", FALSE);
	ck_assert(response->get_notify(response, GIKEV2_NOTIFY_INVALID_GROUP_ID));
	ck_assert(!mike_exchange_find(response, GIKEV2_PL_GSA));
	ck_assert_int_eq(group->get_member_count(group), 0);
	response->destroy(response);
}
END_TEST

START_TEST(test_deregistration_forward_access_control)
{
	mike_member_group_t *alice, *cam;
	message_t *response;
	chunk_t old_kek;

	join_alice_and_sender(&alice, &cam);
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 0)), SUCCESS);
	old_kek = chunk_clone(KEK_KEYMAT(group));

	/* cam tells it left the group, its IKE SA stays */
	established(cam_sa);
	response = informational(cam_sa, "g", TRUE);
	response->destroy(response);
	ck_assert(!group->find_member(group, 2));
	ck_assert(group->find_member(group, 1));
	ck_assert_int_eq(GSA(group)->get_tek_count(GSA(group)), 0);
	ck_assert(!chunk_equals(old_kek, KEK_KEYMAT(group)));
	ck_assert_int_eq(fake_manager_last_checkout(), 0);

	/* the new KEK only for who stays, then the TEKs under it */
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 3);
	ck_assert_int_eq(apply_rekey(cam, fake_socket_get(sock, 1)), NOT_FOUND);
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 1)), SUCCESS);
	ck_assert_chunk_eq(KEK_KEYMAT(alice), KEK_KEYMAT(group));
	/* RFC 9838 2.4.1.3: the first message over the new rekey SA has
	 * Message ID 0, and the member expects it */
	ck_assert_int_ne(untoh32(fake_socket_get(sock, 1).ptr + 20), 0);
	ck_assert_int_eq(untoh32(fake_socket_get(sock, 2).ptr + 20), 0);
	ck_assert_int_eq(GSA(alice)->get_rekey_msg_id(GSA(alice)), 0);
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 2)), SUCCESS);
	ck_assert_int_eq(GSA(alice)->get_rekey_msg_id(GSA(alice)), 1);

	chunk_clear(&old_kek);
	alice->group.destroy(&alice->group);
	cam->group.destroy(&cam->group);
}
END_TEST

START_TEST(test_deregistration_of_non_member_ignored)
{
	mike_member_group_t *alice;
	message_t *response;

	alice = join(alice_sa, FALSE);
	/* bob never joined: leaving changes nothing, sends nothing */
	established(bob_sa);
	response = informational(bob_sa, "g", TRUE);
	response->destroy(response);
	ck_assert(group->find_member(group, 1));
	ck_assert_int_eq(group->get_member_count(group), 1);
	ck_assert_int_eq(sock->sent->get_count(sock->sent), 0);
	alice->group.destroy(&alice->group);
}
END_TEST

/** the registration the rekeying of these tests asks nothing of */
static mike_gcks_registrar_t registrar;

/**
 * Run the rollover of "g" once, as start() schedules it, by a rekeying
 * sending to a socket of its own (both for the caller to check; it
 * destroys the rekeying); returns whether it rolled over
 */
static bool roll_over_once(mike_gcks_rekey_t **rekey,
						   fake_socket_t **rollover_sock)
{
	bool rolled;

	*rollover_sock = fake_socket_create();
	*rekey = mike_gcks_rekey_create(groups, &(*rollover_sock)->socket,
									&registrar);
	ck_assert(groups->checkout(groups, "g") == &group->group);
	rolled = (*rekey)->roll_over(*rekey, group);
	groups->checkin(groups, &group->group);
	return rolled;
}

START_TEST(test_rollover_new_teks)
{
	mike_gcks_rekey_t *rekey;
	mike_gcks_member_t *sender;
	mike_member_group_t *alice, *cam;
	fake_socket_t *rollover_sock;
	mike_tek_t *old;
	uint32_t old_spi;

	sender = join_alice_and_sender(&alice, &cam);
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 0)), SUCCESS);
	old = sender->tek;
	old_spi = old->spi;

	ck_assert(roll_over_once(&rekey, &rollover_sock));

	ck_assert(sender->tek && sender->tek->spi != old_spi);
	ck_assert_int_eq(GSA(group)->get_tek_count(GSA(group)), 1);
	ck_assert_int_eq(rollover_sock->sent->get_count(rollover_sock->sent), 1);
	/* both members take the sender's new TEK */
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(rollover_sock, 0)),
					 SUCCESS);
	ck_assert(has_tek(alice, sender->tek));
	ck_assert_int_eq(apply_rekey(cam, fake_socket_get(rollover_sock, 0)),
					 SUCCESS);
	ck_assert(has_tek(cam, sender->tek));
	ck_assert_int_eq(GSA(alice)->get_tek_count(GSA(alice)), 1);

	rekey->destroy(rekey);
	alice->group.destroy(&alice->group);
	cam->group.destroy(&cam->group);
}
END_TEST

START_TEST(test_rollover_needs_kek)
{
	mike_gcks_rekey_t *rekey;
	fake_socket_t *rollover_sock;

	/* nobody registered yet: no KEK, nothing to roll over */
	ck_assert(!roll_over_once(&rekey, &rollover_sock));
	ck_assert_int_eq(rollover_sock->sent->get_count(rollover_sock->sent), 0);
	rekey->destroy(rekey);
}
END_TEST

START_TEST(test_reauthorize_after_reload)
{
	mike_member_group_t *alice, *cam;
	mike_group_t *reloaded;

	join_alice_and_sender(&alice, &cam);

	/* loaded again with cam no longer a sender and alice no longer a
	 * member: the same group, keys and members until reauthorized */
	reloaded = fake_group_add(groups, "g",
							  "role = gcks\n"
							  "address = 239.1.2.3\n"
							  "port = 5000\n"
							  "esp_proposals = aes256gcm16\n"
							  "members = cam@example.org\n"
							  "rekey_address = 239.1.2.4\n"
							  "rekey_port = 4848\n");
	ck_assert(reloaded == &group->group);
	ck_assert_int_eq(group->get_member_count(group), 2);

	/* both lose their membership (cam sends with a TEK it may no
	 * longer have), each IKE SA is closed */
	ck_assert_int_eq(gcks->reauthorize(gcks, "g"), 2);
	ck_assert_int_eq(group->get_member_count(group), 0);
	ck_assert_int_eq(GSA(group)->get_tek_count(GSA(group)), 0);
	/* nothing left to reauthorize */
	ck_assert_int_eq(gcks->reauthorize(gcks, NULL), 0);

	alice->group.destroy(&alice->group);
	cam->group.destroy(&cam->group);
}
END_TEST

START_TEST(test_reauthorize_keeps_who_fits)
{
	mike_member_group_t *alice;

	alice = join(alice_sa, FALSE);
	fake_group_add(groups, "g", gcks_body);
	ck_assert_int_eq(gcks->reauthorize(gcks, NULL), 0);
	ck_assert(group->find_member(group, 1));
	alice->group.destroy(&alice->group);
}
END_TEST

/*******************************************************************************
 * SAM keys (docs/sam-keys.md)
 */

/**
 * The data of N(MIKE_SAM_KEY) for a fresh key of a type; the SPKI in spki
 */
static chunk_t sam_key_data(key_type_t type, int bits, chunk_t *spki)
{
	private_key_t *key;
	public_key_t *pub;
	chunk_t data;

	key = lib->creds->create(lib->creds, CRED_PRIVATE_KEY, type,
							 BUILD_KEY_SIZE, bits, BUILD_END);
	ck_assert(key);
	pub = key->get_public_key(key);
	ck_assert(pub->get_encoding(pub, PUBKEY_SPKI_ASN1_DER, spki));
	data = mike_sam_key_encode(MIKE_SAM_ED25519, *spki);
	pub->destroy(pub);
	key->destroy(key);
	return data;
}

/**
 * Register as sender to "g" presenting a SAM key and a bootstrap (their
 * notify data; empty: not presented)
 */
static message_t *register_sender(ike_sa_t *ike_sa, chunk_t key,
								  chunk_t bootstrap, bool *success)
{
	message_t *request, *response;

	request = fake_idg_request("g", TRUE);
	if (key.len)
	{
		request->add_notify(request, FALSE, GIKEV2_NOTIFY_MIKE_SAM_KEY, key);
	}
	if (bootstrap.len)
	{
		request->add_notify(request, FALSE, GIKEV2_NOTIFY_MIKE_SAM_BOOTSTRAP,
							bootstrap);
	}
	*success = fake_respond(&gcks->listener, ike_sa, request, &response);
	return response;
}

/**
 * Register cam as a sender with SAM key data and a bootstrap (empty: not
 * presented), which succeeds; returns cam's membership on the GCKS
 */
static mike_gcks_member_t *add_sam_sender(chunk_t key, chunk_t bootstrap)
{
	mike_gcks_member_t *sender;
	message_t *response;
	bool success;

	response = register_sender(cam_sa, key, bootstrap, &success);
	ck_assert(success);
	response->destroy(response);
	sender = group->find_member(group, 2);
	ck_assert(sender && sender->tek);
	return sender;
}

/**
 * Register cam as a sender with SAM key data and a bootstrap, which is
 * refused: the IKE SA stays (RFC 9838 2.3.1), the response has
 * N(AUTHORIZATION_FAILED) and no GSA
 */
static void sam_sender_refused(chunk_t key, chunk_t bootstrap)
{
	message_t *response;
	bool success;

	response = register_sender(cam_sa, key, bootstrap, &success);
	ck_assert(success);
	ck_assert(response->get_notify(response,
								   GIKEV2_NOTIFY_AUTHORIZATION_FAILED));
	ck_assert(!mike_exchange_find(response, GIKEV2_PL_GSA));
	response->destroy(response);
}

/**
 * Assert cam, no member yet, is refused as a sender presenting SAM key
 * data and a bootstrap, and stays no member
 */
static void assert_sam_refused(chunk_t key, chunk_t bootstrap)
{
	sam_sender_refused(key, bootstrap);
	ck_assert(!group->find_member(group, 2));
}

/**
 * How the SAM tests start: alice joins, then cam as a sender with a fresh
 * Ed25519 SAM key (its notify data in data, its SPKI in spki) and a
 * bootstrap (empty: none); alice takes the GSA_REKEY announcing cam.
 * Returns cam's membership on the GCKS
 */
static mike_gcks_member_t *sam_sender_joins(mike_member_group_t **alice,
											chunk_t bootstrap, chunk_t *data,
											chunk_t *spki)
{
	mike_gcks_member_t *sender;

	*alice = join(alice_sa, FALSE);
	*data = sam_key_data(KEY_ED25519, 256, spki);
	sender = add_sam_sender(*data, bootstrap);
	ck_assert_int_eq(apply_rekey(*alice, fake_socket_get(sock, 0)), SUCCESS);
	return sender;
}

/**
 * The TEK of a member group with an SPI, NULL if none
 */
static mike_tek_t *tek_of(mike_member_group_t *member, uint32_t spi)
{
	enumerator_t *enumerator;
	mike_tek_t *tek, *found = NULL;

	enumerator = GSA(member)->create_tek_enumerator(GSA(member));
	while (!found && enumerator->enumerate(enumerator, &tek))
	{
		if (tek->spi == spi)
		{
			found = tek;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Assert a member holds a sender's TEK with its SAM source and key
 */
static void assert_sam_source(mike_member_group_t *member,
							  mike_gcks_member_t *sender, chunk_t spki)
{
	mike_tek_t *tek;

	tek = tek_of(member, sender->tek->spi);
	ck_assert(tek && tek->sam_source == sender->leaf);
	ck_assert_chunk_eq(tek->sam_key, spki);
}

/**
 * Assert the GCKS and a member that took its GSA_REKEY hold a sender's
 * bootstrap
 */
static void assert_sam_bootstrap(mike_member_group_t *member,
								 mike_gcks_member_t *sender, char *bootstrap)
{
	mike_tek_t *tek;

	ck_assert_chunk_eq(sender->tek->sam_bootstrap, chunk_from_str(bootstrap));
	tek = tek_of(member, sender->tek->spi);
	ck_assert(tek);
	ck_assert_chunk_eq(tek->sam_bootstrap, chunk_from_str(bootstrap));
}

START_TEST(test_sam_key_distributed)
{
	mike_member_group_t *alice, *cam, *bob;
	mike_gcks_member_t *sender;
	message_t *response;
	chunk_t data, spki;
	bool success;

	alice = join(alice_sa, FALSE);
	ck_assert_int_eq(GSA(alice)->get_sam_session(GSA(alice)),
					 mike_sam_session_id("g"));
	data = sam_key_data(KEY_ED25519, 256, &spki);
	response = register_sender(cam_sa, data, chunk_empty, &success);
	ck_assert(success);
	sender = group->find_member(group, 2);
	ck_assert(sender && sender->tek);
	/* its source ID is its leaf, its key the one it presented */
	ck_assert_int_eq(sender->tek->sam_source, sender->leaf);
	ck_assert_chunk_eq(sender->tek->sam_key, spki);
	/* the sender itself learns it in its registration */
	cam = fake_member_state(member_body, response);
	ck_assert(cam);
	assert_sam_source(cam, sender, spki);
	response->destroy(response);

	/* alice from the GSA_REKEY announcing the new sender */
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 0)), SUCCESS);
	assert_sam_source(alice, sender, spki);
	/* a newcomer in its registration */
	bob = join(bob_sa, FALSE);
	assert_sam_source(bob, sender, spki);

	chunk_free(&data);
	chunk_free(&spki);
	alice->group.destroy(&alice->group);
	cam->group.destroy(&cam->group);
	bob->group.destroy(&bob->group);
}
END_TEST

START_TEST(test_sam_key_follows_rollover)
{
	mike_gcks_rekey_t *rekey;
	mike_gcks_member_t *sender;
	mike_member_group_t *alice;
	fake_socket_t *rollover_sock;
	chunk_t data, spki;
	uint32_t old_spi;

	sender = sam_sender_joins(&alice, chunk_empty, &data, &spki);
	old_spi = sender->tek->spi;

	ck_assert(roll_over_once(&rekey, &rollover_sock));

	/* a new TEK, the same source and key */
	ck_assert(sender->tek->spi != old_spi);
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(rollover_sock, 0)),
					 SUCCESS);
	assert_sam_source(alice, sender, spki);

	rekey->destroy(rekey);
	chunk_free(&data);
	chunk_free(&spki);
	alice->group.destroy(&alice->group);
}
END_TEST

START_TEST(test_sam_key_withdrawn)
{
	mike_member_group_t *alice;
	chunk_t data, spki;

	sam_sender_joins(&alice, chunk_empty, &data, &spki);
	ck_assert_int_eq(GSA(alice)->get_tek_count(GSA(alice)), 1);

	/* the sender goes: the GSAs after it carry neither its TEK nor its
	 * key */
	ike_state(cam_sa, IKE_DESTROYING);
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 1)), SUCCESS);
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 2)), SUCCESS);
	ck_assert_int_eq(GSA(alice)->get_tek_count(GSA(alice)), 0);

	chunk_free(&data);
	chunk_free(&spki);
	alice->group.destroy(&alice->group);
}
END_TEST

/*
 * A sender's bootstrap goes with its key into every GSA; presented anew
 * over the same IKE SA, it is announced to the group
 */
START_TEST(test_sam_bootstrap_distributed)
{
	mike_member_group_t *alice;
	mike_gcks_member_t *sender;
	chunk_t data, spki;

	sender = sam_sender_joins(&alice, chunk_from_str("chain 1"), &data,
							  &spki);
	assert_sam_bootstrap(alice, sender, "chain 1");

	/* a new one, over the same IKE SA: the same TEK, announced */
	add_sam_sender(data, chunk_from_str("chain 2"));
	ck_assert_int_eq(apply_rekey(alice, fake_socket_get(sock, 1)), SUCCESS);
	assert_sam_bootstrap(alice, sender, "chain 2");

	/* each change is a GSA_REKEY to everybody: not another one so soon */
	sam_sender_refused(data, chunk_from_str("chain 3"));
	ck_assert_chunk_eq(sender->tek->sam_bootstrap, chunk_from_str("chain 2"));
	/* the same one again is no change */
	add_sam_sender(data, chunk_from_str("chain 2"));

	chunk_free(&data);
	chunk_free(&spki);
	alice->group.destroy(&alice->group);
}
END_TEST

START_TEST(test_sam_bootstrap_refused)
{
	chunk_t data, spki, big;

	/* without a key to check it against */
	assert_sam_refused(chunk_empty, chunk_from_str("x"));
	/* longer than libsam's largest */
	data = sam_key_data(KEY_ED25519, 256, &spki);
	big = chunk_alloc(MIKE_SAM_BOOTSTRAP_MAX + 1);
	memset(big.ptr, 0x42, big.len);
	assert_sam_refused(data, big);
	/* the largest is fine */
	big.len--;
	add_sam_sender(data, big);
	chunk_free(&big);
	chunk_free(&data);
	chunk_free(&spki);
}
END_TEST

/**
 * Assert a sender presenting notify data as SAM key is refused
 */
static void assert_sam_key_refused(chunk_t data)
{
	assert_sam_refused(data, chunk_empty);
}

/**
 * Whether bytes appear in a chunk
 */
static bool contains(chunk_t haystack, chunk_t needle)
{
	size_t i;

	for (i = 0; i + needle.len <= haystack.len; i++)
	{
		if (memeq(haystack.ptr + i, needle.ptr, needle.len))
		{
			return TRUE;
		}
	}
	return FALSE;
}

START_TEST(test_sam_attribute_vector)
{
	gsa_payload_t *gsa;
	kd_payload_t *kd;
	gsa_policy_t *policy;
	gikev2_attr_t *attr;
	enumerator_t *enumerator;
	chunk_t data, spki, gsk_w, body, expected;
	int sources = 0;

	data = sam_key_data(KEY_ED25519, 256, &spki);
	add_sam_sender(data, chunk_empty);
	gsk_w = fake_ike_sa_gsk_w();
	ck_assert(mike_gsa_build(group, gsk_w, NULL, &gsa, &kd));

	/* the session: SHA-256("mike SAM session g"), scheme 2 (ed25519),
	 * flags 1 (payloads encrypted, sam_encrypt's default) */
	attr = gikev2_attrs_find(gsa->get_kek_policy(gsa)->attrs,
							 GIKEV2_GSA_MIKE_SAM_SESSION);
	ck_assert(attr && !attr->tv);
	ck_assert_chunk_eq(attr->data,
					   chunk_from_chars(0x34, 0xdd, 0x41, 0x95, 0x02, 0x01));
	/* cam's source: its leaf (1, the first member), scheme, reserved, key */
	enumerator = gsa->create_policy_enumerator(gsa);
	while (enumerator->enumerate(enumerator, &policy))
	{
		if (policy->protocol != GIKEV2_PROTO_ESP)
		{
			continue;
		}
		attr = gikev2_attrs_find(policy->attrs, GIKEV2_GSA_MIKE_SAM_SOURCE);
		ck_assert(attr && !attr->tv);
		expected = chunk_cat("cc", chunk_from_chars(0x00, 0x00, 0x00, 0x01,
													0x02, 0x00), spki);
		ck_assert_chunk_eq(attr->data, expected);
		chunk_free(&expected);
		sources++;
	}
	enumerator->destroy(enumerator);
	ck_assert_int_eq(sources, 1);
	/* on the wire: AF 0, type 0x4001, length 50, then the data */
	ck_assert_int_eq(spki.len, 44);
	body = gikev2_payload_get_body(&gsa->payload_interface);
	expected = chunk_cat("cc", chunk_from_chars(0x40, 0x01, 0x00, 0x32,
								0x00, 0x00, 0x00, 0x01, 0x02, 0x00), spki);
	ck_assert(contains(body, expected));
	chunk_free(&expected);
	expected = chunk_from_chars(0x40, 0x00, 0x00, 0x06,
								0x34, 0xdd, 0x41, 0x95, 0x02, 0x01);
	ck_assert(contains(body, expected));

	gsa->payload_interface.destroy(&gsa->payload_interface);
	kd->payload_interface.destroy(&kd->payload_interface);
	chunk_clear(&gsk_w);
	chunk_free(&data);
	chunk_free(&spki);
}
END_TEST

START_TEST(test_sam_key_refused)
{
	chunk_t data, spki, bad;

	/* a P-256 key for an Ed25519 group */
	data = sam_key_data(KEY_ECDSA, 256, &spki);
	assert_sam_key_refused(data);
	chunk_free(&data);
	chunk_free(&spki);

	data = sam_key_data(KEY_ED25519, 256, &spki);
	/* another scheme, a reserved byte set, trailing data, truncated */
	bad = chunk_clone(data);
	bad.ptr[0] = MIKE_SAM_ECDSA_P256;
	assert_sam_key_refused(bad);
	bad.ptr[0] = MIKE_SAM_ED25519;
	bad.ptr[1] = 1;
	assert_sam_key_refused(bad);
	chunk_free(&bad);
	bad = chunk_cat("cc", data, chunk_from_chars(0x00));
	assert_sam_key_refused(bad);
	chunk_free(&bad);
	assert_sam_key_refused(chunk_create(data.ptr, data.len - 1));
	assert_sam_key_refused(chunk_create(data.ptr, 1));
	chunk_free(&data);
	chunk_free(&spki);
}
END_TEST

START_TEST(test_sam_key_of_receiver_ignored)
{
	message_t *request, *response;
	mike_gcks_member_t *member;
	chunk_t data, spki;

	data = sam_key_data(KEY_ED25519, 256, &spki);
	request = fake_idg_request("g", FALSE);
	request->add_notify(request, FALSE, GIKEV2_NOTIFY_MIKE_SAM_KEY, data);
	ck_assert(fake_respond(&gcks->listener, alice_sa, request, &response));
	response->destroy(response);
	member = group->find_member(group, 1);
	ck_assert(member && !member->tek);
	chunk_free(&data);
	chunk_free(&spki);
}
END_TEST

Suite *gcks_suite(void)
{
	Suite *s = suite_create("gcks");
	TCase *tc;

	tc = tcase_create("registration");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_register_answers_gsa_kd);
	tcase_add_test(tc, test_register_sender_gets_tek);
	tcase_add_test(tc, test_sender_ids);
	tcase_add_test(tc, test_sender_ids_malformed_count);
	tcase_add_test(tc, test_refuse_unknown_group);
	tcase_add_test(tc, test_refuse_not_permitted_member);
	tcase_add_test(tc, test_refuse_not_permitted_sender);
	tcase_add_test(tc, test_refuse_expelled);
	tcase_add_test(tc, test_refuse_malformed_idg);
	tcase_add_test(tc, test_no_idg_not_a_registration);
	suite_add_tcase(s, tc);

	tc = tcase_create("membership");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_second_member_rekey_has_its_tek);
	tcase_add_test(tc, test_member_gone_forward_access_control);
	tcase_add_test(tc, test_late_copies_after_registration);
	tcase_add_test(tc, test_last_member_gone_new_kek_no_rekey);
	tcase_add_test(tc, test_other_state_change_keeps_member);
	tcase_add_test(tc, test_ike_rekey_moves_membership);
	tcase_add_test(tc, test_sender_returns_announced);
	tcase_add_test(tc, test_expel_member_rekeys);
	tcase_add_test(tc, test_join_rekey_carries_only_changes);
	tcase_add_test(tc, test_joins_batched);
	suite_add_tcase(s, tc);

	tc = tcase_create("established IKE SA, rollover");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_informational_registration);
	tcase_add_test(tc, test_informational_needs_established_ike_sa);
	tcase_add_test(tc, test_informational_unknown_group_refused);
	tcase_add_test(tc, test_informational_while_deleting_refused);
	tcase_add_test(tc, test_deregistration_forward_access_control);
	tcase_add_test(tc, test_deregistration_of_non_member_ignored);
	tcase_add_test(tc, test_rollover_new_teks);
	tcase_add_test(tc, test_rollover_needs_kek);
	tcase_add_test(tc, test_reauthorize_after_reload);
	tcase_add_test(tc, test_reauthorize_keeps_who_fits);
	suite_add_tcase(s, tc);

	tc = tcase_create("SAM keys");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sam_key_distributed);
	tcase_add_test(tc, test_sam_key_follows_rollover);
	tcase_add_test(tc, test_sam_key_withdrawn);
	tcase_add_test(tc, test_sam_attribute_vector);
	tcase_add_test(tc, test_sam_key_refused);
	tcase_add_test(tc, test_sam_key_of_receiver_ignored);
	tcase_add_test(tc, test_sam_bootstrap_distributed);
	tcase_add_test(tc, test_sam_bootstrap_refused);
	suite_add_tcase(s, tc);
	return s;
}
