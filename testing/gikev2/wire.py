#
# Copyright (C) 2026 The mike developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# wire.py: libpcap files (as tcpdump -w writes them), Ethernet, IPv4/IPv6
# with fragment reassembly, UDP; and charon's key log lines.  No scapy.

import ipaddress
import re
import struct

LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_SLL, LINKTYPE_SLL2 = 1, 101, 113, 276


class Datagram:
    """One UDP datagram, reassembled; frame is the pcap record number
    (1-based, as Wireshark counts) of its last fragment."""

    def __init__(self, frame, ts, src, dst, sport, dport, data, proto=17):
        self.frame, self.ts = frame, ts
        self.src, self.dst, self.sport, self.dport = src, dst, sport, dport
        self.data, self.proto = data, proto


def read_pcap(path):
    """Yield (frame, ts, linktype, bytes) of a libpcap file."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 24:
        raise ValueError("%s: not a pcap file (too short)" % path)
    magic = raw[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError("%s: not a libpcap file (pcapng?)" % path)
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(e + "I", raw[20:24])[0] & 0x0fffffff
    off, frame = 24, 0
    while off + 16 <= len(raw):
        sec, frac, caplen, _ = struct.unpack(e + "IIII", raw[off:off + 16])
        off += 16
        data = raw[off:off + caplen]
        off += caplen
        frame += 1
        yield frame, sec + frac / (1e9 if nano else 1e6), linktype, data


def _l3(linktype, data):
    """(ethertype, network-layer bytes) of a link-layer frame."""
    if linktype == LINKTYPE_ETHERNET:
        if len(data) < 14:
            return None, b""
        et, off = struct.unpack("!H", data[12:14])[0], 14
        while et in (0x8100, 0x88a8) and len(data) >= off + 4:
            et = struct.unpack("!H", data[off + 2:off + 4])[0]
            off += 4
        return et, data[off:]
    if linktype == LINKTYPE_SLL:
        return struct.unpack("!H", data[14:16])[0], data[16:]
    if linktype == LINKTYPE_SLL2:
        return struct.unpack("!H", data[0:2])[0], data[20:]
    if linktype == LINKTYPE_RAW:
        v = data[0] >> 4 if data else 0
        return {4: 0x0800, 6: 0x86dd}.get(v), data
    return None, b""


def udp_datagrams(path):
    """Yield Datagram for every UDP datagram of the capture, IP fragments
    reassembled, and for every ESP packet (proto 50, ports 0)."""
    frags = {}
    for frame, ts, lt, data in read_pcap(path):
        et, pkt = _l3(lt, data)
        if et == 0x0800 and len(pkt) >= 20:
            ihl = (pkt[0] & 0x0f) * 4
            total = struct.unpack("!H", pkt[2:4])[0]
            ident = struct.unpack("!H", pkt[4:6])[0]
            fo = struct.unpack("!H", pkt[6:8])[0]
            proto = pkt[9]
            src = str(ipaddress.IPv4Address(pkt[12:16]))
            dst = str(ipaddress.IPv4Address(pkt[16:20]))
            payload = pkt[ihl:total]
            more, offset = fo & 0x2000, (fo & 0x1fff) * 8
            if more or offset:
                key = (4, src, dst, ident, proto)
                payload = _reassemble(frags, key, offset, more, payload)
                if payload is None:
                    continue
        elif et == 0x86dd and len(pkt) >= 40:
            src = str(ipaddress.IPv6Address(pkt[8:24]))
            dst = str(ipaddress.IPv6Address(pkt[24:40]))
            plen = struct.unpack("!H", pkt[4:6])[0]
            nh, off, end = pkt[6], 40, 40 + plen
            payload, fragment = None, None
            while nh in (0, 43, 60, 44, 51):
                if off + 8 > len(pkt):
                    break
                if nh == 44:
                    fo = struct.unpack("!H", pkt[off + 2:off + 4])[0]
                    ident = struct.unpack("!I", pkt[off + 4:off + 8])[0]
                    fragment = (fo & 0xfff8, fo & 1, ident)
                    nh, off = pkt[off], off + 8
                elif nh == 51:
                    nh, off = pkt[off], off + (pkt[off + 1] + 2) * 4
                else:
                    nh, off = pkt[off], off + (pkt[off + 1] + 1) * 8
            proto, payload = nh, pkt[off:end]
            if fragment:
                offset, more, ident = fragment
                key = (6, src, dst, ident, proto)
                payload = _reassemble(frags, key, offset, more, payload)
                if payload is None:
                    continue
        else:
            continue
        if proto == 50:
            yield Datagram(frame, ts, src, dst, 0, 0, payload, 50)
            continue
        if proto != 17 or len(payload) < 8:
            continue
        sport, dport, ulen = struct.unpack("!HHH", payload[:6])
        yield Datagram(frame, ts, src, dst, sport, dport, payload[8:ulen])


def _reassemble(frags, key, offset, more, payload):
    parts = frags.setdefault(key, {"parts": {}, "end": None})
    parts["parts"][offset] = payload
    if not more:
        parts["end"] = offset + len(payload)
    if parts["end"] is None:
        return None
    buf, pos = b"", 0
    for off in sorted(parts["parts"]):
        if off != pos:
            return None
        buf += parts["parts"][off]
        pos = off + len(parts["parts"][off])
    if pos != parts["end"]:
        return None
    del frags[key]
    return buf


# --- charon's logs ---------------------------------------------------------
#
# At "ike = 4", keymat_v2 logs each IKE SA's keys as
#   14[IKE] Sk_d secret => 32 bytes @ 0x7fef6401aa40
#   14[IKE]    0: 46 16 40 09 A4 89 24 FF 6D B6 21 79 D4 A1 A8 EB  F.@...$.m.!y....
# (the thread number first; another thread's lines may come between).
# A set runs from Sk_d to Sk_pr.  The log names no SPIs: gikev2.py finds
# the IKE SA a set belongs to by trying it on the SA's messages.
#
# At "cfg = 4", a member logs
#   mike: group 'NAME': rekey SA <hex spi> keying material <hex>
# which gikev2.py uses as a cross-check of its own unwrapping only.

_SECRET = re.compile(r"^(?:.*?\s)?(\d+)\[IKE\] (Sk_[a-z]+) secret => (\d+) bytes")
_HEX = re.compile(r"^(?:.*?\s)?(\d+)\[IKE\]\s+(\d+): ((?:[0-9A-F]{2} ?)+)")
_REKEY = re.compile(r"mike: group '([^']*)': rekey SA ([0-9a-fA-F]+) "
                    r"keying material ([0-9a-fA-F]+)")


class KeySet:
    def __init__(self, node, line):
        self.node, self.line = node, line
        self.keys = {}

    def __repr__(self):
        return "keys of %s (charon.log line %d)" % (self.node, self.line)


def read_charon_log(node, path):
    """(list of KeySet, list of (group, spi bytes, keymat bytes))."""
    sets, rekeys = [], []
    pending = {}            # thread -> [name, length, bytes, KeySet]
    current = {}            # thread -> KeySet being filled
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return sets, rekeys
    for no, line in enumerate(lines, 1):
        m = _SECRET.match(line)
        if m:
            thread, name, length = m.group(1), m.group(2), int(m.group(3))
            if name == "Sk_d" or thread not in current:
                current[thread] = KeySet(node, no)
                sets.append(current[thread])
            ks = current[thread]
            ks.keys[name] = b""
            pending[thread] = [name, length, ks]
            continue
        m = _HEX.match(line)
        if m and m.group(1) in pending:
            name, length, ks = pending[m.group(1)]
            ks.keys[name] += bytes.fromhex(m.group(3).replace(" ", ""))
            if len(ks.keys[name]) >= length:
                ks.keys[name] = ks.keys[name][:length]
                del pending[m.group(1)]
            continue
        m = _REKEY.search(line)
        if m:
            rekeys.append((m.group(1), bytes.fromhex(m.group(2)),
                           bytes.fromhex(m.group(3))))
    return [s for s in sets if "Sk_d" in s.keys and "Sk_ei" in s.keys], rekeys
