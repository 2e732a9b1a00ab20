#!/usr/bin/env python3
#
# Copyright (C) 2026 The mike developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# check_vectors.py: checks libsam's test vectors (test_common.h, the files
# in vectors/, docs/sam-frame-format.md) against an implementation of the
# frame format written here from docs/sam-frame-format.md, with
# python3-cryptography for HMAC-SHA-256, Ed25519 and ECDSA P-256; no libsam
# code.  make_vectors (libsam itself) wrote the vectors, so without this
# check they would only compare libsam with libsam.
#
#   python3 src/libsam/tests/check_vectors.py [SRCDIR/src/libsam/tests]
#
# make check runs it through check_vectors.sh (skipped without
# python3-cryptography).
#
# Prints one line per vector and exits 1 on a difference.  HMAC and
# Ed25519 frames are recomputed byte for byte; the randomized ECDSA frame
# is verified with the public key; the keys are checked against their
# definitions (RFC 8032 7.1 TEST 1 seed, d = SHA-256("libsam ecdsa-p256
# test key"), the group secret 00..1f).  The encrypted frames (flag
# 0x0001) are recomputed with AES-256-GCM under the data key 40..5f, id 7
# (vectors/data-key), and decrypted back.  The tree block (TV_TREE_0..2,
# vectors/tree-*.bin, docs/sam-tree.md) is rebuilt from docs/sam-tree.md:
# RFC 6962 leaves and nodes, audit paths, the Ed25519 root signature; and
# every frame's path is walked back to the signed root.  Needs
# python3-cryptography.

import base64
import hashlib
import hmac
import os
import re
import struct
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import \
    encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SESSION = 0x01020304
SOURCE = 0x0a0b0c0d
PAYLOAD = b"hello, multicast"
LARGE_SEQ = 0x0123456789abcdef
BOOTSTRAP_LABEL = b"SAM bootstrap v1"
BOOTSTRAP_ISSUED = 1700000000000
BOOTSTRAP_BODY = b"TESLA commitment"

SCHEME_HMAC, SCHEME_ED25519, SCHEME_ECDSA = 1, 2, 3
SCHEME_TESLA = 7
AUTH_LEN = {SCHEME_HMAC: 32, SCHEME_ED25519: 64, SCHEME_ECDSA: 64}

GROUP_SECRET = bytes(range(32))
ED25519_SEED = bytes.fromhex(
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
ED25519_PK = bytes.fromhex(
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
DATA_KEY_ID = 7
DATA_KEY = bytes(range(0x40, 0x60))
FLAG_ENCRYPTED = 0x0001
SEAL_OVERHEAD = 20  # key id (4) and GCM tag (16)
ECDSA_D = int.from_bytes(hashlib.sha256(b"libsam ecdsa-p256 test key")
                         .digest(), "big")

failed = False


def result(ok, what):
    global failed
    print("%s: %s" % ("ok" if ok else "FAILED", what))
    failed |= not ok


def header(scheme, seq, flags=0, plen=len(PAYLOAD)):
    """version 1, scheme, flags, session, source, seq, lengths"""
    return struct.pack("!BBHIIQHH", 1, scheme, flags, SESSION, SOURCE, seq,
                       plen, AUTH_LEN[scheme])


def sealed_payload(hdr):
    """the encrypted payload field: Key ID || ciphertext || tag, nonce
    Source ID || Sequence Number (header bytes 8..20), AAD the header's
    first 20 bytes and the Key ID"""
    key_id = struct.pack("!I", DATA_KEY_ID)
    return key_id + AESGCM(DATA_KEY).encrypt(hdr[8:20], PAYLOAD,
                                             hdr[:20] + key_id)


def frame(scheme, seq, ed_key=None, encrypted=False):
    if encrypted:
        hdr = header(scheme, seq, FLAG_ENCRYPTED,
                     len(PAYLOAD) + SEAL_OVERHEAD)
        data = hdr + sealed_payload(hdr)
    else:
        data = header(scheme, seq) + PAYLOAD
    if scheme == SCHEME_HMAC:
        return data + hmac.new(GROUP_SECRET, data, hashlib.sha256).digest()
    return data + ed_key.sign(data)


def verify_ecdsa(pub, data):
    """the frame's r | s (P1363) over bytes [0, 24 + Payload Length)"""
    signed, auth = data[:24 + len(PAYLOAD)], data[24 + len(PAYLOAD):]
    if len(auth) != 64:
        return False
    sig = encode_dss_signature(int.from_bytes(auth[:32], "big"),
                               int.from_bytes(auth[32:], "big"))
    try:
        pub.verify(sig, signed, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


TREE_LABEL = b"SAM tree v1"
SCHEME_TREE = 6


def mth(leaves):
    """RFC 6962 Merkle Tree Hash over leaf hashes; with the audit paths of
    every leaf, the deepest sibling first"""
    if len(leaves) == 1:
        return leaves[0], [[]]
    k = 1
    while k << 1 < len(leaves):
        k <<= 1
    left, lpaths = mth(leaves[:k])
    right, rpaths = mth(leaves[k:])
    return (hashlib.sha256(b"\x01" + left + right).digest(),
            [p + [right] for p in lpaths] + [p + [left] for p in rpaths])


def tree_block(ed, first_seq, payloads):
    """the frames of one tree block, built from docs/sam-tree.md"""
    k = len(payloads)
    signed = []
    for i, p in enumerate(payloads):
        plen = len(mth([b"\0" * 32] * k)[1][i]) * 32 + 74
        signed.append(struct.pack("!BBHIIQHH", 1, SCHEME_TREE, 0, SESSION,
                                  SOURCE, first_seq + i, len(p), plen) + p)
    leaves = [hashlib.sha256(b"\x00" + d).digest() for d in signed]
    root, paths = mth(leaves)
    sig = ed.sign(TREE_LABEL + struct.pack("!IIQH", SESSION, SOURCE,
                                           first_seq, k) + root)
    return [d + struct.pack("!BBQ", k - 1, i, first_seq) + sig +
            b"".join(paths[i]) for i, d in enumerate(signed)], root


def tree_root_of(frame):
    """walk a tree frame's audit path up (RFC 9162 2.1.3.2)"""
    plen, alen = struct.unpack("!HH", frame[20:24])
    data, auth = frame[:24 + plen], frame[24 + plen:]
    k, i = auth[0] + 1, auth[1]
    fn, sn = i, k - 1
    r = hashlib.sha256(b"\x00" + data).digest()
    for j in range(74, alen, 32):
        p = auth[j:j + 32]
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None
def tesla_prf(key, label):
    """F and F' of docs/sam-tesla.md: HMAC-SHA-256 truncated to 16 bytes"""
    return hmac.new(key, label, hashlib.sha256).digest()[:16]


def check_tesla(here, tv, ed):
    """the tesla vector (tesla_vector.h, docs/sam-tesla.md): the chain
    from K_N = a0..af, the bootstrap body and envelope, the frames"""
    tv.update(c_defines(open(os.path.join(here, "tesla_vector.h")).read()))
    n, t0, interval, delay = 8, 1700000000000, 100, 2
    chain = [b""] * (n + 1)
    chain[n] = bytes(range(0xa0, 0xb0))
    for i in range(n, 0, -1):
        chain[i - 1] = tesla_prf(chain[i], b"F")
    # version 2, key length, d, T_int, one chain: generation 0, T0, N, K_0
    body = (struct.pack("!BBHIB", 2, 16, delay, interval, 1) +
            struct.pack("!BQI", 0, t0, n) + chain[0])
    result(tv["TV_TESLA_BODY"] == body.hex(), "TV_TESLA_BODY: K_0 = F^8(K_8)"
           " and the schedule")
    unsigned = struct.pack("!BBHIIQH", 1, SCHEME_TESLA, 0, SESSION, SOURCE,
                           t0, len(body)) + body
    boot = unsigned + ed.sign(BOOTSTRAP_LABEL + unsigned)
    result(tv["TV_TESLA_BOOTSTRAP"] == boot.hex(),
           "TV_TESLA_BOOTSTRAP recomputed byte for byte")
    vec = os.path.join(here, "vectors")
    result(open(os.path.join(vec, "bootstrap-tesla.bin"), "rb").read() ==
           boot, "vectors/bootstrap-tesla.bin")
    for seq, (name, at) in enumerate((("TV_TESLA_FRAME1", 0),
                                      ("TV_TESLA_FRAME3", 250),
                                      ("TV_TESLA_FRAME5", 450)), 1):
        i = at // interval + 1
        j = i - delay if i > delay else 0
        data = struct.pack("!BBHIIQHH", 1, SCHEME_TESLA, 0, SESSION, SOURCE,
                           seq, len(PAYLOAD), 36) + PAYLOAD
        # AES-128-GMAC under K'_i: GCM over no plaintext, the frame as
        # additional data, nonce = source id || sequence number
        mac = AESGCM(tesla_prf(chain[i], b"F'")).encrypt(data[8:20], b"",
                                                         data)
        expected = data + struct.pack("!I", i) + chain[j] + mac
        result(tv[name] == expected.hex(), "%s recomputed byte for byte%s" %
               (name, "" if tv[name] == expected.hex() else
                "\n  file:     %s\n  expected: %s" % (tv[name],
                                                      expected.hex())))
        result(open(os.path.join(vec, "tesla-%d.bin" % i), "rb").read() ==
               expected, "vectors/tesla-%d.bin" % i)
    tdoc = os.path.join(here, "..", "..", "..", "docs", "sam-tesla.md")
    if os.path.exists(tdoc):
        blocks = ["".join(b.split()) for b in
                  re.findall(r"```\n([0-9a-f\n ]+)```", open(tdoc).read())]
        for name in ("TV_TESLA_BODY", "TV_TESLA_BOOTSTRAP", "TV_TESLA_FRAME1",
                     "TV_TESLA_FRAME3", "TV_TESLA_FRAME5"):
            result(tv[name] in blocks, "docs/sam-tesla.md has %s" % name)
    return boot


def check_bootstrap_frame(here, tv, boot):
    """the bootstrap frame vector (bootstrap_frame_vector.h,
    docs/sam-bootstrap.md "In-band"): the tesla envelope as the payload of
    a frame with flag BOOTSTRAP, sequence number 1, no authenticator"""
    tv.update(c_defines(open(os.path.join(here,
                                          "bootstrap_frame_vector.h")).read()))
    frame = struct.pack("!BBHIIQHH", 1, SCHEME_TESLA, 0x0002, SESSION, SOURCE,
                        1, len(boot), 0) + boot
    result(tv["TV_TESLA_BOOTSTRAP_FRAME"] == frame.hex(),
           "TV_TESLA_BOOTSTRAP_FRAME recomputed byte for byte%s" % ("" if
           tv["TV_TESLA_BOOTSTRAP_FRAME"] == frame.hex() else
           "\n  file:     %s\n  expected: %s" %
           (tv["TV_TESLA_BOOTSTRAP_FRAME"], frame.hex())))
    bdoc = os.path.join(here, "..", "..", "..", "docs", "sam-bootstrap.md")
    if os.path.exists(bdoc):
        blocks = ["".join(b.split()) for b in
                  re.findall(r"```\n([0-9a-f\n ]+)```", open(bdoc).read())]
        result(frame.hex() in blocks,
               "docs/sam-bootstrap.md has TV_TESLA_BOOTSTRAP_FRAME")


def c_defines(text):
    """TV_* string macros of test_common.h, concatenated"""
    out = {}
    for m in re.finditer(r"#define (TV_\w+) \\\n((?:\t\".*\"(?: \\)?\n)+)",
                         text):
        out[m.group(1)] = "".join(re.findall(r"\"(.*?)\"", m.group(2))) \
            .replace("\\n", "\n")
    return out


def main():
    here = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.dirname(os.path.abspath(__file__))
    vec = os.path.join(here, "vectors")
    tv = c_defines(open(os.path.join(here, "test_common.h")).read())

    # the keys are what they say they are
    ed = ed25519.Ed25519PrivateKey.from_private_bytes(ED25519_SEED)
    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    result(ed.public_key().public_bytes(*raw) == ED25519_PK,
           "RFC 8032 TEST 1 public key")
    pem = serialization.Encoding.PEM
    pkcs8 = (pem, serialization.PrivateFormat.PKCS8,
             serialization.NoEncryption())
    spki = (pem, serialization.PublicFormat.SubjectPublicKeyInfo)
    result(ed.private_bytes(*pkcs8).decode() == tv["TV_ED25519_KEY"],
           "TV_ED25519_KEY is the RFC 8032 TEST 1 seed")
    result(ed.public_key().public_bytes(*spki).decode() ==
           tv["TV_ED25519_PUB"], "TV_ED25519_PUB")
    ecd = ec.derive_private_key(ECDSA_D, ec.SECP256R1())
    loaded = serialization.load_pem_private_key(
        tv["TV_ECDSA_KEY"].encode(), None)
    result(isinstance(loaded, ec.EllipticCurvePrivateKey) and
           loaded.private_numbers().private_value == ECDSA_D,
           "TV_ECDSA_KEY has d = SHA-256(\"libsam ecdsa-p256 test key\")")
    ecpub = ecd.public_key()
    result(ecpub.public_bytes(*spki).decode() == tv["TV_ECDSA_PUB"],
           "TV_ECDSA_PUB")
    m = re.search(r"-----BEGIN SAM GROUP KEY-----\n(.*)\n-----END",
                  tv["TV_GROUP_KEY"])
    result(m is not None and base64.b64decode(m.group(1)) == GROUP_SECRET,
           "TV_GROUP_KEY is 00..1f")
    for name, define in (("ed25519.key", "TV_ED25519_KEY"),
                         ("ed25519.pub", "TV_ED25519_PUB"),
                         ("ecdsa-p256.key", "TV_ECDSA_KEY"),
                         ("ecdsa-p256.pub", "TV_ECDSA_PUB"),
                         ("group.key", "TV_GROUP_KEY")):
        result(open(os.path.join(vec, name)).read() == tv[define],
               "vectors/%s is %s" % (name, define))

    # the frames
    frames = (
        ("TV_HMAC_SEQ1", "hmac-sha256.bin", SCHEME_HMAC, 1),
        ("TV_HMAC_LARGE", "hmac-sha256-large-seq.bin", SCHEME_HMAC,
         LARGE_SEQ),
        ("TV_ED25519_SEQ1", "ed25519.bin", SCHEME_ED25519, 1),
        ("TV_ED25519_LARGE", "ed25519-large-seq.bin", SCHEME_ED25519,
         LARGE_SEQ),
    )
    frames += (
        ("TV_HMAC_ENC", "hmac-sha256-encrypted.bin", SCHEME_HMAC, 1, True),
        ("TV_ED25519_ENC", "ed25519-encrypted.bin", SCHEME_ED25519, 1,
         True),
    )
    for define, name, scheme, seq, *enc in frames:
        expected = frame(scheme, seq, ed, bool(enc))
        result(tv[define] == expected.hex(),
               "%s recomputed byte for byte%s" % (define, "" if
               tv[define] == expected.hex() else
               "\n  file:     %s\n  expected: %s" % (tv[define],
                                                     expected.hex())))
        result(open(os.path.join(vec, name), "rb").read() == expected,
               "vectors/%s" % name)
    # the encrypted frames decrypt back, and the data key is the file's
    for define in ("TV_HMAC_ENC", "TV_ED25519_ENC"):
        data = bytes.fromhex(tv[define])
        plen = struct.unpack("!H", data[20:22])[0]
        field = data[24:24 + plen]
        try:
            plain = AESGCM(DATA_KEY).decrypt(data[8:20], field[4:],
                                             data[:20] + field[:4])
        except Exception:
            plain = None
        result(struct.unpack("!H", data[2:4])[0] == FLAG_ENCRYPTED and
               plen == len(PAYLOAD) + SEAL_OVERHEAD and
               field[:4] == struct.pack("!I", DATA_KEY_ID) and
               plain == PAYLOAD and PAYLOAD not in data,
               "%s decrypts to the payload, which it does not show" % define)
    result(tv["TV_DATA_KEY"] == DATA_KEY.hex(), "TV_DATA_KEY is 40..5f")
    result(open(os.path.join(vec, "data-key")).read() ==
           "%d %s\n" % (DATA_KEY_ID, DATA_KEY.hex()), "vectors/data-key")
    data = bytes.fromhex(tv["TV_ECDSA_SEQ1"])
    result(data[:24 + len(PAYLOAD)] == header(SCHEME_ECDSA, 1) + PAYLOAD and
           verify_ecdsa(ecpub, data),
           "TV_ECDSA_SEQ1: header, payload, signature with TV_ECDSA_PUB")
    bad = bytearray(data)
    bad[30] ^= 1
    result(not verify_ecdsa(ecpub, bytes(bad)),
           "TV_ECDSA_SEQ1 with a changed payload byte does not verify")
    result(open(os.path.join(vec, "ecdsa-p256.bin"), "rb").read() == data,
           "vectors/ecdsa-p256.bin")

    # the bootstrap envelope, docs/sam-bootstrap.md
    boot_unsigned = struct.pack("!BBHIIQH", 1, SCHEME_ED25519, 0, SESSION,
                                SOURCE, BOOTSTRAP_ISSUED,
                                len(BOOTSTRAP_BODY)) + BOOTSTRAP_BODY
    boot = boot_unsigned + ed.sign(BOOTSTRAP_LABEL + boot_unsigned)
    result(len(BOOTSTRAP_LABEL) == 16 and len(boot) == 22 + 16 + 64,
           "bootstrap label and length")
    result(tv["TV_BOOTSTRAP_ED25519"] == boot.hex(),
           "TV_BOOTSTRAP_ED25519 recomputed byte for byte%s" % ("" if
           tv["TV_BOOTSTRAP_ED25519"] == boot.hex() else
           "\n  file:     %s\n  expected: %s" % (tv["TV_BOOTSTRAP_ED25519"],
                                                 boot.hex())))
    result(open(os.path.join(vec, "bootstrap-ed25519.bin"), "rb").read() ==
           boot, "vectors/bootstrap-ed25519.bin")
    bdoc = os.path.join(here, "..", "..", "..", "docs", "sam-bootstrap.md")
    if os.path.exists(bdoc):
        blocks = ["".join(b.split()) for b in
                  re.findall(r"```\n([0-9a-f\n ]+)```", open(bdoc).read())]
        result(blocks.count(boot.hex()) == 2,
               "docs/sam-bootstrap.md has the vector, split and whole")

    # the tree block, docs/sam-tree.md
    block, root = tree_block(ed, 1, [PAYLOAD] * 3)
    for i, f in enumerate(block):
        name = "TV_TREE_%d" % i
        result(tv[name] == f.hex(), "%s recomputed byte for byte%s" % (
            name, "" if tv[name] == f.hex() else
            "\n  file:     %s\n  expected: %s" % (tv[name], f.hex())))
        result(open(os.path.join(vec, "tree-%d.bin" % i), "rb").read() == f,
               "vectors/tree-%d.bin" % i)
        first = struct.unpack("!Q", f[24 + 16 + 2:24 + 16 + 10])[0]
        walked = tree_root_of(f)
        try:
            ed.public_key().verify(
                f[24 + 16 + 10:24 + 16 + 74], TREE_LABEL +
                struct.pack("!IIQH", SESSION, SOURCE, first, 3) + walked)
            ok = walked == root
        except (InvalidSignature, TypeError):
            ok = False
        result(ok, "%s: its path leads to the root its signature signs"
               % name)
    tdoc = os.path.join(here, "..", "..", "..", "docs", "sam-tree.md")
    if os.path.exists(tdoc):
        blocks = ["".join(b.split()) for b in
                  re.findall(r"```\n([0-9a-f\n ]+)```", open(tdoc).read())]
        for i, f in enumerate(block):
            result(f.hex() in blocks, "docs/sam-tree.md has TV_TREE_%d" % i)
    check_bootstrap_frame(here, tv, check_tesla(here, tv, ed))

    # the hex in docs/sam-frame-format.md
    doc = os.path.join(here, "..", "..", "..", "docs", "sam-frame-format.md")
    if os.path.exists(doc):
        text = open(doc).read()
        blocks = ["".join(b.split()) for b in
                  re.findall(r"```\n([0-9a-f\n]+)```", text)]
        for define in ("TV_HMAC_SEQ1", "TV_HMAC_LARGE", "TV_ED25519_SEQ1",
                       "TV_ED25519_LARGE", "TV_ECDSA_SEQ1", "TV_HMAC_ENC",
                       "TV_ED25519_ENC"):
            result(tv[define] in blocks,
                   "docs/sam-frame-format.md has %s" % define)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
