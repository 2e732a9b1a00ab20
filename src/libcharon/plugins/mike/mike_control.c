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

#include "mike_control.h"

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
	 * Open connections, as connection_t
	 */
	linked_list_t *connections;

	/**
	 * Mutex for connections
	 */
	mutex_t *mutex;

	/**
	 * References: the owner, plus one per queued disconnect job, so a job
	 * that runs after destroy() finds the object still there
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
 * An accepted connection
 */
typedef struct {
	/** the connection */
	stream_t *stream;
	/** the peer's uid, from SO_PEERCRED at accept time */
	uid_t uid;
	/** the peer's pid, for logging */
	pid_t pid;
	/** back reference */
	private_mike_control_t *this;
} connection_t;

/**
 * Data of an asynchronous disconnect
 */
typedef struct {
	/** control socket, one reference held */
	private_mike_control_t *this;
	/** stream to close */
	stream_t *stream;
} disconnect_t;

static void command_destroy(command_t *command)
{
	free(command->name);
	free(command);
}

static void connection_destroy(connection_t *connection)
{
	connection->stream->destroy(connection->stream);
	free(connection);
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
 * Close a connection: remove it from the list, destroy its stream
 */
static job_requeue_t disconnect_async(disconnect_t *data)
{
	private_mike_control_t *this = data->this;
	enumerator_t *enumerator;
	connection_t *connection, *found = NULL;

	this->mutex->lock(this->mutex);
	enumerator = this->connections->create_enumerator(this->connections);
	while (enumerator->enumerate(enumerator, &connection))
	{
		if (connection->stream == data->stream)
		{
			this->connections->remove_at(this->connections, enumerator);
			found = connection;
			break;
		}
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);

	if (found)
	{
		connection_destroy(found);
	}
	return JOB_REQUEUE_NONE;
}

static void disconnect_destroy(disconnect_t *data)
{
	put_ref(data->this);
	free(data);
}

/**
 * Close a connection from its own read callback: the stream can't be
 * destroyed there (the watcher waits for the callback), so a job does it.
 */
static void disconnect(private_mike_control_t *this, stream_t *stream)
{
	disconnect_t *data;

	ref_get(&this->ref);
	INIT(data,
		.this = this,
		.stream = stream,
	);
	lib->processor->queue_job(lib->processor,
			(job_t*)callback_job_create((void*)disconnect_async, data,
										(void*)disconnect_destroy, NULL));
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

/**
 * Answer one request of a connection; FALSE to close the connection
 */
static bool on_read(connection_t *connection, stream_t *stream)
{
	private_mike_control_t *this = connection->this;
	mike_msg_t *request, *response;
	char err[MIKE_MSG_ERR_LEN];
	bool ok;

	request = mike_msg_read(stream, err, sizeof(err));
	if (!request)
	{
		if (streq(err, "connection closed"))
		{
			DBG2(DBG_CFG, "mike: control connection of uid %d closed",
				 (int)connection->uid);
		}
		else
		{
			DBG1(DBG_CFG, "mike: closing control connection of uid %d, pid "
				 "%d: %s", (int)connection->uid, (int)connection->pid, err);
		}
		disconnect(this, stream);
		return FALSE;
	}
	response = dispatch(this, request, connection->uid);
	request->destroy(request);

	ok = mike_msg_write(stream, response, err, sizeof(err));
	response->destroy(response);
	if (!ok)
	{
		DBG1(DBG_CFG, "mike: closing control connection of uid %d: %s",
			 (int)connection->uid, err);
		disconnect(this, stream);
		return FALSE;
	}
	return TRUE;
}

/**
 * Read the peer's credentials and bound blocking reads and writes.
 *
 * stream_t of strongSwan 5.9.8 does not expose its file descriptor, but
 * get_file() wraps a dup() of it: both refer to the same socket, so
 * getsockopt()/setsockopt() on the copy act on the connection.
 */
static bool setup_socket(stream_t *stream, uid_t *uid, pid_t *pid)
{
	struct timeval timeout = { .tv_sec = MIKE_CONTROL_READ_TIMEOUT, };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	FILE *file;
	int fd;
	bool ok = FALSE;

	file = stream->get_file(stream);
	if (!file)
	{
		DBG1(DBG_CFG, "mike: no descriptor of the control connection: %s",
			 strerror(errno));
		return FALSE;
	}
	fd = fileno(file);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout,
				   sizeof(timeout)) != 0 ||
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout,
				   sizeof(timeout)) != 0)
	{
		DBG1(DBG_CFG, "mike: setting timeouts of the control connection "
			 "failed: %s", strerror(errno));
	}
	else if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
			 len != sizeof(cred))
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
	DBG2(DBG_CFG, "mike: control connection from uid %d, pid %d", (int)uid,
		 (int)pid);
	INIT(connection,
		.stream = stream,
		.uid = uid,
		.pid = pid,
		.this = this,
	);
	this->mutex->lock(this->mutex);
	this->connections->insert_last(this->connections, connection);
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

	/* no new connections, accept callbacks finished */
	this->service->destroy(this->service);

	/* destroy the streams outside the mutex: stream->destroy() waits for a
	 * running read callback, which may queue a disconnect */
	this->mutex->lock(this->mutex);
	connections = this->connections;
	this->connections = linked_list_create();
	this->mutex->unlock(this->mutex);
	connections->destroy_function(connections, (void*)connection_destroy);

	put_ref(this);
}

/*
 * Described in header
 */
mike_control_t *mike_control_create(char *uri)
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
