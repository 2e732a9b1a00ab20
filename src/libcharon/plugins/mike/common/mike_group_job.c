/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "common/mike_group_job.h"

#include <processing/jobs/callback_job.h>

static void job_destroy(mike_group_job_t *job)
{
	free(job->name);
	free(job);
}

/*
 * Described in header
 */
void mike_group_job_schedule(mike_group_job_cb_t cb, void *owner, char *name,
							 uint32_t arg, uint32_t arg2, u_int seconds)
{
	mike_group_job_schedule_ms(cb, owner, name, arg, arg2, seconds * 1000);
}

/*
 * Described in header
 */
void mike_group_job_schedule_ms(mike_group_job_cb_t cb, void *owner,
								char *name, uint32_t arg, uint32_t arg2,
								uint32_t ms)
{
	mike_group_job_t *job;

	INIT(job,
		.owner = owner,
		.name = strdup(name),
		.arg = arg,
		.arg2 = arg2,
	);
	lib->scheduler->schedule_job_ms(lib->scheduler,
			(job_t*)callback_job_create((callback_job_cb_t)cb, job,
							(callback_job_cleanup_t)job_destroy, NULL),
			ms);
}
