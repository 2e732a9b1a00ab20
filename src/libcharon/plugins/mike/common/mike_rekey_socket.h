/*
 * Copyright (C) 2026 The mike developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
 */

/**
 * @defgroup mike_rekey_socket mike_rekey_socket
 * @{ @ingroup mike
 */

#ifndef MIKE_REKEY_SOCKET_H_
#define MIKE_REKEY_SOCKET_H_

#include <library.h>
#include <networking/host.h>

typedef struct mike_rekey_socket_t mike_rekey_socket_t;

/**
 * Called with each datagram that arrives on a subscribed port.
 *
 * @param data		the pointer given to subscribe()
 * @param msg		the datagram
 * @param from		its sender
 */
typedef void (*mike_rekey_socket_cb_t)(void *data, chunk_t msg, host_t *from);

/**
 * The multicast transport of GSA_REKEY messages, outside charon's IKE
 * sockets: rekey messages go to a group's rekey address and port, which no
 * IKE socket listens on, and are sent several times over (the "reliable
 * multicast shim" of Canetti et al.), since nobody acknowledges them.
 */
struct mike_rekey_socket_t {

	/**
	 * GCKS: send datagrams (a message, or all fragments of one) to a
	 * multicast address, then all of them again retransmissions times,
	 * interval ms apart.
	 *
	 * @param dst		multicast address and port
	 * @param msgs		datagrams (cloned)
	 * @param count		number of datagrams
	 * @return			TRUE if the first copy of each went out
	 */
	bool (*send)(mike_rekey_socket_t *this, host_t *dst, chunk_t *msgs,
				 int count);

	/**
	 * GCKS: send a message's datagrams (sent with send() moments ago)
	 * again a few times over the next seconds, for members whose
	 * registration was answered while it went out: they hold the keys to
	 * read it only once they took their registration's.
	 *
	 * Copies beyond a bound of outstanding ones are not scheduled.
	 *
	 * @param dst		multicast address and port
	 * @param msgs		datagrams (cloned)
	 * @param count		number of datagrams
	 */
	void (*send_late)(mike_rekey_socket_t *this, host_t *dst, chunk_t *msgs,
					  int count);

	/**
	 * GCKS: the largest IKE message (UDP payload) to send to an address in
	 * one datagram; larger GSA_REKEY messages are sent as IKE fragments.
	 *
	 * @param dst		multicast address
	 * @return			bytes, 0 to never fragment
	 */
	size_t (*get_max_message)(mike_rekey_socket_t *this, host_t *dst);

	/**
	 * Member: receive the datagrams sent to a multicast address and port.
	 *
	 * @param group		multicast address and port
	 * @return			TRUE if joined
	 */
	bool (*subscribe)(mike_rekey_socket_t *this, host_t *group);

	/**
	 * Member: stop receiving for an address and port.
	 *
	 * @param group		multicast address and port
	 */
	void (*unsubscribe)(mike_rekey_socket_t *this, host_t *group);

	/**
	 * Destroy the sockets.
	 */
	void (*destroy)(mike_rekey_socket_t *this);
};

/**
 * Create the rekey transport.
 *
 * @param cb			called for received datagrams
 * @param data			passed to cb
 * @param retransmissions	extra copies of each datagram sent
 * @param interval		ms between copies
 * @param ttl			multicast TTL / hop limit of sent datagrams
 * @param fragment_size	largest IP datagram (IP and UDP headers
 *						included) of a GSA_REKEY, larger ones are sent as
 *						IKE fragments; 0 to never fragment
 * @return				transport
 */
mike_rekey_socket_t *mike_rekey_socket_create(mike_rekey_socket_cb_t cb,
											  void *data,
											  u_int retransmissions,
											  u_int interval, u_int ttl,
											  u_int fragment_size);

#endif /** MIKE_REKEY_SOCKET_H_ @}*/
