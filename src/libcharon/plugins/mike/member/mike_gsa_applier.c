/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "member/mike_gsa_applier.h"
#include "group/mike_lkh.h"
#include "common/mike_sam.h"
#include "common/mike_keywrap.h"
#include "payloads/gikev2.h"

#include <daemon.h>

/**
 * The unwrapped SA_KEY of the key bag for an SA: wrapped with gsk_w (KWK ID
 * 0) or, if path is given, with one of its keys; of several SA_KEYs (the
 * same key under different KWKs) the first that unwraps counts
 */
static bool unwrap_sa_key(kd_payload_t *kd, uint8_t protocol, chunk_t spi,
						  chunk_t gsk_w, linked_list_t *path, chunk_t *keymat,
						  bool *foreign)
{
	enumerator_t *enumerator;
	kd_key_bag_t *bag;
	gikev2_attr_t *attr;
	mike_lkh_key_t *kwk;
	uint32_t key_id, kwk_id;
	chunk_t encrypted;
	bool found = FALSE;

	bag = kd->get_group_key_bag(kd, protocol, spi);
	if (!bag)
	{
		return FALSE;
	}
	enumerator = bag->attrs->create_enumerator(bag->attrs);
	while (!found && enumerator->enumerate(enumerator, &attr))
	{
		if (attr->type != GIKEV2_GKB_SA_KEY ||
			!kd_wrapped_key_split(attr->data, &key_id, &kwk_id, &encrypted) ||
			key_id != 0)
		{
			continue;
		}
		if (kwk_id == 0)
		{
			found = mike_keywrap_unwrap(gsk_w, encrypted, keymat);
			continue;
		}
		kwk = path ? mike_lkh_key_find(path, kwk_id) : NULL;
		if (kwk)
		{
			found = mike_keywrap_unwrap(kwk->key, encrypted, keymat);
		}
		else if (foreign)
		{
			*foreign = TRUE;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Whether a proposal has an algorithm of a type, with that key length
 */
static bool has_algorithm(proposal_t *proposal, transform_type_t type,
						  uint16_t alg, uint16_t keylen)
{
	enumerator_t *enumerator;
	uint16_t a, k;
	bool found = FALSE;

	enumerator = proposal->create_enumerator(proposal, type);
	while (!found && enumerator->enumerate(enumerator, &a, &k))
	{
		found = a == alg && k == keylen;
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * Whether one of the configured ESP proposals has the GCKS's algorithms:
 * the key length counts, a member asking for AES-256 takes no AES-128
 */
static bool proposal_allows(mike_group_config_t *cfg, uint16_t enc_alg,
							uint16_t keylen, uint16_t int_alg)
{
	enumerator_t *enumerator;
	proposal_t *proposal;
	bool found = FALSE;

	enumerator = cfg->proposals->create_enumerator(cfg->proposals);
	while (!found && enumerator->enumerate(enumerator, &proposal))
	{
		found = has_algorithm(proposal, ENCRYPTION_ALGORITHM, enc_alg,
							  keylen) &&
				(int_alg == AUTH_UNDEFINED ||
				 has_algorithm(proposal, INTEGRITY_ALGORITHM, int_alg, 0));
	}
	enumerator->destroy(enumerator);
	return found;
}

/**
 * The host a selector covers if it is a single host, NULL otherwise
 */
static host_t *single_host(traffic_selector_t *ts)
{
	host_t *host;
	uint8_t mask;

	if (!ts->to_subnet(ts, &host, &mask) ||
		mask != (host->get_family(host) == AF_INET ? 32 : 128))
	{
		DESTROY_IF(host);
		return NULL;
	}
	return host;
}

/**
 * A sender's SAM source ID and verification key from the policy of its
 * data SA, if it has them; the reason if they are unusable
 */
static char *sam_source(mike_group_config_t *cfg, gsa_policy_t *policy,
						mike_tek_t *tek)
{
	gikev2_attr_t *attr;
	chunk_t spki;
	char *why;

	attr = gikev2_attrs_find(policy->attrs, GIKEV2_GSA_MIKE_SAM_SOURCE);
	if (!attr)
	{
		return NULL;
	}
	/* the parser checked its minimum length */
	tek->sam_source = untoh32(attr->data.ptr);
	if (!tek->sam_source)
	{
		return "a sender's SAM source ID is 0";
	}
	if (!mike_sam_key_parse(chunk_skip(attr->data, 4), cfg->sam_scheme_id,
							&spki, &why))
	{
		DBG1(DBG_IKE, "mike: group '%s': SAM source %u: %s", cfg->name,
			 tek->sam_source, why);
		return "a sender's SAM key is unusable";
	}
	tek->sam_key = chunk_clone(spki);
	/* the bootstrap is opaque here: libsam of the receivers checks it
	 * against the key */
	attr = gikev2_attrs_find(policy->attrs, GIKEV2_GSA_MIKE_SAM_BOOTSTRAP);
	if (attr && attr->data.len > MIKE_SAM_BOOTSTRAP_MAX)
	{
		return "a sender's SAM bootstrap is too long";
	}
	if (attr)
	{
		tek->sam_bootstrap = chunk_clone(attr->data);
	}
	return NULL;
}

/**
 * A TEK from an ESP policy and its key bag
 */
static char *tek_from_policy(mike_group_config_t *cfg, gsa_policy_t *policy,
							 kd_payload_t *kd, chunk_t gsk_w, mike_tek_t **out)
{
	gsa_transform_t *encr, *integ;
	uint16_t int_alg = AUTH_UNDEFINED, keylen;
	uint32_t lifetime = cfg->tek_lifetime, spi;
	chunk_t keymat;
	mike_tek_t *tek;
	char *error;

	if (!policy->dst->includes(policy->dst, cfg->address))
	{
		return "a data SA is not for the group address";
	}
	encr = gsa_policy_get_transform(policy, GIKEV2_TRANSFORM_ENCR);
	integ = gsa_policy_get_transform(policy, GIKEV2_TRANSFORM_INTEG);
	if (integ)
	{
		int_alg = integ->id;
	}
	keylen = gsa_transform_get_key_length(encr);
	if (!proposal_allows(cfg, encr->id, keylen, int_alg))
	{
		DBG1(DBG_CFG, "mike: group '%s': the GCKS chose %N/%N, not in "
			 "esp_proposals", cfg->name, encryption_algorithm_names, encr->id,
			 integrity_algorithm_names, int_alg);
		return "the data SA's algorithms are not in esp_proposals";
	}
	gikev2_attrs_get_u32(policy->attrs, GIKEV2_GSA_KEY_LIFETIME, &lifetime);
	if (!unwrap_sa_key(kd, GIKEV2_PROTO_ESP, policy->spi, gsk_w, NULL,
					   &keymat, NULL))
	{
		return "a data SA's key is missing or does not unwrap";
	}
	memcpy(&spi, policy->spi.ptr, sizeof(spi));
	tek = mike_tek_create(ntohl(spi), encr->id, keylen, int_alg, keymat,
						  lifetime);
	chunk_clear(&keymat);
	if (!tek)
	{
		return "a data SA's key has the wrong size for its algorithms";
	}
	tek->source = single_host(policy->src);
	error = sam_source(cfg, policy, tek);
	if (error)
	{
		tek->destroy(tek);
		return error;
	}
	*out = tek;
	return NULL;
}

/**
 * The group's SAM session and whether its payloads are encrypted, from the
 * rekey SA's policy (docs/sam-keys.md); session 0 if it has none, why it is
 * refused in why
 */
static uint32_t sam_session(mike_group_config_t *cfg, gsa_policy_t *kek,
							bool *encrypt, char **why)
{
	gikev2_attr_t *attr;
	uint8_t flags;

	*why = NULL;
	*encrypt = FALSE;
	attr = gikev2_attrs_find(kek->attrs, GIKEV2_GSA_MIKE_SAM_SESSION);
	if (!attr)
	{
		return 0;
	}
	/* the parser checked its length */
	if (attr->data.ptr[4] != cfg->sam_scheme_id)
	{
		*why = "the GCKS's SAM scheme is not the group's sam_scheme";
		return 0;
	}
	flags = attr->data.ptr[5];
	if (flags & ~MIKE_SAM_SESSION_ENCRYPT)
	{	/* a policy we do not know could be one we would break */
		*why = "the GCKS's SAM session has flags this member does not know";
		return 0;
	}
	*encrypt = flags & MIKE_SAM_SESSION_ENCRYPT;
	return untoh32(attr->data.ptr);
}

/**
 * The signature scheme of the rekey SA's GCAUTH transform, NULL for
 * Implicit or none; FALSE if the transform is unusable
 */
static bool gcauth_scheme(gsa_policy_t *kek, signature_params_t **scheme)
{
	gsa_transform_t *gcauth;
	gikev2_attr_t *alg_id;
	signature_params_t params = {};

	*scheme = NULL;
	gcauth = gsa_policy_get_transform(kek, GIKEV2_TRANSFORM_GCAUTH);
	if (!gcauth || gcauth->id == GIKEV2_GCAUTH_IMPLICIT)
	{
		return TRUE;
	}
	if (gcauth->id != GIKEV2_GCAUTH_DIGITAL_SIGNATURE)
	{
		return FALSE;
	}
	alg_id = gikev2_attrs_find(gcauth->attrs, GIKEV2_TATTR_SIG_ALG_ID);
	if (!alg_id || !signature_params_parse(alg_id->data, 0, &params))
	{
		return FALSE;
	}
	*scheme = signature_params_clone(&params);
	signature_params_clear(&params);
	return TRUE;
}

/**
 * The GCKS's GSA_REKEY authentication at registration: the scheme from the
 * rekey SA's GCAUTH transform and the public key from AUTH_KEY; both absent
 * is fine (the GCKS cannot sign), one without the other or an unusable one
 * is not
 */
static bool rekey_auth(gsa_policy_t *kek, kd_payload_t *kd,
					   public_key_t **key, signature_params_t **scheme)
{
	kd_key_bag_t *bag;
	gikev2_attr_t *spki = NULL;

	if (!gcauth_scheme(kek, scheme))
	{
		return FALSE;
	}
	bag = kd->get_member_key_bag(kd);
	if (bag)
	{
		spki = gikev2_attrs_find(bag->attrs, GIKEV2_MKB_AUTH_KEY);
	}
	if (!*scheme && !spki)
	{	/* nothing to verify GSA_REKEY signatures with: such messages are
		 * ignored (docs/interop.md), a missed rekey is noticed and
		 * registered again for */
		return TRUE;
	}
	if (*scheme && spki)
	{
		*key = lib->creds->create(lib->creds, CRED_PUBLIC_KEY, KEY_ANY,
								  BUILD_BLOB_ASN1_DER, spki->data, BUILD_END);
		if (*key)
		{
			return TRUE;
		}
	}
	signature_params_destroy(*scheme);
	*scheme = NULL;
	return FALSE;
}

/**
 * Check the Sender-IDs a registration hands a sender of counter-mode TEKs
 * (RFC 9838 2.5.2): each must fit the GW policy's GWP_SENDER_ID_BITS, or
 * the member must re-register.  They are not put into IVs: Linux builds
 * ESP IVs itself, and this sender's TEK is an SA under a key of its own,
 * so its nonces are unique without them (docs/interop.md).
 */
static char *sender_ids_fit(mike_group_config_t *cfg, gsa_payload_t *gsa,
							kd_payload_t *kd)
{
	gsa_policy_t *gw = gsa->get_gw_policy(gsa);
	kd_key_bag_t *bag = kd->get_member_key_bag(kd);
	enumerator_t *enumerator;
	gikev2_attr_t *attr;
	uint16_t bits = 0;
	uint64_t id;
	size_t i;
	char *error = NULL;

	if (!bag || !gikev2_attrs_count(bag->attrs, GIKEV2_MKB_GM_SENDER_ID))
	{
		return NULL;
	}
	if (!gw || !gikev2_attrs_get_tv(gw->attrs, GIKEV2_GWP_SENDER_ID_BITS,
									&bits) || !bits || bits > 32)
	{
		return "Sender-IDs without a usable GWP_SENDER_ID_BITS";
	}
	enumerator = bag->attrs->create_enumerator(bag->attrs);
	while (!error && enumerator->enumerate(enumerator, &attr))
	{
		if (attr->type != GIKEV2_MKB_GM_SENDER_ID)
		{
			continue;
		}
		for (id = 0, i = 0; i < attr->data.len && id <= UINT32_MAX; i++)
		{
			id = id << 8 | attr->data.ptr[i];
		}
		if (id >> bits)
		{
			error = "a Sender-ID does not fit GWP_SENDER_ID_BITS";
		}
		else
		{
			DBG2(DBG_IKE, "mike: group '%s': Sender-ID %llu of %u bits",
				 cfg->name, (unsigned long long)id, bits);
		}
	}
	enumerator->destroy(enumerator);
	return error;
}

/**
 * Where GSA_REKEY messages come to: the rekey SA's destination selector, a
 * multicast address and port; the group's own address there means unicast
 * rekeying (see kek_policy())
 */
static host_t *rekey_destination(mike_group_config_t *cfg, gsa_policy_t *kek)
{
	host_t *dst = single_host(kek->dst);
	chunk_t addr;

	if (!dst)
	{
		return NULL;
	}
	addr = dst->get_address(dst);
	if (dst->ip_equals(dst, cfg->address) ||
		!(dst->get_family(dst) == AF_INET ? (addr.ptr[0] & 0xf0) == 0xe0
										  : addr.ptr[0] == 0xff))
	{
		dst->destroy(dst);
		return NULL;
	}
	dst->set_port(dst, kek->dst->get_from_port(kek->dst));
	return dst;
}

/**
 * Whether a member may listen for GSA_REKEY messages on a port: a GCKS
 * must not make it bind IKE's ports, or one charon listens on
 */
static bool rekey_port_allowed(uint16_t port)
{
	if (!port || port == IKEV2_UDP_PORT || port == IKEV2_NATT_PORT)
	{
		return FALSE;
	}
	if (charon->socket && (port == charon->socket->get_port(charon->socket,
															FALSE) ||
						   port == charon->socket->get_port(charon->socket,
															TRUE)))
	{
		return FALSE;
	}
	return TRUE;
}

/**
 * Destroy a Working Key Path, wiping its keys
 */
static void key_path_destroy(linked_list_t *path)
{
	path->destroy_function(path, (void*)mike_lkh_key_destroy);
}

/**
 * The WRAP_KEY attributes of the member key bag, mike_lkh_wrapped_t
 */
static linked_list_t *wrap_keys(kd_payload_t *kd)
{
	enumerator_t *enumerator;
	kd_key_bag_t *bag;
	gikev2_attr_t *attr;
	mike_lkh_wrapped_t *wrapped;
	linked_list_t *list;
	uint32_t key_id, kwk_id;
	chunk_t encrypted;

	list = linked_list_create();
	bag = kd->get_member_key_bag(kd);
	if (!bag)
	{
		return list;
	}
	enumerator = bag->attrs->create_enumerator(bag->attrs);
	while (enumerator->enumerate(enumerator, &attr))
	{
		if (attr->type == GIKEV2_MKB_WRAP_KEY &&
			kd_wrapped_key_split(attr->data, &key_id, &kwk_id, &encrypted))
		{
			INIT(wrapped,
				.id = key_id,
				.kwk_id = kwk_id,
				.wrapped = chunk_clone(encrypted),
			);
			list->insert_last(list, wrapped);
		}
	}
	enumerator->destroy(enumerator);
	return list;
}

/**
 * The member's Working Key Path after the received WRAP_KEY attributes, as
 * a copy: at registration (no path yet) they start it from gsk_w, later
 * they update it (RFC 9838 4.5.2)
 */
static linked_list_t *updated_key_path(mike_member_group_t *group,
									   kd_payload_t *kd, chunk_t gsk_w)
{
	enumerator_t *enumerator;
	mike_lkh_key_t *key;
	linked_list_t *path, *wrapped;

	path = linked_list_create();
	enumerator = group->create_key_path_enumerator(group);
	while (enumerator->enumerate(enumerator, &key))
	{
		path->insert_last(path, mike_lkh_key_create(key->id, key->key));
	}
	enumerator->destroy(enumerator);

	wrapped = wrap_keys(kd);
	if (wrapped->get_count(wrapped))
	{
		if (path->get_count(path))
		{
			mike_lkh_member_apply(path, wrapped);
		}
		else
		{
			mike_lkh_member_start(gsk_w, wrapped, path);
		}
	}
	wrapped->destroy_function(wrapped, (void*)mike_lkh_wrapped_destroy);
	return path;
}

/**
 * Log why a GSA was refused, return status
 */
static status_t refused(mike_member_group_t *group, char *why, status_t status)
{
	DBG1(DBG_IKE, "mike: group '%s': GSA refused: %s",
		 group->group.get_config(&group->group)->name, why);
	return status;
}

/**
 * The rekey SA of a GSA: its suite, keying material and Working Key Path
 * after the KD; NULL error if taken
 */
static char *take_kek(mike_member_group_t *group, gsa_policy_t *policy,
					  kd_payload_t *kd, chunk_t gsk_w, mike_rekey_suite_t *suite,
					  chunk_t *keymat, linked_list_t **path, status_t *status)
{
	char *error;
	bool foreign = FALSE;

	*status = FAILED;
	error = mike_rekey_suite_from_policy(policy, suite);
	if (error)
	{
		return error;
	}
	if (!kd)
	{
		return "a new rekey SA comes without a KD payload";
	}
	*path = updated_key_path(group, kd, gsk_w);
	if (!unwrap_sa_key(kd, GIKEV2_PROTO_GIKE_UPDATE, policy->spi, gsk_w,
					   *path, keymat, &foreign))
	{
		if (foreign)
		{
			*status = NOT_FOUND;
			return "the rekey SA's key is wrapped with a key we do not hold: "
				   "excluded from the group, or a rekey was missed";
		}
		return "the rekey SA's key is missing or does not unwrap";
	}
	if (keymat->len != mike_rekey_suite_keymat_size(suite))
	{
		return "the length of the rekey SA's keying material does not match "
			   "its transforms";
	}
	return NULL;
}

/**
 * A GCAUTH transform in a GSA_REKEY: RFC 9838 4.4.2.1.1 forbids it (the
 * method must not change), so one naming the current scheme is ignored,
 * any other refused
 */
static char *rekey_gcauth_unchanged(mike_gsa_t *state, gsa_policy_t *kek)
{
	signature_params_t *scheme = NULL;
	char *error = NULL;
	bool same;

	if (!gsa_policy_get_transform(kek, GIKEV2_TRANSFORM_GCAUTH))
	{
		return NULL;
	}
	if (!gcauth_scheme(kek, &scheme))
	{
		return "a GCAUTH transform in the GSA_REKEY is unusable";
	}
	same = scheme ? state->get_rekey_auth_scheme(state) &&
					signature_params_equal(scheme,
									state->get_rekey_auth_scheme(state))
				  : !state->get_rekey_auth_key(state);
	if (!same)
	{
		error = "the GSA_REKEY changes the GCAUTH method, which RFC 9838 "
				"4.4.2.1 forbids";
	}
	signature_params_destroy(scheme);
	return error;
}

/**
 * A new AUTH_KEY in a GSA_REKEY (RFC 9838 5, note 4: the GCKS changes its
 * key): replaces the key of the current scheme
 */
static char *rekey_auth_key(mike_gsa_t *state, kd_payload_t *kd)
{
	kd_key_bag_t *bag = kd ? kd->get_member_key_bag(kd) : NULL;
	signature_params_t *scheme = state->get_rekey_auth_scheme(state);
	gikev2_attr_t *spki;
	public_key_t *key;

	spki = bag ? gikev2_attrs_find(bag->attrs, GIKEV2_MKB_AUTH_KEY) : NULL;
	if (!spki)
	{
		return NULL;
	}
	if (!scheme)
	{
		return "an AUTH_KEY for a group whose GSA_REKEYs are not signed";
	}
	key = lib->creds->create(lib->creds, CRED_PUBLIC_KEY, KEY_ANY,
							 BUILD_BLOB_ASN1_DER, spki->data, BUILD_END);
	if (!key || key_type_from_signature_scheme(scheme->scheme) !=
				key->get_type(key))
	{
		DESTROY_IF(key);
		return "the new AUTH_KEY is unusable or unfit for the GCAUTH scheme";
	}
	state->set_rekey_auth(state, key, signature_params_clone(scheme));
	return NULL;
}

/**
 * Take the GCKS's GWP_ATD and GWP_DTD (RFC 9838 4.4.3.1.1)
 */
static void gw_delays(mike_member_group_t *group, gsa_policy_t *gw)
{
	uint16_t atd, dtd;
	bool have_atd, have_dtd;

	have_atd = gikev2_attrs_get_tv(gw->attrs, GIKEV2_GWP_ATD, &atd);
	have_dtd = gikev2_attrs_get_tv(gw->attrs, GIKEV2_GWP_DTD, &dtd);
	/* "If one of them or both are not sent by the GCKS, then no
	 * corresponding delay should be employed": with one of them, the
	 * other is 0 */
	if (have_atd || have_dtd)
	{
		group->set_gw_delays(group, have_atd ? atd : 0, have_dtd ? dtd : 0);
	}
}

/**
 * Add TEKs of a GSA_REKEY to the ones held: a TEK whose SPI is held is
 * a repeat (the SA cannot change under its SPI), but its sender's SAM key
 * and bootstrap may be new
 */
static void merge_teks(mike_gsa_t *state, linked_list_t *teks)
{
	enumerator_t *enumerator;
	mike_tek_t *tek, *held;
	bool found;

	while (teks->remove_first(teks, (void**)&tek) == SUCCESS)
	{
		found = FALSE;
		enumerator = state->create_tek_enumerator(state);
		while (!found && enumerator->enumerate(enumerator, &held))
		{
			found = held->spi == tek->spi;
		}
		enumerator->destroy(enumerator);
		if (found)
		{
			held->sam_source = tek->sam_source;
			chunk_free(&held->sam_key);
			held->sam_key = tek->sam_key;
			tek->sam_key = chunk_empty;
			chunk_free(&held->sam_bootstrap);
			held->sam_bootstrap = tek->sam_bootstrap;
			tek->sam_bootstrap = chunk_empty;
			tek->destroy(tek);
		}
		else
		{
			state->add_tek(state, tek);
		}
	}
	teks->destroy(teks);
}

/*
 * Described in header
 */
status_t mike_gsa_apply(mike_member_group_t *group, gsa_payload_t *gsa,
						kd_payload_t *kd, chunk_t gsk_w, bool rekey)
{
	mike_group_config_t *cfg = group->group.get_config(&group->group);
	mike_gsa_t *state = group->group.get_gsa(&group->group);
	enumerator_t *enumerator;
	gsa_policy_t *policy, *kek = NULL;
	linked_list_t *teks, *path = NULL;
	mike_tek_t *tek;
	mike_rekey_suite_t suite;
	public_key_t *auth_key = NULL;
	signature_params_t *auth_scheme = NULL;
	chunk_t kek_keymat = chunk_empty;
	host_t *rekey_dst = NULL;
	uint32_t initial_msg_id = 0, session = 0;
	bool encrypt = FALSE, same_kek = FALSE, gcauth = FALSE;
	status_t status = FAILED;
	char *error = NULL;

	if (gsa)
	{
		kek = gsa->get_kek_policy(gsa);
	}
	if (kek)
	{	/* mandatory at registration, forbidden in rekeys (RFC 9838
		 * 4.4.2.1.1): a GSA without one over the IKE SA is an inband rekey,
		 * which leaves the GCKS's authentication as it was */
		gcauth = gsa_policy_get_transform(kek, GIKEV2_TRANSFORM_GCAUTH) != NULL;
	}
	if (!kek && !rekey)
	{
		return refused(group, "the GSA has no rekey SA", FAILED);
	}
	if (kek && (!rekey || !chunk_equals(state->get_kek_spi(state), kek->spi)))
	{	/* at registration, or a new rekey SA */
		error = take_kek(group, kek, kd, gsk_w, &suite, &kek_keymat, &path,
						 &status);
	}
	else if (kek)
	{	/* the current one again in a GSA_REKEY: it changes nothing, not even
		 * mike's private attributes a foreign GCKS would leave out */
		suite = *state->get_kek_suite(state);
		same_kek = TRUE;
	}

	teks = linked_list_create();
	if (!error && gsa)
	{
		enumerator = gsa->create_policy_enumerator(gsa);
		while (!error && enumerator->enumerate(enumerator, &policy))
		{
			if (policy->protocol != GIKEV2_PROTO_ESP)
			{
				continue;
			}
			if (!kd)
			{
				error = "data SAs come without a KD payload";
				break;
			}
			error = tek_from_policy(cfg, policy, kd, gsk_w, &tek);
			if (!error)
			{
				teks->insert_last(teks, tek);
			}
		}
		enumerator->destroy(enumerator);
	}
	if (!error && rekey && state->get_tek_count(state) +
		teks->get_count(teks) > MIKE_MEMBER_MAX_TEKS)
	{	/* an upper bound: repeats are not counted out */
		error = "more TEKs than a member holds for a group";
	}
	if (!error && !rekey)
	{
		error = sender_ids_fit(cfg, gsa, kd);
	}
	if (!error && !rekey && gcauth &&
		!rekey_auth(kek, kd, &auth_key, &auth_scheme))
	{
		error = "the rekey SA's authentication key or scheme is unusable";
	}
	if (!error && rekey && kek)
	{
		error = rekey_gcauth_unchanged(state, kek);
	}
	if (!error && kek && !same_kek)
	{
		session = sam_session(cfg, kek, &encrypt, &error);
	}
	if (!error && kek && !same_kek)
	{
		rekey_dst = rekey_destination(cfg, kek);
		if (rekey_dst && !rekey_port_allowed(rekey_dst->get_port(rekey_dst)))
		{
			error = "the rekey SA's port is IKE's or one charon listens on";
		}
	}
	if (!error && rekey)
	{	/* last: it changes the state */
		error = rekey_auth_key(state, kd);
	}
	if (error)
	{
		DESTROY_IF(auth_key);
		signature_params_destroy(auth_scheme);
		DESTROY_IF(rekey_dst);
		chunk_clear(&kek_keymat);
		if (path)
		{
			key_path_destroy(path);
		}
		teks->destroy_offset(teks, offsetof(mike_tek_t, destroy));
		return refused(group, error, status);
	}
	if (!rekey)
	{
		if (gcauth)
		{
			state->set_rekey_auth(state, auth_key, auth_scheme);
		}
		state->replace_teks(state, teks);
	}
	else
	{
		merge_teks(state, teks);
	}
	if (kek && !same_kek)
	{
		state->set_sam_session(state, session, encrypt);
		gikev2_attrs_get_u32(kek->attrs, GIKEV2_GSA_INITIAL_MESSAGE_ID,
							 &initial_msg_id);
		if (!chunk_equals(state->get_kek_spi(state), kek->spi))
		{	/* a new rekey SA: from GSA_INITIAL_MESSAGE_ID, or 0 (RFC 9838
			 * 2.4.1.4) */
			state->set_rekey_msg_id(state, initial_msg_id);
		}
		else if (initial_msg_id > state->get_rekey_msg_id(state))
		{	/* the same one: a lower value is stale and ignored (2.3.3) */
			state->set_rekey_msg_id(state, initial_msg_id);
		}
		group->set_rekey_dst(group, rekey_dst);
	}
	if (kek_keymat.len)
	{
		/* at the key debug level only, as charon logs its IKE keys: lets a
		 * test decrypt (or a foreign test GCKS send) GSA_REKEY messages */
		DBG4(DBG_CFG, "mike: group '%s': rekey SA %+B keying material %+B",
			 cfg->name, &kek->spi, &kek_keymat);
		state->set_kek(state, chunk_clone(kek->spi), kek_keymat, &suite);
	}
	if (gsa && gsa->get_gw_policy(gsa))
	{
		gw_delays(group, gsa->get_gw_policy(gsa));
	}
	if (path)
	{
		group->set_key_path(group, path);
	}
	else if (kd)
	{	/* WRAP_KEYs for the current rekey SA's key path */
		group->set_key_path(group, updated_key_path(group, kd, gsk_w));
	}
	return SUCCESS;
}
