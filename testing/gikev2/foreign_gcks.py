#!/usr/bin/python3
"""foreign_gcks: a G-IKEv2 GCKS written from RFC 9838 alone, which sends
GSA_REKEY messages (the rekey pseudo-exchange, RFC 9838 2.4.1) to a group.

It is the "other implementation" of testing/scenarios/foreign-gcks: after a
mike GCKS registered the members it stops, and this script takes over the
group's rekey SA with the rekey SA's SPI and keying material (read off a
member's log) and the GCKS's signing key.  Its encoder does not share code
with mike: every byte comes from RFC 9838 (payloads, AUTH), RFC 7296 (IKE
header, generic payload header, SK payload, attributes, Delete, Notify),
RFC 5282 (AES-GCM and AES-CCM in the SK payload), RFC 5649 (key wrap) and
RFC 7427 (the AUTH payload's Digital Signature method).

    foreign_gcks.py init  --state F --spi HEX --keymat HEX --msg-id N
                          --key PEM --rekey-addr A [--rekey-port P] ...
    foreign_gcks.py send  --state F [--kek same|new] [--tek SRC]...
                          [--delete SPI]... [--oddities] [--bad-signature]
                          [--msg-id N] [--unknown-spi] [--new-kek-cipher C]
                          [--new-kek-kw BITS] [--out FILE] [--no-send]
    foreign_gcks.py selftest

"send" builds one message over the state's current rekey SA, sends it to
the rekey address from the GCKS's address and prints what it put in it, one
"key value" a line (msg_id, spi, tek SPI SRC, kek SPI, delete SPI, bytes).
The state (JSON) keeps the current rekey SA and the next Message ID; a new
rekey SA becomes current once the message announcing it is sent (as the
GCKS's own view: whether the members took it is what the scenario checks).
"selftest" rebuilds the GSA_REKEY vector of docs/g-ikev2-rekey.md (an
independent computation of the same RFC text) and compares.

Readings of the RFC where it leaves room (each also at the code):

 - Flags: RFC 9838 4.1 takes them from RFC 7296 3.1, where the Initiator
   bit names "the original initiator of the IKE SA".  The GCKS creates the
   rekey SA and is the only one ever to send on it: I = 1, R = 0.
 - A KEK policy repeated with its current SPI (--kek same) is the same
   rekey SA, not a new one: its Message IDs go on (2.4.1.3 resets them to
   0 only "over a new Rekey SA").
 - GCAUTH is never sent in a GSA_REKEY (4.4.2.1.1: it "MUST NOT appear in
   the rekey messages"), nor a Member Key Bag (4.5.3: "MUST NOT be sent in
   GSA_REKEY messages"); the signature algorithm stays the registration's.
 - The SA_KEY of a new rekey SA is wrapped with the GSK_w of the rekey SA
   the message is sent over (4.5.1: the default KWK is "the KWK that is
   associated with the IKE SA or multicast Rekey SA over which wrapped keys
   are sent"), KWK ID 0; the new SA's own GSK_w is for its own messages.
 - The rekey SA's keying material is GSK_e | GSK_a | GSK_w (4.5.6) with
   GSK_e the AEAD's key followed by its salt as RFC 5282 2 and 4 take it
   from the keying material: 4 octets for GCM, 3 for CCM; GSK_a is empty
   for an AEAD, GSK_w is the KWA's key size (KW_5649_128: 16 octets).
 - A Delete-only message (SK{D, [N,] [AUTH]}, 3) has no GSA and no KD.
 - The source selector of a KEK policy: the GCKS's address, any port
   (4.4.1: "SHOULD define a single IP address ... MAY define wildcard
   port"); the destination the rekey address and port.
 - Payload order: GSA, KD, D, N, then AUTH last (2.4.1's figure; 3's
   for D).
"""

import argparse
import json
import os
import socket
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.ciphers.aead import AESCCM, AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

# --- numbers (RFC 7296, RFC 9838 and its IANA assignments) -----------------

EXCH_GSA_REKEY = 41
PL_NONE, PL_AUTH, PL_N, PL_D, PL_SK, PL_GSA, PL_KD = 0, 39, 41, 42, 46, 51, 52
PROTO_ESP, PROTO_GIKE_UPDATE = 3, 6
TT_ENCR, TT_INTEG, TT_SN, TT_KWA, TT_GCAUTH = 1, 3, 5, 13, 14
ATTR_KEY_LENGTH = 14                    # transform attribute, TV
ENCR_AES_CCM_8, ENCR_AES_GCM_16 = 14, 20
SN_32BIT_SEQUENTIAL = 0
KWA_BITS = {128: 1, 192: 2, 256: 3}     # KW_5649_128/192/256
GSA_KEY_LIFETIME, GSA_INITIAL_MESSAGE_ID = 1, 2
GWP_ATD, GWP_DTD = 1, 2
SA_KEY = 1
AUTH_DIGITAL_SIGNATURE = 14             # RFC 7427
TS_IPV4_ADDR_RANGE = 7
IPPROTO_UDP = 17
FLAG_INITIATOR = 0x08

# AlgorithmIdentifier DER (RFC 7427 appendix A, RFC 8420 for Ed25519)
ALGID = {
    "ed25519": bytes.fromhex("300506032b6570"),
    "ecdsa-sha256": bytes.fromhex("300a06082a8648ce3d040302"),
    "ecdsa-sha384": bytes.fromhex("300a06082a8648ce3d040303"),
    "ecdsa-sha512": bytes.fromhex("300a06082a8648ce3d040304"),
}

# the rekey SA's ciphers: (ENCR transform ID, key bits, salt octets, ICV octets)
KEK_CIPHERS = {
    "gcm16-256": (ENCR_AES_GCM_16, 256, 4, 16),
    "gcm16-128": (ENCR_AES_GCM_16, 128, 4, 16),
    "ccm8-128": (ENCR_AES_CCM_8, 128, 3, 8),
    "ccm8-256": (ENCR_AES_CCM_8, 256, 3, 8),
}

# the data SAs' cipher: AES-GCM-16 with a 128-bit key (the members'
# esp_proposals default aes128gcm16); keying material = key | 4-octet salt
# (RFC 4106 8.1, RFC 7296 2.17)
TEK_ENCR, TEK_BITS, TEK_SALT = ENCR_AES_GCM_16, 128, 4


# --- encoders ---------------------------------------------------------------

def attr_tv(atype, value):
    """RFC 7296 3.3.5, AF = 1"""
    return struct.pack("!HH", 0x8000 | atype, value)


def attr_tlv(atype, data):
    """RFC 7296 3.3.5, AF = 0"""
    return struct.pack("!HH", atype & 0x7fff, len(data)) + data


def ts_ipv4(start, end, proto=IPPROTO_UDP, sport=0, eport=65535):
    """RFC 7296 3.13.1, TS_IPV4_ADDR_RANGE"""
    return (struct.pack("!BBHHH", TS_IPV4_ADDR_RANGE, proto, 16, sport, eport)
            + socket.inet_aton(start) + socket.inet_aton(end))


def transforms(items):
    """RFC 7296 3.3.2 as RFC 9838 4.4.1 uses it: Last Substruc 3, the last 0"""
    out = b""
    for i, (ttype, tid, attrs) in enumerate(items):
        last = 0 if i == len(items) - 1 else 3
        out += struct.pack("!BBHBBH", last, 0, 8 + len(attrs), ttype, 0, tid) + attrs
    return out


def gsa_policy(proto, spi, src_ts, dst_ts, xforms, attrs):
    """RFC 9838 4.4.1, the GSA policy substructure"""
    body = spi + src_ts + dst_ts + transforms(xforms) + attrs
    return struct.pack("!BBH", proto, len(spi), 4 + len(body)) + body


def gw_policy(attrs):
    """RFC 9838 4.4.2"""
    return struct.pack("!BBH", 0, 0, 4 + len(attrs)) + attrs


def wrapped_key(kwk, key, key_id=0, kwk_id=0):
    """RFC 9838 4.5.4 with RFC 5649 (AES Key Wrap with Padding)"""
    return struct.pack("!II", key_id, kwk_id) + aes_key_wrap_with_padding(kwk, key)


def group_key_bag(proto, spi, attrs):
    """RFC 9838 4.5.2"""
    body = spi + attrs
    return struct.pack("!BBH", proto, len(spi), 4 + len(body)) + body


def delete_body(proto, spis):
    """RFC 7296 3.11"""
    size = 16 if proto == PROTO_GIKE_UPDATE else 4
    return struct.pack("!BBH", proto, size, len(spis)) + b"".join(spis)


def notify_body(ntype, data=b"", proto=0, spi=b""):
    """RFC 7296 3.10"""
    return struct.pack("!BBH", proto, len(spi), ntype) + spi + data


def chain(payloads):
    """the inner payloads with their generic headers (RFC 7296 3.2); the
    Next Payload of each names the following one, of the last 0"""
    out = b""
    for i, (ptype, body) in enumerate(payloads):
        nxt = payloads[i + 1][0] if i + 1 < len(payloads) else PL_NONE
        out += struct.pack("!BBH", nxt, 0, 4 + len(body)) + body
    return out


# --- signatures --------------------------------------------------------------

def load_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def scheme_of(key):
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {256: "ecdsa-sha256", 384: "ecdsa-sha384",
                521: "ecdsa-sha512"}[key.curve.key_size]
    raise SystemExit("foreign_gcks: only Ed25519 and ECDSA GCKS keys here")


def sign(key, scheme, data):
    if scheme == "ed25519":
        return key.sign(data)
    h = {"ecdsa-sha256": hashes.SHA256(), "ecdsa-sha384": hashes.SHA384(),
         "ecdsa-sha512": hashes.SHA512()}[scheme]
    return key.sign(data, ec.ECDSA(h))        # DER ECDSA-Sig-Value (RFC 7427)


# --- the message -------------------------------------------------------------

def seal(cipher, gsk_e, iv, aad, plaintext):
    _, bits, salt_len, icv = KEK_CIPHERS[cipher]
    key, salt = gsk_e[:bits // 8], gsk_e[bits // 8:]
    assert len(salt) == salt_len
    if cipher.startswith("gcm"):
        return AESGCM(key).encrypt(salt + iv, plaintext, aad)       # RFC 5282 4
    return AESCCM(key, tag_length=icv).encrypt(salt + iv, plaintext, aad)


def build(spi, msg_id, payloads, cipher, gsk_e, key, scheme, iv=None,
          bad_signature=False, pad=0):
    """HDR, SK{payloads..., AUTH} (RFC 9838 2.4.1, 2.4.1.1)"""
    _, _, _, icv_len = KEK_CIPHERS[cipher]
    algid = ALGID[scheme]
    first = payloads[0][0] if payloads else PL_AUTH

    def with_auth(sig):
        auth = struct.pack("!B3xB", AUTH_DIGITAL_SIGNATURE, len(algid)) + algid + sig
        return chain(list(payloads) + [(PL_AUTH, auth)])

    def header(length, sk_length):
        # IKE header (RFC 7296 3.1) with the rekey SA's SPI as SPIi | SPIr,
        # then the SK payload's generic header (3.14)
        return (spi + struct.pack("!BBBBII", PL_SK, 0x20, EXCH_GSA_REKEY,
                                  FLAG_INITIATOR, msg_id, length)
                + struct.pack("!BBH", first, 0, sk_length))

    # 2.4.1.1: sign A | P, A with AdjustedLen = len(A | P) and
    # AdjustedPldLen = len(P) + 4, P with the Authentication Data zeroed but
    # of the length the signature has (Ed25519 is 64; DER ECDSA varies by an
    # octet or two: sign again until the length matches)
    sig_len = 64 if scheme == "ed25519" else len(sign(key, scheme, b"x"))
    for _ in range(64):
        p = with_auth(bytes(sig_len))
        sig = sign(key, scheme, header(32 + len(p), 4 + len(p)) + p)
        if len(sig) == sig_len:
            break
        sig_len = len(sig)
    else:
        raise SystemExit("foreign_gcks: no signature of a stable length")
    if bad_signature:
        sig = bytes([sig[0] ^ 0x01]) + sig[1:]
    p = with_auth(sig)

    # RFC 7296 3.14: IV | P | Padding | Pad Length | ICV; RFC 5282 3: the IV
    # is 8 octets, the AAD the IKE header and the SK payload's header with
    # the real lengths; an AEAD's block size is 1 here, so no padding is
    # needed (pad > 0 adds some, which a receiver "MUST accept")
    if iv is None:
        iv = os.urandom(8)
    plain = p + bytes(range(1, pad + 1)) + bytes([pad])
    sk_len = 4 + 8 + len(plain) + icv_len
    aad = header(28 + sk_len, sk_len)
    return aad + iv + seal(cipher, gsk_e, iv, aad, plain)


# --- the GCKS's state ------------------------------------------------------

def kek_sizes(cipher, kw):
    _, bits, salt, _ = KEK_CIPHERS[cipher]
    return bits // 8 + salt, kw // 8           # len(GSK_e), len(GSK_w)


def split_keymat(kek):
    e_len, w_len = kek_sizes(kek["cipher"], kek["kw"])
    km = bytes.fromhex(kek["keymat"])
    if len(km) != e_len + w_len:
        raise SystemExit("foreign_gcks: keying material of %d octets, %s with "
                         "KW-%d needs %d" % (len(km), kek["cipher"], kek["kw"],
                                             e_len + w_len))
    # 4.5.6: GSK_e | GSK_a | GSK_w, GSK_a empty for an AEAD
    return km[:e_len], km[e_len:]


def kek_policy(st, kek, gcauth=False):
    encr, bits, _, _ = KEK_CIPHERS[kek["cipher"]]
    # 4.4.1.1: ENCR and KWA; no INTEG with an AEAD; no GCAUTH in a rekey
    xf = [(TT_ENCR, encr, attr_tv(ATTR_KEY_LENGTH, bits)),
          (TT_KWA, KWA_BITS[kek["kw"]], b"")]
    if gcauth:
        # --mike-compat only (not RFC 9838: GCAUTH "MUST NOT appear in the
        # rekey messages"): Digital Signature with its Signature Algorithm
        # Identifier (transform attribute 18, TLV)
        xf.append((TT_GCAUTH, 2, attr_tlv(18, ALGID[st["scheme"]])))
    attrs = attr_tlv(GSA_KEY_LIFETIME, struct.pack("!I", st["kek_lifetime"]))
    return gsa_policy(PROTO_GIKE_UPDATE, bytes.fromhex(kek["spi"]),
                      ts_ipv4(st["src"], st["src"]),
                      ts_ipv4(st["rekey_addr"], st["rekey_addr"],
                              sport=st["rekey_port"], eport=st["rekey_port"]),
                      xf, attrs)


def tek_policy(st, spi, src, extra_attrs=b""):
    xf = [(TT_ENCR, TEK_ENCR, attr_tv(ATTR_KEY_LENGTH, TEK_BITS)),
          (TT_SN, SN_32BIT_SEQUENTIAL, b"")]   # one sender per SA (4.4.1.4)
    attrs = attr_tlv(GSA_KEY_LIFETIME, struct.pack("!I", st["tek_lifetime"]))
    return gsa_policy(PROTO_ESP, spi, ts_ipv4(src, src),
                      ts_ipv4(st["group"], st["group"], sport=st["port"],
                              eport=st["port"]),
                      xf, attrs + extra_attrs)


def new_spi4():
    while True:
        spi = os.urandom(4)
        if int.from_bytes(spi, "big") >= 0x1000:
            return spi


def cmd_init(a):
    st = {
        "kek": {"spi": a.spi.lower(), "keymat": a.keymat.lower(),
                "cipher": a.cipher, "kw": a.kw},
        "next_msg_id": a.msg_id, "last_msg_id": None,
        "key": a.key, "scheme": a.scheme,
        "src": a.src, "rekey_addr": a.rekey_addr, "rekey_port": a.rekey_port,
        "group": a.group, "port": a.port,
        "tek_lifetime": a.tek_lifetime, "kek_lifetime": a.kek_lifetime,
    }
    split_keymat(st["kek"])
    if not st["scheme"]:
        st["scheme"] = scheme_of(load_key(a.key))
    json.dump(st, open(a.state, "w"), indent=1)


def cmd_send(a):
    st = json.load(open(a.state))
    kek = st["kek"]
    gsk_e, gsk_w = split_keymat(kek)
    key = load_key(st["key"])
    out = []
    gsa = b""
    kd = b""
    new_kek = None

    if a.kek == "same":
        gsa += kek_policy(st, kek, a.gcauth_in_rekey)
        kd += group_key_bag(PROTO_GIKE_UPDATE, bytes.fromhex(kek["spi"]),
                            attr_tlv(SA_KEY, wrapped_key(gsk_w, bytes.fromhex(kek["keymat"]))))
        out.append("kek %s same" % kek["spi"])
    elif a.kek == "new":
        e_len, w_len = kek_sizes(a.new_kek_cipher, a.new_kek_kw)
        new_kek = {"spi": os.urandom(16).hex(),
                   "keymat": os.urandom(e_len + w_len).hex(),
                   "cipher": a.new_kek_cipher, "kw": a.new_kek_kw}
        gsa += kek_policy(st, new_kek, a.gcauth_in_rekey)
        # 4.5.1: wrapped with the default KWK of the rekey SA the message
        # goes over (the current one), KWK ID 0
        kd += group_key_bag(PROTO_GIKE_UPDATE, bytes.fromhex(new_kek["spi"]),
                            attr_tlv(SA_KEY, wrapped_key(gsk_w, bytes.fromhex(new_kek["keymat"]))))
        out.append("kek %s new %s kw%d keymat %s" % (new_kek["spi"], new_kek["cipher"],
                                                     new_kek["kw"], new_kek["keymat"]))

    odd = b""
    if a.oddities:
        # 5 / 4.4.3: a private-use (16384-32767) and an unassigned (5-16383)
        # GSA attribute, which a GM ignores
        odd = attr_tlv(16390, b"\x01\x02\x03\x04") + attr_tlv(9999, b"unassigned")
    for src in a.tek:
        spi = new_spi4()
        km = os.urandom(TEK_BITS // 8 + TEK_SALT)
        gsa += tek_policy(st, spi, src, odd)
        kd += group_key_bag(PROTO_ESP, spi, attr_tlv(SA_KEY, wrapped_key(gsk_w, km)))
        out.append("tek %s %s" % (spi.hex(), src))
    if a.oddities and gsa:
        # a GW policy (4.4.2) with the delays and an unassigned attribute
        gsa += gw_policy(attr_tv(GWP_ATD, 1) + attr_tv(GWP_DTD, 2) + attr_tv(4000, 7))

    if a.auth_key_in_rekey and a.kek != "none":
        # --mike-compat only (4.5.3 keeps Member Key Bags out of GSA_REKEY):
        # AUTH_KEY, the GCKS's SubjectPublicKeyInfo
        spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        kd += gw_policy(attr_tlv(2, spki))     # same layout: 0, RESERVED, Length
    payloads = []
    if gsa:
        payloads.append((PL_GSA, gsa))
        payloads.append((PL_KD, kd))
    if a.delete:
        payloads.append((PL_D, delete_body(PROTO_ESP, [bytes.fromhex(s) for s in a.delete])))
        out += ["delete %s" % s for s in a.delete]
    if a.oddities:
        # RFC 7296 3.10.1: status types a receiver does not know are ignored;
        # one unassigned (16999), one private use (40999)
        payloads.append((PL_N, notify_body(16999, b"foreign")))
        payloads.append((PL_N, notify_body(40999, b"\x00\x01")))
    if not payloads:
        raise SystemExit("foreign_gcks: nothing to send")

    msg_id = st["next_msg_id"] if a.msg_id is None else a.msg_id
    spi = bytes.fromhex(kek["spi"])
    if a.unknown_spi:
        spi = os.urandom(16)
    msg = build(spi, msg_id, payloads, kek["cipher"], gsk_e, key, st["scheme"],
                bad_signature=a.bad_signature, pad=a.pad)
    out = ["msg_id %d" % msg_id, "spi %s" % spi.hex(), "bytes %d" % len(msg)] + out
    if a.out:
        open(a.out, "wb").write(msg)
    if not a.no_send:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 8)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(st["src"]))
        s.bind((st["src"], 0))
        for i in range(a.copies):
            s.sendto(msg, (st["rekey_addr"], st["rekey_port"]))
    # the GCKS's own bookkeeping: a regular message uses up its Message ID;
    # forged ones (bad signature, unknown SPI, an old ID) do not
    if a.msg_id is None and not a.bad_signature and not a.unknown_spi:
        st["last_msg_id"] = msg_id
        st["next_msg_id"] = msg_id + 1
        if new_kek:
            st.setdefault("old_keks", []).append(kek)
            st["kek"] = new_kek
            st["next_msg_id"] = 0          # 2.4.1.3
            st["last_msg_id"] = None
    json.dump(st, open(a.state, "w"), indent=1)
    print("\n".join(out))


def cmd_selftest(_):
    """the vector of docs/g-ikev2-rekey.md (Ed25519 key of RFC 8032 7.1
    TEST 1, fixed IV); the inner payload bodies are taken as they are"""
    sk = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
    payloads = [(PL_GSA, bytes.fromhex("00000008020c0004")),
                (PL_KD, bytes.fromhex("0000000c0300000400000001")),
                (PL_D, bytes.fromhex("0304000111223344")),
                (PL_N, bytes.fromhex("0000400a78"))]
    gsk_e = bytes(range(0x40, 0x60)) + bytes.fromhex("60616263")
    msg = build(bytes(range(16)), 5, payloads, "gcm16-256", gsk_e, sk, "ed25519",
                iv=bytes.fromhex("a0a1a2a3a4a5a6a7"))
    want = bytes.fromhex(
        "000102030405060708090a0b0c0d0e0f2e20290800000005000000ba3300009e"
        "a0a1a2a3a4a5a6a7d4cf252c11e02b6f1eed6ec25d8a2ea6c132c8b04fedc450"
        "fee022a967897e4cc85ae860dbe1aa726d0734e45e1ce69be9214b8c6f7bcda1"
        "4f7907a0ec61d5b8166d24f386745b2d7c591eb451e29d56aac7d11ea9663b2a"
        "fcef49bf6013afbde557efbf241902be2241bec08da8422b9007bbaba4bbeecc"
        "1959c640115a6e6993bbf28b5e7f72acbee546a0748a21e2b601")
    if msg != want:
        print("selftest: FAIL\n got  %s\n want %s" % (msg.hex(), want.hex()))
        return 1
    # RFC 5649 4.1's second vector (a 7-octet key under a 192-bit KEK)
    kw = aes_key_wrap_with_padding(bytes.fromhex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8"),
                                   bytes.fromhex("466f7250617369"))
    if kw.hex() != "afbeb0f07dfbf5419200f2ccb50bb24f":
        print("selftest: FAIL (key wrap)")
        return 1
    print("selftest: ok")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("init")
    i.add_argument("--state", required=True)
    i.add_argument("--spi", required=True, help="the rekey SA's 16-octet SPI, hex")
    i.add_argument("--keymat", required=True, help="its keying material, hex")
    i.add_argument("--cipher", default="gcm16-256", choices=sorted(KEK_CIPHERS))
    i.add_argument("--kw", type=int, default=256, choices=sorted(KWA_BITS))
    i.add_argument("--msg-id", type=int, required=True, help="the next Message ID")
    i.add_argument("--key", required=True, help="the GCKS's private key, PEM")
    i.add_argument("--scheme", choices=sorted(ALGID),
                   help="the registration's GCAUTH signature algorithm "
                        "(default: the one of the key's type)")
    i.add_argument("--src", default="10.99.0.1", help="the GCKS's address")
    i.add_argument("--rekey-addr", required=True)
    i.add_argument("--rekey-port", type=int, default=848)
    i.add_argument("--group", default="239.1.2.3")
    i.add_argument("--port", type=int, default=5000)
    i.add_argument("--tek-lifetime", type=int, default=3600)
    i.add_argument("--kek-lifetime", type=int, default=86400)
    s = sub.add_parser("send")
    s.add_argument("--state", required=True)
    s.add_argument("--kek", choices=["none", "same", "new"], default="none",
                   help="a KEK policy: the current rekey SA again, or a new one")
    s.add_argument("--new-kek-cipher", default="gcm16-256", choices=sorted(KEK_CIPHERS))
    s.add_argument("--new-kek-kw", type=int, default=256, choices=sorted(KWA_BITS))
    s.add_argument("--tek", action="append", default=[], metavar="SRC",
                   help="a new TEK for the sender at SRC (repeatable)")
    s.add_argument("--delete", action="append", default=[], metavar="SPI",
                   help="a Delete payload entry for this ESP SPI (hex)")
    s.add_argument("--oddities", action="store_true",
                   help="private-use and unassigned attributes, unknown notifies")
    s.add_argument("--bad-signature", action="store_true")
    s.add_argument("--unknown-spi", action="store_true")
    s.add_argument("--msg-id", type=int)
    s.add_argument("--pad", type=int, default=0, help="padding octets in SK")
    s.add_argument("--copies", type=int, default=1)
    s.add_argument("--mike-compat", action="store_true",
                   help="GCAUTH and AUTH_KEY with every KEK policy, as mike's "
                        "GCKS sends them (not RFC 9838; diagnosis only)")
    s.add_argument("--gcauth-in-rekey", action="store_true",
                   help="only the GCAUTH part of --mike-compat")
    s.add_argument("--auth-key-in-rekey", action="store_true",
                   help="only the AUTH_KEY part of --mike-compat")
    s.add_argument("--out")
    s.add_argument("--no-send", action="store_true")
    sub.add_parser("selftest")
    a = ap.parse_args()
    if a.cmd == "send" and a.mike_compat:
        a.gcauth_in_rekey = a.auth_key_in_rekey = True
    if a.cmd == "send" and a.delete:
        a.delete = [d.lower().replace("0x", "").rjust(8, "0") for d in a.delete]
    return {"init": cmd_init, "send": cmd_send, "selftest": cmd_selftest}[a.cmd](a) or 0


if __name__ == "__main__":
    sys.exit(main())
