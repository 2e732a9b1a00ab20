#!/usr/bin/env python3
#
# Copyright (C) 2026 The mike developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# gsa_rekey_vector.py: the signed GSA_REKEY test vector of
# tests/mike_rekey_tests.c, computed independently of the code under test.
#
# The message layout is written here from RFC 9838 2.4.1 and 2.4.1.1
# (A | P with AdjustedLen and AdjustedPldLen, zeroed Authentication Data),
# RFC 7427 (Digital Signature AUTH: method 14, ASN.1 Length,
# AlgorithmIdentifier, signature), RFC 7296 3.1/3.2/3.14 (IKE header,
# generic payload header, Encrypted payload) and RFC 5282 (AES-GCM-16 in
# IKEv2: nonce = 4-byte salt | 8-byte explicit IV, AAD = IKE header | SK
# payload header); docs/g-ikev2-rekey.md fixes the choices RFC 9838 leaves
# open (flags 0x08, no padding).  No strongSwan or mike code is used: the
# cryptography is python3-cryptography's (AES-GCM, Ed25519).
#
# The GCKS key is the Ed25519 key of RFC 8032 7.1 TEST 1; the script checks
# that it derives the RFC's public key and reproduces the RFC's signature
# before using it.  Ed25519 is deterministic, so the whole message is.
#
#   python3 gsa_rekey_vector.py            print the C definitions
#   python3 gsa_rekey_vector.py --check F  compare with the strings in F
#                                          (mike_rekey_tests.c), exit 1 on
#                                          a difference
#
# Needs python3-cryptography (apt-get install python3-cryptography).

import re
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey, Ed25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

# --- inputs ------------------------------------------------------------------

SPI = bytes(range(16))                  # rekey SA SPI: SPIi | SPIr
MSG_ID = 5
IV = bytes.fromhex("a0a1a2a3a4a5a6a7")
GSK_E = bytes(range(0x40, 0x64))        # AES-256 key (32) | GCM salt (4)

# RFC 8032 7.1 TEST 1
ED25519_SK = bytes.fromhex(
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
ED25519_PK = bytes.fromhex(
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
ED25519_SIG_EMPTY = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")

# payload types (RFC 7296, RFC 9838)
PL_NONE, PL_AUTH, PL_NOTIFY, PL_DELETE, PL_SK = 0, 39, 41, 42, 46
PL_GSA, PL_KD = 51, 52
EXCHANGE_GSA_REKEY = 41
VERSION = 0x20                          # IKE 2.0
FLAGS = 0x08                            # Initiator, not Response
AUTH_DIGITAL_SIGNATURE = 14             # RFC 7427
ALGID_ED25519 = bytes.fromhex("300506032b6570")   # SEQUENCE { id-Ed25519 }
ICV_LEN = 16

# inner payload bodies (without the generic header), opaque to the codec
INNER = [
    (PL_GSA, bytes.fromhex("00000008020c0004")),
    (PL_KD, bytes.fromhex("0000000c0300000400000001")),
    # Delete: Protocol ESP (3), SPI Size 4, Num of SPIs 1, SPI
    (PL_DELETE, bytes.fromhex("0304000111223344")),
    # Notify: Protocol 0, SPI Size 0, type 16394, data 0x78
    (PL_NOTIFY, bytes.fromhex("0000400a78")),
]

# --- the message -------------------------------------------------------------


def generic(next_payload, body):
    """RFC 7296 3.2 generic payload header (C = 0, RESERVED = 0) | body"""
    return struct.pack("!BBH", next_payload, 0, 4 + len(body)) + body


def inner_payloads(signature):
    """P: the inner payloads, chained, then AUTH with the given signature"""
    nexts = [t for t, _ in INNER[1:]] + [PL_AUTH]
    p = b"".join(generic(n, body) for n, (_, body) in zip(nexts, INNER))
    auth = (bytes([AUTH_DIGITAL_SIGNATURE, 0, 0, 0, len(ALGID_ED25519)]) +
            ALGID_ED25519 + signature)
    return p + generic(PL_NONE, auth)


def header(length, sk_payload_length):
    """A: IKE header (RFC 7296 3.1) | Encrypted payload header (3.14)"""
    return (SPI + struct.pack("!BBBBII", PL_SK, VERSION, EXCHANGE_GSA_REKEY,
                              FLAGS, MSG_ID, length) +
            struct.pack("!BBH", INNER[0][0], 0, sk_payload_length))


def build(sk):
    # RFC 9838 2.4.1.1: P fully formed, Authentication Data zeroed (of the
    # signature's final length, 64 for Ed25519); A with AdjustedLen =
    # len(A | P) and AdjustedPldLen = len(P) + 4
    p0 = inner_payloads(bytes(64))
    a0 = header(32 + len(p0), 4 + len(p0))
    signed = a0 + p0
    sig = sk.sign(signed)
    assert len(sig) == 64
    # the lengths restored: SK = header | IV | P | Pad Length 0 | ICV
    p = inner_payloads(sig)
    sk_len = 4 + len(IV) + len(p) + 1 + ICV_LEN
    a = header(28 + sk_len, sk_len)
    # RFC 5282: nonce = salt | IV, AAD = A (real lengths), ICV appended
    ct = AESGCM(GSK_E[:32]).encrypt(GSK_E[32:] + IV, p + b"\x00", a)
    return a + IV + ct, signed, sig


def key():
    sk = Ed25519PrivateKey.from_private_bytes(ED25519_SK)
    pk = sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert pk == ED25519_PK, "RFC 8032 TEST 1 public key"
    assert sk.sign(b"") == ED25519_SIG_EMPTY, "RFC 8032 TEST 1 signature"
    return sk


# --- output ------------------------------------------------------------------


def c_string(name, data):
    h = data.hex()
    lines = [h[i:i + 64] for i in range(0, len(h), 64)]
    return ("static const char *%s =\n" % name +
            "\n".join('\t"%s"' % l for l in lines) + ";\n")


def main():
    sk = key()
    msg, signed, sig = build(sk)
    # check our own output with a verifier of its own
    Ed25519PublicKey.from_public_bytes(ED25519_PK).verify(sig, signed)
    vectors = {"vec_msg": msg, "vec_signed": signed, "vec_sig": sig,
               "ed25519_pk": ED25519_PK}

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
        print(__doc__ if __doc__ else "usage: %s [--check FILE]" % sys.argv[0])
        sys.exit(2)

    for name, data in vectors.items():
        print(c_string(name, data))


if __name__ == "__main__":
    main()
