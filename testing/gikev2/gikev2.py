#!/usr/bin/env python3
#
# Copyright (C) 2026 The mike developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# gikev2.py: an independent RFC 9838 (G-IKEv2) decoder and checker for
# captures of the VM scenarios.  See README.md beside it.
#
#   gikev2.py [--log NODE=charon.log]... [--node NODE=ADDR[,ADDR]]...
#             [--exclude NODE]... [--rekey-port PORT]... [--deviations F]
#             [--scenario NAME] [--decode] CAPTURE.pcap
#
# Prints one line per mismatch, "MISMATCH <id> <frame> <what> (RFC <sect>)",
# or "DEVIATION <dev-id> ..." where a line of the deviations file covers it,
# then "SUMMARY: N messages, M mismatches (...)".  Exit 1 when a mismatch
# is not covered, 2 when the capture cannot be read.

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import crypt    # noqa: E402
import payloads as P    # noqa: E402
import rfc      # noqa: E402
import wire     # noqa: E402

R7296, R9838 = P.R7296, P.R9838
R7383 = "RFC 7383"


class Finding:
    def __init__(self, cid, frame, what, ref, excluded=False):
        self.id, self.frame, self.what, self.ref = cid, frame, what, ref
        self.excluded = excluded
        self.deviation = None

    def line(self):
        return "MISMATCH %s %s %s (%s %s)" % (self.id, self.frame, self.what,
                                               self.ref[0], self.ref[1])


class IkeSA:
    def __init__(self, spi_i, init_addr, resp_addr):
        self.spi_i, self.spi_r = spi_i, None
        self.init_addr, self.resp_addr = init_addr, resp_addr
        self.gcks_addr = resp_addr
        self.proposal = None
        self.cipher = None
        self.prf = None
        self.kwa = None
        self.keys = None
        self.tried = False
        self.pending = {}           # msgid -> registration request
        self.groups = []            # groups registered over it
        self.gsk_w = None


class RekeySA:
    def __init__(self, spi, group, policy, keymat, frame, via):
        self.spi, self.group, self.policy = spi, group, policy
        self.keymat, self.frame, self.via = keymat, frame, via
        self.cipher = None
        self.gsk_e = self.gsk_a = self.gsk_w = None
        self.initial = 0
        self.announced = None       # GSA_INITIAL_MESSAGE_ID seen
        self.last = None            # last Message ID seen
        self.sent = {}              # msgid -> bytes
        self.seen = []              # (frame, msgid) of each message, in order
        kwa = policy.transform(rfc.T_KWA) if policy else None
        encr = policy.transform(rfc.T_ENCR) if policy else None
        integ = policy.transform(rfc.T_INTEG) if policy else None
        if encr and keymat is not None:
            try:
                self.cipher = crypt.Cipherset(encr.id, encr.keylen(),
                                              integ.id if integ else 0)
            except crypt.SKError:
                self.cipher = None
        if self.cipher and kwa and kwa.id in rfc.KWA:
            e, a = self.cipher.enc_key_bytes, self.cipher.integ_key_bytes
            w = rfc.KWA[kwa.id][1]
            self.gsk_e, self.gsk_a = keymat[:e], keymat[e:e + a]
            self.gsk_w = keymat[e + a:e + a + w]


class Group:
    def __init__(self, name):
        self.name = name
        self.inband = False
        self.pub = None             # AUTH_KEY (SubjectPublicKeyInfo)
        self.pub_der = None
        self.cert_pub = None
        self.gcauth = None
        self.sigalg = None
        self.wrap_keys = {}         # key id -> [keys]
        self.transport = set()      # USE_TRANSPORT_MODE seen / not
        self.transport_now = None
        self.gcks = None


def needed_keymat(p):
    """RFC 9838 3.4: the keying material an SA's transforms need, or None."""
    encr, integ = p.transform(rfc.T_ENCR), p.transform(rfc.T_INTEG)
    n = 0
    if encr:
        e = rfc.ENCR.get(encr.id)
        if e is None:
            return None
        n += (e[1] if e[1] is not None else (encr.keylen() or 0) // 8) + e[2]
    if integ:
        i = rfc.INTEG.get(integ.id)
        if i is None:
            return None
        n += i[1]
    if p.proto == rfc.PROTO_GIKE_UPDATE:
        kwa = p.transform(rfc.T_KWA)
        if not kwa or kwa.id not in rfc.KWA:
            return None
        n += rfc.KWA[kwa.id][1]
    return n


def counter_mode(p):
    encr, integ = p.transform(rfc.T_ENCR), p.transform(rfc.T_INTEG)
    if encr and rfc.ENCR.get(encr.id, (0,) * 6)[5]:
        return True
    return bool(integ and rfc.INTEG.get(integ.id, (0, 0, 0, False))[3])


class Checker:
    def __init__(self, keysets, nodes, exclude, rekey_ports, cross, decode):
        self.keysets = keysets
        self.addr_node = {}
        for n, addrs in nodes.items():
            for a in addrs:
                self.addr_node[a] = n
        self.exclude = set(exclude)
        self.rekey_ports = set(rekey_ports)
        self.cross = cross
        self.decode_out = decode
        self.findings = []
        self.ikesas = {}
        self.rekeysas = {}
        self.groups = {}
        self.inband_groups = set()
        self.teks = {}
        self.esp_unknown = {}
        self.messages = 0
        self.excluded_msgs = 0
        self.seen = set()
        self.frame = 0
        self.cur_excluded = False
        self.who = ""

    # --- reporting --------------------------------------------------------

    def chk(self, cid, what, ref):
        self.findings.append(Finding(cid, self.frame, self.who + what, ref,
                                     self.cur_excluded))

    def say(self, text):
        if self.decode_out:
            print("%6s %s%s" % (self.frame, self.who, text))

    def node(self, addr):
        return self.addr_node.get(addr, addr)

    def group(self, name, gcks=None):
        """A group is its GCKS's: a rogue GCKS's group of the same name is
        another group (key (GCKS address, name))."""
        key = name if gcks is None else (gcks, name)
        if key not in self.groups:
            self.groups[key] = Group(name)
            self.groups[key].key = key
        return self.groups[key]

    # --- datagrams --------------------------------------------------------

    def datagram(self, d):
        self.frame = d.frame
        src, dst = self.node(d.src), self.node(d.dst)
        self.who = "%s->%s " % (src, dst)
        self.cur_excluded = src in self.exclude
        data = d.data
        if d.proto == 50:
            self.esp(d)
            return
        ike_port = d.sport in (500, 4500) or d.dport in (500, 4500)
        rekey_port = d.dport in self.rekey_ports
        if not (ike_port or rekey_port):
            return
        if d.dport == 4500 or d.sport == 4500:
            if len(data) < 4:
                return          # NAT-T keepalive (RFC 3948 2.3)
            if data[:4] != b"\0\0\0\0":
                return          # ESP in UDP
            data = data[4:]
        if len(data) == 1 and data == b"\xff":
            return
        try:
            h = P.Header(data)
        except P.Short:
            if not ike_port:
                return
            self.chk("hdr-length", "a datagram of %d octets on an IKE port"
                     % len(data), (R7296, "3.1"))
            return
        if not ike_port and (h.major != 2 or h.length != len(data)):
            return              # not IKE: some other use of the port
        self.messages += 1
        if self.cur_excluded:
            self.excluded_msgs += 1
        key = (d.src, d.dst, data)
        if key in self.seen:
            self.say("%s retransmitted" % h.exch_name)
            return
        self.seen.add(key)
        try:
            if h.exch == rfc.GSA_REKEY:
                self.rekey(d, h, data)
            else:
                self.ike(d, h, data)
        except P.Short:
            self.chk("truncated", "%s: a structure runs past the end of "
                     "its payload" % h.exch_name, (R7296, "3.2"))

    # --- unicast IKE -------------------------------------------------------

    def ike(self, d, h, data):
        chk = self.chk
        P.check_header(h, len(data), chk)
        if h.exch not in rfc.EXCHANGES:
            chk("hdr-exchange", "exchange type %d" % h.exch, (R7296, "3.1"))
        outer, _ = P.parse_chain(data, h.np, P.Header.LEN, chk)
        sa = self.ikesas.get(h.spi_i)
        if h.exch == rfc.IKE_SA_INIT:
            if not h.response:
                if sa is None or sa.spi_r is not None:
                    sa = self.ikesas[h.spi_i] = IkeSA(h.spi_i, d.src, d.dst)
            elif sa is not None:
                sa.spi_r = h.spi_r
                for p in outer:
                    if p.type == rfc.PL_SA:
                        props = P.parse_sa(p.body, chk)
                        if props:
                            sa.proposal = props[0][3]
            self.say("%s %s %s" % (h.exch_name, "response" if h.response
                                   else "request",
                                   " ".join(p.name for p in outer)))
            return
        if sa is None:
            self.say("%s for an unknown IKE SA %s" % (h.exch_name,
                                                      h.spi_i.hex()))
            return
        sk = [p for p in outer if p.type in (rfc.PL_SK, rfc.PL_SKF)]
        if not sk:
            self.say("%s without an Encrypted payload: %s" % (
                h.exch_name, " ".join(p.name for p in outer)))
            return
        inner = self.decrypt_ike(sa, h, data, sk[0])
        if inner is None:
            return
        self.say("%s %s %d: %s" % (h.exch_name, "response" if h.response
                                   else "request", h.msgid,
                                   " ".join(p.name for p in inner)))
        self.ike_contents(sa, d, h, inner)

    def ike_cipher(self, sa):
        if sa.cipher or not sa.proposal:
            return sa.cipher
        encr = integ = prf = None
        for t in sa.proposal:
            if t.type == rfc.T_ENCR:
                encr = t
            elif t.type == rfc.T_INTEG:
                integ = t
            elif t.type == rfc.T_PRF:
                prf = t
            elif t.type == rfc.T_KWA:
                sa.kwa = t.id
        if encr is None:
            return None
        try:
            sa.cipher = crypt.Cipherset(encr.id, encr.keylen(),
                                        integ.id if integ else 0)
        except crypt.SKError as e:
            self.chk("ike-unsupported", "the IKE SA's %s: not decrypted"
                     % e, (R7296, "3.14"))
            return None
        sa.prf = prf.id if prf else None
        return sa.cipher

    def decrypt_ike(self, sa, h, data, sk):
        c = self.ike_cipher(sa)
        if c is None:
            return None
        hdr = 4
        if sk.type == rfc.PL_SKF:
            hdr = 8
            num, total = P.u16(sk.body, 0), P.u16(sk.body, 2)
            if num < 1 or num > total:
                self.chk("skf-number", "Fragment Number %d of %d" % (
                    num, total), ("RFC 7383", "2.5"))
                return None
        cands = [sa.keys] if sa.keys else self.keysets
        for ks in cands:
            ek = ks.keys.get("Sk_ei" if h.initiator else "Sk_er", b"")
            ak = ks.keys.get("Sk_ai" if h.initiator else "Sk_ar", b"")
            if len(ek) != c.enc_key_bytes:
                continue
            try:
                pt = c.decrypt(ek, ak, data, sk.off, sk.length, hdr)
            except crypt.SKError:
                continue
            if sk.type == rfc.PL_SKF:
                if sa.keys is None:
                    sa.keys = ks
                    if sa.prf in rfc.PRF_HASH:
                        kw = rfc.KWA[sa.kwa or rfc.KWA_IMPLIED][1]
                        sa.gsk_w = crypt.gsk_w(sa.prf, ks.keys["Sk_d"], kw)
                return self.fragment(sa, h, sk, num, total, pt)
            if sa.keys is None:
                sa.keys = ks
                if sa.prf in rfc.PRF_HASH:
                    kw = rfc.KWA[sa.kwa or rfc.KWA_IMPLIED][1]
                    sa.gsk_w = crypt.gsk_w(sa.prf, ks.keys["Sk_d"], kw)
            return self.sk_inner(pt, sk)
        if sa.keys:
            self.chk("sk-icv", "%s: the Encrypted payload does not verify "
                     "with the IKE SA's keys" % h.exch_name, (R7296, "3.14"))
        else:
            self.say("%s: no logged keys decrypt it" % h.exch_name)
        return None

    def fragment(self, sa, h, sk, num, total, pt):
        """RFC 7383 2.6: collect the fragments of a message; its inner
        payloads once all are there."""
        key = (h.msgid, h.flags & (rfc.FLAG_I | rfc.FLAG_R))
        frags = sa.__dict__.setdefault("frags", {}).setdefault(key, {})
        padlen = pt[-1]
        if padlen + 1 > len(pt):
            self.chk("sk-padding", "Pad Length %d, the fragment has %d "
                     "octets" % (padlen, len(pt)), (R7296, "3.14"))
            return None
        frags[num] = (sk.np, pt[:len(pt) - padlen - 1])
        if num != 1 and sk.np != 0:
            self.chk("skf-next-payload", "fragment %d has Next Payload %d"
                     % (num, sk.np), ("RFC 7383", "2.5"))
        if len(frags) < total or any(i not in frags
                                     for i in range(1, total + 1)):
            self.say("%s fragment %d of %d" % (h.exch_name, num, total))
            return None
        plain = b"".join(frags[i][1] for i in range(1, total + 1))
        first = frags[1][0]
        del sa.frags[key]
        inner, _ = P.parse_chain(plain, first, 0, self.chk, inner=True)
        self.last_plain = plain
        return inner

    def sk_inner(self, pt, sk):
        padlen = pt[-1]
        if padlen + 1 > len(pt):
            self.chk("sk-padding", "Pad Length %d, the plaintext has %d "
                     "octets" % (padlen, len(pt)), (R7296, "3.14"))
            return []
        plain = pt[:len(pt) - padlen - 1]
        inner, _ = P.parse_chain(plain, sk.np, 0, self.chk, inner=True)
        self.last_plain = plain
        return inner

    def notifies(self, inner):
        out = []
        for p in inner:
            if p.type == rfc.PL_N:
                n = P.Notify(p.body, self.chk)
                p.info = n
                out.append(n)
        return out

    def check_notify(self, n, exch_name):
        chk = self.chk
        if n.type in rfc.G_IKEV2_ERRORS or n.type in (
                rfc.N_GROUP_SENDER, rfc.N_USE_TRANSPORT_MODE):
            if n.proto or n.spisize:
                chk("n-proto-spi", "N(%s) with Protocol ID %d, SPI Size %d"
                    % (n.name, n.proto, n.spisize), (R9838, "4.7"))
        if n.type == rfc.N_GROUP_SENDER and len(n.data) != 4:
            chk("n-group-sender-data", "N(GROUP_SENDER) with %d octets of "
                "data, not a 4-octet count" % len(n.data), (R9838, "4.7.4"))
        if rfc.notify_private(n.type):
            chk("n-private-use", "%s: private-use notify %d (%d octets)"
                % (exch_name, n.type, len(n.data)), (R7296, "3.10.1"))

    def ike_rekey(self, sa, h, inner):
        """RFC 7296 1.3.2: a CREATE_CHILD_SA with an IKE proposal makes a
        new IKE SA; its keys are found in the logs like the first's."""
        for p in inner:
            if p.type != rfc.PL_SA:
                continue
            props = P.parse_sa(p.body, self.chk)
            ike = [x for x in props if x[1] == rfc.PROTO_IKE]
            if not ike:
                continue
            spi = ike[0][2]
            if not h.response:
                sa.__dict__.setdefault("rekeying", {})[h.msgid] = spi
                return
            new_i = sa.__dict__.get("rekeying", {}).pop(h.msgid, None)
            if new_i is None:
                return
            init, resp = ((sa.init_addr, sa.resp_addr) if h.initiator
                          else (sa.resp_addr, sa.init_addr))
            # the rekey's initiator sent the request: the response comes
            # from its responder
            n = IkeSA(new_i, resp, init)
            n.spi_r = spi
            n.proposal = ike[0][3]
            n.gcks_addr = sa.gcks_addr
            n.groups = list(sa.groups)
            self.ikesas[new_i] = n
            self.say("IKE SA rekeyed: %s_i %s_r" % (new_i.hex(), spi.hex()))

    def ike_contents(self, sa, d, h, inner):
        chk = self.chk
        if h.exch == rfc.CREATE_CHILD_SA:
            self.ike_rekey(sa, h, inner)
            return
        ns = self.notifies(inner)
        for n in ns:
            self.check_notify(n, h.exch_name)
        types = [p.type for p in inner]
        from_gcks = d.src == sa.gcks_addr
        idg = [p for p in inner if p.type == rfc.PL_IDG]
        for p in inner:
            if p.type == rfc.PL_CERT and from_gcks and p.body[:1] == b"\x04":
                try:
                    from cryptography import x509
                    cert = x509.load_der_x509_certificate(p.body[1:])
                    sa.cert_pub = cert.public_key()
                except Exception:   # noqa: BLE001 (any parse failure)
                    pass
        if not h.response and idg:
            ident = P.Ident(idg[0].body, chk, "IDg")
            if ident.type not in (1, 2, 3, 5, 11, 9, 10):
                chk("idg-type", "IDg: ID Type %d" % ident.type,
                    (R9838, "4.2"))
            if len(idg) > 1:
                chk("idg-count", "%d IDg payloads" % len(idg),
                    (R9838, "2.3.1"))
            name = str(ident)
            leave = any(n.type in (rfc.N_NO_PROPOSAL_CHOSEN,
                                   rfc.N_REGISTRATION_FAILED) for n in ns)
            senders = [n for n in ns if n.type == rfc.N_GROUP_SENDER]
            req = {"group": name, "frame": self.frame, "exch": h.exch,
                   "leave": leave, "sender": bool(senders),
                   "count": int.from_bytes(senders[0].data[:4], "big")
                   if senders and len(senders[0].data) >= 4 else None,
                   "sag": rfc.PL_SA in types}
            if from_gcks:
                # the GCKS pushing IDg: mike's inband rekey (item 9)
                self.inband_push(sa, d, h, inner, name)
                return
            self.registration_request(sa, h, req)
            sa.pending[h.msgid] = req
            return
        if h.response and not from_gcks:
            return
        if h.response:
            req = sa.pending.pop(h.msgid, None)
            if req is None and (rfc.PL_GSA in types or rfc.PL_KD in types):
                req = sa.pending.pop(max(sa.pending), None) if sa.pending \
                    else None
            if req is not None:
                self.registration_response(sa, h, inner, ns, req)
            return
        group_delete = any(p.type == rfc.PL_D and p.body[:1] != b"\x01"
                           for p in inner)
        if from_gcks and (rfc.PL_GSA in types or rfc.PL_KD in types or
                          group_delete):
            self.inband_push(sa, d, h, inner, None)

    def registration_request(self, sa, h, req):
        chk = self.chk
        if req["leave"]:
            if h.exch not in (rfc.GSA_REGISTRATION,):
                chk("exch-leave", "leaving group '%s' in %s, not "
                    "GSA_REGISTRATION" % (req["group"], h.exch_name),
                    (R9838, "2.3.2"))
            return
        if h.exch == rfc.IKE_AUTH:
            chk("exch-registration", "registration to '%s' in IKE_AUTH, "
                "not GSA_AUTH (39)" % req["group"], (R9838, "2.3.1"))
        elif h.exch != rfc.GSA_AUTH and h.exch != rfc.GSA_REGISTRATION:
            chk("exch-registration", "registration to '%s' in %s, not "
                "GSA_REGISTRATION (40)" % (req["group"], h.exch_name),
                (R9838, "2.3.2"))
        if not req["sag"]:
            chk("reg-sag-missing", "registration to '%s' without an SAg "
                "payload (RECOMMENDED)" % req["group"], (R9838, "2.3.3"))
        if sa.kwa is None and sa.proposal is not None:
            chk("kwa-not-negotiated", "registration to '%s' over an IKE SA "
                "that negotiated no Key Wrap Algorithm in IKE_SA_INIT"
                % req["group"], (R9838, "4.5.4"))

    # --- registration responses --------------------------------------------

    def registration_response(self, sa, h, inner, ns, req):
        chk = self.chk
        g = self.group(req["group"], sa.gcks_addr)
        g.gcks = sa.gcks_addr
        if getattr(sa, "cert_pub", None) is not None:
            g.cert_pub = sa.cert_pub
        types = [p.type for p in inner]
        errors = [n for n in ns if n.type < 16384]
        label = "registration response for '%s'" % g.name
        if req["leave"]:
            if inner:
                chk("reg-leave-response", "the answer to leaving '%s' is not "
                    "empty: %s" % (g.name, " ".join(p.name for p in inner)),
                    (R9838, "2.3.2"))
            return
        if errors:
            if rfc.PL_GSA in types or rfc.PL_KD in types:
                chk("reg-error-gsa", "%s: error notify %s with GSA/KD"
                    % (label, errors[0].name), (R9838, "2.3.1"))
            if any(n.type == rfc.N_AUTHENTICATION_FAILED for n in errors) \
                    and any(n.type in rfc.G_IKEV2_ERRORS or n.type in (
                        rfc.N_NO_PROPOSAL_CHOSEN, rfc.N_INVALID_SYNTAX)
                            for n in errors):
                chk("reg-refusal-teardown", "%s: the refusal (%s) comes with "
                    "AUTHENTICATION_FAILED, which fails the IKE SA"
                    % (label, ", ".join(n.name for n in errors)),
                    (R9838, "2.3.1"))
            elif h.exch in (rfc.IKE_AUTH, rfc.GSA_AUTH) and \
                    rfc.N_AUTHENTICATION_FAILED not in [n.type for n in errors]\
                    and not (rfc.PL_IDR in types and rfc.PL_AUTH in types):
                chk("reg-refusal-form", "%s: refusal without IDr and AUTH"
                    % label, (R9838, "2.3.1"))
            self.say("%s: refused (%s)" % (label, ", ".join(
                n.name for n in errors)))
            return
        gsa = [p for p in inner if p.type == rfc.PL_GSA]
        kd = [p for p in inner if p.type == rfc.PL_KD]
        if not gsa or not kd:
            chk("reg-gsa-kd", "%s without %s (%s)" % (
                label, "GSA" if not gsa else "KD", "neither GSA and KD nor "
                "an error notify: empty" if not inner else " ".join(
                    p.name for p in inner)),
                (R9838, "2.3.1"))
            return
        g.transport_now = any(n.type == rfc.N_USE_TRANSPORT_MODE for n in ns)
        g.transport.add(g.transport_now)
        if len(g.transport) > 1:
            chk("transport-mode-consistent", "%s: USE_TRANSPORT_MODE %s, "
                "earlier responses differed" % (label, "present" if any(
                    n.type == rfc.N_USE_TRANSPORT_MODE for n in ns)
                    else "absent"), (R9838, "2.3.4"))
        ctx = "inband-reg" if g.name in self.inband_groups else "reg"
        self.gsa_kd(g, gsa, kd, ctx, sa.gsk_w, None, req, label)
        sa.groups.append(g.name)

    def inband_push(self, sa, d, h, inner, name):
        chk = self.chk
        if name is None:
            name = sa.groups[-1] if sa.groups else "?"
        else:
            chk("inband-idg", "inband rekey of '%s' carries IDg" % name,
                (R9838, "2.4.2"))
        self.inband_groups.add(name)
        g = self.group(name, sa.gcks_addr)
        label = "inband rekey of '%s'" % name
        if h.exch != rfc.GSA_INBAND_REKEY:
            chk("exch-inband", "%s in %s, not GSA_INBAND_REKEY (42)"
                % (label, h.exch_name), (R9838, "2.4.2"))
        for p in inner:
            if p.type not in (rfc.PL_GSA, rfc.PL_KD, rfc.PL_N, rfc.PL_D,
                              rfc.PL_IDG):
                chk("inband-payload", "%s: %s payload" % (label, p.name),
                    (R9838, "2.4.2"))
        gsa = [p for p in inner if p.type == rfc.PL_GSA]
        kd = [p for p in inner if p.type == rfc.PL_KD]
        self.deletes(inner, label)
        if gsa or kd:
            self.gsa_kd(g, gsa, kd, "inband", sa.gsk_w, None, None, label)

    def deletes(self, inner, label):
        for p in inner:
            if p.type == rfc.PL_D:
                dl = P.Delete(p.body, self.chk)
                self.say("%s: D protocol %d SPIs %s" % (
                    label, dl.proto, " ".join(s.hex() for s in dl.spis)))

    # --- GSA and KD ------------------------------------------------------------

    def gsa_kd(self, g, gsa, kd, ctx, kwk, rsa, req, label):
        """Decode and check GSA and KD payloads in a context: "reg",
        "inband-reg" (registration of an inband-rekeyed group), "rekey"
        (GSA_REKEY over the rekey SA rsa) or "inband"."""
        chk = self.chk
        registration = ctx in ("reg", "inband-reg")
        table = rfc.TABLE[ctx]
        tabref = (R9838, "5")
        if len(gsa) > 1 or len(kd) > 1:
            chk("gsa-kd-count", "%s: %d GSA and %d KD payloads" % (
                label, len(gsa), len(kd)), (R9838, "2.3.1"))
        pols = []
        for p in gsa:
            pols += P.parse_gsa(p.body, chk)
        bags = []
        for p in kd:
            bags += P.parse_kd(p.body, chk)
        keks = [p for p in pols if p.proto == rfc.PROTO_GIKE_UPDATE]
        teks = [p for p in pols if p.proto in (rfc.PROTO_AH, rfc.PROTO_ESP)]
        gws = [p for p in pols if p.proto == 0]
        self.say("%s: GSA %s; KD %s" % (label, ", ".join(
            "%s [%s] %s->%s" % (p.label(), " ".join(map(repr, p.transforms)),
                                p.src, p.dst) if p.proto else "GW policy"
            for p in pols), ", ".join(b.label() for b in bags)))
        if gsa and not keks and not teks:
            chk("gsa-empty", "%s: GSA without KEK or TEK policy" % label,
                (R9838, "4.4.1"))
        if len(keks) > 1:
            chk("gsa-kek-count", "%s: %d KEK policies" % (label, len(keks)),
                (R9838, "4.4.1"))
        if len(gws) > 1:
            chk("gsa-gw-count", "%s: %d GW policies" % (label, len(gws)),
                (R9838, "4.4.1"))
        for p in keks + teks:
            P.check_policy_transforms(p, chk, registration, label)
        if ctx in ("inband", "inband-reg"):
            for p in keks:
                chk("inband-kek-policy", "%s: a KEK policy (%s) for a group "
                    "rekeyed inband" % (label, p.dst), (R9838, "4.4.1"))
        for p in keks:
            P.check_kek_selectors(p, chk, label)
            if p.dst is not None:
                self.rekey_ports.add(p.dst.sport)
            gca = p.transform(rfc.T_GCAUTH)
            if gca and registration:
                g.gcauth = gca.id
                s = gca.attr(rfc.TA_SIG_ALG_ID)
                g.sigalg = s.value if s else None
        # attributes by the section 5 tables
        names = {}
        for p in keks + teks:
            for n, lst in p.named.items():
                names.setdefault((p.label(), n), lst)
                self.table_rule(table, n, lst, "%s %s" % (label, p.label()),
                                tabref, ctx)
            if ctx in ("inband", "inband-reg") and \
                    "GSA_KEY_LIFETIME" in p.named:
                chk("inband-key-lifetime", "%s %s: GSA_KEY_LIFETIME in a "
                    "group rekeyed inband (SHOULD NOT)" % (label, p.label()),
                    (R9838, "4.4.2.2.1"))
            for n in ("GSA_KEY_LIFETIME",):
                if n not in p.named:
                    self.table_rule(table, n, [], "%s %s" % (
                        label, p.label()), tabref, ctx)
        counter = any(counter_mode(p) for p in teks)
        sender = bool(req and req.get("sender"))
        for p in gws:
            for n, lst in p.named.items():
                if n == "GWP_SENDER_ID_BITS" and registration:
                    if not (counter and sender):
                        chk("gwp-sender-id-bits", "%s: GWP_SENDER_ID_BITS "
                            "without %s" % (label, "a counter-mode TEK"
                                            if not counter else
                                            "N(GROUP_SENDER)"), (R9838, "5"))
                    continue
                self.table_rule(table, n, lst, "%s GW policy" % label,
                                tabref, ctx)
        bits = None
        for p in gws:
            for a in p.named.get("GWP_SENDER_ID_BITS", []):
                bits = a.int()
        if registration and counter and sender and bits is None:
            chk("gwp-sender-id-bits", "%s: a sender of a counter-mode TEK "
                "gets no GWP_SENDER_ID_BITS" % label, (R9838, "4.4.3.1.2"))
        # KD: key bags against policies
        pol_by_spi = {(p.proto, p.spi): p for p in keks + teks}
        bag_spis = set()
        for b in bags:
            if b.member:
                continue
            bag_spis.add((b.proto, b.spi))
            if (b.proto, b.spi) not in pol_by_spi:
                chk("kd-spi-unmatched", "%s: %s has no policy in the GSA"
                    % (label, b.label()), (R9838, "2.3.3"))
        for key, p in pol_by_spi.items():
            if key not in bag_spis and kd:
                chk("gsa-no-keys", "%s: %s has no key bag" % (
                    label, p.label()), (R9838, "2.3.3"))
        members = [b for b in bags if b.member]
        if len(members) > 1:
            chk("kd-member-count", "%s: %d member key bags" % (
                label, len(members)), (R9838, "4.5.3"))
        # member key bag first: its WRAP_KEYs may wrap the SA_KEYs
        for b in members:
            self.member_bag(g, b, ctx, kwk, label, counter, sender, bits,
                            req, table, tabref)
        for b in bags:
            if b.member:
                continue
            p = pol_by_spi.get((b.proto, b.spi))
            self.group_bag(g, b, p, ctx, kwk, label, rsa, req)
        if registration:
            if g.gcauth == rfc.GCAUTH_SIGNATURE and keks and not any(
                    "AUTH_KEY" in b.named for b in members):
                chk("authkey-missing", "%s: GCAUTH Digital Signature without "
                    "AUTH_KEY" % label, (R9838, "4.4.2.1.1"))
        if registration and counter and sender and not any(
                "GM_SENDER_ID" in b.named for b in members):
            chk("gm-sender-id-missing", "%s: a sender of a counter-mode TEK "
                "gets no GM_SENDER_ID" % label, (R9838, "4.5.3.3"))

    def table_rule(self, table, name, lst, where, ref, ctx):
        rule = table.get(name)
        if rule is None:
            return
        rule = rule.rstrip("*")
        n = len(lst)
        if rule == "-" and n:
            self.chk("table-forbidden", "%s: %s MUST NOT appear in %s" % (
                where, name, ctx_name(ctx)), ref)
        elif rule == "S" and n != 1:
            self.chk("table-required" if n == 0 else "table-single",
                     "%s: %d %s, exactly one in %s" % (where, n, name,
                                                       ctx_name(ctx)), ref)
        elif rule in ("[S]",) and n > 1:
            self.chk("table-single", "%s: %d %s, at most one" % (
                where, n, name), ref)
        elif rule == "S[M]" and n == 0:
            self.chk("table-required", "%s: no %s in %s" % (
                where, name, ctx_name(ctx)), ref)

    def unwrap_to(self, g, wk, kwk, rsa_gsk_w, where):
        """Unwrap a Wrapped Key: key bytes or None (reported)."""
        if wk.kwk_id == 0:
            keys = [rsa_gsk_w if rsa_gsk_w is not None else kwk]
        else:
            keys = g.wrap_keys.get(wk.kwk_id, [])
        keys = [k for k in keys if k]
        if not keys:
            self.say("%s: KWK %d unknown, not unwrapped" % (where, wk.kwk_id))
            return None
        if len(wk.data) < 16 or len(wk.data) % 8:
            self.chk("kw-length", "%s: Encrypted Key of %d octets, not a "
                     "RFC 5649 output" % (where, len(wk.data)),
                     ("RFC 5649", "4.1"))
            return None
        for k in keys:
            out = crypt.unwrap(k, wk.data)
            if out is not None:
                if crypt.wrapped_length(len(out)) != len(wk.data):
                    self.chk("kw-length", "%s: %d octets wrap to %d, not %d"
                             % (where, len(out), crypt.wrapped_length(
                                 len(out)), len(wk.data)),
                             ("RFC 5649", "4.1"))
                return out
        self.chk("kw-unwrap", "%s: the RFC 5649 integrity check fails with "
                 "%s" % (where, "GSK_w" if wk.kwk_id == 0 else
                         "KWK %d" % wk.kwk_id), (R9838, "4.5.4"))
        return None

    def member_bag(self, g, b, ctx, kwk, label, counter, sender, bits, req,
                   table, tabref):
        chk = self.chk
        where = "%s member key bag" % label
        if ctx == "rekey":
            other = [n for n in b.named if n != "WRAP_KEY"]
            if other:
                chk("kd-member-bag-in-rekey", "%s: %s in a GSA_REKEY (only "
                    "LKH's WRAP_KEYs, appendix A)" % (where, ", ".join(
                        other)), (R9838, "4.5.3"))
        for n, lst in b.named.items():
            if n == "GM_SENDER_ID" and ctx in ("reg", "inband-reg"):
                if not (counter and sender):
                    chk("gm-sender-id-unexpected", "%s: GM_SENDER_ID without "
                        "%s" % (where, "a counter-mode TEK" if not counter
                                else "N(GROUP_SENDER)"), (R9838, "5"))
                if req and req.get("count") and len(lst) > req["count"]:
                    chk("gm-sender-id-count", "%s: %d GM_SENDER_IDs, %d "
                        "requested" % (where, len(lst), req["count"]),
                        (R9838, "4.5.3.3"))
                for a in lst:
                    if not 1 <= len(a.value) <= 4:
                        chk("gm-sender-id-length", "%s: GM_SENDER_ID of %d "
                            "octets" % (where, len(a.value)),
                            (R9838, "4.5.3.3"))
                    elif bits is not None and a.int() >> bits:
                        chk("gm-sender-id-bits", "%s: Sender-ID %d does not "
                            "fit %d bits" % (where, a.int(), bits),
                            (R9838, "2.5.2"))
                continue
            if n == "AUTH_KEY" and ctx in ("reg", "inband-reg") and \
                    g.gcauth == rfc.GCAUTH_IMPLICIT:
                chk("authkey-implicit", "%s: AUTH_KEY with GCAUTH Implicit"
                    % where, (R9838, "4.4.2.1.1"))
                continue
            if n == "AUTH_KEY" and ctx == "reg" and g.gcauth is None:
                continue
            if n == "AUTH_KEY" and ctx == "rekey" and lst and g.pub_der == \
                    lst[0].value:
                chk("authkey-unchanged", "%s: AUTH_KEY repeats the current "
                    "key (sent in GSA_REKEY to change it)" % where,
                    (R9838, "5"))
                continue
            self.table_rule(table, n, lst, where, tabref, ctx)
        for a in b.named.get("AUTH_KEY", []):
            try:
                pub = crypt.load_spki(a.value)
            except (ValueError, TypeError) as e:
                chk("authkey-spki", "%s: AUTH_KEY is not a DER "
                    "SubjectPublicKeyInfo (%s)" % (where, e),
                    (R9838, "4.5.3.2"))
                continue
            if g.sigalg:
                try:
                    alg = crypt.algid_oid(g.sigalg)
                    tag, spki, _ = crypt.der_read(a.value)
                    _, algseq, _ = crypt.der_read(spki)
                    _, oid, _ = crypt.der_read(algseq)
                    koid = crypt.oid_str(oid)
                    if alg in (crypt.OID_ED25519, crypt.OID_ED448) and \
                            koid != alg:
                        chk("authkey-alg", "%s: AUTH_KEY algorithm %s, the "
                            "Signature Algorithm Identifier says %s"
                            % (where, koid, alg), (R9838, "4.5.3.2"))
                except (ValueError, IndexError):
                    chk("gcauth-sigalg", "%s: the Signature Algorithm "
                        "Identifier is not a DER AlgorithmIdentifier" % where,
                        (R9838, "4.4.2.1.1"))
            g.pub, g.pub_der = pub, a.value
        # WRAP_KEYs: unwrap until nothing new (they may wrap each other)
        todo = [P.WrappedKey(a, chk, where + " WRAP_KEY")
                for a in b.named.get("WRAP_KEY", [])]
        for wk in todo:
            if wk.key_id == 0:
                chk("wrapkey-keyid", "%s: WRAP_KEY with Key ID 0" % where,
                    (R9838, "4.5.3.1"))
        progress = True
        while todo and progress:
            progress = False
            for wk in list(todo):
                if wk.kwk_id and wk.kwk_id not in g.wrap_keys:
                    continue
                key = self.unwrap_to(g, wk, kwk, None, "%s WRAP_KEY %d" % (
                    where, wk.key_id))
                todo.remove(wk)
                progress = True
                if key is None:
                    continue
                want = rfc.KWA[rfc.KWA_IMPLIED][1]
                if len(key) != want:
                    chk("wrapkey-size", "%s: WRAP_KEY %d is %d octets, the "
                        "key wrap algorithm's key is %d" % (
                            where, wk.key_id, len(key), want),
                        (R9838, "4.5.3.1"))
                lst = g.wrap_keys.setdefault(wk.key_id, [])
                if key not in lst:
                    lst.append(key)
        for wk in todo:
            self.say("%s: WRAP_KEY %d under unknown KWK %d" % (
                where, wk.key_id, wk.kwk_id))

    def group_bag(self, g, b, p, ctx, kwk, label, rsa, req=None):
        chk = self.chk
        where = "%s %s" % (label, b.label())
        sakeys = b.named.get("SA_KEY", [])
        n = len(sakeys)
        if b.proto in (rfc.PROTO_AH, rfc.PROTO_ESP):
            if n != 1:
                chk("sakey-count", "%s: %d SA_KEY attributes, exactly one"
                    % (where, n), (R9838, "4.5.2.1"))
        elif ctx == "rekey":
            if n < 1:
                chk("sakey-count", "%s: no SA_KEY" % where,
                    (R9838, "4.5.2.1"))
        elif n != 1:
            chk("sakey-count", "%s: %d SA_KEY attributes, exactly one"
                % (where, n), (R9838, "4.5.2.1"))
        need = needed_keymat(p) if p else None
        keymat = None
        for a in sakeys:
            wk = P.WrappedKey(a, chk, where + " SA_KEY")
            if wk.key_id != 0:
                chk("sakey-keyid", "%s: SA_KEY with Key ID %d" % (
                    where, wk.key_id), (R9838, "4.5.2.1"))
            if b.proto != rfc.PROTO_GIKE_UPDATE and wk.kwk_id != 0:
                chk("sakey-keyid", "%s: TEK SA_KEY with KWK ID %d" % (
                    where, wk.kwk_id), (R9838, "4.5.2.1"))
            km = self.unwrap_to(g, wk, kwk, rsa.gsk_w if rsa else None,
                                where + " SA_KEY")
            if km is None:
                continue
            if need is not None and len(km) != need:
                chk("sakey-size", "%s: %d octets of keying material, its "
                    "transforms need %d" % (where, len(km), need),
                    (R9838, "4.5.2.1"))
            if keymat is not None and km != keymat:
                chk("sakey-differ", "%s: the SA_KEYs hold different keying "
                    "material" % where, (R9838, "2.4.1.4"))
            keymat = km
        if b.proto in (rfc.PROTO_ESP,) and keymat is not None and p and \
                not self.cur_excluded:
            old = self.teks.get(b.spi)
            if old is None or old["keymat"] != keymat:
                if old is not None:
                    chk("tek-spi-reused", "%s: SPI handed out before with "
                        "other keys" % where, (R9838, "2.5.1"))
                self.teks[b.spi] = {"group": g, "policy": p,
                                    "keymat": keymat, "count": 0,
                                    "last_seq": None}
        if b.proto == rfc.PROTO_GIKE_UPDATE and keymat is not None and p:
            old = self.rekeysas.get(b.spi)
            if old is None or old.keymat != keymat:
                r = RekeySA(b.spi, g.key, p, keymat, self.frame, ctx)
                if old is not None and old.last is not None:
                    r.last, r.sent, r.seen = old.last, old.sent, old.seen
                self.rekeysas[b.spi] = r
            r = self.rekeysas[b.spi]
            ini = p.named.get("GSA_INITIAL_MESSAGE_ID")
            announced = ini[0].int() if ini else 0
            if ctx == "reg":
                # the next Message ID when the response was made: above any
                # sent before the request came, at most one above the last
                # sent before the response; those in between were sent
                # while it was answered (the parallel exchanges of 4.4.2.2.2)
                before = [m for f, m in r.seen
                          if req is None or f < req["frame"]]
                low = max(before) + 1 if before else None
                if r.last is not None and announced > r.last + 1:
                    chk("gsa-initial-msgid", "%s: GSA_INITIAL_MESSAGE_ID %s "
                        "after Message ID %d was sent on the rekey SA: IDs "
                        "skipped" % (where, announced, r.last),
                        (R9838, "4.4.2.2.2"))
                elif low is not None and announced < low:
                    chk("gsa-initial-msgid", "%s: GSA_INITIAL_MESSAGE_ID %s, "
                        "but Message ID %d was sent on the rekey SA before "
                        "the request" % (where, announced if ini else
                                         "absent", low - 1),
                        (R9838, "4.4.2.2.2"))
                elif r.last is not None and announced <= r.last:
                    self.say("%s: GSA_INITIAL_MESSAGE_ID %d, Message IDs up "
                             "to %d sent while the registration was answered"
                             % (where, announced, r.last))
                if r.last is None and announced:
                    r.initial = announced
            self.say("%s: keying material %s" % (where, keymat.hex()))
            for grp, spi, km in self.cross:
                if spi == b.spi and km != keymat:
                    chk("keymat-crosscheck", "%s: the member logged other "
                        "keying material for this rekey SA" % where,
                        (R9838, "4.5.2.1"))

    # --- ESP (RFC 4303, RFC 4106) with the TEKs' keys ------------------------

    ESP_SAMPLE = 20         # packets checked per SA

    def esp(self, d):
        chk = self.chk
        data = d.data
        if len(data) < 8:
            return
        spi, seq = data[:4], P.u32(data, 4)
        try:
            import ipaddress
            multicast = ipaddress.ip_address(d.dst).is_multicast
        except ValueError:
            multicast = False
        tek = self.teks.get(spi)
        if tek is None:
            if multicast:
                self.esp_unknown[spi] = self.esp_unknown.get(spi, 0) + 1
                if self.esp_unknown[spi] == 1:
                    chk("esp-spi-unknown", "ESP to the group %s with SPI %s, "
                        "which no GSA handed out" % (d.dst, spi.hex()),
                        (R9838, "2.3.3"))
            return
        g, p, keymat = tek["group"], tek["policy"], tek["keymat"]
        label = "ESP SPI %s of '%s' seq %d" % (spi.hex(), g.name, seq)
        tek["count"] += 1
        if tek["last_seq"] is not None and seq <= tek["last_seq"] and \
                p.transform(rfc.T_SN) and \
                p.transform(rfc.T_SN).id == rfc.SN_32_SEQ:
            if tek["count"] <= self.ESP_SAMPLE:
                chk("esp-seq", "%s: after %d with 32-bit Sequential Numbers"
                    % (label, tek["last_seq"]), (R9838, "4.4.2.1.3"))
        tek["last_seq"] = seq
        if tek["count"] > self.ESP_SAMPLE:
            return
        import ipaddress
        src, dst = ipaddress.ip_address(d.src), ipaddress.ip_address(d.dst)
        if p.src and p.dst and (src.version == p.src.saddr.version) and not (
                p.src.saddr <= src <= p.src.eaddr and
                p.dst.saddr <= dst <= p.dst.eaddr):
            chk("esp-ts", "%s: %s -> %s outside the TEK's selectors %r -> %r"
                % (label, d.src, d.dst, p.src, p.dst), (R9838, "4.4.2"))
        encr, integ = p.transform(rfc.T_ENCR), p.transform(rfc.T_INTEG)
        try:
            c = crypt.Cipherset(encr.id, encr.keylen(),
                                integ.id if integ else 0)
        except (crypt.SKError, AttributeError):
            return
        ek = keymat[:c.enc_key_bytes]
        ak = keymat[c.enc_key_bytes:c.enc_key_bytes + c.integ_key_bytes]
        # RFC 4303 2: SPI | Seq | IV | payload | padding | Pad Length | NH
        # | ICV; the Encrypted payload code does the same with an 8-octet
        # "header" (RFC 4106 3: AAD = SPI | Seq)
        try:
            pt = c.decrypt(ek, ak, data, 0, len(data), hdr=8)
        except crypt.SKError as e:
            chk("esp-decrypt", "%s: %s with the keys of its SA_KEY (keying "
                "material split as RFC 9838 3.4 says)" % (label, e),
                (R9838, "3.4"))
            return
        if len(pt) < 2:
            return
        nh = pt[-1]
        tunnel = nh in (4, 41)
        if g.transport_now is not None:
            if g.transport_now and tunnel:
                chk("esp-mode", "%s: tunnel mode (next header %d), the "
                    "registration sent USE_TRANSPORT_MODE" % (label, nh),
                    (R9838, "2.3.4"))
            elif not g.transport_now and not tunnel:
                chk("esp-mode", "%s: transport mode (next header %d) "
                    "without USE_TRANSPORT_MODE" % (label, nh),
                    (R9838, "2.3.4"))
        if tek["count"] == 1:
            self.say("%s: decrypted, next header %d" % (label, nh))

    # --- GSA_REKEY (2.4.1) -------------------------------------------------

    def rekey(self, d, h, data):
        chk = self.chk
        spi = h.spi_i + h.spi_r
        r = self.rekeysas.get(spi)
        label = "GSA_REKEY %s msgid %d" % (spi.hex(), h.msgid)
        P.check_header(h, len(data), chk)
        if r is None or r.cipher is None:
            chk("rekey-unknown-sa", "%s: no rekey SA with this SPI was "
                "handed out" % label, (R9838, "2.4.1"))
            return
        g = self.groups.get(r.group)
        if g is None:
            g = self.groups[r.group] = Group(str(r.group))
            g.key = r.group
        label = "GSA_REKEY of '%s' %s msgid %d" % (g.name, spi.hex()[:8],
                                                  h.msgid)
        if h.response:
            chk("rekey-flags", "%s: the Response flag is set" % label,
                (R9838, "2.4.1"))
        outer, _ = P.parse_chain(data, h.np, P.Header.LEN, chk)
        if [p.type for p in outer] not in ([rfc.PL_SK], [rfc.PL_SKF]):
            chk("rekey-outer", "%s: outer payloads %s, not one SK (or one "
                "SKF)" % (label, " ".join(p.name for p in outer)),
                (R9838, "2.4.1"))
        sk = [p for p in outer if p.type in (rfc.PL_SK, rfc.PL_SKF)]
        if not sk:
            return
        sk = sk[0]
        if sk.type == rfc.PL_SKF:
            # IKE fragmentation (RFC 9838 2.4.1.2): the message is checked
            # once reassembled, as if it had come whole
            got = self.rekey_fragment(r, h, data, sk, label)
            if got is None:
                return
            inner, plain, data = got
        else:
            try:
                pt = r.cipher.decrypt(r.gsk_e, r.gsk_a, data, sk.off,
                                      sk.length)
            except crypt.SKError as e:
                chk("rekey-icv", "%s: %s under the KEK" % (label, e),
                    (R9838, "2.4.1.4"))
                return
            inner = self.sk_inner(pt, sk)
            plain = self.last_plain
        self.say("%s: %s" % (label, " ".join(p.name for p in inner)))
        # Message IDs (2.4.1.3, 2.4.1.4)
        prev = r.sent.get(h.msgid)
        if prev is not None and prev != data:
            chk("rekey-retransmit-identical", "%s: another message with this "
                "Message ID on the rekey SA; retransmissions are bitwise "
                "identical" % label, (R9838, "2.4.1.3"))
        elif r.last is None:
            first = r.initial if r.via == "reg" else 0
            if r.via == "rekey" and h.msgid != 0:
                chk("rekey-msgid-first", "%s: the first message of a new "
                    "rekey SA, Message ID not 0" % label, (R9838, "2.4.1.3"))
            elif r.via != "rekey" and h.msgid < first:
                chk("rekey-msgid-first", "%s: below GSA_INITIAL_MESSAGE_ID "
                    "%d" % (label, first), (R9838, "2.4.1.3"))
            elif r.via != "rekey" and h.msgid != first:
                chk("rekey-msgid-first", "%s: the first message seen on the "
                    "rekey SA, expected Message ID %d" % (label, first),
                    (R9838, "2.4.1.3"))
        elif h.msgid != r.last + 1:
            chk("rekey-msgid-increment", "%s: after Message ID %d" % (
                label, r.last), (R9838, "2.4.1.3"))
        r.sent[h.msgid] = data
        r.seen.append((self.frame, h.msgid))
        if r.last is None or h.msgid > r.last:
            r.last = h.msgid
        types = [p.type for p in inner]
        for p in inner:
            if p.type not in (rfc.PL_GSA, rfc.PL_KD, rfc.PL_N, rfc.PL_D,
                              rfc.PL_AUTH):
                chk("rekey-payload", "%s: %s payload" % (label, p.name),
                    (R9838, "2.4.1"))
        if rfc.PL_D not in types and not (rfc.PL_GSA in types and
                                          rfc.PL_KD in types):
            chk("rekey-gsa-kd", "%s: neither GSA and KD nor D" % label,
                (R9838, "2.4.1"))
        # AUTH (2.4.1.1)
        auths = [p for p in inner if p.type == rfc.PL_AUTH]
        if len(auths) > 1:
            chk("rekey-auth-count", "%s: %d AUTH payloads" % (
                label, len(auths)), (R9838, "2.4.1"))
        if g.gcauth == rfc.GCAUTH_IMPLICIT and auths:
            chk("rekey-auth-implicit", "%s: AUTH with GCAUTH Implicit"
                % label, (R9838, "2.4.1"))
        if g.gcauth == rfc.GCAUTH_SIGNATURE and not auths:
            chk("rekey-auth-missing", "%s: no AUTH with GCAUTH Digital "
                "Signature" % label, (R9838, "2.4.1"))
        if auths:
            self.rekey_auth(g, h, data, sk, plain, auths[0], label)
        for n in self.notifies(inner):
            self.check_notify(n, "GSA_REKEY")
            if n.type in (rfc.N_GROUP_SENDER, rfc.N_USE_TRANSPORT_MODE):
                chk("rekey-notify", "%s: N(%s)" % (label, n.name),
                    (R9838, "2.4.1"))
        self.deletes(inner, label)
        gsa = [p for p in inner if p.type == rfc.PL_GSA]
        kd = [p for p in inner if p.type == rfc.PL_KD]
        if gsa or kd:
            self.gsa_kd(g, gsa, kd, "rekey", None, r, None, label)

    def rekey_fragment(self, r, h, data, skf, label):
        """RFC 7383 2.5 and 2.6 for a GSA_REKEY (RFC 9838 2.4.1.2): each
        Encrypted Fragment payload is decrypted under the KEK on its own
        (associated data: the IKE header and the SKF header, Fragment
        Number and Total Fragments included); once all Total Fragments
        are there, the inner payloads are their contents in order.
        Returns (inner, plain, data) of the reassembled message, where
        data starts with the A of RFC 9838 2.4.1.1 as the reassembled
        message has it: the IKE header with Next Payload SK, the Encrypted
        payload header with fragment 1's Next Payload and RESERVED
        (2.4.1.2); or None while fragments are missing."""
        chk = self.chk
        if len(skf.body) < 4:
            chk("skf-length", "%s: an Encrypted Fragment payload of %d "
                "octets" % (label, len(skf.body) + 4), (R7383, "2.5"))
            return None
        num, total = P.u16(skf.body, 0), P.u16(skf.body, 2)
        if num < 1 or num > total:
            chk("skf-number", "%s: Fragment Number %d of %d" % (
                label, num, total), (R7383, "2.5"))
            return None
        try:
            pt = r.cipher.decrypt(r.gsk_e, r.gsk_a, data, skf.off,
                                  skf.length, hdr=8)
        except crypt.SKError as e:
            chk("rekey-icv", "%s: fragment %d of %d: %s under the KEK" % (
                label, num, total, e), (R7383, "2.6"))
            return None
        padlen = pt[-1]
        if padlen + 1 > len(pt):
            chk("sk-padding", "%s: fragment %d: Pad Length %d, %d octets" % (
                label, num, padlen, len(pt)), (R7296, "3.14"))
            return None
        if num != 1 and skf.np != 0:
            chk("skf-next-payload", "%s: fragment %d has Next Payload %d" % (
                label, num, skf.np), (R7383, "2.5"))
        sets = r.__dict__.setdefault("frags", {})
        st = sets.setdefault(h.msgid, {"total": total, "parts": {}})
        if total != st["total"]:
            # the GCKS fragments a message once; PMTU discovery, the only
            # reason for another Total (RFC 7383 2.5.2), cannot be used
            # with GSA_REKEY (RFC 9838 2.4.1.2)
            chk("skf-total", "%s: fragment %d says Total Fragments %d, "
                "an earlier one %d" % (label, num, total, st["total"]),
                (R9838, "2.4.1.2"))
            return None
        part = (data, skf.np, data[P.Header.LEN + 1],
                pt[:len(pt) - padlen - 1])
        if num in st["parts"]:
            if st["parts"][num][0] != data:
                chk("rekey-retransmit-identical", "%s: another fragment %d "
                    "of %d" % (label, num, total), (R9838, "2.4.1.3"))
            return None
        st["parts"][num] = part
        if len(st["parts"]) < total:
            self.say("%s: fragment %d of %d" % (label, num, total))
            return None
        del sets[h.msgid]
        parts = [st["parts"][i] for i in range(1, total + 1)]
        plain = b"".join(p[3] for p in parts)
        first = parts[0]
        a = bytearray(first[0][:P.Header.LEN])
        a[16] = rfc.PL_SK
        a += bytes([first[1], first[2], 0, 0])
        inner, _ = P.parse_chain(plain, first[1], 0, chk, inner=True)
        self.say("%s: reassembled from %d fragments" % (label, total))
        return inner, plain, bytes(a) + b"".join(p[0] for p in parts)

    def rekey_auth(self, g, h, data, sk, plain, auth, label):
        chk = self.chk
        a = P.Auth(auth.body, chk)
        if a.method != rfc.AUTH_DIGITAL_SIGNATURE:
            chk("rekey-auth-method", "%s: Auth Method %d, not Digital "
                "Signature (14)" % (label, a.method), (R9838, "4.4.2.1.1"))
            return
        if a.algid is None:
            chk("rekey-auth-method", "%s: empty AUTH" % label,
                (R9838, "4.4.2.1.1"))
            return
        if g.sigalg is not None and a.algid != g.sigalg:
            chk("rekey-auth-algid", "%s: the AUTH's AlgorithmIdentifier %s "
                "is not the GCAUTH's %s" % (label, a.algid.hex(),
                                            g.sigalg.hex()),
                (R9838, "4.4.2.1.1"))
        # A | P with AdjustedLen, AdjustedPldLen and zeroed signature
        plen = len(plain)
        hdr = bytearray(data[:P.Header.LEN + 4])
        hdr[24:28] = (P.Header.LEN + 4 + plen).to_bytes(4, "big")
        hdr[30:32] = (4 + plen).to_bytes(2, "big")
        pl = bytearray(plain)
        start = auth.off + 4 + 4 + 1 + len(a.algid)
        pl[start:auth.off + auth.length] = bytes(auth.off + auth.length -
                                                 start)
        pubs = [(g.pub, "AUTH_KEY")] if g.pub is not None else []
        if g.cert_pub is not None:
            pubs.append((g.cert_pub, "the GCKS certificate"))
        if not pubs:
            chk("rekey-auth-nokey", "%s: no AUTH_KEY or GCKS certificate "
                "seen to verify it with" % label, (R9838, "2.4.1.1"))
            return
        why = None
        for pub, name in pubs:
            ok = crypt.verify(pub, a.algid, a.sig, bytes(hdr) + bytes(pl))
            if ok is True:
                self.say("%s: AUTH verifies with %s" % (label, name))
                return
            why = ok
        chk("rekey-auth-verify", "%s: the signature does not verify over "
            "A | P%s" % (label, "" if why is False else " (%s)" % why),
            (R9838, "2.4.1.1"))


def ctx_name(ctx):
    return {"reg": "a registration", "rekey": "GSA_REKEY",
            "inband": "GSA_INBAND_REKEY",
            "inband-reg": "a registration of an inband-rekeyed group"}[ctx]


# --- deviations ----------------------------------------------------------------

def read_deviations(path):
    out = []
    if not path:
        return out
    for no, line in enumerate(open(path), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        # the regex may hold "|": the reason is after the last one
        parts = line.split("|", 3)
        if len(parts) != 4 or "|" not in parts[3]:
            raise ValueError("%s:%d: not id|section|scenarios|regex|reason"
                             % (path, no))
        dev_id, sect, scen = parts[:3]
        rx, reason = parts[3].rsplit("|", 1)
        try:
            rx = re.compile(rx)
        except re.error as e:
            raise ValueError("%s:%d: %s" % (path, no, e))
        out.append((dev_id, sect, [s.strip() for s in scen.split(",")],
                    rx, reason))
    return out


def run(pcap, logs, nodes, exclude, rekey_ports, deviations, scenario,
        decode=False, out=sys.stdout):
    keysets, cross = [], []
    for node, path in logs:
        s, c = wire.read_charon_log(node, path)
        keysets += s
        cross += c
    datagrams = list(wire.udp_datagrams(pcap))
    # two passes: the first learns which groups are rekeyed inband
    first = Checker(keysets, nodes, exclude, rekey_ports, cross, False)
    for d in datagrams:
        first.datagram(d)
    c = Checker(keysets, nodes, exclude, rekey_ports, cross, decode)
    c.inband_groups = set(first.inband_groups)
    for d in datagrams:
        c.datagram(d)
    bad = devs = excl = 0
    for f in c.findings:
        line = f.line()
        if f.excluded:
            excl += 1
            if decode:
                print("EXCLUDED " + line, file=out)
            continue
        for dev_id, sect, scen, rx, reason in deviations:
            if ("*" in scen or scenario in scen) and rx.search(line):
                f.deviation = dev_id
                break
        if f.deviation:
            devs += 1
            print("DEVIATION %s %s" % (f.deviation, line), file=out)
        else:
            bad += 1
            print(line, file=out)
    undecrypted = sum(1 for sa in c.ikesas.values()
                      if sa.spi_r and sa.keys is None)
    print("SUMMARY: %d messages, %d mismatches (%d documented deviations, "
          "%d findings on messages of excluded nodes, %d IKE SAs, %d not "
          "decrypted, %d rekey SAs)" % (
              c.messages - c.excluded_msgs, bad, devs, excl, len(c.ikesas),
              undecrypted, len(c.rekeysas)), file=out)
    return bad, c


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("pcap")
    ap.add_argument("--log", action="append", default=[],
                    metavar="NODE=PATH", help="a node's charon.log")
    ap.add_argument("--node", action="append", default=[],
                    metavar="NODE=ADDR[,ADDR]", help="a node's addresses")
    ap.add_argument("--exclude", action="append", default=[],
                    metavar="NODE", help="an attacker: its messages' "
                    "mismatches are not counted")
    ap.add_argument("--rekey-port", action="append", type=int, default=[])
    ap.add_argument("--deviations")
    ap.add_argument("--scenario", default="")
    ap.add_argument("--decode", action="store_true",
                    help="print every message decoded")
    a = ap.parse_args(argv)
    logs = []
    for spec in a.log:
        node, _, path = spec.partition("=")
        logs.append((node, path))
    nodes = {}
    for spec in a.node:
        node, _, addrs = spec.partition("=")
        nodes[node] = addrs.split(",")
    try:
        devs = read_deviations(a.deviations)
        bad, _ = run(a.pcap, logs, nodes, a.exclude, a.rekey_port, devs,
                     a.scenario, a.decode)
    except (OSError, ValueError) as e:
        print("ERROR: %s" % e)
        print("SUMMARY: the capture could not be checked (%s)" % e)
        return 2
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
