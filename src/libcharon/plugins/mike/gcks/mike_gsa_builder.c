/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "gcks/mike_gsa_builder.h"
#include "common/mike_keywrap.h"
#include "common/mike_sam.h"
#include "payloads/gikev2.h"

#include <daemon.h>

/**
 * A selector for one host or the whole address family
 */
static traffic_selector_t *host_ts(host_t *host, int family, uint8_t protocol,
								   uint16_t port)
{
	uint16_t from = port, to = port ?: 0xffff;

	if (!host)
	{
		return traffic_selector_create_from_cidr(
							family == AF_INET ? "0.0.0.0/0" : "::/0",
							protocol, 0, 0xffff);
	}
	return traffic_selector_create_from_subnet(host->clone(host),
							host->get_family(host) == AF_INET ? 32 : 128,
							protocol, from, to);
}

/**
 * Add the key lifetime attribute to a policy
 */
static void add_lifetime(gsa_policy_t *policy, uint32_t lifetime)
{
	gsa_policy_add_attr(policy,
		gikev2_attr_create_tlv_u32(GIKEV2_GSA_KEY_LIFETIME, lifetime));
}

/**
 * The GSA policy of the KEK
 */
static gsa_policy_t *kek_policy(mike_group_config_t *cfg, mike_gsa_t *gsa,
								uint32_t initial_msg_id, bool for_rekey)
{
	/* unicast rekeying sends no GSA_REKEY to sign: Implicit, without
	 * AUTH_KEY (RFC 9838 4.4.2.1.1, 5) */
	signature_params_t *scheme = cfg->rekey_address
								 ? gsa->get_rekey_auth_scheme(gsa) : NULL;
	uint8_t session[MIKE_SAM_SESSION_SIZE];
	traffic_selector_t *src, *dst;
	gsa_transform_t *transform;
	gsa_policy_t *policy;
	host_t *rekey;
	chunk_t alg_id;
	int family = cfg->address->get_family(cfg->address);

	/* rekey messages go to the rekey address, or over the registration SA
	 * (unicast rekey), then the group address stands in as destination:
	 * the rekey SA's key is the root of the SAM data keys and its SPI names
	 * the group (docs/interop.md, item 9) */
	rekey = cfg->rekey_address ?: cfg->address;
	src = host_ts(NULL, family, IPPROTO_UDP, 0);
	dst = host_ts(rekey, family, IPPROTO_UDP, cfg->rekey_port);
	policy = gsa_policy_create(GIKEV2_PROTO_GIKE_UPDATE,
							   gsa->get_kek_spi(gsa), src, dst);
	src->destroy(src);
	dst->destroy(dst);
	gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_ENCR,
							 mike_rekey_suite_default.encr,
							 mike_rekey_suite_default.encr_bits);
	gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_KWA,
							 mike_rekey_suite_default.kwa, 0);
	if (for_rekey)
	{	/* the method cannot change: GCAUTH only at registration (RFC 9838
		 * 4.4.2.1) */
	}
	else if (scheme && signature_params_build(scheme, &alg_id))
	{	/* GSA_REKEY messages are signed: say with what (RFC 9838 4.4.2.2) */
		transform = gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_GCAUTH,
									GIKEV2_GCAUTH_DIGITAL_SIGNATURE, 0);
		transform->attrs->insert_last(transform->attrs,
			gikev2_attr_create_tlv(GIKEV2_TATTR_SIG_ALG_ID, alg_id));
		chunk_free(&alg_id);
	}
	else
	{	/* no key to sign with (a GCKS authenticated by PSK or EAP): the
		 * transform is mandatory in a registration all the same, and says
		 * so (RFC 9838 4.4.2.1.1: Implicit) */
		gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_GCAUTH,
								 GIKEV2_GCAUTH_IMPLICIT, 0);
	}
	add_lifetime(policy, cfg->kek_lifetime);
	if (gsa->get_sam_session(gsa))
	{	/* private use: the group's SAM session (docs/sam-keys.md) */
		htoun32(session, gsa->get_sam_session(gsa));
		session[4] = cfg->sam_scheme_id;
		session[5] = gsa->get_sam_encrypt(gsa) ? MIKE_SAM_SESSION_ENCRYPT : 0;
		gsa_policy_add_attr(policy, gikev2_attr_create_tlv(
						GIKEV2_GSA_MIKE_SAM_SESSION, chunk_from_thing(session)));
	}
	if (initial_msg_id)
	{
		gsa_policy_add_attr(policy, gikev2_attr_create_tlv_u32(
								GIKEV2_GSA_INITIAL_MESSAGE_ID, initial_msg_id));
	}
	return policy;
}

/**
 * The MIKE_SAM_SOURCE attribute of a sender's TEK (docs/sam-keys.md)
 */
static gikev2_attr_t *sam_source(mike_group_config_t *cfg, mike_tek_t *tek)
{
	gikev2_attr_t *attr;
	chunk_t key, data;
	uint8_t id[4];

	htoun32(id, tek->sam_source);
	key = mike_sam_key_encode(cfg->sam_scheme_id, tek->sam_key);
	data = chunk_cat("cm", chunk_from_thing(id), key);
	attr = gikev2_attr_create_tlv(GIKEV2_GSA_MIKE_SAM_SOURCE, data);
	chunk_free(&data);
	return attr;
}

/**
 * The GSA policy of a sender's TEK, to be used for lifetime seconds
 */
static gsa_policy_t *tek_policy(mike_group_config_t *cfg, mike_tek_t *tek,
								uint32_t lifetime)
{
	traffic_selector_t *src, *dst;
	gsa_policy_t *policy;
	uint32_t spi = htonl(tek->spi);
	int family = cfg->address->get_family(cfg->address);

	src = host_ts(tek->source, family, cfg->protocol, 0);
	dst = host_ts(cfg->address, family, cfg->protocol, cfg->port);
	policy = gsa_policy_create(GIKEV2_PROTO_ESP,
							   chunk_from_thing(spi), src, dst);
	src->destroy(src);
	dst->destroy(dst);
	gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_ENCR, tek->enc_alg,
							 tek->enc_keylen);
	if (tek->int_alg != AUTH_UNDEFINED)
	{
		gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_INTEG,
								 tek->int_alg, 0);
	}
	/* one sender per SA: plain sequential numbers, receivers check them */
	gsa_policy_add_transform(policy, GIKEV2_TRANSFORM_SN,
							 GIKEV2_SN_32BIT_SEQUENTIAL, 0);
	add_lifetime(policy, lifetime);
	if (tek->sam_key.len)
	{	/* private use: the sender's SAM source ID and key */
		gsa_policy_add_attr(policy, sam_source(cfg, tek));
	}
	if (tek->sam_key.len && tek->sam_bootstrap.len)
	{	/* and its signed bootstrap, as it presented it */
		gsa_policy_add_attr(policy, gikev2_attr_create_tlv(
							GIKEV2_GSA_MIKE_SAM_BOOTSTRAP, tek->sam_bootstrap));
	}
	return policy;
}

/**
 * A key bag with one SA_KEY, the keying material wrapped with gsk_w
 */
static kd_key_bag_t *key_bag(uint8_t protocol, chunk_t spi, chunk_t keymat,
							 uint32_t kwk_id, chunk_t kwk)
{
	kd_key_bag_t *bag;
	chunk_t wrapped;

	if (!mike_keywrap_wrap(kwk, keymat, &wrapped))
	{
		return NULL;
	}
	bag = kd_key_bag_create(protocol, spi);
	/* Key ID 0: the SA's key; KWK ID 0: wrapped with the default KWK */
	kd_key_bag_add_wrapped_key(bag, GIKEV2_GKB_SA_KEY, 0, kwk_id, wrapped);
	chunk_free(&wrapped);
	return bag;
}

/**
 * The member key bag with the GCKS's public key for GSA_REKEY messages, as
 * DER SubjectPublicKeyInfo (AUTH_KEY, RFC 9838 4.5.3.2)
 */
static bool add_auth_key(kd_key_bag_t *bag, mike_gsa_t *gsa)
{
	chunk_t spki = gsa->get_rekey_auth_spki(gsa);

	if (!spki.len)
	{
		return FALSE;
	}
	kd_key_bag_add_attr(bag, gikev2_attr_create_tlv(GIKEV2_MKB_AUTH_KEY, spki));
	return TRUE;
}

/**
 * The member key bag: key tree keys (WRAP_KEY) and the GCKS's public key
 * for GSA_REKEY messages (AUTH_KEY); NULL if it would be empty
 */
static kd_key_bag_t *member_key_bag(mike_group_config_t *cfg, mike_gsa_t *gsa,
									mike_gsa_keys_t *keys, bool *ok)
{
	/* a GSA_REKEY carries AUTH_KEY only when the GCKS changes its key (RFC
	 * 9838 5, note 4), which a running mike GCKS never does; with unicast
	 * rekeying nothing is signed */
	public_key_t *auth_key = (keys && keys->rekey) || !cfg->rekey_address
							 ? NULL : gsa->get_rekey_auth_key(gsa);
	enumerator_t *enumerator;
	mike_lkh_wrapped_t *wrapped;
	kd_key_bag_t *bag;
	uint32_t i;

	if (!auth_key && (!keys || !keys->sender_ids) &&
		(!keys || !keys->wrap_keys ||
		 !keys->wrap_keys->get_count(keys->wrap_keys)))
	{
		return NULL;
	}
	bag = kd_key_bag_create_member();
	for (i = 0; keys && i < keys->sender_ids; i++)
	{	/* RFC 9838 4.5.3.3, a 4-octet value as N(GROUP_SENDER)'s count */
		kd_key_bag_add_attr(bag, gikev2_attr_create_tlv_u32(
					GIKEV2_MKB_GM_SENDER_ID, keys->first_sender_id + i));
	}
	if (keys && keys->wrap_keys)
	{
		enumerator = keys->wrap_keys->create_enumerator(keys->wrap_keys);
		while (enumerator->enumerate(enumerator, &wrapped))
		{
			kd_key_bag_add_wrapped_key(bag, GIKEV2_MKB_WRAP_KEY, wrapped->id,
									   wrapped->kwk_id, wrapped->wrapped);
		}
		enumerator->destroy(enumerator);
	}
	if (auth_key && !add_auth_key(bag, gsa))
	{
		kd_key_bag_destroy(bag);
		*ok = FALSE;
		return NULL;
	}
	return bag;
}

/**
 * The GW policy: the activation and deactivation delays (RFC 9838
 * 4.4.3.1.1) and, for a sender of counter-mode TEKs at registration, the
 * IV bits its Sender-IDs take (4.4.3.1.2)
 */
static gsa_policy_t *gw_policy(mike_group_config_t *cfg, mike_gsa_keys_t *keys)
{
	gsa_policy_t *gw = gsa_policy_create_gw();

	/* 16-bit seconds; the configuration bounds them far lower */
	gsa_policy_add_attr(gw, gikev2_attr_create_tv(GIKEV2_GWP_ATD,
								min(cfg->activation_delay, 0xffff)));
	gsa_policy_add_attr(gw, gikev2_attr_create_tv(GIKEV2_GWP_DTD,
								min(cfg->deactivation_delay, 0xffff)));
	if (keys && keys->sender_ids)
	{
		gsa_policy_add_attr(gw, gikev2_attr_create_tv(
								GIKEV2_GWP_SENDER_ID_BITS, MIKE_SENDER_ID_BITS));
	}
	return gw;
}

/**
 * Add the policies and key bags of the TEKs an enumerator yields (and
 * destroy it)
 */
static bool add_teks(mike_group_config_t *cfg, enumerator_t *enumerator,
					 bool retired, chunk_t gsk_w, linked_list_t *policies,
					 linked_list_t *bags)
{
	kd_key_bag_t *bag;
	mike_tek_t *tek;
	uint32_t spi, left = 0;
	bool ok = TRUE;

	while (ok && (retired ? enumerator->enumerate(enumerator, &tek, &left)
						  : enumerator->enumerate(enumerator, &tek)))
	{
		spi = htonl(tek->spi);
		/* a retired TEK lives on only until its sender switched: kept
		 * longer, a newcomer would take what anybody who knew it sends
		 * (a member that left, say) until the TEK's lifetime ends, as
		 * nothing deletes it later */
		policies->insert_last(policies, tek_policy(cfg, tek,
										retired ? left : tek->lifetime));
		bag = key_bag(GIKEV2_PROTO_ESP, chunk_from_thing(spi), tek->keymat,
					  0, gsk_w);
		ok = bag != NULL;
		if (bag)
		{
			bags->insert_last(bags, bag);
		}
	}
	enumerator->destroy(enumerator);
	return ok;
}

/*
 * Described in header
 */
bool mike_gsa_build(mike_gcks_group_t *group, chunk_t gsk_w,
					mike_gsa_keys_t *keys, gsa_payload_t **gsa,
					kd_payload_t **kd)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_gsa_t *state = group->group.get_gsa(&group->group);
	chunk_t kek_spi = state->get_kek_spi(state);
	chunk_t kek_keymat = state->get_kek_keymat(state);
	linked_list_t *policies, *bags;
	kd_key_bag_t *bag;
	bool ok = TRUE;

	policies = linked_list_create();
	bags = linked_list_create();

	policies->insert_last(policies,
				kek_policy(cfg, state, keys ? keys->initial_msg_id : 0,
						   keys && keys->rekey));
	if (keys && keys->kek_kwk_id)
	{
		bag = key_bag(GIKEV2_PROTO_GIKE_UPDATE, kek_spi, kek_keymat,
					  keys->kek_kwk_id, keys->kek_kwk);
	}
	else
	{
		bag = key_bag(GIKEV2_PROTO_GIKE_UPDATE, kek_spi, kek_keymat, 0,
					  gsk_w);
	}
	ok = bag != NULL;
	if (bag)
	{
		bags->insert_last(bags, bag);
	}
	/* the current TEKs first: a member takes the first of its own as the
	 * one it sends with */
	if (keys && keys->changes_only)
	{
		ok = ok && (!keys->new_tek ||
					add_teks(cfg, enumerator_create_single(keys->new_tek, NULL),
							 FALSE, gsk_w, policies, bags));
	}
	else
	{
		ok = ok && add_teks(cfg, state->create_tek_enumerator(state), FALSE,
							gsk_w, policies, bags);
	}
	if (ok && keys && keys->retired)
	{
		ok = add_teks(cfg, group->create_retired_enumerator(group), TRUE,
					  gsk_w, policies, bags);
	}
	if (ok)
	{
		policies->insert_last(policies, gw_policy(cfg, keys));
	}
	if (ok)
	{
		bag = member_key_bag(cfg, state, keys, &ok);
		if (bag)
		{
			bags->insert_last(bags, bag);
		}
	}

	*gsa = ok ? gsa_payload_create(policies) : NULL;
	*kd = ok ? kd_payload_create(bags) : NULL;
	policies->destroy_function(policies, (void*)gsa_policy_destroy);
	bags->destroy_function(bags, (void*)kd_key_bag_destroy);
	if (!*gsa || !*kd)
	{
		/* not DESTROY_IF(&(*gsa)->payload_interface): taking a member of
		 * NULL is undefined (UBSan) */
		if (*gsa)
		{
			(*gsa)->destroy(*gsa);
		}
		if (*kd)
		{
			(*kd)->destroy(*kd);
		}
		*gsa = NULL;
		*kd = NULL;
		return FALSE;
	}
	return TRUE;
}
