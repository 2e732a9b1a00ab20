/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "common/mike_register_task.h"

#include <daemon.h>

typedef struct private_task_t private_task_t;

/**
 * Private data of the registration task.
 */
struct private_task_t {

	/**
	 * Implements task_t.
	 */
	task_t public;

	/**
	 * Builds the request.
	 */
	mike_register_builder_t *builder;

	/**
	 * The IKE SA.
	 */
	ike_sa_t *ike_sa;

	/**
	 * Group to register, or whose GSA to push.
	 */
	char *group;

};

METHOD(task_t, build, status_t,
	private_task_t *this, message_t *message)
{
	return this->builder->build(this->builder, this->ike_sa, message,
								this->group) ? NEED_MORE : SUCCESS;
}

METHOD(task_t, process, status_t,
	private_task_t *this, message_t *message)
{
	/* the builder's side (the listener) took the GSA from the response
	 * before tasks ran; a pushed GSA is answered with an empty response */
	return SUCCESS;
}

METHOD(task_t, get_type, task_type_t,
	private_task_t *this)
{
	/* the one type charon runs in an INFORMATIONAL exchange that nothing
	 * else looks for, see the header */
	return TASK_IKE_VERIFY_PEER_CERT;
}

METHOD(task_t, migrate, void,
	private_task_t *this, ike_sa_t *ike_sa)
{
	this->ike_sa = ike_sa;
}

METHOD(task_t, destroy, void,
	private_task_t *this)
{
	free(this->group);
	free(this);
}

/*
 * Described in header
 */
task_t *mike_register_task_create(mike_register_builder_t *builder,
								  ike_sa_t *ike_sa, char *group)
{
	private_task_t *this;

	INIT(this,
		.public = {
			.build = _build,
			.process = _process,
			.get_type = _get_type,
			.migrate = _migrate,
			.destroy = _destroy,
		},
		.builder = builder,
		.ike_sa = ike_sa,
		.group = strdup(group),
	);
	return &this->public;
}

/*
 * Described in header
 */
bool mike_register_task_queue(mike_register_builder_t *builder,
							  uint32_t ike_sa_id, char *group)
{
	ike_sa_t *ike_sa;

	ike_sa = charon->ike_sa_manager->checkout_by_id(charon->ike_sa_manager,
													ike_sa_id);
	if (!ike_sa)
	{
		return FALSE;
	}
	ike_sa->queue_task(ike_sa, mike_register_task_create(builder, ike_sa,
														 group));
	if (ike_sa->initiate(ike_sa, NULL, NULL) == DESTROY_ME)
	{
		charon->ike_sa_manager->checkin_and_destroy(charon->ike_sa_manager,
													ike_sa);
		return FALSE;
	}
	charon->ike_sa_manager->checkin(charon->ike_sa_manager, ike_sa);
	return TRUE;
}
