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

#include "mike_listener.h"

#include <sa/task.h>

typedef enum mike_register_mode_t mike_register_mode_t;

/**
 * What a mike_register_task does.
 */
enum mike_register_mode_t {
	/** member: register a further group */
	MIKE_REGISTER_JOIN,
	/** member: tell the GCKS it left a group (de-registration) */
	MIKE_REGISTER_LEAVE,
	/** GCKS: push a group's GSA to the member (unicast rekeying) */
	MIKE_REGISTER_PUSH,
};

/**
 * Register a further group over an established IKE SA: an INFORMATIONAL
 * exchange carrying IDg (and N(GROUP_SENDER)) answered with GSA and KD,
 * the stand-in for G-IKEv2's GSA_REGISTRATION exchange that stock charon
 * cannot run.
 *
 * charon only starts INFORMATIONAL exchanges for task types it knows; the
 * task says it is TASK_IKE_VERIFY_PEER_CERT, which the IKEv2 task manager
 * activates in an INFORMATIONAL exchange on an established IKE SA.  The
 * listener adds the payloads and takes the response, as for IKE_AUTH.
 *
 * A member leaving one of several groups on the IKE SA tells the GCKS in
 * the same exchange with IDg and N(NO_PROPOSAL_CHOSEN), RFC 9838 2.3.3's
 * "GM Reporting Errors in GSA_REGISTRATION Exchange", answered empty.
 *
 * The GCKS uses the same exchange the other way round for unicast
 * rekeying (the stand-in for GSA_INBAND_REKEY): with push, the request
 * carries the group's IDg, GSA and KD, the member answers it empty.
 *
 * @param listener	the registration listener
 * @param ike_sa	the IKE SA
 * @param group		name of the group to register, leave or push
 * @param mode		what to do
 * @return			task to queue on the IKE SA
 */
task_t *mike_register_task_create(mike_listener_t *listener, ike_sa_t *ike_sa,
								  char *group, mike_register_mode_t mode);

#endif /** MIKE_REGISTER_TASK_H_ @}*/
