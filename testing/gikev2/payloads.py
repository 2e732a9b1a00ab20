#
# Copyright (C) 2026 The mike developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# payloads.py: the IKEv2 header and payloads (RFC 7296 3) and G-IKEv2's
# IDg, GSA and KD (RFC 9838 4), decoded field by field.  Every format rule
# that can be seen in one payload is checked here: each decoder gets a
# `chk(id, what, ref)` callable to report a mismatch.

import ipaddress
import struct

import rfc

R7296, R9838 = "RFC 7296", "RFC 9838"


class Short(Exception):
    """A structure runs past its end: decoding of it stops."""


def u8(b, o):
    if o + 1 > len(b):
        raise Short()
    return b[o]


def u16(b, o):
    if o + 2 > len(b):
        raise Short()
    return struct.unpack("!H", b[o:o + 2])[0]


def u32(b, o):
    if o + 4 > len(b):
        raise Short()
    return struct.unpack("!I", b[o:o + 4])[0]


class Header:
    LEN = 28

    def __init__(self, b):
        if len(b) < 28:
            raise Short()
        self.spi_i, self.spi_r = b[0:8], b[8:16]
        self.np, ver, self.exch, self.flags = b[16], b[17], b[18], b[19]
        self.major, self.minor = ver >> 4, ver & 0x0f
        self.msgid, self.length = u32(b, 20), u32(b, 24)

    @property
    def initiator(self):
        return bool(self.flags & rfc.FLAG_I)

    @property
    def response(self):
        return bool(self.flags & rfc.FLAG_R)

    @property
    def exch_name(self):
        return rfc.EXCHANGES.get(self.exch, "exchange %d" % self.exch)


def check_header(h, datalen, chk):
    if h.major != 2:
        chk("hdr-version", "Major Version %d, not 2" % h.major, (R9838, "4.1"))
    if h.minor != 0:
        chk("hdr-version", "Minor Version %d, not 0" % h.minor, (R9838, "4.1"))
    if h.length != datalen:
        chk("hdr-length", "Length %d, the datagram has %d octets"
            % (h.length, datalen), (R7296, "3.1"))
    if h.flags & ~(rfc.FLAG_I | rfc.FLAG_V | rfc.FLAG_R) & 0xff:
        chk("hdr-flags", "reserved flags set (0x%02x)" % h.flags,
            (R7296, "3.1"))
    if h.flags & rfc.FLAG_V:
        chk("hdr-flags", "the Version flag is set", (R7296, "3.1"))


class Payload:
    def __init__(self, ptype, np, critical, reserved, body, off):
        self.type, self.np, self.critical = ptype, np, critical
        self.reserved, self.body, self.off = reserved, body, off
        self.info = None

    @property
    def name(self):
        return rfc.PL.get(self.type, "payload %d" % self.type)


def parse_chain(buf, first, off, chk, inner=False):
    """The payloads of buf from off on, the first of type `first`.  The
    Encrypted payload ends the chain (RFC 7296 3.14)."""
    out, ptype = [], first
    while ptype != 0:
        if off + 4 > len(buf):
            chk("pl-chain", "the %s payload's header runs past the end of "
                "the %s" % (rfc.PL.get(ptype, ptype),
                            "Encrypted payload" if inner else "message"),
                (R7296, "3.2"))
            break
        np, flags, plen = buf[off], buf[off + 1], u16(buf, off + 2)
        if flags & 0x7f:
            chk("pl-reserved", "%s: RESERVED bits of the generic payload "
                "header set (0x%02x)" % (rfc.PL.get(ptype, ptype), flags),
                (R7296, "3.2"))
        if plen < 4 or off + plen > len(buf):
            chk("pl-length", "%s: Payload Length %d does not fit (%d octets "
                "left)" % (rfc.PL.get(ptype, ptype), plen, len(buf) - off),
                (R7296, "3.2"))
            break
        p = Payload(ptype, np, bool(flags & 0x80), flags & 0x7f,
                    buf[off + 4:off + plen], off)
        p.length = plen
        out.append(p)
        off += plen
        if ptype in (rfc.PL_SK, rfc.PL_SKF):
            if off != len(buf):
                chk("sk-last", "the Encrypted payload is not the last payload",
                    (R7296, "3.14"))
            return out, off
        ptype = np
    if off != len(buf):
        chk("pl-chain", "%d octets after the last payload"
            % (len(buf) - off), (R7296, "3.2"))
    return out, off


# --- attributes (RFC 7296 3.3.5) ------------------------------------------

class Attr:
    def __init__(self, atype, tv, value):
        self.type, self.tv, self.value = atype, tv, value

    def int(self):
        return int.from_bytes(self.value, "big")


def parse_attrs(b, chk, where):
    out, o = [], 0
    while o < len(b):
        if o + 4 > len(b):
            chk("attr-length", "%s: %d octets left, too few for an attribute"
                % (where, len(b) - o), (R7296, "3.3.5"))
            break
        t = u16(b, o)
        if t & 0x8000:
            out.append(Attr(t & 0x7fff, True, b[o + 2:o + 4]))
            o += 4
        else:
            ln = u16(b, o + 2)
            if o + 4 + ln > len(b):
                chk("attr-length", "%s: attribute %d's Length %d runs past "
                    "the end" % (where, t, ln), (R7296, "3.3.5"))
                break
            out.append(Attr(t, False, b[o + 4:o + 4 + ln]))
            o += 4 + ln
    return out


def check_attrs(attrs, table, chk, where, ref, proto=None, protos=None):
    """Format (TV/TLV), value length, multiplicity; private use and
    unassigned types.  Returns {name: [Attr]}."""
    seen = {}
    for a in attrs:
        if a.type in table:
            name, tv, multi, vlen = table[a.type]
            if a.tv != tv:
                chk("attr-format", "%s: %s in %s format, RFC 9838 says %s"
                    % (where, name, "TV" if a.tv else "TLV",
                       "TV" if tv else "TLV"), ref)
            if vlen is not None and len(a.value) != vlen:
                chk("attr-value-length", "%s: %s has %d octets of value, not %d"
                    % (where, name, len(a.value), vlen), ref)
            if protos and proto not in protos.get(a.type, {proto}):
                chk("attr-protocol", "%s: %s is not used with %s"
                    % (where, name, rfc.PROTOS.get(proto, proto)), ref)
            seen.setdefault(name, []).append(a)
        elif a.type == 0:
            chk("attr-reserved", "%s: attribute type 0 (Reserved)" % where,
                ref)
        elif a.type in rfc.PRIVATE_ATTRS:
            chk("attr-private-use", "%s: private-use attribute %d (%d "
                "octets)" % (where, a.type, len(a.value)), (R9838, "9.2"))
            seen.setdefault("private %d" % a.type, []).append(a)
        else:
            chk("attr-unassigned", "%s: unassigned attribute type %d"
                % (where, a.type), (R9838, "9.2"))
    for name, lst in seen.items():
        multi = any(t[0] == name and t[2] for t in table.values())
        if len(lst) > 1 and not multi and not name.startswith("private"):
            chk("attr-multi", "%s: %d %s attributes, it is not multi-valued"
                % (where, len(lst), name), ref)
    return seen


# --- SA payload (RFC 7296 3.3) ---------------------------------------------

class Transform:
    def __init__(self, ttype, tid, attrs):
        self.type, self.id, self.attrs = ttype, tid, attrs

    def keylen(self):
        for a in self.attrs:
            if a.type == rfc.TA_KEY_LENGTH:
                return a.int()
        return None

    def attr(self, t):
        for a in self.attrs:
            if a.type == t:
                return a
        return None

    def __repr__(self):
        kl = self.keylen()
        return "%s %d%s" % (rfc.TTYPES.get(self.type, self.type), self.id,
                            "/%d" % kl if kl else "")


def parse_transforms(b, o, end, chk, where):
    """RFC 7296 3.3.2 transforms from o until the one with Last Substruc 0;
    (list, next offset)."""
    out = []
    while o < end:
        last, res, tlen = u8(b, o), u8(b, o + 1), u16(b, o + 2)
        ttype, res2, tid = u8(b, o + 4), u8(b, o + 5), u16(b, o + 6)
        if last not in (0, 3):
            chk("tr-last-substruc", "%s: a transform's Last Substruc is %d, "
                "not 3 or 0" % (where, last), (R9838, "4.4.2"))
        if res or res2:
            chk("tr-reserved", "%s: RESERVED octets of a transform not zero"
                % where, (R7296, "3.3.2"))
        if tlen < 8 or o + tlen > end:
            chk("tr-length", "%s: Transform Length %d does not fit"
                % (where, tlen), (R7296, "3.3.2"))
            raise Short()
        attrs = parse_attrs(b[o + 8:o + tlen], chk, where + " transform")
        for a in attrs:
            if a.type in rfc.TRANSFORM_ATTRS:
                if a.tv != rfc.TRANSFORM_ATTRS[a.type]:
                    chk("attr-format", "%s: transform attribute %d in %s "
                        "format" % (where, a.type, "TV" if a.tv else "TLV"),
                        (R7296 if a.type == 14 else R9838,
                         "3.3.5" if a.type == 14 else "4.4.2.1.1"))
            else:
                chk("tr-attr-unknown", "%s: unknown transform attribute %d"
                    % (where, a.type), (R7296, "3.3.5"))
        out.append(Transform(ttype, tid, attrs))
        o += tlen
        if last == 0:
            return out, o
    chk("tr-last-substruc", "%s: no transform has Last Substruc 0" % where,
        (R9838, "4.4.2"))
    return out, o


def parse_sa(body, chk):
    """Proposals of an SA (or SAg) payload: list of (num, proto, spi,
    [Transform])."""
    out, o = [], 0
    while o < len(body):
        last, _, plen = u8(body, o), u8(body, o + 1), u16(body, o + 2)
        num, proto, spisize, ntr = (u8(body, o + 4), u8(body, o + 5),
                                    u8(body, o + 6), u8(body, o + 7))
        if plen < 8 or o + plen > len(body):
            chk("sa-length", "SA: Proposal Length %d does not fit" % plen,
                (R7296, "3.3.1"))
            break
        spi = body[o + 8:o + 8 + spisize]
        trs, _ = parse_transforms(body, o + 8 + spisize, o + plen, chk, "SA")
        if len(trs) != ntr:
            chk("sa-length", "SA: %d transforms, the proposal says %d"
                % (len(trs), ntr), (R7296, "3.3.1"))
        out.append((num, proto, spi, trs))
        o += plen
        if last == 0:
            break
    return out


# --- traffic selectors (RFC 7296 3.13.1) -----------------------------------

class TS:
    def __init__(self, tstype, proto, sport, eport, saddr, eaddr):
        self.type, self.proto = tstype, proto
        self.sport, self.eport, self.saddr, self.eaddr = (sport, eport,
                                                          saddr, eaddr)

    def __repr__(self):
        a = str(self.saddr) if self.saddr == self.eaddr else "%s-%s" % (
            self.saddr, self.eaddr)
        p = str(self.sport) if self.sport == self.eport else "%d-%d" % (
            self.sport, self.eport)
        return "%s proto %d port %s" % (a, self.proto, p)


def parse_ts(b, o, chk, where):
    tstype, proto, ln = u8(b, o), u8(b, o + 1), u16(b, o + 2)
    alen = {7: 4, 8: 16}.get(tstype)
    if alen is None:
        chk("ts-type", "%s: TS Type %d" % (where, tstype), (R7296, "3.13.1"))
        raise Short()
    if ln != 8 + 2 * alen:
        chk("ts-length", "%s: Selector Length %d, TS Type %d needs %d"
            % (where, ln, tstype, 8 + 2 * alen), (R7296, "3.13.1"))
    sport, eport = u16(b, o + 4), u16(b, o + 6)
    if o + 8 + 2 * alen > len(b):
        raise Short()
    cls = ipaddress.IPv4Address if alen == 4 else ipaddress.IPv6Address
    sa = cls(b[o + 8:o + 8 + alen])
    ea = cls(b[o + 8 + alen:o + 8 + 2 * alen])
    if sport > eport or sa > ea:
        chk("ts-range", "%s: start after end" % where, (R7296, "3.13.1"))
    return TS(tstype, proto, sport, eport, sa, ea), o + max(ln, 8 + 2 * alen)


# --- GSA (RFC 9838 4.4) ----------------------------------------------------

class Policy:
    def __init__(self, proto):
        self.proto, self.spi = proto, b""
        self.src = self.dst = None
        self.transforms, self.attrs, self.named = [], [], {}

    @property
    def kind(self):
        return {0: "GW", rfc.PROTO_GIKE_UPDATE: "KEK"}.get(self.proto, "TEK")

    def transform(self, ttype):
        for t in self.transforms:
            if t.type == ttype:
                return t
        return None

    def label(self):
        if self.proto == 0:
            return "GW policy"
        return "%s policy %s SPI %s" % (self.kind, rfc.PROTOS.get(
            self.proto, self.proto), self.spi.hex())


def parse_gsa(body, chk):
    pols, o = [], 0
    while o < len(body):
        if o + 4 > len(body):
            chk("gsa-length", "GSA: %d octets left, too few for a policy"
                % (len(body) - o), (R9838, "4.4.2"))
            break
        proto, spisize, ln = u8(body, o), u8(body, o + 1), u16(body, o + 2)
        if ln < 4 or o + ln > len(body):
            chk("gsa-length", "GSA: a policy's Length %d does not fit (%d "
                "octets left)" % (ln, len(body) - o), (R9838, "4.4.2"))
            break
        sub = body[o:o + ln]
        p = Policy(proto)
        pols.append(p)
        o += ln
        try:
            if proto == 0:
                if spisize:
                    chk("gw-reserved", "GW policy: RESERVED is %d" % spisize,
                        (R9838, "4.4.3"))
                p.attrs = parse_attrs(sub[4:], chk, "GW policy")
                p.named = check_attrs(p.attrs, rfc.GW_ATTRS, chk, "GW policy",
                                      (R9838, "4.4.3.1"))
                continue
            if proto not in rfc.SPI_SIZE:
                chk("gsa-protocol", "GSA: policy Protocol %d (neither 0, "
                    "AH, ESP nor GIKE_UPDATE)" % proto, (R9838, "4.4.2"))
                continue
            if spisize != rfc.SPI_SIZE[proto]:
                chk("gsa-spi-size", "GSA: %s policy with SPI Size %d, not %d"
                    % (rfc.PROTOS[proto], spisize, rfc.SPI_SIZE[proto]),
                    (R9838, "4.4.2"))
            p.spi = sub[4:4 + spisize]
            q = 4 + spisize
            p.src, q = parse_ts(sub, q, chk, p.label() + " source TS")
            p.dst, q = parse_ts(sub, q, chk, p.label() + " destination TS")
            p.transforms, q = parse_transforms(sub, q, len(sub), chk,
                                               p.label())
            p.attrs = parse_attrs(sub[q:], chk, p.label())
            p.named = check_attrs(p.attrs, rfc.GSA_ATTRS, chk, p.label(),
                                  (R9838, "4.4.2.2"), proto,
                                  rfc.GSA_ATTR_PROTOS)
            for a in p.named.get("GSA_NEXT_SPI", []):
                if len(a.value) != spisize:
                    chk("attr-value-length", "%s: GSA_NEXT_SPI of %d octets, "
                        "the SPI Size is %d" % (p.label(), len(a.value),
                                                spisize), (R9838, "4.4.2.2.3"))
        except Short:
            chk("gsa-length", "%s runs past its Length" % p.label(),
                (R9838, "4.4.2"))
    return pols


def check_policy_transforms(p, chk, registration, label=""):
    """RFC 9838 4.4.2.1: mandatory / optional transform types."""
    if p.proto not in rfc.GSA_TRANSFORMS:
        return
    mand, opt = rfc.GSA_TRANSFORMS[p.proto]
    counts = {}
    for t in p.transforms:
        counts[t.type] = counts.get(t.type, 0) + 1
    where = (label + " " if label else "") + p.label()
    for t, n in counts.items():
        if t not in mand | opt:
            chk("tr-type-not-allowed", "%s: transform type %s is not used "
                "with %s" % (where, rfc.TTYPES.get(t, t),
                             rfc.PROTOS[p.proto]), (R9838, "4.4.2.1"))
        elif n > 1:
            chk("tr-duplicate", "%s: %d transforms of type %s"
                % (where, n, rfc.TTYPES.get(t, t)), (R9838, "4.4.2.1"))
    for t in mand:
        if t not in counts:
            chk("tr-mandatory", "%s: no %s transform" % (
                where, rfc.TTYPES[t]), (R9838, "4.4.2.1"))
    if p.proto == rfc.PROTO_GIKE_UPDATE:
        if registration and rfc.T_GCAUTH not in counts:
            chk("tr-gcauth-missing", "%s: no GCAUTH transform at "
                "registration" % where, (R9838, "4.4.2.1"))
        if not registration and rfc.T_GCAUTH in counts:
            chk("tr-gcauth-in-rekey", "%s: GCAUTH transform outside the "
                "registration" % where, (R9838, "4.4.2.1.1"))
    encr = p.transform(rfc.T_ENCR)
    integ = p.transform(rfc.T_INTEG)
    if encr:
        e = rfc.ENCR.get(encr.id)
        if e is None:
            chk("tr-encr-unknown", "%s: ENCR %d" % (where, encr.id),
                (R7296, "3.3.2"))
        else:
            aead = e[3] > 0
            if aead and integ and integ.id != 0:
                chk("tr-integ-aead", "%s: INTEG %d with the AEAD %s"
                    % (where, integ.id, e[0]), (R9838, "4.4.2.1"))
            if not aead and (not integ or integ.id == 0) and \
                    p.proto == rfc.PROTO_GIKE_UPDATE:
                chk("tr-integ-aead", "%s: no INTEG with the non-AEAD %s"
                    % (where, e[0]), (R9838, "4.4.2.1"))
            if encr.id in rfc.ENCR_IMPLICIT_IV:
                chk("tr-implicit-iv", "%s: %s relies on sequence numbers "
                    "for its IV" % (where, e[0]), (R9838, "2.7"))
            kl = encr.keylen()
            if e[1] is None and kl is None:
                chk("tr-keylen", "%s: %s without a Key Length attribute"
                    % (where, e[0]), (R7296, "3.3.5"))
            if kl is not None and encr.id in rfc.ENCR_KEY_LENGTHS and \
                    kl not in rfc.ENCR_KEY_LENGTHS[encr.id]:
                chk("tr-keylen", "%s: %s with Key Length %d" % (
                    where, e[0], kl), (R7296, "3.3.5"))
    sn = p.transform(rfc.T_SN)
    if sn and sn.id == rfc.SN_64_PARTIAL:
        chk("tr-sn-esn", "%s: Partially Transmitted 64-bit Sequential "
            "Numbers for a multicast SA" % where, (R9838, "4.4.2.1.3"))
    if sn and sn.id not in (0, 1, 2):
        chk("tr-sn-unknown", "%s: SN transform ID %d" % (where, sn.id),
            (R9838, "4.4.2.1.3"))
    kwa = p.transform(rfc.T_KWA)
    if kwa and kwa.id not in rfc.KWA:
        chk("tr-kwa-unknown", "%s: KWA %d" % (where, kwa.id),
            (R9838, "4.4.2.1.2"))
    gca = p.transform(rfc.T_GCAUTH)
    if gca:
        sig = gca.attr(rfc.TA_SIG_ALG_ID)
        if gca.id == rfc.GCAUTH_SIGNATURE and sig is None:
            chk("gcauth-sigalg", "%s: Digital Signature without Signature "
                "Algorithm Identifier" % where, (R9838, "4.4.2.1.1"))
        if gca.id != rfc.GCAUTH_SIGNATURE and sig is not None:
            chk("gcauth-sigalg", "%s: Signature Algorithm Identifier with "
                "GCAUTH %d" % (where, gca.id), (R9838, "4.4.2.1.1"))
        if gca.id not in (1, 2):
            chk("gcauth-unknown", "%s: GCAUTH %d" % (where, gca.id),
                (R9838, "4.4.2.1.1"))


def check_kek_selectors(p, chk, label=""):
    """RFC 9838 4.4.2: the Rekey SA's destination is one multicast
    address, UDP, one port."""
    d = p.dst
    where = (label + " " if label else "") + p.label()
    if d is None:
        return
    if d.saddr != d.eaddr or not d.saddr.is_multicast:
        chk("kek-dst-multicast", "%s: destination TS %r is not a single "
            "multicast address" % (where, d), (R9838, "4.4.2"))
    if d.sport != d.eport:
        chk("kek-dst-port", "%s: destination TS %r is not a single port"
            % (where, d), (R9838, "4.4.2"))
    if d.proto not in (17,):
        chk("kek-dst-proto", "%s: destination TS protocol %d, not UDP"
            % (where, d.proto), (R9838, "4.4.2"))


# --- KD (RFC 9838 4.5) ----------------------------------------------------

class KeyBag:
    def __init__(self, proto, spi, attrs, named):
        self.proto, self.spi, self.attrs, self.named = (proto, spi, attrs,
                                                         named)

    @property
    def member(self):
        return self.proto == 0

    def label(self):
        if self.member:
            return "member key bag"
        return "key bag %s SPI %s" % (rfc.PROTOS.get(self.proto, self.proto),
                                      self.spi.hex())


def parse_kd(body, chk):
    bags, o = [], 0
    while o < len(body):
        if o + 4 > len(body):
            chk("kd-length", "KD: %d octets left, too few for a key bag"
                % (len(body) - o), (R9838, "4.5.1"))
            break
        proto, spisize, ln = u8(body, o), u8(body, o + 1), u16(body, o + 2)
        if ln < 4 or o + ln > len(body):
            chk("kd-length", "KD: a key bag's Length %d does not fit (%d "
                "octets left)" % (ln, len(body) - o), (R9838, "4.5.1"))
            break
        sub = body[o:o + ln]
        o += ln
        if proto == 0:
            if spisize:
                chk("kd-reserved", "member key bag: RESERVED is %d" % spisize,
                    (R9838, "4.5.3"))
            attrs = parse_attrs(sub[4:], chk, "member key bag")
            named = check_attrs(attrs, rfc.MKB_ATTRS, chk, "member key bag",
                                (R9838, "4.5.3"))
            bags.append(KeyBag(0, b"", attrs, named))
            continue
        if proto not in rfc.SPI_SIZE:
            chk("kd-protocol", "KD: key bag Protocol %d" % proto,
                (R9838, "4.5.2"))
            continue
        if spisize != rfc.SPI_SIZE[proto]:
            chk("kd-spi-size", "KD: %s key bag with SPI Size %d, not %d"
                % (rfc.PROTOS[proto], spisize, rfc.SPI_SIZE[proto]),
                (R9838, "4.5.2"))
        spi = sub[4:4 + spisize]
        attrs = parse_attrs(sub[4 + spisize:], chk, "key bag")
        kb = KeyBag(proto, spi, attrs, {})
        kb.named = check_attrs(attrs, rfc.GKB_ATTRS, chk, kb.label(),
                               (R9838, "4.5.2"))
        bags.append(kb)
    return bags


class WrappedKey:
    def __init__(self, a, chk, where):
        v = a.value
        if len(v) < 8:
            chk("wrapped-key-length", "%s: %d octets, too few for Key ID and "
                "KWK ID" % (where, len(v)), (R9838, "4.5.4"))
            self.key_id, self.kwk_id, self.data = 0, 0, b""
            return
        self.key_id, self.kwk_id, self.data = u32(v, 0), u32(v, 4), v[8:]


# --- Notify, Delete, AUTH, ID, CERT (RFC 7296 3.10, 3.11, 3.8, 3.5, 3.6) ----

class Notify:
    def __init__(self, body, chk):
        self.proto, self.spisize = u8(body, 0), u8(body, 1)
        self.type = u16(body, 2)
        self.spi = body[4:4 + self.spisize]
        self.data = body[4 + self.spisize:]
        if 4 + self.spisize > len(body):
            chk("n-length", "N(%d): SPI Size %d runs past the payload"
                % (self.type, self.spisize), (R7296, "3.10"))

    @property
    def name(self):
        return rfc.NOTIFIES.get(self.type, str(self.type))


class Delete:
    def __init__(self, body, chk):
        self.proto, self.spisize = u8(body, 0), u8(body, 1)
        self.num = u16(body, 2)
        self.spis = [body[4 + i * self.spisize:4 + (i + 1) * self.spisize]
                     for i in range(self.num)] if self.spisize else []
        if len(body) != 4 + self.num * self.spisize:
            chk("d-length", "D: %d SPIs of %d octets in %d octets of body"
                % (self.num, self.spisize, len(body) - 4), (R7296, "3.11"))
        want = {0: 0, 1: 0, 2: 4, 3: 4, 6: 16}.get(self.proto)
        if want is None:
            chk("d-protocol", "D: Protocol ID %d" % self.proto,
                (R9838, "4.6"))
        elif self.spisize != want:
            chk("d-spi-size", "D: Protocol ID %d with SPI Size %d, not %d"
                % (self.proto, self.spisize, want), (R9838, "4.6"))


class Auth:
    def __init__(self, body, chk):
        self.method = u8(body, 0)
        if body[1:4] != b"\0\0\0":
            chk("auth-reserved", "AUTH: RESERVED not zero", (R7296, "3.8"))
        self.data = body[4:]
        self.algid = self.sig = None
        self.sig_off = None
        if self.method == rfc.AUTH_DIGITAL_SIGNATURE and self.data:
            n = self.data[0]
            self.algid = self.data[1:1 + n]
            self.sig = self.data[1 + n:]
            self.sig_off = 4 + 4 + 1 + n  # from the payload's start


class Ident:
    def __init__(self, body, chk, where):
        self.type = u8(body, 0)
        if body[1:4] != b"\0\0\0":
            chk("id-reserved", "%s: RESERVED not zero" % where,
                (R7296, "3.5"))
        self.data = body[4:]

    def __str__(self):
        if self.type == 1 and len(self.data) == 4:
            return str(ipaddress.IPv4Address(self.data))
        if self.type == 5 and len(self.data) == 16:
            return str(ipaddress.IPv6Address(self.data))
        if self.type in (2, 3, 11):
            return self.data.decode("ascii", "replace")
        return self.data.hex()
