/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_register_task mike_register_task
 * @{ @ingroup mike
 */

#ifndef MIKE_REGISTER_TASK_H_
#define MIKE_REGISTER_TASK_H_

#include <sa/ike_sa.h>
#include <sa/task.h>

typedef struct mike_register_builder_t mike_register_builder_t;

/**
 * What the task needs from group registration: the payloads of its
 * request.  The registration listener of either role implements it (one
 * builder per kind of request: join and leave on a member, push on the
 * GCKS) and takes the response in its message hook, as for IKE_AUTH; the
 * task knows nothing else of it, so the dependency runs one way:
 * listener -> task.
 */
struct mike_register_builder_t {

	/**
	 * Add the request's payloads for a group and return TRUE, or add
	 * nothing and return FALSE (no such group, or no longer a member): the
	 * task is then done, and charon sends the INFORMATIONAL request empty.
	 *
	 * @param ike_sa	the registration IKE SA
	 * @param message	the request to add to
	 * @param group		name of the group
	 * @return			TRUE if added
	 */
	bool (*build)(mike_register_builder_t *this, ike_sa_t *ike_sa,
				  message_t *message, char *group);
};

/**
 * Register a further group over an established IKE SA: an INFORMATIONAL
 * exchange carrying IDg (and N(GROUP_SENDER)) answered with GSA and KD,
 * the stand-in for G-IKEv2's GSA_REGISTRATION exchange that stock charon
 * cannot run.
 *
 * A member leaving one of several groups on the IKE SA tells the GCKS in
 * the same exchange with IDg and N(NO_PROPOSAL_CHOSEN), RFC 9838 2.3.3's
 * "GM Reporting Errors in GSA_REGISTRATION Exchange", answered empty.
 *
 * The GCKS uses the same exchange the other way round for unicast
 * rekeying (the stand-in for GSA_INBAND_REKEY): with push, the request
 * carries the group's IDg, GSA and KD, the member answers it empty.
 *
 * Why the task says it is TASK_IKE_VERIFY_PEER_CERT: a plugin cannot add
 * an exchange or a task type to charon, and the IKEv2 task manager
 * (task_manager_v2.c, initiate()) starts an exchange on an established IKE
 * SA only by activating a queued task whose get_type() is one of the types
 * it lists there, each with the exchange it goes in; a task of any other
 * type stays queued for ever ("nothing to initiate").  Of the types it
 * starts INFORMATIONAL exchanges for, TASK_IKE_VERIFY_PEER_CERT is the
 * last in that list, so the task never goes before charon's own (MOBIKE,
 * deletes, reauthentication, DPD, ...), and nothing but that activation
 * looks for the type: queue_task() and the exchange-collision checks do
 * not (they do for MOBIKE, IKE_DELETE, CHILD_DELETE, AUTH_LIFETIME), and
 * charon itself queues the real task only on the new IKE SA of a
 * make-before-break reauthentication, where it runs as well, each in an
 * exchange of its own.  So charon runs the task as one of its own: in
 * state IKE_ESTABLISHED only (queued in another state, it waits), one per
 * INFORMATIONAL exchange in the order queued, the request built by
 * build(), the response handed to process(), retransmitted and timed out
 * as any request.  Queued while the IKE SA is rekeyed, it moves to the new
 * IKE SA (ike_sa_t.inherit_post(), task_manager_t.adopt_tasks(), then
 * migrate()).  On the responder charon knows none of the G-IKEv2 payloads
 * and answers as to a DPD, with an empty INFORMATIONAL; the listener's
 * message hook reads the request and, for a registration, adds GSA and KD
 * to that response.
 *
 * What would break it, as read in strongSwan 5.9.8's task_manager_v2.c
 * (the charon the plugin is built for): a charon without
 * TASK_IKE_VERIFY_PEER_CERT (no longer compiles), one that activates that
 * type in another exchange or state, or one that looks queued or active
 * tasks of that type up and treats them as ike_verify_peer_cert_t (to
 * drop duplicates, say: registrations would be lost, or the cast would
 * crash); IKEv1, whose task manager has no such activation (registration
 * is IKEv2 only); and another plugin playing the same trick, whose tasks
 * would share the exchanges with ours.  Should charon offer plugins their
 * own exchanges (GSA_REGISTRATION, GSA_INBAND_REKEY), the task moves to
 * them.
 *
 * @param builder	builds the request (join, leave or push)
 * @param ike_sa	the IKE SA
 * @param group		name of the group to register, leave or push
 * @return			task to queue on the IKE SA
 */
task_t *mike_register_task_create(mike_register_builder_t *builder,
								  ike_sa_t *ike_sa, char *group);

/**
 * Queue a task on an established IKE SA and start it, without waiting for
 * the outcome.  Not to be called with an IKE SA checked out (it checks
 * this one out).
 *
 * @param builder	builds the request (join, leave or push)
 * @param ike_sa_id	unique ID of the IKE SA
 * @param group		name of the group
 * @return			TRUE if the exchange was started, FALSE if the IKE SA
 *					is gone
 */
bool mike_register_task_queue(mike_register_builder_t *builder,
							  uint32_t ike_sa_id, char *group);

#endif /** MIKE_REGISTER_TASK_H_ @}*/
