#!/usr/bin/env python3
#
# Copyright (C) 2026 The mike developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# kd_vector.py: the KD (Key Download) payload vector of
# tests/gikev2_payloads_tests.c, with real wrapped keys, computed
# independently of the code under test.
#
# The layout is written here from RFC 9838 4.5 (key bags), 4.5.1/4.5.2
# (SA_KEY; WRAP_KEY, AUTH_KEY, GM_SENDER_ID), 4.5.3 (wrapped key: Key ID |
# KWK ID | Encrypted Key) and 3.4 (sizes of the keying material; for the
# Rekey SA KEYMAT = GSK_e | GSK_a | GSK_w, GSK_a empty with an AEAD).  The
# key bags are those of the policies of the file's GSA vector (gsa_body):
#
#   Rekey SA, SPI 01..10, AES-GCM-16-256 + KW_5649_256: SA_KEY of
#     36 (key | salt) + 32 (GSK_w) = 68 bytes of keying material
#   ESP SA, SPI 11223344, AES-CBC-256 + AUTH_HMAC_SHA2_256_128: SA_KEY of
#     32 + 32 = 64 bytes of keying material
#   member key bag: WRAP_KEY (Key ID 1) of a 32-byte key tree key (the key
#     size of KW_5649_256), an Ed25519 AUTH_KEY, GM_SENDER_ID 7
#
# All three are wrapped with AES-256 Key Wrap with Padding (RFC 5649) under
# the test KWK GSK_w = 00 01 .. 1f, KWK ID 0 (the default KWK).  RFC 5649
# is implemented here on AES-ECB (python3-cryptography), checked against
# the RFC's section 6 examples and against cryptography's own
# aes_key_wrap_with_padding() before use; no strongSwan or mike code is used
# (mike_keywrap.c uses OpenSSL's EVP wrap mode).
#
#   python3 kd_vector.py            print the C definitions
#   python3 kd_vector.py --check F  compare with the strings and #defines
#                                   in F (gikev2_payloads_tests.c; C
#                                   comments inside a string are ignored),
#                                   exit 1 on a difference
#
# Needs python3-cryptography (apt-get install python3-cryptography).

import re
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.keywrap import (
    aes_key_unwrap_with_padding, aes_key_wrap_with_padding)

# --- inputs ------------------------------------------------------------------

KWK = bytes(range(0x00, 0x20))          # GSK_w, AES-256 KW
KEK_KEYMAT = bytes(range(0x20, 0x64))   # GSK_e (key 32 | salt 4) | GSK_w (32)
TEK_KEYMAT = bytes(range(0x70, 0xb0))   # AES-CBC-256 key (32) | HMAC key (32)
TREE_KEY = bytes(range(0xc0, 0xe0))     # key tree key (32)

KEK_SPI = bytes(range(1, 17))           # IKE SPIi | SPIr of the Rekey SA
TEK_SPI = bytes.fromhex("11223344")
TREE_KEY_ID = 1
GM_SENDER_ID = 7
# Ed25519 SubjectPublicKeyInfo of a dummy key (opaque to the codec)
AUTH_KEY = bytes.fromhex("302a300506032b6570032100") + b"\x11" * 32

PROTO_ESP, PROTO_GIKE_UPDATE = 3, 6
GKB_SA_KEY = 1                          # group key bag attribute
MKB_WRAP_KEY, MKB_AUTH_KEY, MKB_GM_SENDER_ID = 1, 2, 3

# RFC 5649 section 6: KEK, key, wrapped key
RFC5649_EXAMPLES = [
    ("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8",
     "c37b7e6492584340bed12207808941155068f738",
     "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a"),
    ("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8",
     "466f7250617369",
     "afbeb0f07dfbf5419200f2ccb50bb24f"),
]

# --- RFC 5649 ----------------------------------------------------------------


def aes_ecb(kek, block):
    enc = Cipher(algorithms.AES(kek), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def wrap_with_padding(kek, key):
    """RFC 5649 4.1: AIV = A65959A6 | MLI, zero padding to a multiple of 8;
    one block: AES(K, AIV | P), else the RFC 3394 2.2.1 W with IV = AIV"""
    aiv = bytes.fromhex("a65959a6") + struct.pack("!I", len(key))
    p = key + bytes(-len(key) % 8)
    n = len(p) // 8
    if n == 1:
        return aes_ecb(kek, aiv + p)
    a, r = aiv, [p[8 * i:8 * i + 8] for i in range(n)]
    for j in range(6):
        for i in range(n):
            b = aes_ecb(kek, a + r[i])
            t = n * j + i + 1
            a = (int.from_bytes(b[:8], "big") ^ t).to_bytes(8, "big")
            r[i] = b[8:]
    return a + b"".join(r)


def wrap(kek, key):
    for k, plain, wrapped in RFC5649_EXAMPLES:
        k, plain, wrapped = map(bytes.fromhex, (k, plain, wrapped))
        assert wrap_with_padding(k, plain) == wrapped, "RFC 5649 section 6"
    out = wrap_with_padding(kek, key)
    # a second implementation, and back
    assert out == aes_key_wrap_with_padding(kek, key)
    assert aes_key_unwrap_with_padding(kek, out) == key
    assert len(out) == 8 + len(key) + (-len(key) % 8)
    return out


# --- the payload -------------------------------------------------------------


def tlv(attr_type, data):
    """RFC 9838 4.5.1/4.5.2 attribute in TLV form (AF = 0)"""
    return struct.pack("!HH", attr_type, len(data)) + data


def wrapped_key(key_id, kwk_id, encrypted):
    """RFC 9838 4.5.3: Key ID | KWK ID | Encrypted Key"""
    return struct.pack("!II", key_id, kwk_id) + encrypted


def group_key_bag(protocol, spi, attrs):
    """RFC 9838 4.5.1: Protocol | SPI Size | Length | SPI | attributes"""
    return struct.pack("!BBH", protocol, len(spi),
                       4 + len(spi) + len(attrs)) + spi + attrs


def member_key_bag(attrs):
    """RFC 9838 4.5.2: 0 | RESERVED | Length | attributes"""
    return struct.pack("!BBH", 0, 0, 4 + len(attrs)) + attrs


def build():
    kek_wrapped = wrap(KWK, KEK_KEYMAT)
    tek_wrapped = wrap(KWK, TEK_KEYMAT)
    tree_wrapped = wrap(KWK, TREE_KEY)
    kek = group_key_bag(PROTO_GIKE_UPDATE, KEK_SPI,
                        tlv(GKB_SA_KEY, wrapped_key(0, 0, kek_wrapped)))
    tek = group_key_bag(PROTO_ESP, TEK_SPI,
                        tlv(GKB_SA_KEY, wrapped_key(0, 0, tek_wrapped)))
    member = member_key_bag(
        tlv(MKB_WRAP_KEY, wrapped_key(TREE_KEY_ID, 0, tree_wrapped)) +
        tlv(MKB_AUTH_KEY, AUTH_KEY) +
        tlv(MKB_GM_SENDER_ID, struct.pack("!I", GM_SENDER_ID)))
    body = kek + tek + member
    # RFC 7296 3.2 generic payload header: Next Payload none, C = 0
    header = struct.pack("!BBH", 0, 0, 4 + len(body))
    strings = {
        "kd_kwk": KWK,
        "kd_kek_keymat": KEK_KEYMAT,
        "kd_tek_keymat": TEK_KEYMAT,
        "kd_tree_key": TREE_KEY,
        "kd_kek_wrapped": kek_wrapped,
        "kd_tek_wrapped": tek_wrapped,
        "kd_tree_wrapped": tree_wrapped,
        "kd_header": header,
        "kd_body": body,
    }
    defines = {
        "KD_KEK_OFF": 0,
        "KD_KEK_LEN": len(kek),
        "KD_TEK_OFF": len(kek),
        "KD_TEK_LEN": len(tek),
        "KD_MEMBER_OFF": len(kek) + len(tek),
        "KD_MEMBER_LEN": len(member),
    }
    return strings, defines


# --- output ------------------------------------------------------------------


def c_string(name, data):
    h = data.hex()
    lines = [h[i:i + 64] for i in range(0, len(h), 64)]
    return ("static const char *%s =\n" % name +
            "\n".join('\t"%s"' % l for l in lines) + ";\n")


def check(path, strings, defines):
    # C comments annotate the fields of kd_header and kd_body
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    failed = False
    for name, data in strings.items():
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
    for name, value in defines.items():
        m = re.search(r"^#define\s+%s\s+(\d+)\s*$" % name, text, re.M)
        if not m:
            print("%s: not found" % name)
            failed = True
        elif int(m.group(1)) != value:
            print("%s: differs: file %s, expected %d" %
                  (name, m.group(1), value))
            failed = True
        else:
            print("%s: ok (%d)" % (name, value))
    return not failed


def main():
    strings, defines = build()

    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        sys.exit(0 if check(sys.argv[2], strings, defines) else 1)
    elif len(sys.argv) != 1:
        print("usage: %s [--check FILE]" % sys.argv[0])
        sys.exit(2)

    for name, data in strings.items():
        print(c_string(name, data))
    for name, value in defines.items():
        print("#define %s\t%d" % (name, value))


if __name__ == "__main__":
    main()
