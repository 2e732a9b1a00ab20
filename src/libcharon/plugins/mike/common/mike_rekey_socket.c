/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

#include "common/mike_rekey_socket.h"

#include <errno.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <daemon.h>
#include <threading/mutex.h>
#include <processing/jobs/callback_job.h>

/** largest rekey datagram we accept */
#define MAX_DATAGRAM 65535

typedef struct private_mike_rekey_socket_t private_mike_rekey_socket_t;
typedef struct listen_t listen_t;

/**
 * A receiving socket, one per family and port.
 */
struct listen_t {
	/** socket */
	int fd;
	/** address family */
	int family;
	/** port */
	uint16_t port;
	/** subscribed groups on it, host_t */
	linked_list_t *groups;
};

/**
 * Private data of a mike_rekey_socket_t object.
 */
struct private_mike_rekey_socket_t {

	/**
	 * Public interface.
	 */
	mike_rekey_socket_t public;

	/**
	 * Receive callback and its data.
	 */
	mike_rekey_socket_cb_t cb;
	void *data;

	/**
	 * Sending sockets, IPv4 and IPv6, -1 until needed.
	 */
	int send4, send6;

	/**
	 * Receiving sockets, listen_t.
	 */
	linked_list_t *listens;

	/**
	 * Retransmissions, interval (ms), TTL.
	 */
	u_int retransmissions, interval, ttl;

	/**
	 * Largest IP datagram sent, 0 for no limit.
	 */
	u_int fragment_size;

	/**
	 * Late copies scheduled and not sent yet (with the mutex).
	 */
	u_int late;

	/**
	 * Lock for the sockets.
	 */
	mutex_t *mutex;
};

/**
 * When the late copies of a message go, in ms after it: a registration
 * response built before the message and sent after it reaches its member,
 * which takes the keys, within moments, or seconds on a loaded host
 */
static const u_int late_copies[] = { 1000, 2500, 5000 };

/**
 * Late copies outstanding at most: registrations during a burst of
 * membership changes do not pile up copies (at most this many messages of
 * 64 fragments each)
 */
#define MAX_LATE 16

/**
 * A sending socket for a family, with our TTL and without loopback
 */
static int send_socket(private_mike_rekey_socket_t *this, int family)
{
	int *fd = family == AF_INET ? &this->send4 : &this->send6;
	int ttl = this->ttl, off = 0;

	if (*fd >= 0)
	{
		return *fd;
	}
	*fd = socket(family, SOCK_DGRAM, 0);
	if (*fd < 0)
	{
		return -1;
	}
	if (family == AF_INET)
	{
		setsockopt(*fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
		setsockopt(*fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off));
	}
	else
	{
		setsockopt(*fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl));
		setsockopt(*fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off));
	}
	return *fd;
}

/**
 * Datagrams to send again later
 */
typedef struct {
	private_mike_rekey_socket_t *this;
	host_t *dst;
	chunk_t *msgs;
	int count;
	u_int left;
	/** late copies: the next one's index in late_copies, else -1 */
	int late;
} resend_t;

static void resend_destroy(resend_t *resend)
{
	int i;

	if (resend->late >= 0)
	{
		resend->this->mutex->lock(resend->this->mutex);
		resend->this->late--;
		resend->this->mutex->unlock(resend->this->mutex);
	}

	resend->dst->destroy(resend->dst);
	for (i = 0; i < resend->count; i++)
	{
		chunk_free(&resend->msgs[i]);
	}
	free(resend->msgs);
	free(resend);
}

/**
 * Send one copy; FALSE on error
 */
static bool send_once(private_mike_rekey_socket_t *this, host_t *dst,
					  chunk_t msg)
{
	int fd;
	bool ok;

	this->mutex->lock(this->mutex);
	fd = send_socket(this, dst->get_family(dst));
	ok = fd >= 0 && sendto(fd, msg.ptr, msg.len, 0, dst->get_sockaddr(dst),
						   *dst->get_sockaddr_len(dst)) == msg.len;
	this->mutex->unlock(this->mutex);
	if (!ok)
	{
		DBG1(DBG_NET, "mike: sending a rekey message to %#H failed: %s", dst,
			 strerror(errno));
	}
	return ok;
}

/**
 * Send one copy of each datagram, back to back; FALSE if any failed
 */
static bool send_all(private_mike_rekey_socket_t *this, host_t *dst,
					 chunk_t *msgs, int count)
{
	bool sent = TRUE;
	int i;

	for (i = 0; i < count; i++)
	{
		sent = send_once(this, dst, msgs[i]) && sent;
	}
	return sent;
}

static job_requeue_t resend_job(resend_t *resend)
{
	send_all(resend->this, resend->dst, resend->msgs, resend->count);
	if (--resend->left)
	{
		if (resend->late >= 0)
		{
			resend->late++;
			return JOB_RESCHEDULE_MS(late_copies[resend->late] -
									 late_copies[resend->late - 1]);
		}
		return JOB_RESCHEDULE_MS(resend->this->interval);
	}
	return JOB_REQUEUE_NONE;
}

/**
 * Schedule copies of datagrams, the first after delay ms
 */
static void schedule_copies(private_mike_rekey_socket_t *this, host_t *dst,
							chunk_t *msgs, int count, u_int left, int late,
							u_int delay)
{
	resend_t *resend;
	int i;

	INIT(resend,
		.this = this,
		.dst = dst->clone(dst),
		.msgs = calloc(count, sizeof(chunk_t)),
		.count = count,
		.left = left,
		.late = late,
	);
	for (i = 0; i < count; i++)
	{
		resend->msgs[i] = chunk_clone(msgs[i]);
	}
	lib->scheduler->schedule_job_ms(lib->scheduler,
			(job_t*)callback_job_create((callback_job_cb_t)resend_job,
					resend, (callback_job_cleanup_t)resend_destroy, NULL),
			delay);
}

METHOD(mike_rekey_socket_t, send_, bool,
	private_mike_rekey_socket_t *this, host_t *dst, chunk_t *msgs, int count)
{
	bool sent;

	/* a copy that did not go out is made up for by the retransmissions
	 * (at least one): the keys in it are the group's already; a message's
	 * fragments are all sent again, the same bytes, as members
	 * reassemble fragments of any copy */
	sent = send_all(this, dst, msgs, count);
	if (this->retransmissions || !sent)
	{
		schedule_copies(this, dst, msgs, count,
						max(this->retransmissions, 1), -1, this->interval);
	}
	return sent;
}

METHOD(mike_rekey_socket_t, send_late, void,
	private_mike_rekey_socket_t *this, host_t *dst, chunk_t *msgs, int count)
{
	bool room;

	this->mutex->lock(this->mutex);
	room = this->late < MAX_LATE;
	if (room)
	{
		this->late++;
	}
	this->mutex->unlock(this->mutex);
	if (!room)
	{
		DBG1(DBG_NET, "mike: %d rekey messages wait for late copies, none "
			 "for this one to %#H", MAX_LATE, dst);
		return;
	}
	schedule_copies(this, dst, msgs, count, countof(late_copies), 0,
					late_copies[0]);
}

/** IPv4 and IPv6 headers without options or extensions, UDP header */
#define IPV4_HEADER 20
#define IPV6_HEADER 40
#define UDP_HEADER 8

METHOD(mike_rekey_socket_t, get_max_message, size_t,
	private_mike_rekey_socket_t *this, host_t *dst)
{
	size_t headers = UDP_HEADER;

	if (!this->fragment_size)
	{
		return 0;
	}
	headers += dst->get_family(dst) == AF_INET6 ? IPV6_HEADER : IPV4_HEADER;
	/* the configured size is checked to leave room for a fragment */
	return this->fragment_size > headers ? this->fragment_size - headers : 1;
}

/**
 * Read a datagram from a receiving socket
 */
static bool receive(private_mike_rekey_socket_t *this, int fd,
					watcher_event_t event)
{
	uint8_t buf[MAX_DATAGRAM];
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	host_t *host;
	ssize_t len;

	len = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
				   (struct sockaddr*)&from, &fromlen);
	if (len > 0)
	{
		host = host_create_from_sockaddr((struct sockaddr*)&from);
		if (host)
		{
			this->cb(this->data, chunk_create(buf, len), host);
			host->destroy(host);
		}
	}
	return TRUE;
}

/**
 * Join or leave a group on a receiving socket
 */
static bool membership(listen_t *listen, host_t *group, bool join)
{
	if (listen->family == AF_INET)
	{
		struct ip_mreq mreq = {};

		memcpy(&mreq.imr_multiaddr,
			   group->get_address(group).ptr, sizeof(mreq.imr_multiaddr));
		return setsockopt(listen->fd, IPPROTO_IP,
						  join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP,
						  &mreq, sizeof(mreq)) == 0;
	}
	else
	{
		struct ipv6_mreq mreq = {};

		memcpy(&mreq.ipv6mr_multiaddr,
			   group->get_address(group).ptr, sizeof(mreq.ipv6mr_multiaddr));
		return setsockopt(listen->fd, IPPROTO_IPV6,
						  join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP,
						  &mreq, sizeof(mreq)) == 0;
	}
}

/**
 * The receiving socket for a family and port, created if needed
 */
static listen_t *get_listen(private_mike_rekey_socket_t *this, host_t *group)
{
	enumerator_t *enumerator;
	listen_t *listen, *found = NULL;
	host_t *any;
	int on = 1;

	enumerator = this->listens->create_enumerator(this->listens);
	while (enumerator->enumerate(enumerator, &listen))
	{
		if (listen->family == group->get_family(group) &&
			listen->port == group->get_port(group))
		{
			found = listen;
			break;
		}
	}
	enumerator->destroy(enumerator);
	if (found)
	{
		return found;
	}
	INIT(found,
		.family = group->get_family(group),
		.port = group->get_port(group),
		.groups = linked_list_create(),
	);
	found->fd = socket(found->family, SOCK_DGRAM, 0);
	any = host_create_any(found->family);
	any->set_port(any, found->port);
	/* no SO_REUSEADDR: no local user may bind the port beside us */
	if (found->fd < 0 ||
		(found->family == AF_INET6 &&
		 setsockopt(found->fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on))) ||
		bind(found->fd, any->get_sockaddr(any), *any->get_sockaddr_len(any)))
	{
		DBG1(DBG_NET, "mike: unable to listen for rekey messages on port %u: "
			 "%s", found->port, strerror(errno));
		if (found->fd >= 0)
		{
			close(found->fd);
		}
		found->groups->destroy(found->groups);
		free(found);
		any->destroy(any);
		return NULL;
	}
	any->destroy(any);
	lib->watcher->add(lib->watcher, found->fd, WATCHER_READ,
					  (watcher_cb_t)receive, this);
	this->listens->insert_last(this->listens, found);
	return found;
}

METHOD(mike_rekey_socket_t, subscribe, bool,
	private_mike_rekey_socket_t *this, host_t *group)
{
	listen_t *listen;
	bool ok = FALSE;

	this->mutex->lock(this->mutex);
	listen = get_listen(this, group);
	if (listen)
	{
		ok = membership(listen, group, TRUE) || errno == EADDRINUSE;
		if (ok)
		{
			listen->groups->insert_last(listen->groups, group->clone(group));
		}
		else
		{
			DBG1(DBG_NET, "mike: joining rekey group %#H failed: %s", group,
				 strerror(errno));
		}
	}
	this->mutex->unlock(this->mutex);
	return ok;
}

/**
 * Stop watching and close a receiving socket
 */
static void listen_destroy(listen_t *listen)
{
	lib->watcher->remove(lib->watcher, listen->fd);
	close(listen->fd);
	listen->groups->destroy_offset(listen->groups, offsetof(host_t, destroy));
	free(listen);
}

/**
 * A receiving socket to close once idle
 */
typedef struct {
	private_mike_rekey_socket_t *this;
	listen_t *listen;
} idle_t;

/**
 * Close a receiving socket nobody subscribed to again meanwhile
 */
static job_requeue_t close_idle(idle_t *idle)
{
	private_mike_rekey_socket_t *this = idle->this;
	bool idle_still;

	this->mutex->lock(this->mutex);
	/* by pointer first: an earlier job may have closed it already */
	idle_still = this->listens->remove(this->listens, idle->listen, NULL);
	if (idle_still && idle->listen->groups->get_count(idle->listen->groups))
	{	/* subscribed to again meanwhile */
		this->listens->insert_last(this->listens, idle->listen);
		idle_still = FALSE;
	}
	this->mutex->unlock(this->mutex);
	if (idle_still)
	{
		listen_destroy(idle->listen);
	}
	return JOB_REQUEUE_NONE;
}

/** seconds a receiving socket without subscribers stays open */
#define IDLE_CLOSE_DELAY 2

/**
 * Close a receiving socket soon unless it is subscribed to again (jobs do
 * not run any more when the plugin is unloaded at shutdown)
 */
static void schedule_close(private_mike_rekey_socket_t *this,
						   listen_t *listen)
{
	idle_t *idle;

	INIT(idle,
		.this = this,
		.listen = listen,
	);
	lib->scheduler->schedule_job(lib->scheduler,
			(job_t*)callback_job_create((callback_job_cb_t)close_idle, idle,
										free, NULL), IDLE_CLOSE_DELAY);
}

METHOD(mike_rekey_socket_t, unsubscribe, void,
	private_mike_rekey_socket_t *this, host_t *group)
{
	enumerator_t *enumerator, *inner;
	listen_t *listen;
	host_t *current;
	bool found;
	int left;

	this->mutex->lock(this->mutex);
	enumerator = this->listens->create_enumerator(this->listens);
	while (enumerator->enumerate(enumerator, &listen))
	{
		if (listen->family != group->get_family(group) ||
			listen->port != group->get_port(group))
		{
			continue;
		}
		found = FALSE;
		left = 0;
		inner = listen->groups->create_enumerator(listen->groups);
		while (inner->enumerate(inner, &current))
		{
			if (!found && current->equals(current, group))
			{
				listen->groups->remove_at(listen->groups, inner);
				current->destroy(current);
				found = TRUE;
			}
			else
			{	/* the kernel counts joins per socket: leave only with the
				 * last subscriber of this socket */
				left += current->ip_equals(current, group);
			}
		}
		inner->destroy(inner);
		if (found && !left)
		{
			membership(listen, group, FALSE);
		}
		if (!listen->groups->get_count(listen->groups))
		{	/* nobody listens here any more: the port goes free again, from
			 * a job, as the watcher waits for a running receive callback,
			 * which takes the group store's lock the caller may hold */
			schedule_close(this, listen);
		}
		break;
	}
	enumerator->destroy(enumerator);
	this->mutex->unlock(this->mutex);
}

METHOD(mike_rekey_socket_t, destroy, void,
	private_mike_rekey_socket_t *this)
{
	listen_t *listen;

	while (this->listens->remove_first(this->listens,
									   (void**)&listen) == SUCCESS)
	{
		listen_destroy(listen);
	}
	this->listens->destroy(this->listens);
	if (this->send4 >= 0)
	{
		close(this->send4);
	}
	if (this->send6 >= 0)
	{
		close(this->send6);
	}
	this->mutex->destroy(this->mutex);
	free(this);
}

/*
 * Described in header
 */
mike_rekey_socket_t *mike_rekey_socket_create(mike_rekey_socket_cb_t cb,
											  void *data,
											  u_int retransmissions,
											  u_int interval, u_int ttl,
											  u_int fragment_size)
{
	private_mike_rekey_socket_t *this;

	INIT(this,
		.public = {
			.send = _send_,
			.send_late = _send_late,
			.get_max_message = _get_max_message,
			.subscribe = _subscribe,
			.unsubscribe = _unsubscribe,
			.destroy = _destroy,
		},
		.cb = cb,
		.data = data,
		.send4 = -1,
		.send6 = -1,
		.listens = linked_list_create(),
		.retransmissions = retransmissions,
		.interval = interval,
		.ttl = ttl,
		.fragment_size = fragment_size,
		.mutex = mutex_create(MUTEX_TYPE_RECURSIVE),
	);
	return &this->public;
}
