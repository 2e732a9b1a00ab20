#!/usr/bin/env python3
#
# Copyright (C) 2026 The mike developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# hybrid_vector.py: the hybrid scheme's test frames of
# src/libsam/tests/test_hybrid.c, computed independently of the code under
# test, from docs/sam-hybrid.md (authenticator, one-time signature, tree,
# certificate) and docs/sam-frame-format.md (header): LM-OTS and the LMS
# tree of RFC 8554 with SHA-256 truncated to n = 16 bytes and w = 4, a
# batch of 2^5 keys, its root certified with Ed25519.  No libsam code is
# used: hashlib for SHA-256, python3-cryptography for Ed25519.
#
# Before using them, the script checks its LM-OTS and tree code at n = 32
# against RFC 8554 Appendix F test case 2 (the level-2 key: its root from
# SEED and I, and the signature's public key candidate); and that the
# Ed25519 key is RFC 8032 7.1 TEST 1's.  Ed25519 is deterministic and the
# batch comes from fixed inputs, so the frames are fixed.
#
#   python3 hybrid_vector.py            print the C definitions
#   python3 hybrid_vector.py --check F  compare with the strings in F
#                                       (test_hybrid.c), exit 1 on a
#                                       difference
#
# Needs python3-cryptography (apt-get install python3-cryptography).

import hashlib
import re
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey, Ed25519PublicKey)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

# --- inputs ------------------------------------------------------------------

SESSION = 0x01020304
SOURCE = 0x0a0b0c0d
PAYLOAD = b"hello, multicast"
BATCH_ID = bytes.fromhex("0011223344556677")
I = bytes(range(0xa0, 0xb0))
SEED = bytes(range(0x40, 0x60))
SEQS = (1, 2)

# RFC 8032 7.1 TEST 1
ED25519_SK = bytes.fromhex(
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
ED25519_PK = bytes.fromhex(
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")

# --- docs/sam-hybrid.md --------------------------------------------------------

D_PBLC, D_MESG, D_LEAF, D_INTR = 0x8080, 0x8181, 0x8282, 0x8383
I_RANDOMIZER = 0xfffd
PARAMS = 0x00000001
LABEL = b"libsam hybrid batch v1\x00"
SCHEME = 4
H_TREE = 5


class Ots:
    """LM-OTS of RFC 8554 section 4 with n and w as parameters"""

    def __init__(self, n, w):
        self.n, self.w = n, w
        u = (8 * n + w - 1) // w
        v = ((((1 << w) - 1) * u).bit_length() + w - 1) // w
        self.u, self.p, self.ls = u, u + v, 16 - v * w

    def H(self, data):
        return hashlib.sha256(data).digest()[:self.n]

    def coef(self, S, i):
        w = self.w
        return (S[i * w // 8] >> (8 - (w * (i % (8 // w)) + w))) & ((1 << w) - 1)

    def digits(self, I, q, C, msg):
        Q = self.H(I + struct.pack(">IH", q, D_MESG) + C + msg)
        cksm = sum((1 << self.w) - 1 - self.coef(Q, i) for i in range(self.u))
        Qc = Q + struct.pack(">H", (cksm << self.ls) & 0xffff)
        return [self.coef(Qc, i) for i in range(self.p)]

    def chain(self, I, q, i, start, stop, tmp):
        for j in range(start, stop):
            tmp = self.H(I + struct.pack(">IHB", q, i, j) + tmp)
        return tmp

    def private(self, I, q, i, seed):
        return self.H(I + struct.pack(">IHB", q, i, 0xff) + seed)

    def public(self, I, q, seed):
        top = (1 << self.w) - 1
        z = b"".join(self.chain(I, q, i, 0, top, self.private(I, q, i, seed))
                     for i in range(self.p))
        return self.H(I + struct.pack(">IH", q, D_PBLC) + z)

    def sign(self, I, q, seed, C, msg):
        a = self.digits(I, q, C, msg)
        return C + b"".join(self.chain(I, q, i, 0, a[i],
                                       self.private(I, q, i, seed))
                            for i in range(self.p))

    def candidate(self, I, q, sig, msg):
        n, top = self.n, (1 << self.w) - 1
        C = sig[:n]
        a = self.digits(I, q, C, msg)
        z = b"".join(self.chain(I, q, i, a[i], top,
                                sig[n * (1 + i):n * (2 + i)])
                     for i in range(self.p))
        return self.H(I + struct.pack(">IH", q, D_PBLC) + z)


def tree(ots, h, I, K):
    """all nodes T[1 .. 2^(h+1) - 1] of RFC 8554 5.3"""
    T = {}
    for q, k in enumerate(K):
        r = (1 << h) + q
        T[r] = ots.H(I + struct.pack(">IH", r, D_LEAF) + k)
    for r in range((1 << h) - 1, 0, -1):
        T[r] = ots.H(I + struct.pack(">IH", r, D_INTR) + T[2 * r] + T[2 * r + 1])
    return T


def path(h, T, q):
    r = (1 << h) + q
    return b"".join(T[(r >> k) ^ 1] for k in range(h))


def root_from_path(ots, h, I, q, K, p):
    n = ots.n
    r = (1 << h) + q
    t = ots.H(I + struct.pack(">IH", r, D_LEAF) + K)
    for k in range(h):
        s = p[k * n:(k + 1) * n]
        t = ots.H(I + struct.pack(">IH", r // 2, D_INTR) +
                  (s + t if r & 1 else t + s))
        r //= 2
    return t


# --- RFC 8554 Appendix F test case 2, level 2 (LMS_SHA256_M32_H5, W8) ----------

TC2_I = bytes.fromhex("215f83b7ccb9acbcd08db97b0d04dc2b")
TC2_SEED = bytes.fromhex(
    "a1c4696e2608035a886100d05cd99945eb3370731884a8235e2fb3d4d71f2547")
TC2_ROOT = bytes.fromhex(
    "a1cd035833e0e90059603f26e07ad2aad152338e7a5e5984bcd5f7bb4eba40b7")


def check_rfc8554():
    ots = Ots(32, 8)
    assert (ots.p, ots.ls) == (34, 0)
    assert (Ots(32, 4).p, Ots(32, 4).ls) == (67, 4)
    K = [ots.public(TC2_I, q, TC2_SEED) for q in range(32)]
    T = tree(ots, 5, TC2_I, K)
    assert T[1] == TC2_ROOT, "RFC 8554 test case 2: root"
    # a signature of our own verifies to that root
    C = bytes(32)
    sig = ots.sign(TC2_I, 4, TC2_SEED, C, b"abc")
    assert root_from_path(ots, 5, TC2_I, 4,
                          ots.candidate(TC2_I, 4, sig, b"abc"),
                          path(5, T, 4)) == TC2_ROOT


# --- the frames ----------------------------------------------------------------

def key():
    sk = Ed25519PrivateKey.from_private_bytes(ED25519_SK)
    pk = sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert pk == ED25519_PK, "not the RFC 8032 test key"
    return sk


def cert_bytes(session, source, batch_id, I, root):
    return (LABEL + struct.pack(">III", session, source, PARAMS) +
            batch_id + I + root)


def frames(sk):
    ots = Ots(16, 4)
    assert (ots.p, ots.ls) == (35, 4)
    K = [ots.public(I, q, SEED) for q in range(1 << H_TREE)]
    T = tree(ots, H_TREE, I, K)
    cert = sk.sign(cert_bytes(SESSION, SOURCE, BATCH_ID, I, T[1]))
    auth_len = 8 + 16 + 4 + ots.n * (1 + ots.p) + ots.n * H_TREE + 64
    assert auth_len == 748
    out = []
    for q, seq in enumerate(SEQS):
        data = (struct.pack(">BBHIIQHH", 1, SCHEME, 0, SESSION, SOURCE, seq,
                            len(PAYLOAD), auth_len) + PAYLOAD)
        C = ots.private(I, q, I_RANDOMIZER, SEED)
        auth = (BATCH_ID + I + struct.pack(">I", q) +
                ots.sign(I, q, SEED, C, data) + path(H_TREE, T, q) + cert)
        assert len(auth) == auth_len
        out.append(data + auth)
    return out, T[1]


def verify(frame):
    """the receiver's checks of docs/sam-hybrid.md, with a verifier of our own"""
    ots = Ots(16, 4)
    plen, alen = struct.unpack(">HH", frame[20:24])
    data, auth = frame[:24 + plen], frame[24 + plen:]
    assert alen == len(auth) == 748
    session, source = struct.unpack(">II", frame[4:12])
    batch_id, I_, q = auth[:8], auth[8:24], struct.unpack(">I", auth[24:28])[0]
    assert q < 32
    Kc = ots.candidate(I_, q, auth[28:604], data)
    root = root_from_path(ots, H_TREE, I_, q, Kc, auth[604:684])
    Ed25519PublicKey.from_public_bytes(ED25519_PK).verify(
        auth[684:748], cert_bytes(session, source, batch_id, I_, root))


def c_string(name, data):
    h = data.hex()
    lines = [h[i:i + 64] for i in range(0, len(h), 64)]
    return ("static const char *%s =\n" % name +
            "\n".join('\t"%s"' % l for l in lines) + ";\n")


def main():
    check_rfc8554()
    sk = key()
    (f1, f2), root = frames(sk)
    for f in (f1, f2):
        verify(f)
    vectors = {"vec_hybrid_root": root, "vec_hybrid_frame1": f1,
               "vec_hybrid_frame2": f2}

    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        text = open(sys.argv[2]).read()
        failed = False
        for name, data in vectors.items():
            m = re.search(r"\b%s\s*=\s*((?:\s*\"[0-9a-fA-F]*\")+)\s*;" % name,
                          text)
            if not m:
                print("%s: not found" % name)
                failed = True
                continue
            got = "".join(re.findall(r"\"([0-9a-fA-F]*)\"", m.group(1)))
            if got.lower() != data.hex():
                print("%s: differs\n  file:     %s\n  expected: %s" %
                      (name, got, data.hex()))
                failed = True
            else:
                print("%s: ok (%d bytes)" % (name, len(data)))
        sys.exit(1 if failed else 0)
    elif len(sys.argv) != 1:
        print("usage: %s [--check FILE]" % sys.argv[0])
        sys.exit(2)

    for name, data in vectors.items():
        print(c_string(name, data))


if __name__ == "__main__":
    main()
