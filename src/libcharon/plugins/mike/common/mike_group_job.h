/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_group_job mike_group_job
 * @{ @ingroup mike
 */

#ifndef MIKE_GROUP_JOB_H_
#define MIKE_GROUP_JOB_H_

#include <library.h>

typedef struct mike_group_job_t mike_group_job_t;

/**
 * A job on a group, run by charon's scheduler or processor.  It names the
 * group rather than pointing to it: when it runs, the group may have been
 * replaced or removed, and it is looked up again under the store's lock.
 */
struct mike_group_job_t {

	/** the object that scheduled it */
	void *owner;

	/** group name */
	char *name;

	/** what the job is about (an SPI, an IKE SA, a time), job-specific */
	uint32_t arg;

	/** a second one */
	uint32_t arg2;
};

/**
 * What a job does; returns whether to run it again.
 */
typedef job_requeue_t (*mike_group_job_cb_t)(mike_group_job_t *job);

/**
 * Run a job on a group after a delay (0: as soon as a thread is free,
 * outside the caller's locks).
 *
 * @param cb		what the job does
 * @param owner		passed on to cb
 * @param name		group name (cloned)
 * @param arg		passed on to cb
 * @param arg2		passed on to cb
 * @param seconds	delay
 */
void mike_group_job_schedule(mike_group_job_cb_t cb, void *owner, char *name,
							 uint32_t arg, uint32_t arg2, u_int seconds);

/**
 * Run a job on a group after a delay in milliseconds.
 *
 * @param cb		what the job does
 * @param owner		passed on to cb
 * @param name		group name (cloned)
 * @param arg		passed on to cb
 * @param arg2		passed on to cb
 * @param ms		delay
 */
void mike_group_job_schedule_ms(mike_group_job_cb_t cb, void *owner,
								char *name, uint32_t arg, uint32_t arg2,
								uint32_t ms);

#endif /** MIKE_GROUP_JOB_H_ @}*/
