#
# Copyright (C) 2026 The mike developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# crypt.py: the cryptography gikev2.py needs, on python3-cryptography:
# prf+ (RFC 7296 2.13), the Encrypted payload (RFC 7296 3.14, RFC 5282,
# RFC 7634), AES key wrap with padding (RFC 5649), signature checks of
# RFC 7427 AUTH data.

import hashlib
import hmac
import struct

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import (AESGCM, AESCCM,
                                                         ChaCha20Poly1305)

import rfc


def prf(alg, key, data):
    h = rfc.PRF_HASH.get(alg)
    if h is None:
        raise ValueError("PRF %d is not supported" % alg)
    return hmac.new(key, data, h).digest()


def prf_plus(alg, key, seed, length):
    """RFC 7296 2.13."""
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = prf(alg, key, t + seed + bytes([i]))
        out += t
        i += 1
    return out[:length]


def gsk_w(prf_alg, sk_d, length):
    """RFC 9838 3.1.1: GSK_w = prf+(SK_d, "Key Wrap for G-IKEv2")."""
    return prf_plus(prf_alg, sk_d, b"Key Wrap for G-IKEv2", length)


class SKError(Exception):
    pass


class Cipherset:
    """The ENCR (+ INTEG) of an SA: key bytes as RFC 7296 2.14 / RFC 9838
    3.4 lay them out, and the Encrypted payload's processing."""

    def __init__(self, encr, keylen_bits, integ):
        self.encr, self.integ = encr, integ or 0
        if encr not in rfc.ENCR:
            raise SKError("ENCR %d is not supported" % encr)
        name, fixed, salt, icv, ivlen, _ = rfc.ENCR[encr]
        self.name = name
        self.key_bytes = fixed if fixed is not None else (keylen_bits or 0) // 8
        self.salt, self.aead_icv, self.iv_len = salt, icv, ivlen
        if self.integ not in rfc.INTEG:
            raise SKError("INTEG %d is not supported" % self.integ)
        self.integ_key_bytes, self.integ_icv = rfc.INTEG[self.integ][1:3]

    @property
    def aead(self):
        return self.aead_icv > 0

    @property
    def enc_key_bytes(self):
        return self.key_bytes + self.salt

    @property
    def icv_len(self):
        return self.aead_icv if self.aead else self.integ_icv

    def decrypt(self, ek, ak, msg, sk_off, sk_len, hdr=4):
        """Decrypt the Encrypted payload at msg[sk_off:sk_off+sk_len]
        (its header of hdr octets included; 8 for an Encrypted Fragment,
        RFC 7383 2.5): the plaintext with padding and Pad Length (RFC 7296
        3.14), or SKError."""
        body = msg[sk_off + hdr:sk_off + sk_len]
        icvl = self.icv_len
        if len(body) < self.iv_len + icvl + 1:
            raise SKError("the Encrypted payload is too short")
        iv = body[:self.iv_len]
        ct, icv = body[self.iv_len:len(body) - icvl], body[len(body) - icvl:]
        if self.aead:
            key, salt = ek[:self.key_bytes], ek[self.key_bytes:]
            aad = msg[:sk_off + hdr]
            try:
                if self.encr in (18, 19, 20):
                    a = AESGCM(key)
                    if icvl != 16:
                        # python3-cryptography's AESGCM has a 16-byte tag only
                        raise SKError("AES-GCM-%d is not supported" % icvl)
                    return a.decrypt(salt + iv, ct + icv, aad)
                if self.encr in (14, 15, 16):
                    return AESCCM(key, tag_length=icvl).decrypt(
                        salt + iv, ct + icv, aad)
                if self.encr == 28:
                    return ChaCha20Poly1305(key).decrypt(salt + iv, ct + icv,
                                                         aad)
            except InvalidTag:
                raise SKError("the ICV does not verify")
            raise SKError("%s is not supported" % self.name)
        h = {2: "sha1", 12: "sha256", 13: "sha384", 14: "sha512"}.get(
            self.integ)
        if h is None:
            raise SKError("INTEG %d is not supported" % self.integ)
        mac = hmac.new(ak, msg[:sk_off + sk_len - icvl], h).digest()[:icvl]
        if not hmac.compare_digest(mac, icv):
            raise SKError("the ICV does not verify")
        if self.encr == 12:
            if len(ct) % 16:
                raise SKError("the ciphertext is not a multiple of the block")
            d = Cipher(algorithms.AES(ek[:self.key_bytes]), modes.CBC(iv)
                       ).decryptor()
            return d.update(ct) + d.finalize()
        raise SKError("%s is not supported" % self.name)


# --- RFC 5649 --------------------------------------------------------------

def wrapped_length(m):
    """RFC 5649 4.1: the length of m octets wrapped."""
    return 16 if m <= 8 else 8 * ((m + 7) // 8) + 8


def unwrap(kek, data):
    """RFC 5649 key unwrap: the key, or None if the integrity check fails."""
    from cryptography.hazmat.primitives.keywrap import (
        InvalidUnwrap, aes_key_unwrap_with_padding)
    try:
        return aes_key_unwrap_with_padding(kek, data)
    except (InvalidUnwrap, ValueError):
        return None


def wrap(kek, key):
    from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding
    return aes_key_wrap_with_padding(kek, key)


# --- RFC 7427 --------------------------------------------------------------

OID_HASH = {
    "1.2.840.10045.4.3.2": hashes.SHA256, "1.2.840.10045.4.3.3": hashes.SHA384,
    "1.2.840.10045.4.3.4": hashes.SHA512,
    "1.2.840.113549.1.1.11": hashes.SHA256,
    "1.2.840.113549.1.1.12": hashes.SHA384,
    "1.2.840.113549.1.1.13": hashes.SHA512,
}
OID_ED25519, OID_ED448 = "1.3.101.112", "1.3.101.113"
OID_RSA_PSS = "1.2.840.113549.1.1.10"


def der_read(data, off=0):
    """(tag, content, next offset) of the DER element at off."""
    tag, ln = data[off], data[off + 1]
    off += 2
    if ln & 0x80:
        n = ln & 0x7f
        ln = int.from_bytes(data[off:off + n], "big")
        off += n
    if off + ln > len(data):
        raise ValueError("DER element runs past its end")
    return tag, data[off:off + ln], off + ln


def oid_str(content):
    first = content[0]
    parts, v = [first // 40, first % 40], 0
    for b in content[1:]:
        v = (v << 7) | (b & 0x7f)
        if not b & 0x80:
            parts.append(v)
            v = 0
    return ".".join(map(str, parts))


def algid_oid(algid):
    """The OID of a DER AlgorithmIdentifier (ValueError if it is none)."""
    tag, seq, end = der_read(algid)
    if tag != 0x30 or end != len(algid):
        raise ValueError("not a DER SEQUENCE")
    tag, oid, _ = der_read(seq)
    if tag != 0x06:
        raise ValueError("no OBJECT IDENTIFIER")
    return oid_str(oid)


# RFC 4055 2.1 / 3.1: the hash OIDs of RSASSA-PSS-params
OID_PSS_HASH = {
    "1.3.14.3.2.26": hashes.SHA1, "2.16.840.1.101.3.4.2.1": hashes.SHA256,
    "2.16.840.1.101.3.4.2.2": hashes.SHA384,
    "2.16.840.1.101.3.4.2.3": hashes.SHA512,
}
OID_MGF1 = "1.2.840.113549.1.1.8"


def pss_params(algid):
    """(hash class, MGF1 hash class, salt length) of an RSASSA-PSS
    AlgorithmIdentifier (RFC 4055 3.1, with its DEFAULTs: SHA-1, MGF1 with
    SHA-1, 20); ValueError if it does not parse or names another hash."""
    tag, seq, _ = der_read(algid)
    _, _, off = der_read(seq)               # the OID
    hash_oid, mgf_hash_oid, salt = "1.3.14.3.2.26", "1.3.14.3.2.26", 20
    if off < len(seq):
        tag, params, _ = der_read(seq, off)
        if tag != 0x30:
            raise ValueError("RSASSA-PSS-params is not a SEQUENCE")
        poff = 0
        while poff < len(params):
            tag, field, poff = der_read(params, poff)
            if tag == 0xa0:                 # hashAlgorithm
                hash_oid = algid_oid(field)
            elif tag == 0xa1:               # maskGenAlgorithm
                _, mgf, _ = der_read(field)
                _, oid, moff = der_read(mgf)
                if oid_str(oid) != OID_MGF1:
                    raise ValueError("mask generation is not MGF1")
                mgf_hash_oid = algid_oid(mgf[moff:])
            elif tag == 0xa2:               # saltLength
                _, v, _ = der_read(field)
                salt = int.from_bytes(v, "big")
            elif tag == 0xa3:               # trailerField: 1 only
                _, v, _ = der_read(field)
                if int.from_bytes(v, "big") != 1:
                    raise ValueError("trailerField is not 1")
            else:
                raise ValueError("unknown RSASSA-PSS-params field")
    if hash_oid not in OID_PSS_HASH or mgf_hash_oid not in OID_PSS_HASH:
        raise ValueError("hash %s / MGF1 %s not supported" %
                         (hash_oid, mgf_hash_oid))
    return OID_PSS_HASH[hash_oid], OID_PSS_HASH[mgf_hash_oid], salt


def load_spki(der):
    return serialization.load_der_public_key(der)


def verify(pub, algid, sig, data):
    """True/False, or a string saying why it cannot be checked."""
    try:
        oid = algid_oid(algid)
    except (ValueError, IndexError) as e:
        return "the AlgorithmIdentifier does not parse (%s)" % e
    try:
        if isinstance(pub, ed25519.Ed25519PublicKey):
            if oid != OID_ED25519:
                return False
            pub.verify(sig, data)
        elif isinstance(pub, ed448.Ed448PublicKey):
            if oid != OID_ED448:
                return False
            pub.verify(sig, data)
        elif isinstance(pub, ec.EllipticCurvePublicKey):
            if oid not in OID_HASH:
                return "signature algorithm %s is not supported" % oid
            pub.verify(sig, data, ec.ECDSA(OID_HASH[oid]()))
        elif isinstance(pub, rsa.RSAPublicKey):
            if oid == OID_RSA_PSS:
                try:
                    h, mgf_h, salt = pss_params(algid)
                except (ValueError, IndexError) as e:
                    return "RSASSA-PSS parameters: %s" % e
                pub.verify(sig, data,
                           padding.PSS(mgf=padding.MGF1(mgf_h()),
                                       salt_length=salt), h())
                return True
            if oid not in OID_HASH:
                return "signature algorithm %s is not supported" % oid
            pub.verify(sig, data, padding.PKCS1v15(), OID_HASH[oid]())
        else:
            return "the public key's type is not supported"
    except InvalidSignature:
        return False
    return True
