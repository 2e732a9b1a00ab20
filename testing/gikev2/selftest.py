#!/usr/bin/env python3
#
# Copyright (C) 2026 The mike developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# selftest.py: tests of gikev2.py that need no VM.
#
#  1. the GSA_REKEY vector of mike's unit tests (tests/mike_rekey_tests.c,
#     made by tests/vectors/gsa_rekey_vector.py): decrypted with its GSK_e,
#     the signature verified with RFC 8032's key over the A | P the checker
#     rebuilds, which must be the vector's vec_signed;
#  2. a whole G-IKEv2 run built here from the RFC texts (IKE_SA_INIT with a
#     KWA transform, GSA_AUTH with SAg and GROUP_SENDER, the sender's ESP,
#     four GSA_REKEYs on two rekey SAs, one retransmitted, one fragmented
#     by IP, one in IKE fragments (RFC 7383, RFC 9838 2.4.1.2) out of order
#     and twice), written as a libpcap file with
#     the charon.log lines of its keys, then read back through gikev2.py's
#     command line: it must find no mismatch;
#  3. the same run with one fault at a time: each must be reported by the
#     check that is named for it, and only one fault kind per case.
#
# Exit 0 when all pass.  Needs python3-cryptography.

import os
import re
import struct
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
top = os.path.abspath(os.path.join(here, "..", ".."))

from cryptography.hazmat.primitives.asymmetric.ed25519 import \
    Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from cryptography.hazmat.primitives.serialization import (  # noqa: E402
    Encoding, PublicFormat)

import crypt    # noqa: E402
import gikev2   # noqa: E402
import rfc      # noqa: E402
import wire     # noqa: E402

passed = failed = 0


def ok(what, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("PASS: %s" % what)
    else:
        failed += 1
        print("FAIL: %s%s" % (what, "\n      " + detail if detail else ""))


# --- an encoder of its own, from RFC 7296 3 and RFC 9838 4 -------------------

def gen(np, body):
    return struct.pack("!BBH", np, 0, 4 + len(body)) + body


def chain(payloads):
    """[(type, body)] -> (first type, bytes)."""
    out = b""
    for i, (t, body) in enumerate(payloads):
        np = payloads[i + 1][0] if i + 1 < len(payloads) else 0
        out += gen(np, body)
    return (payloads[0][0] if payloads else 0), out


def tv(t, v):
    return struct.pack("!HH", 0x8000 | t, v)


def tlv(t, v):
    return struct.pack("!HH", t, len(v)) + v


def transform(ttype, tid, attrs=b"", last=False):
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attrs), ttype,
                       0, tid) + attrs


def transforms(lst):
    return b"".join(transform(t, i, a, n == len(lst) - 1)
                    for n, (t, i, a) in enumerate(lst))


def proposal(proto, lst, spi=b""):
    trs = transforms(lst)
    return struct.pack("!BBHBBBB", 0, 0, 8 + len(spi) + len(trs), 1, proto,
                       len(spi), len(lst)) + spi + trs


def ts4(proto, sport, eport, a, b):
    return struct.pack("!BBHHH", 7, proto, 16, sport, eport) + bytes(a) + \
        bytes(b)


def policy(proto, spi, src, dst, trs, attrs):
    body = spi + src + dst + transforms(trs) + attrs
    return struct.pack("!BBH", proto, len(spi), 4 + len(body)) + body


def gw(attrs):
    return struct.pack("!BBH", 0, 0, 4 + len(attrs)) + attrs


def bag(proto, spi, attrs):
    return struct.pack("!BBH", proto, len(spi), 4 + len(spi) + len(attrs)) + \
        spi + attrs


def wrapped(key_id, kwk_id, kek, key):
    return struct.pack("!II", key_id, kwk_id) + crypt.wrap(kek, key)


def notify(t, data=b"", proto=0, spi=b""):
    return struct.pack("!BBH", proto, len(spi), t) + spi + data


def header(spi_i, spi_r, np, exch, flags, msgid, length):
    return spi_i + spi_r + struct.pack("!BBBBII", np, 0x20, exch, flags,
                                       msgid, length)


def sk_message(spi_i, spi_r, exch, flags, msgid, inner, key, iv):
    """RFC 7296 3.14 with AES-GCM-16 (RFC 5282): key = AES key | salt."""
    first, p = chain(inner)
    pt = p + b"\x00"
    sk_len = 4 + 8 + len(pt) + 16
    a = header(spi_i, spi_r, rfc.PL_SK, exch, flags, msgid, 28 + sk_len) + \
        struct.pack("!BBH", first, 0, sk_len)
    return a + iv + AESGCM(key[:32]).encrypt(key[32:] + iv, pt, a)


def signed_inner(spi, msgid, inner, sk, flags=0x08, corrupt_sig=False):
    """RFC 9838 2.4.1.1: sign A | P with the AUTH's data zeroed (A with Next
    Payload SK, AdjustedLen and AdjustedPldLen); the first inner payload
    type and P with the signature in place."""
    algid = bytes.fromhex("300506032b6570")
    auth_zero = bytes([14, 0, 0, 0, len(algid)]) + algid + bytes(64)
    items = inner + [(rfc.PL_AUTH, auth_zero)]
    first, p0 = chain(items)
    a0 = header(spi[:8], spi[8:], rfc.PL_SK, rfc.GSA_REKEY, flags, msgid,
                32 + len(p0)) + struct.pack("!BBH", first, 0, 4 + len(p0))
    sig = sk.sign(a0 + p0)
    if corrupt_sig:
        sig = bytes([sig[0] ^ 1]) + sig[1:]
    items[-1] = (rfc.PL_AUTH, auth_zero[:-64] + sig)
    return chain(items)


def rekey_message(spi, msgid, inner, gsk_e, iv, sk, flags=0x08,
                  corrupt_sig=False):
    """RFC 9838 2.4.1.1, encrypted with AES-GCM-16 (RFC 5282)."""
    first, p = signed_inner(spi, msgid, inner, sk, flags, corrupt_sig)
    pt = p + b"\x00"
    sk_len = 4 + 8 + len(pt) + 16
    a = header(spi[:8], spi[8:], rfc.PL_SK, rfc.GSA_REKEY, flags, msgid,
               28 + sk_len) + struct.pack("!BBH", first, 0, sk_len)
    return a + iv + AESGCM(gsk_e[:32]).encrypt(gsk_e[32:] + iv, pt, a)


def rekey_fragments(spi, msgid, inner, gsk_e, ivs, sk, piece,
                    corrupt_sig=False, reserved=0):
    """RFC 9838 2.4.1.2: the whole message is signed as in 2.4.1.1, then
    its inner payloads are cut into pieces of piece octets, each sent as an
    IKE message with an Encrypted Fragment payload (RFC 7383 2.5): Next
    Payload the first inner payload's type in fragment 1, 0 in the others;
    Fragment Number from 1; Total Fragments; each encrypted on its own with
    AES-GCM-16 (RFC 5282), associated data from the IKE header to the end
    of the SKF header.  reserved is the first fragment's RESERVED octet
    (the others' are 0)."""
    first, p = signed_inner(spi, msgid, inner, sk, corrupt_sig=corrupt_sig)
    pieces = [p[i:i + piece] for i in range(0, len(p), piece)]
    out = []
    for n, content in enumerate(pieces, 1):
        pt = content + b"\x00"
        skf_len = 8 + 8 + len(pt) + 16
        a = header(spi[:8], spi[8:], rfc.PL_SKF, rfc.GSA_REKEY, 0x08, msgid,
                   28 + skf_len) + struct.pack(
                       "!BBHHH", first if n == 1 else 0,
                       reserved if n == 1 else 0, skf_len, n, len(pieces))
        iv = ivs[n - 1]
        out.append(a + iv + AESGCM(gsk_e[:32]).encrypt(gsk_e[32:] + iv, pt,
                                                       a))
    return out


# --- libpcap, Ethernet, IPv4 -------------------------------------------------

def ipv4(src, dst, payload, ident, fragment_at=None):
    def one(off, more, data):
        tot = 20 + len(data)
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, ident,
                        (0x2000 if more else 0) | (off // 8), 64, 17, 0,
                        bytes(map(int, src.split("."))),
                        bytes(map(int, dst.split("."))))
        return h + data
    if fragment_at is None:
        return [one(0, False, payload)]
    return [one(0, True, payload[:fragment_at]),
            one(fragment_at, False, payload[fragment_at:])]


def udp(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def renumber(frag, number, total, gsk_e):
    """A fragment with another Fragment Number and Total Fragments, sealed
    again under the KEK (what any member could send)."""
    aad, iv, body = frag[:36], frag[36:44], frag[44:]
    pt = AESGCM(gsk_e[:32]).decrypt(gsk_e[32:] + iv, body, aad)
    aad = aad[:32] + struct.pack("!HH", number, total)
    return aad + iv + AESGCM(gsk_e[:32]).encrypt(gsk_e[32:] + iv, pt, aad)


def write_pcap(path, packets):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, ip in enumerate(packets):
            frame = b"\x01\x00\x5e\x00\x00\x01" + b"\x02" * 6 + \
                b"\x08\x00" + ip
            f.write(struct.pack("<IIII", 1000 + i, 0, len(frame), len(frame)))
            f.write(frame)


def log_lines(keys):
    """charon's ike = 4 lines for a key set (wire.py's format)."""
    out = []
    for name in ("Sk_d", "Sk_ai", "Sk_ar", "Sk_ei", "Sk_er", "Sk_pi",
                 "Sk_pr"):
        v = keys.get(name, b"")
        out.append("07[IKE] %s secret => %d bytes @ 0x55d0c0de" % (name,
                                                                   len(v)))
        for o in range(0, len(v), 16):
            hx = " ".join("%02X" % b for b in v[o:o + 16])
            out.append("07[IKE] %4d: %-47s  ................" % (o, hx))
    return out


# --- a whole run -------------------------------------------------------------

GCKS, GM = "10.99.0.1", "10.99.0.2"
GROUP_ADDR = bytes([239, 1, 2, 3])
REKEY_PORT = 848
ANY4, ALL4 = bytes(4), bytes([255] * 4)


def build_run(faults=()):
    """(list of IPv4 packets, log lines) of one RFC-correct run, with the
    named faults put in."""
    f = set(faults)
    spi_i, spi_r = bytes.fromhex("1111111111111111"), bytes.fromhex(
        "2222222222222222")
    keys = {"Sk_d": bytes(range(1, 33)), "Sk_ei": bytes(range(33, 69)),
            "Sk_er": bytes(range(69, 105)), "Sk_pi": bytes(32),
            "Sk_pr": bytes(32)}
    gskw_ike = crypt.gsk_w(5, keys["Sk_d"], 32)
    gcks_key = Ed25519PrivateKey.from_private_bytes(bytes(range(100, 132)))
    spki = gcks_key.public_key().public_bytes(Encoding.DER,
                                              PublicFormat.SubjectPublicKeyInfo)
    algid = bytes.fromhex("300506032b6570")
    packets, ident = [], [1]

    def send(src, dst, sport, dport, data, frag=None):
        packets.extend(ipv4(src, dst, udp(sport, dport, data), ident[0], frag))
        ident[0] += 1

    # IKE_SA_INIT with a Key Wrap Algorithm transform (RFC 9838 4.5.4)
    ike_trs = [(rfc.T_ENCR, 20, tv(14, 256)), (rfc.T_PRF, 5, b""),
               (rfc.T_KE, 31, b"")]
    if "no-ike-kwa" not in f:
        ike_trs.append((rfc.T_KWA, 3, b""))
    sa = proposal(rfc.PROTO_IKE, ike_trs)
    ke = struct.pack("!HH", 31, 0) + bytes(32)
    first, body = chain([(rfc.PL_SA, sa), (rfc.PL_KE, ke),
                         (rfc.PL_NONCE, bytes(32))])
    init = header(spi_i, bytes(8), first, rfc.IKE_SA_INIT, 0x08, 0,
                  28 + len(body)) + body
    send(GM, GCKS, 500, 500, init)
    resp = header(spi_i, spi_r, first, rfc.IKE_SA_INIT, 0x20, 0,
                  28 + len(body)) + body
    send(GCKS, GM, 500, 500, resp)

    # GSA_AUTH (2.3.1): IDi, AUTH, IDg, SAg, N(GROUP_SENDER)
    idg = struct.pack("!B3x", 11) + b"news"
    sender = notify(rfc.N_GROUP_SENDER, b"\0\0\0\x01" if "group-sender-2"
                    not in f else b"\0\x01")
    sag = proposal(rfc.PROTO_ESP, [(rfc.T_ENCR, 20, tv(14, 128)),
                                   (rfc.T_SN, 0, b"")])
    req = [(rfc.PL_IDI, struct.pack("!B3x", 2) + b"gm.test"),
           (rfc.PL_AUTH, bytes([2, 0, 0, 0]) + bytes(32)),
           (rfc.PL_IDG, idg), (rfc.PL_SA, sag), (rfc.PL_N, sender)]
    exch = rfc.IKE_AUTH if "ike-auth" in f else rfc.GSA_AUTH
    send(GM, GCKS, 4500, 4500, b"\0\0\0\0" + sk_message(
        spi_i, spi_r, exch, 0x08, 1, req, keys["Sk_ei"], bytes(8)))

    # the group: a KEK, one ESP TEK (AES-GCM-16-128, counter mode)
    kek_spi = bytes(range(0xa0, 0xb0))
    kek_km = bytes(range(0x10, 0x10 + 68))      # 32 + 4 + 0 + 32
    if "kek-keymat-short" in f:
        kek_km = kek_km[:60]
    tek_spi, tek_km = bytes.fromhex("0a0b0c0d"), bytes(range(20))
    kek_dst = ts4(17, REKEY_PORT, REKEY_PORT, GROUP_ADDR, GROUP_ADDR)
    kek_trs = [(rfc.T_ENCR, 20, tv(14, 256)), (rfc.T_KWA, 3, b"")]
    if "no-gcauth" not in f:
        kek_trs.append((rfc.T_GCAUTH, 2, tlv(18, algid)))
    life = tlv(1, struct.pack("!I", 300)) if "lifetime-tv" not in f else \
        tv(1, 300)
    kek = policy(rfc.PROTO_GIKE_UPDATE, kek_spi,
                 ts4(17, 0, 65535, ANY4, ALL4), kek_dst, kek_trs, life)
    tek_trs = [(rfc.T_ENCR, 20, tv(14, 128)), (rfc.T_SN, 0, b"")]
    tek = policy(rfc.PROTO_ESP, tek_spi, ts4(17, 0, 65535, bytes([10, 99, 0,
                                                                  2]),
                                             bytes([10, 99, 0, 2])),
                 ts4(17, 5000, 5000, GROUP_ADDR, GROUP_ADDR), tek_trs,
                 tlv(1, struct.pack("!I", 300)))
    gsa = kek + tek + gw(tv(3, 16))
    if "gsa-spi-size" in f:
        gsa = gsa[:1] + b"\x08" + gsa[2:]
    kek_sa_key = wrapped(0, 0, gskw_ike, kek_km)
    if "wrap-long" in f:
        kek_sa_key += bytes(8)
    kd = bag(rfc.PROTO_GIKE_UPDATE, kek_spi, tlv(1, kek_sa_key)) + \
        bag(rfc.PROTO_ESP, tek_spi, tlv(1, wrapped(0, 0, gskw_ike, tek_km)))
    member = tlv(2, spki)
    if "no-sender-id" not in f:
        member += tlv(3, struct.pack("!I", 0))
    kd += bag(0, b"", member)
    resp = [(rfc.PL_IDR, struct.pack("!B3x", 2) + b"gcks.test"),
            (rfc.PL_AUTH, bytes([2, 0, 0, 0]) + bytes(32)),
            (rfc.PL_GSA, gsa), (rfc.PL_KD, kd),
            (rfc.PL_N, notify(rfc.N_USE_TRANSPORT_MODE))]
    msg = sk_message(spi_i, spi_r, exch, 0x20, 1, resp, keys["Sk_er"],
                     bytes(8))
    if "payload-length" in f:
        # the KD's Payload Length one too long: patched in the plaintext
        # would break the ICV, so the message is rebuilt with a bad chain
        first, p = chain(resp)
        i = p.rfind(kd) - 4
        p = p[:i + 2] + struct.pack("!H", 4 + len(kd) + 1) + p[i + 4:]
        pt = p + b"\x00"
        sk_len = 4 + 8 + len(pt) + 16
        a = header(spi_i, spi_r, rfc.PL_SK, exch, 0x20, 1, 28 + sk_len) + \
            struct.pack("!BBH", first, 0, sk_len)
        msg = a + bytes(8) + AESGCM(keys["Sk_er"][:32]).encrypt(
            keys["Sk_er"][32:] + bytes(8), pt, a)
    send(GCKS, GM, 4500, 4500, b"\0\0\0\0" + msg)

    # the sender's ESP (RFC 4303, RFC 4106: key | salt from the SA_KEY,
    # nonce = salt | IV, AAD = SPI | Seq), transport mode: UDP inside
    esp_key = tek_km if "esp-wrong-key" not in f else bytes(20)
    for seq in (1, 2):
        inner_pkt = udp(40000, 5000, b"hello") + b"\x01\x02" + b"\x02" + (
            b"\x04" if "esp-tunnel" in f else b"\x11")
        aad = tek_spi + struct.pack("!I", seq)
        iv = struct.pack("!Q", seq)
        ct = AESGCM(esp_key[:16]).encrypt(esp_key[16:] + iv, inner_pkt, aad)
        tot = 20 + len(aad + iv + ct)
        packets.append(struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 999, 0,
                                   64, 50, 0, bytes([10, 99, 0, 2]),
                                   GROUP_ADDR) + aad + iv + ct)

    # GSA_REKEY 1 on the first rekey SA: new KEK and TEK, Message ID 0
    gsk_e, gsk_w = kek_km[:36], kek_km[36:68]
    kek2_spi, kek2_km = bytes(range(0xc0, 0xd0)), bytes(range(0x60, 0x60 + 68))
    kek2_trs = [(rfc.T_ENCR, 20, tv(14, 256)), (rfc.T_KWA, 3, b"")]
    if "gcauth-in-rekey" in f:
        kek2_trs.append((rfc.T_GCAUTH, 2, tlv(18, algid)))
    kek2 = policy(rfc.PROTO_GIKE_UPDATE, kek2_spi,
                  ts4(17, 0, 65535, ANY4, ALL4), kek_dst, kek2_trs,
                  tlv(1, struct.pack("!I", 300)))
    tek2_spi, tek2_km = bytes.fromhex("0a0b0c0e"), bytes(range(30, 50))
    tek2 = policy(rfc.PROTO_ESP, tek2_spi, ts4(17, 0, 65535, bytes([10, 99, 0,
                                                                    2]),
                                               bytes([10, 99, 0, 2])),
                  ts4(17, 5000, 5000, GROUP_ADDR, GROUP_ADDR), tek_trs,
                  tlv(1, struct.pack("!I", 300)))
    kd2 = bag(rfc.PROTO_GIKE_UPDATE, kek2_spi,
              tlv(1, wrapped(0, 0, gsk_w, kek2_km))) + \
        bag(rfc.PROTO_ESP, tek2_spi, tlv(1, wrapped(0, 0, gsk_w, tek2_km)))
    if "authkey-in-rekey" in f:
        kd2 += bag(0, b"", tlv(2, spki))
    inner = [(rfc.PL_GSA, kek2 + tek2), (rfc.PL_KD, kd2),
             (rfc.PL_D, struct.pack("!BBH", 3, 4, 1) + tek_spi)]
    m1 = rekey_message(kek_spi, 0 if "msgid-first" not in f else 3, inner,
                       gsk_e, b"\x01" * 8, gcks_key,
                       corrupt_sig="bad-signature" in f)
    send(GCKS, "239.1.2.3", REKEY_PORT, REKEY_PORT, m1, frag=200)
    # its retransmission: bitwise identical (2.4.1.3), or not
    if "retransmit-differs" in f:
        m1b = rekey_message(kek_spi, 0, inner, gsk_e, b"\x02" * 8, gcks_key)
    else:
        m1b = m1
    send(GCKS, "239.1.2.3", REKEY_PORT, REKEY_PORT, m1b)
    # GSA_REKEY 2 and 3 on the new rekey SA: Message ID 0, then 1
    gsk2_e, gsk2_w = kek2_km[:36], kek2_km[36:68]
    tek3_spi = bytes.fromhex("0a0b0c0f")
    tek3 = tek2.replace(tek2_spi, tek3_spi)
    kd3 = bag(rfc.PROTO_ESP, tek3_spi, tlv(1, wrapped(0, 0, gsk2_w, tek2_km)))
    for n in range(2):
        mid = n if "msgid-skip" not in f or n == 0 else 2
        m = rekey_message(kek2_spi, mid, [(rfc.PL_GSA, tek3),
                                          (rfc.PL_KD, kd3)],
                          gsk2_e, bytes([n + 5]) * 8, gcks_key)
        send(GCKS, "239.1.2.3", REKEY_PORT, REKEY_PORT, m)
    # GSA_REKEY 4, Message ID 2, in three IKE fragments (RFC 9838 2.4.1.2),
    # sent out of order, each twice (the retransmission repeats the same
    # datagrams)
    tek4_spi = bytes.fromhex("0a0b0c10")
    tek4 = tek2.replace(tek2_spi, tek4_spi)
    kd4 = bag(rfc.PROTO_ESP, tek4_spi, tlv(1, wrapped(0, 0, gsk2_w, tek2_km)))
    frags = rekey_fragments(kek2_spi, 3 if "msgid-skip" in f else 2,
                            [(rfc.PL_GSA, tek4), (rfc.PL_KD, kd4)],
                            gsk2_e, [bytes([0x10 + n]) * 8 for n in range(8)],
                            gcks_key, 80,
                            corrupt_sig="frag-bad-signature" in f,
                            reserved=1 if "frag-reserved" in f else 0)
    assert len(frags) == 3, len(frags)
    if "frag-number" in f:
        frags[1] = renumber(frags[1], 4, 3, gsk2_e)
    if "frag-total" in f:
        frags[1] = renumber(frags[1], 2, 4, gsk2_e)
    if "frag-icv" in f:
        frags[2] = frags[2][:-1] + bytes([frags[2][-1] ^ 1])
    for copy in range(2):
        for n in (1, 2, 0):
            send(GCKS, "239.1.2.3", REKEY_PORT, REKEY_PORT, frags[n])

    log = ["00[DMN] Starting IKE charon daemon"] + log_lines(keys)
    return packets, log


# every fault -> the check that must report it (and no other check id
# beyond the listed extras)
FAULTS = [
    ("ike-auth", "exch-registration", set()),
    ("no-ike-kwa", "kwa-not-negotiated", set()),
    ("group-sender-2", "n-group-sender-data", set()),
    ("no-gcauth", "tr-gcauth-missing", {"rekey-auth-missing"}),
    ("lifetime-tv", "attr-format", {"attr-value-length"}),
    ("gsa-spi-size", "gsa-spi-size", {"gsa-length", "kd-spi-unmatched",
                                      "gsa-no-keys", "ts-type",
                                      "table-required", "tr-mandatory",
                                      "tr-gcauth-missing",
                                      "rekey-unknown-sa", "truncated"}),
    ("kek-keymat-short", "sakey-size", {"rekey-icv", "rekey-unknown-sa"}),
    ("wrap-long", "kw-unwrap", {"rekey-unknown-sa", "attr-length"}),
    ("no-sender-id", "gm-sender-id-missing", set()),
    ("payload-length", "pl-length", {"pl-chain", "reg-gsa-kd", "kd-length",
                                     "esp-mode",
                                     "rekey-unknown-sa"}),
    ("gcauth-in-rekey", "tr-gcauth-in-rekey", set()),
    ("authkey-in-rekey", "authkey-unchanged", {"kd-member-bag-in-rekey"}),
    ("bad-signature", "rekey-auth-verify", set()),
    ("msgid-first", "rekey-msgid-first", {"rekey-retransmit-identical"}),
    ("retransmit-differs", "rekey-retransmit-identical", set()),
    ("msgid-skip", "rekey-msgid-increment", set()),
    ("esp-wrong-key", "esp-decrypt", set()),
    ("frag-bad-signature", "rekey-auth-verify", set()),
    ("frag-reserved", "rekey-auth-verify", {"pl-reserved"}),
    ("frag-number", "skf-number", set()),
    ("frag-total", "skf-total", set()),
    ("frag-icv", "rekey-icv", set()),
    ("esp-tunnel", "esp-mode", set()),
]


def run_capture(packets, log, tmp, name, decode=False):
    pcap = os.path.join(tmp, name + ".pcap")
    logf = os.path.join(tmp, name + ".log")
    write_pcap(pcap, packets)
    open(logf, "w").write("\n".join(log) + "\n")
    p = subprocess.run([sys.executable, os.path.join(here, "gikev2.py"),
                        "--node", "gcks=%s" % GCKS, "--node", "gm=%s" % GM,
                        "--log", "gm=" + logf, pcap] +
                       (["--decode"] if decode else []),
                       capture_output=True, text=True)
    ids = set(re.findall(r"^MISMATCH (\S+)", p.stdout, re.M))
    return p.returncode, ids, p.stdout


def test_vector():
    path = os.path.join(top, "src/libcharon/plugins/mike/tests/"
                        "mike_rekey_tests.c")
    try:
        text = open(path).read()
    except OSError:
        ok("the GSA_REKEY unit test vector is readable", False, path)
        return

    def vec(name):
        m = re.search(r"\b%s\s*=\s*((?:\s*\"[0-9a-fA-F]*\")+)\s*;" % name,
                      text)
        return bytes.fromhex("".join(re.findall(r"\"([0-9a-fA-F]*)\"",
                                                m.group(1))))
    msg, signed, pk = vec("vec_msg"), vec("vec_signed"), vec("ed25519_pk")
    c = gikev2.Checker([], {}, [], [], [], False)
    spi = msg[:16]
    pol = gikev2.P.Policy(rfc.PROTO_GIKE_UPDATE)
    pol.transforms = [gikev2.P.Transform(rfc.T_ENCR, 20, [
        gikev2.P.Attr(14, True, (256).to_bytes(2, "big"))]),
        gikev2.P.Transform(rfc.T_KWA, 3, [])]
    gsk_e = bytes(range(0x40, 0x64))
    r = gikev2.RekeySA(spi, "vector", pol, gsk_e + bytes(32), 0, "rekey")
    r.last = 4
    c.rekeysas[spi] = r
    g = c.group("vector")
    g.gcauth, g.sigalg = rfc.GCAUTH_SIGNATURE, bytes.fromhex("300506032b6570")
    g.pub = crypt.load_spki(bytes.fromhex("302a300506032b6570032100") + pk)
    c.rekey_ports.add(848)
    signed_seen = []
    orig = crypt.verify

    def spy(pub, algid, sig, data):
        signed_seen.append(data)
        return orig(pub, algid, sig, data)
    crypt.verify = spy
    try:
        c.datagram(wire.Datagram(1, 0, "10.0.0.1", "239.1.2.3", 848, 848,
                                 msg))
    finally:
        crypt.verify = orig
    ids = {f.id for f in c.findings}
    ok("the unit test vector decrypts under its GSK_e", "rekey-icv" not in ids
       and "rekey-unknown-sa" not in ids, repr(ids))
    ok("the checker rebuilds the vector's A | P (vec_signed)",
       signed_seen == [signed],
       signed_seen[0].hex() if signed_seen else "no signature checked")
    ok("the vector's AUTH verifies with RFC 8032's key",
       "rekey-auth-verify" not in ids and signed_seen, repr(ids))
    ok("the vector's Message ID 5 follows 4", "rekey-msgid-increment"
       not in ids, repr(ids))
    # the vector's GSA and KD bodies are placeholders, which the checker
    # must see through
    ok("the vector's placeholder GSA/KD bodies are reported",
       bool(ids & {"gsa-length", "attr-length", "kd-length", "gsa-empty",
                   "rekey-gsa-kd", "gsa-protocol", "kd-protocol"}),
       repr(ids))
    # negative: one bit of the ICV flipped
    c2 = gikev2.Checker([], {}, [], [], [], False)
    c2.rekeysas[spi] = gikev2.RekeySA(spi, "vector", pol, gsk_e + bytes(32),
                                      0, "rekey")
    c2.rekey_ports.add(848)
    bad = msg[:-1] + bytes([msg[-1] ^ 1])
    c2.datagram(wire.Datagram(1, 0, "10.0.0.1", "239.1.2.3", 848, 848, bad))
    ok("a flipped ICV bit is reported (rekey-icv)",
       "rekey-icv" in {f.id for f in c2.findings})


def test_units():
    # RFC 5649 section 6 vectors (KEK 5840df6e29b02af1 ab493b705bf16ea1 ae8338f4dcc176a8)
    kek = bytes.fromhex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8")
    ok("RFC 5649 vector 1 unwraps",
       crypt.unwrap(kek, bytes.fromhex(
           "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a"))
       == bytes.fromhex("c37b7e6492584340bed12207808941155068f738"))
    ok("RFC 5649 vector 2 unwraps",
       crypt.unwrap(kek, bytes.fromhex("afbeb0f07dfbf5419200f2ccb50bb24f"))
       == bytes.fromhex("466f7250617369"))
    ok("RFC 5649 output lengths", [crypt.wrapped_length(n) for n in
                                   (1, 8, 9, 20, 68)] == [16, 16, 24, 32, 80])
    # RFC 7296 2.13 prf+ with HMAC-SHA256: T1 = prf(K, S | 0x01)
    import hmac as _h
    k, s = b"k" * 32, b"seed"
    t1 = _h.new(k, s + b"\x01", "sha256").digest()
    t2 = _h.new(k, t1 + s + b"\x02", "sha256").digest()
    ok("prf+ is T1 | T2 | ...", crypt.prf_plus(5, k, s, 40) == (t1 + t2)[:40])
    # the log reader: two interleaved threads
    lines = log_lines({"Sk_d": b"\x01" * 20, "Sk_ei": b"\x02" * 36,
                       "Sk_er": b"\x03" * 36})
    other = [line.replace("07[IKE]", "09[IKE]").replace("\\x01", "")
             for line in lines]
    mixed = []
    for a, b in zip(lines, other):
        mixed += [a, b]
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as t:
        t.write("\n".join(mixed) + "\n")
    sets, _ = wire.read_charon_log("n", t.name)
    os.unlink(t.name)
    ok("two interleaved key sets are read apart", len(sets) == 2 and all(
        s.keys["Sk_ei"] == b"\x02" * 36 and s.keys["Sk_d"] == b"\x01" * 20
        for s in sets), repr([s.keys for s in sets]))
    # RFC 7427 AUTH with RSASSA-PSS (RFC 4055 params: SHA-256, MGF1 SHA-256,
    # salt 32), as charon signs with rsa/pss
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.asymmetric import rsa as _rsa
    key = _rsa.generate_private_key(65537, 2048)
    sig = key.sign(b"A|P", padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                       salt_length=32), hashes.SHA256())

    def der(t, v):
        return bytes([t, len(v)]) + v
    sha256 = der(0x30, der(0x06, bytes.fromhex("608648016503040201")) +
                 b"\x05\x00")
    mgf1 = der(0x30, der(0x06, bytes.fromhex("2a864886f70d010108")) + sha256)
    algid = der(0x30, der(0x06, bytes.fromhex("2a864886f70d01010a")) +
                der(0x30, der(0xa0, sha256) + der(0xa1, mgf1) +
                    der(0xa2, der(0x02, b"\x20"))))
    ok("an RSASSA-PSS signature verifies, a changed message does not",
       crypt.verify(key.public_key(), algid, sig, b"A|P") is True and
       crypt.verify(key.public_key(), algid, sig, b"A|Q") is False)


def main():
    test_units()
    test_vector()
    with tempfile.TemporaryDirectory() as tmp:
        packets, log = build_run()
        rc, ids, out = run_capture(packets, log, tmp, "clean", decode=True)
        ok("an RFC-correct run has no mismatch", rc == 0 and not ids, out)
        m = re.search(r"SUMMARY: (\d+) messages", out)
        ok("... and all its 14 messages are counted (the IP-fragmented one "
           "reassembled, the retransmissions too, each IKE fragment)",
           m is not None and m.group(1) == "14", out)
        ok("... the IKE-fragmented GSA_REKEY is reassembled and its AUTH "
           "verified", "reassembled from 3 fragments" in out and
           out.count("AUTH verifies") >= 4, out)
        for fault, want, extra in FAULTS:
            packets, log = build_run([fault])
            rc, ids, out = run_capture(packets, log, tmp, fault)
            ok("fault %s is reported as %s" % (fault, want),
               rc == 1 and want in ids and not ids - {want} - extra,
               "got %s\n%s" % (sorted(ids), out))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
