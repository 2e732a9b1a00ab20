/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/* vasprintf(), struct ucred */
#define _GNU_SOURCE

#include "control/mike_control.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>

#include <daemon.h>
#include <threading/mutex.h>
#include <threading/rwlock.h>
#include <collections/linked_list.h>
#include <processing/jobs/callback_job.h>

/**
 * uid of a peer whose credentials could not be read: neither root nor any
 * configured user
 */
#define UID_UNKNOWN ((uid_t)-1)

/**
 * URI prefix of UNIX sockets, followed by the path
 */
#define UNIX_PREFIX "unix://"

/**
 * Priority of the jobs that handle complete requests: below the watcher's
 * JOB_PRIO_CRITICAL, as a handler may wait (join waits for a registration)
 */
#define DISPATCH_PRIO JOB_PRIO_HIGH

typedef struct private_mike_control_t private_mike_control_t;

/**
 * Private data of a mike_control_t object.
 */
struct private_mike_control_t {

	/**
	 * Public interface.
	 */
	mike_control_t public;

	/**
	 * Stream service accepting connections
	 */
	stream_service_t *service;

	/**
	 * Registered commands, as command_t
	 */
	linked_list_t *commands;

	/**
	 * Lock for commands; handlers run under the read lock
	 */
	rwlock_t *lock;

	/**
	 * Open connections, as connection_t, each holding one of its references
	 */
	linked_list_t *connections;

	/**
	 * Mutex for connections and the state of each connection
	 */
	mutex_t *mutex;

	/**
	 * Identifier of the next accepted connection
	 */
	u_int next_id;

	/**
	 * Connections a user other than root may hold, 0 for no limit
	 */
	u_int max_per_user;

	/**
	 * Connections all users other than root may hold, 0 for no limit
	 */
	u_int max_connections;

	/**
	 * Seconds to send a whole request, 0 for no deadline
	 */
	u_int request_timeout;

	/**
	 * References: the owner, plus one per connection and per scheduled
	 * deadline job, so a job that runs after destroy() finds the object
	 * still there
	 */
	refcount_t ref;
};

/**
 * A registered command
 */
typedef struct {
	/** command name */
	char *name;
	/** handler */
	mike_control_cb_t cb;
	/** handler data */
	void *data;
	/** refuse peers other than root */
	bool needs_root;
} command_t;

/**
 * An accepted connection.  The fields below the stream are guarded by the
 * control socket's mutex.
 */
typedef struct {
	/** the connection */
	stream_t *stream;
	/** the peer's uid, from SO_PEERCRED at accept time */
	uid_t uid;
	/** the peer's pid, for logging */
	pid_t pid;
	/** finds the connection for its deadline job, which holds no
	 *  reference to it */
	u_int id;
	/** the bytes of the request being received */
	mike_msg_reader_t *reader;
	/** removed from the open connections, to be released */
	bool closed;
	/** whether the request being received has a deadline */
	bool deadline_armed;
	/** when the request being received must be complete (monotonic) */
	timeval_t deadline;
	/** whether a deadline job for the connection is scheduled */
	bool deadline_scheduled;
	/** references: the list of open connections, a job handling its
	 *  request, a job releasing it */
	refcount_t ref;
	/** back reference, holds a reference */
	private_mike_control_t *this;
} connection_t;

/**
 * Data of a job handling a complete request
 */
typedef struct {
	/** connection, one reference held */
	connection_t *connection;
	/** the request, owned */
	mike_msg_t *request;
} request_job_t;

/**
 * Data of a deadline job
 */
typedef struct {
	/** control socket, one reference held */
	private_mike_control_t *this;
	/** id of the connection */
	u_int id;
} deadline_job_t;

static void command_destroy(command_t *command)
{
	free(command->name);
	free(command);
}

/**
 * Drop a reference, free on the last
 */
static void put_ref(private_mike_control_t *this)
{
	if (ref_put(&this->ref))
	{
		this->connections->destroy(this->connections);
		this->commands->destroy_function(this->commands,
										 (void*)command_destroy);
		this->mutex->destroy(this->mutex);
		this->lock->destroy(this->lock);
		free(this);
	}
}

/**
 * Drop a reference to a connection, close and free it on the last.  Never
 * from the connection's own read callback: destroying the stream waits for
 * that callback.
 */
static void connection_put(connection_t *connection)
{
	if (ref_put(&connection->ref))
	{
		connection->stream->destroy(connection->stream);
		connection->reader->destroy(connection->reader);
		put_ref(connection->this);
		free(connection);
	}
}

/**
 * Remove a connection from the open ones (mutex held); the caller drops the
 * list's reference with connection_put(), outside the mutex
 */
static void close_locked(private_mike_control_t *this,
						 connection_t *connection)
{
	connection->closed = TRUE;
	this->connections->remove(this->connections, connection, NULL);
}

/**
 * Nothing to do: the job's cleanup releases the connection
 */
static job_requeue_t release_async(connection_t *connection)
{
	return JOB_REQUEUE_NONE;
}

/**
 * Drop the list's reference of a connection closed in its own read callback
 * in a job, as the callback can't destroy the stream.
 */
static void release_later(connection_t *connection)
{
	lib->processor->queue_job(lib->processor,
			(job_t*)callback_job_create((void*)release_async, connection,
										(void*)connection_put, NULL));
}

/**
 * Close a connection whose deadline passed; a job that finds the connection
 * gone, or its deadline moved or cleared, does nothing more
 */
static job_requeue_t deadline_expired(deadline_job_t *job)
{
	private_mike_control_t *this = job->this;
	enumerator_t *enumerator;
	connection_t *connection, *found = NULL;
	timeval_t now;
	size_t received = 0;
	bool expired = FALSE;

	this->mutex->lock(this->mutex);
	enumerator = this->connections->create_enumerator(this->connections);
	while (enumerator->enumerate(enumerator, &connection))
	{
		if (connection->id == job->id)
		{
			found = connection;
			break;
		}
	}
	enumerator->destroy(enumerator);
	if (!found)
	{
		this->mutex->unlock(this->mutex);
		return JOB_REQUEUE_NONE;
	}
	if (found->deadline_armed)
	{
		time_monotonic(&now);
		if (timercmp(&now, &found->deadline, <))
		{	/* moved since the job was scheduled */
			timersub(&found->deadline, &now, &now);
			this->mutex->unlock(this->mutex);
			return JOB_RESCHEDULE_MS(now.tv_sec * 1000 +
									 now.tv_usec / 1000 + 1);
		}
		received = found->reader->get_received(found->reader);
		close_locked(this, found);
		expired = TRUE;
	}
	found->deadline_scheduled = FALSE;
	this->mutex->unlock(this->mutex);

	if (expired)
	{
		if (received)
		{
			DBG1(DBG_CFG, "mike: closing control connection of uid %d, pid "
				 "%d: timed out, %zu bytes of a request in %u s "
				 "(control.request_timeout)", (int)found->uid,
				 (int)found->pid, received, this->request_timeout);
		}
		else
		{
			DBG1(DBG_CFG, "mike: closing control connection of uid %d, pid "
				 "%d: timed out, no request in %u s since connecting "
				 "(control.request_timeout)", (int)found->uid,
				 (int)found->pid, this->request_timeout);
		}
		/* not the connection's read callback: the stream may go here */
		connection_put(found);
	}
	return JOB_REQUEUE_NONE;
}

static void deadline_job_destroy(deadline_job_t *job)
{
	put_ref(job->this);
	free(job);
}

/**
 * Give the request a connection is receiving a deadline, unless it has one
 * already (mutex held); at most one deadline job per connection is pending
 */
static void arm_deadline(private_mike_control_t *this,
						 connection_t *connection)
{
	deadline_job_t *job;

	if (!this->request_timeout || connection->deadline_armed)
	{
		return;
	}
	time_monotonic(&connection->deadline);
	connection->deadline.tv_sec += this->request_timeout;
	connection->deadline_armed = TRUE;
	if (connection->deadline_scheduled)
	{	/* it finds the new deadline and waits for it */
		return;
	}
	connection->deadline_scheduled = TRUE;
	ref_get(&this->ref);
	INIT(job,
		.this = this,
		.id = connection->id,
	);
	lib->scheduler->schedule_job(lib->scheduler,
			(job_t*)callback_job_create((void*)deadline_expired, job,
										(void*)deadline_job_destroy, NULL),
			this->request_timeout);
}

METHOD(mike_control_t, dispatch, mike_msg_t*,
	private_mike_control_t *this, mike_msg_t *request, uid_t uid)
{
	enumerator_t *enumerator;
	command_t *command, *found = NULL;
	mike_msg_t *response;
	char *name;

	if (request->get_type(request) != MIKE_MSG_REQUEST)
	{
		return mike_msg_create_error("expected a request, got a %N message",
						mike_msg_type_names, request->get_type(request));
	}
	name = request->get_command(request);

	this->lock->read_lock(this->lock);
	enumerator = this->commands->create_enumerator(this->commands);
	while (enumerator->enumerate(enumerator, &command))
	{
		if (streq(command->name, name))
		{
			found = command;
			break;
		}
	}
	enumerator->destroy(enumerator);

	if (!found)
	{
		response = mike_msg_create_error("unknown command '%s'", name);
	}
	else if (found->needs_root && uid != 0)
	{
		DBG1(DBG_CFG, "mike: control command '%s' from uid %d refused, it "
			 "needs root", name, (int)uid);
		response = mike_msg_create_error("permission denied: %s needs root",
										 name);
	}
	else
	{
		DBG2(DBG_CFG, "mike: control command '%s' from uid %d", name,
			 (int)uid);
		response = found->cb(found->data, request, uid);
		if (!response)
		{
			response = mike_msg_create_error("%s failed", name);
		}
	}
	this->lock->unlock(this->lock);
	return response;
}

static bool on_read(connection_t *connection, stream_t *stream);

/**
 * Handle a complete request, write the response, then read the connection
 * again
 */
static job_requeue_t request_async(request_job_t *job)
{
	connection_t *connection = job->connection;
	private_mike_control_t *this = connection->this;
	mike_msg_t *response;
	char err[MIKE_MSG_ERR_LEN];
	bool ok, resume = FALSE, close = FALSE;

	this->mutex->lock(this->mutex);
	ok = !connection->closed;
	this->mutex->unlock(this->mutex);
	if (!ok)
	{
		return JOB_REQUEUE_NONE;
	}
	response = dispatch(this, job->request, connection->uid);
	/* bounded by the socket's SO_SNDTIMEO */
	ok = mike_msg_write(connection->stream, response, err, sizeof(err));
	response->destroy(response);

	this->mutex->lock(this->mutex);
	if (!connection->closed)
	{
		resume = ok;
		close = !ok;
		if (close)
		{
			close_locked(this, connection);
		}
	}
	this->mutex->unlock(this->mutex);

	if (resume)
	{
		connection->stream->on_read(connection->stream, (void*)on_read,
									connection);
	}
	if (close)
	{
		DBG1(DBG_CFG, "mike: closing control connection of uid %d, pid %d: "
			 "%s", (int)connection->uid, (int)connection->pid, err);
		/* the job still holds a reference, the stream goes with it */
		connection_put(connection);
	}
	return JOB_REQUEUE_NONE;
}

static void request_job_destroy(request_job_t *job)
{
	job->request->destroy(job->request);
	connection_put(job->connection);
	free(job);
}

/**
 * Read what a connection has sent, without blocking, and hand a complete
 * request to a job; reading pauses until its response is written.  FALSE
 * to stop watching the connection.
 */
static bool on_read(connection_t *connection, stream_t *stream)
{
	private_mike_control_t *this = connection->this;
	mike_msg_t *request = NULL;
	request_job_t *job;
	char err[MIKE_MSG_ERR_LEN];
	status_t status;

	this->mutex->lock(this->mutex);
	if (connection->closed)
	{
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	status = connection->reader->read(connection->reader, stream, FALSE,
									  &request, err, sizeof(err));
	switch (status)
	{
		case NEED_MORE:
			if (connection->reader->get_received(connection->reader))
			{
				arm_deadline(this, connection);
			}
			this->mutex->unlock(this->mutex);
			return TRUE;
		case SUCCESS:
			connection->deadline_armed = FALSE;
			ref_get(&connection->ref);
			this->mutex->unlock(this->mutex);
			INIT(job,
				.connection = connection,
				.request = request,
			);
			lib->processor->queue_job(lib->processor,
				(job_t*)callback_job_create_with_prio((void*)request_async,
						job, (void*)request_job_destroy,
						(callback_job_cancel_t)return_false, DISPATCH_PRIO));
			return FALSE;
		default:
			close_locked(this, connection);
			this->mutex->unlock(this->mutex);
			if (streq(err, "connection closed"))
			{
				DBG2(DBG_CFG, "mike: control connection of uid %d closed",
					 (int)connection->uid);
			}
			else
			{
				DBG1(DBG_CFG, "mike: closing control connection of uid %d, "
					 "pid %d: %s", (int)connection->uid, (int)connection->pid,
					 err);
			}
			release_later(connection);
			return FALSE;
	}
}

/**
 * Read the peer's credentials, and bound blocking writes: reads never
 * block, a response the client does not take in time closes it.
 */
static bool setup_socket(stream_t *stream, uid_t *uid, pid_t *pid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	FILE *file;
	bool ok = FALSE;

	if (!mike_msg_set_timeouts(stream, 0, MIKE_CONTROL_WRITE_TIMEOUT))
	{
		DBG1(DBG_CFG, "mike: setting the write timeout of the control "
			 "connection failed: %s", strerror(errno));
		return FALSE;
	}
	/* stream_t of strongSwan 5.9.8 does not expose its descriptor, but
	 * get_file() wraps a dup() of it: the same socket */
	file = stream->get_file(stream);
	if (!file)
	{
		DBG1(DBG_CFG, "mike: no descriptor of the control connection: %s",
			 strerror(errno));
		return FALSE;
	}
	if (getsockopt(fileno(file), SOL_SOCKET, SO_PEERCRED, &cred,
				   &len) != 0 || len != sizeof(cred))
	{
		DBG1(DBG_CFG, "mike: reading the peer credentials of the control "
			 "connection failed: %s", strerror(errno));
	}
	else
	{
		*uid = cred.uid;
		*pid = cred.pid;
		ok = TRUE;
	}
	fclose(file);
	return ok;
}

/**
 * Whether a connection of uid stays within the limits (mutex held); root
 * is never refused, and other users' connections never count against it.
 * Logs a refusal.
 */
static bool within_limits(private_mike_control_t *this, uid_t uid,
						  pid_t pid)
{
	enumerator_t *enumerator;
	connection_t *connection;
	u_int user = 0, all = 0;

	if (uid == 0)
	{
		return TRUE;
	}
	enumerator = this->connections->create_enumerator(this->connections);
	while (enumerator->enumerate(enumerator, &connection))
	{
		if (connection->uid != 0)
		{
			all++;
			if (connection->uid == uid)
			{
				user++;
			}
		}
	}
	enumerator->destroy(enumerator);

	if (this->max_per_user && user >= this->max_per_user)
	{
		DBG1(DBG_CFG, "mike: refusing control connection of uid %d, pid %d: "
			 "the user has %u open, the limit per user is %u "
			 "(control.max_connections_per_user)", (int)uid, (int)pid, user,
			 this->max_per_user);
		return FALSE;
	}
	if (this->max_connections && all >= this->max_connections)
	{
		DBG1(DBG_CFG, "mike: refusing control connection of uid %d, pid %d: "
			 "users other than root have %u open, the limit is %u "
			 "(control.max_connections)", (int)uid, (int)pid, all,
			 this->max_connections);
		return FALSE;
	}
	return TRUE;
}

/**
 * Accept a connection
 */
static bool on_accept(private_mike_control_t *this, stream_t *stream)
{
	connection_t *connection;
	uid_t uid = UID_UNKNOWN;
	pid_t pid = 0;

	if (!setup_socket(stream, &uid, &pid))
	{	/* the stream service destroys the stream */
		return FALSE;
	}
	this->mutex->lock(this->mutex);
	if (!within_limits(this, uid, pid))
	{
		this->mutex->unlock(this->mutex);
		return FALSE;
	}
	DBG2(DBG_CFG, "mike: control connection from uid %d, pid %d", (int)uid,
		 (int)pid);
	INIT(connection,
		.stream = stream,
		.uid = uid,
		.pid = pid,
		.id = this->next_id++,
		.reader = mike_msg_reader_create(),
		.ref = 1,
		.this = this,
	);
	ref_get(&this->ref);
	this->connections->insert_last(this->connections, connection);
	/* an idle connection gets the same time for its first request */
	arm_deadline(this, connection);
	this->mutex->unlock(this->mutex);

	stream->on_read(stream, (void*)on_read, connection);
	return TRUE;
}

METHOD(mike_control_t, register_command, void,
	private_mike_control_t *this, char *name, mike_control_cb_t cb,
	void *data, bool needs_root)
{
	command_t *command;

	this->public.unregister_command(&this->public, name);
	INIT(command,
		.name = strdup(name),
		.cb = cb,
		.data = data,
		.needs_root = needs_root,
	);
	this->lock->write_lock(this->lock);
	this->commands->insert_last(this->commands, command);
	this->lock->unlock(this->lock);
}

METHOD(mike_control_t, unregister_command, void,
	private_mike_control_t *this, char *name)
{
	enumerator_t *enumerator;
	command_t *command;

	this->lock->write_lock(this->lock);
	enumerator = this->commands->create_enumerator(this->commands);
	while (enumerator->enumerate(enumerator, &command))
	{
		if (streq(command->name, name))
		{
			this->commands->remove_at(this->commands, enumerator);
			command_destroy(command);
		}
	}
	enumerator->destroy(enumerator);
	this->lock->unlock(this->lock);
}

/**
 * Built-in "version": plugin and protocol version, open to everybody
 */
static mike_msg_t *version_cb(void *data, mike_msg_t *request, uid_t uid)
{
	mike_msg_t *response;

	response = mike_msg_create(MIKE_MSG_RESPONSE, NULL);
	response->add_kv(response, "plugin", "mike");
	response->add_kv(response, "version", "%s", MIKE_VERSION);
	response->add_kv(response, "protocol", "%d", MIKE_MSG_VERSION);
	response->add_kv(response, "strongswan", "%s", VERSION);
	return response;
}

/**
 * Placeholder of a command the group store will implement; registered so
 * the access rules apply from the start.
 */
static mike_msg_t *not_implemented_cb(void *data, mike_msg_t *request,
									  uid_t uid)
{
	return mike_msg_create_error("%s: not implemented yet",
								 request->get_command(request));
}

METHOD(mike_control_t, destroy, void,
	private_mike_control_t *this)
{
	linked_list_t *connections;
	connection_t *connection;

	/* no new connections, accept callbacks finished */
	this->service->destroy(this->service);

	/* release the connections outside the mutex: destroying a stream waits
	 * for its running read callback, which takes the mutex; a connection
	 * whose request is being handled goes when that job ends */
	connections = linked_list_create();
	this->mutex->lock(this->mutex);
	while (this->connections->remove_first(this->connections,
										   (void**)&connection) == SUCCESS)
	{
		connection->closed = TRUE;
		connections->insert_last(connections, connection);
	}
	this->mutex->unlock(this->mutex);
	connections->destroy_function(connections, (void*)connection_put);

	put_ref(this);
}

/*
 * Described in header
 */
mike_control_t *mike_control_create(char *uri, u_int max_per_user,
									u_int max_connections,
									u_int request_timeout)
{
	private_mike_control_t *this;
	stream_service_t *service;

	service = lib->streams->create_service(lib->streams, uri, 10);
	if (!service)
	{
		return NULL;
	}
	/* the service leaves the socket 0770 root:charon-group; anybody may
	 * connect, SO_PEERCRED decides what a peer may do */
	if (strpfx(uri, UNIX_PREFIX) &&
		chmod(uri + strlen(UNIX_PREFIX), 0666) != 0)
	{
		DBG1(DBG_CFG, "mike: making control socket %s accessible to all "
			 "users failed: %s", uri, strerror(errno));
	}

	INIT(this,
		.public = {
			.register_command = _register_command,
			.unregister_command = _unregister_command,
			.dispatch = _dispatch,
			.destroy = _destroy,
		},
		.service = service,
		.commands = linked_list_create(),
		.lock = rwlock_create(RWLOCK_TYPE_DEFAULT),
		.connections = linked_list_create(),
		.mutex = mutex_create(MUTEX_TYPE_DEFAULT),
		.max_per_user = max_per_user,
		.max_connections = max_connections,
		.request_timeout = request_timeout,
		.ref = 1,
	);

	register_command(this, "version", version_cb, NULL, FALSE);
	register_command(this, "load-groups", not_implemented_cb, NULL, TRUE);
	register_command(this, "join", not_implemented_cb, NULL, TRUE);
	register_command(this, "leave", not_implemented_cb, NULL, TRUE);
	register_command(this, "list-groups", not_implemented_cb, NULL, FALSE);
	register_command(this, "stats", not_implemented_cb, NULL, FALSE);

	this->service->on_accept(this->service, (stream_service_cb_t)on_accept,
							 this, JOB_PRIO_CRITICAL, 2);
	return &this->public;
}
