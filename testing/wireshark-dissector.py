#!/usr/bin/env python3
#
# Copyright (C) 2026 The mike developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# wireshark-dissector.py SRCDIR TMPDIR: the checks of
# testing/wireshark-dissector.  Builds pcap files (raw IPv4, written with
# struct) from the byte vectors of the docs and the unit tests:
#
#   - SAM frames: src/libsam/tests/vectors/*.bin, the bootstrap frame of
#     docs/sam-bootstrap.md, the hybrid frame of src/libsam/tests/test_hybrid.c;
#   - G-IKEv2: the IDg, GSA and KD bodies of the unit tests
#     (src/libcharon/plugins/mike/tests/gikev2_payloads_tests.c, the vectors
#     of docs/g-ikev2-payloads.md), the IDg payload of that doc, the private
#     codepoints of docs/sam-keys.md, and the GSA_REKEY vector of
#     docs/g-ikev2-rekey.md (encrypted, and its plaintext from
#     tests/mike_rekey_tests.c in clear), and an IKE_AUTH carrying IDg, GSA
#     and KD encrypted (AES-CBC-128 with openssl, HMAC-SHA2-256-128) that
#     Wireshark decrypts with its IKEv2 decryption table,
#
# wraps them in IKE headers, UDP and IP, runs tshark with
# tools/wireshark/mike.lua and compares the fields it prints with the
# values the docs give.  One PASS:/FAIL: line a check, then the count.

import hashlib
import hmac
import os
import re
import struct
import subprocess
import sys

SRC, TMP = sys.argv[1], sys.argv[2]
LUA = os.path.join(SRC, "tools/wireshark/mike.lua")
VEC = os.path.join(SRC, "src/libsam/tests/vectors")
PAYLOAD_TESTS = os.path.join(SRC, "src/libcharon/plugins/mike/tests/gikev2_payloads_tests.c")
REKEY_TESTS = os.path.join(SRC, "src/libcharon/plugins/mike/tests/mike_rekey_tests.c")
HYBRID_TESTS = os.path.join(SRC, "src/libsam/tests/test_hybrid.c")

passed = failed = 0


def report(ok, what):
    global passed, failed
    print("%s: %s" % ("PASS" if ok else "FAIL", what))
    if ok:
        passed += 1
    else:
        failed += 1


# --- vectors ---------------------------------------------------------------

def cvar(path, name):
    """the bytes of a C string constant of hex digits"""
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    m = re.search(r"\b%s\s*=\s*((?:\s*\"[0-9a-fA-F]*\")+)\s*;" % name, text)
    if not m:
        raise SystemExit("%s: no constant %s" % (path, name))
    return bytes.fromhex("".join(re.findall(r"\"([0-9a-fA-F]*)\"", m.group(1))))


def doc_hex_blocks(doc):
    """the fenced blocks of a doc that hold nothing but hex digits"""
    blocks, block = [], None
    for line in open(os.path.join(SRC, "docs", doc)):
        if line.startswith("```"):
            if block is not None:
                h = re.sub(r"\s", "", "".join(block))
                if h and re.fullmatch(r"[0-9a-f]+", h) and len(h) % 2 == 0:
                    blocks.append(bytes.fromhex(h))
                block = None
            else:
                block = []
        elif block is not None:
            block.append(line)
    return blocks


def doc_block(doc, size):
    found = [b for b in doc_hex_blocks(doc) if len(b) == size]
    if len(found) != 1:
        raise SystemExit("docs/%s: %d hex blocks of %d bytes" % (doc, len(found), size))
    return found[0]


def vec(name):
    return open(os.path.join(VEC, name), "rb").read()


# --- packets -----------------------------------------------------------------

def udp4(sport, dport, payload, src=(192, 0, 2, 1), dst=(239, 1, 2, 3)):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     bytes(src), bytes(dst))
    return ip + udp


def write_pcap(name, packets):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))  # raw IP
        for i, p in enumerate(packets):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)) + p)
    return path


def payload_chain(payloads):
    """(type, body) pairs as generic payloads; the first type for the header"""
    out = b""
    for i, (_, body) in enumerate(payloads):
        nxt = payloads[i + 1][0] if i + 1 < len(payloads) else 0
        out += struct.pack("!BBH", nxt, 0, 4 + len(body)) + body
    return out


def ike(exchange, payloads, msgid=1, spi=bytes(range(1, 17)), flags=0x08):
    body = payload_chain(payloads)
    return (spi + struct.pack("!BBBBII", payloads[0][0], 0x20, exchange, flags, msgid,
                              28 + len(body)) + body)


def encrypted_ike_auth(payloads, ispi, rspi, sk_ei, sk_ai, iv):
    """an IKE_AUTH request with payloads in an SK payload under AES-CBC-128
    (openssl enc) and HMAC-SHA2-256-128 (RFC 7296 3.14)"""
    inner = payload_chain(payloads)
    pad = (16 - (len(inner) + 1) % 16) % 16
    plain = inner + bytes(pad) + bytes([pad])
    cipher = subprocess.run(["openssl", "enc", "-aes-128-cbc", "-K", sk_ei.hex(), "-iv", iv.hex(),
                             "-nopad"], input=plain, stdout=subprocess.PIPE, check=True).stdout
    sk_len = 4 + len(iv) + len(cipher) + 16
    msg = (ispi + rspi + struct.pack("!BBBBII", 46, 0x20, 35, 0x08, 1, 28 + sk_len)
           + struct.pack("!BBH", payloads[0][0], 0, sk_len) + iv + cipher)
    return msg + hmac.new(sk_ai, msg, hashlib.sha256).digest()[:16]


def notify(ntype, data=b""):
    return struct.pack("!BBH", 0, 0, ntype) + data


def tlv(t, data):
    return struct.pack("!HH", t, len(data)) + data


# --- tshark --------------------------------------------------------------------

def tshark(pcap, args):
    cmd = ["tshark", "-n", "-X", "lua_script:" + LUA, "-r", pcap] + args
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    errors = [l for l in r.stderr.splitlines() if "Running as user" not in l]
    return r.returncode, r.stdout, errors


def fields(pcap, frame, names, extra=()):
    """the values tshark prints for the fields of one frame: a dict of name to
    the comma-joined occurrences, bytes without colons"""
    args = list(extra) + ["-Y", "frame.number == %d" % frame, "-T", "fields",
                          "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for n in names:
        args += ["-e", n]
    rc, out, errors = tshark(pcap, args)
    line = out.split("\n")[0]
    vals = line.split("\t") if rc == 0 and out else [""] * len(names)
    return {n: ",".join(bytes_hex(x) for x in v.split(",")) if v else v
            for n, v in zip(names, vals)}, errors


def bytes_hex(v):
    """tshark's aa:bb:cc as aabbcc; other values as they are"""
    return v.replace(":", "") if re.fullmatch(r"[0-9a-f]{2}(:[0-9a-f]{2})*", v) else v


def expect(what, pcap, frame, want, extra=()):
    """one check: every field of want has the value given"""
    got, errors = fields(pcap, frame, list(want), extra)
    bad = ["%s = %r, want %r" % (n, got.get(n), v) for n, v in want.items() if got.get(n) != v]
    if errors:
        bad.append("tshark: " + "; ".join(errors[:3]))
    report(not bad, what + ("" if not bad else " (" + "; ".join(bad) + ")"))


def expect_text(what, pcap, frame, texts, absent=(), extra=()):
    """one check on the -V text of a frame: the texts in it, absent not"""
    rc, out, errors = tshark(pcap, list(extra) + ["-Y", "frame.number == %d" % frame, "-V"])
    missing = [t for t in texts if t not in out] + ["not %r" % t for t in absent if t in out]
    if rc != 0 or errors:
        missing.append("tshark rc %d %s" % (rc, "; ".join(errors[:3])))
    report(not missing, what + ("" if not missing else " (missing: %s)" % ", ".join(missing)))


def expert_messages(pcap, frame, extra=()):
    got, _ = fields(pcap, frame, ["_ws.expert.message"], extra)
    return got["_ws.expert.message"]


# --- the SAM captures -------------------------------------------------------------

HELLO = "68656c6c6f2c206d756c746963617374"  # "hello, multicast"
SAM_HEADER = ["sam.version", "sam.scheme", "sam.flags.encrypted", "sam.flags.bootstrap",
              "sam.session", "sam.source", "sam.seq", "sam.payload_len", "sam.auth_len"]


def header(scheme, seq, plen, alen, enc="0", boot="0"):
    return dict(zip(SAM_HEADER, ["1", str(scheme), enc, boot, "0x01020304", "0x0a0b0c0d",
                                 str(seq), str(plen), str(alen)]))


def sam_checks():
    bootstrap_frame = doc_block("sam-bootstrap.md", 148)
    tesla_envelope = vec("bootstrap-tesla.bin")
    report(bootstrap_frame[24:] == tesla_envelope and
           bootstrap_frame[:24] == bytes.fromhex("01070002010203040a0b0c0d0000000000000001007c0000"),
           "vectors: the bootstrap frame of docs/sam-bootstrap.md carries bootstrap-tesla.bin")
    hybrid = cvar(HYBRID_TESTS, "vec_hybrid_frame1")
    frames = [vec("hmac-sha256.bin"), vec("hmac-sha256-large-seq.bin"), vec("ed25519.bin"),
              vec("ecdsa-p256.bin"), vec("hmac-sha256-encrypted.bin"), vec("ed25519-encrypted.bin"),
              vec("tesla-1.bin"), vec("tesla-3.bin"), vec("tesla-5.bin"),
              vec("tree-0.bin"), vec("tree-1.bin"), vec("tree-2.bin"),
              bootstrap_frame, hybrid]
    hmac = vec("hmac-sha256.bin")
    tree0 = vec("tree-0.bin")
    tesla1 = vec("tesla-1.bin")
    malformed = [
        hmac[:22] + b"\x00\x21" + hmac[24:],                            # 15: auth length 33
        tree0[:22] + struct.pack("!H", 106) + tree0[24:-32],            # 16: one hash short
        vec("ed25519-encrypted.bin")[:20] + b"\x00\x10" + vec("ed25519-encrypted.bin")[22:40]
        + vec("ed25519-encrypted.bin")[60:],                            # 17: encrypted, 16 bytes
        tesla1[:22] + struct.pack("!H", 35) + tesla1[24:-1],            # 18: tesla, 35 bytes
        bytes([1, 2, 0, 3]) + hmac[4:],                                 # 19: both flags
    ]
    pcap = write_pcap("sam.pcap", [udp4(40000, 5000, f) for f in frames + malformed])

    expect("sam hmac-sha256: header of hmac-sha256.bin", pcap, 1,
           dict(header(1, 1, 16, 32), **{"sam.payload": HELLO,
                "sam.hmac": "4132e2367dece7f142e0d4441abf0cc0e4b41f81bde35de7649df9a11dec3ded"}))
    expect("sam hmac-sha256: 64-bit sequence number 0x0123456789abcdef", pcap, 2,
           {"sam.seq": str(0x0123456789abcdef), "sam.scheme": "1"})
    expect("sam ed25519: the signature of ed25519.bin", pcap, 3,
           dict(header(2, 1, 16, 64), **{"sam.signature": frames[2][40:].hex()}))
    expect("sam ecdsa-p256: signature split into r and s", pcap, 4,
           {"sam.scheme": "3", "sam.ecdsa.r": frames[3][40:72].hex(),
            "sam.ecdsa.s": frames[3][72:104].hex()})
    expect("sam hmac-sha256 encrypted: Key ID 7, ciphertext, tag", pcap, 5,
           dict(header(1, 1, 36, 32, enc="1"), **{
                "sam.enc.key_id": "7", "sam.enc.ciphertext": "04160951ee126faf4701deb6a494412c",
                "sam.enc.tag": "17807c2738c7fb623a4dd2c5f35db618"}))
    expect("sam ed25519 encrypted: the table of docs/sam-frame-format.md", pcap, 6,
           dict(header(2, 1, 36, 64, enc="1"), **{
                "sam.enc.key_id": "7", "sam.enc.ciphertext": "04160951ee126faf4701deb6a494412c",
                "sam.enc.tag": "ad1389509404b5f8ae95d98b3745bd32"}))
    k0 = "5839304fc2257b4bd0ea7bf7fe8b6c87"
    expect("sam tesla: seq 1, generation 0, interval 1 discloses K_0, MAC", pcap, 7,
           dict(header(7, 1, 16, 36), **{"sam.tesla.generation": "0", "sam.tesla.p": "0",
                "sam.tesla.interval": "1", "sam.tesla.disclosed_key": k0,
                "sam.tesla.mac": "386330c383ae16f87da5be58b0f6e3c6"}))
    expect("sam tesla: seq 2 in interval 3 discloses K_1", pcap, 8,
           {"sam.seq": "2", "sam.tesla.interval": "3",
            "sam.tesla.disclosed_key": "c7948be408c884c1cd77f7ded73989eb"})
    expect("sam tesla: seq 3 in interval 5 discloses K_3", pcap, 9,
           {"sam.seq": "3", "sam.tesla.interval": "5",
            "sam.tesla.disclosed_key": "f27a12d86db2e4528be22093d9acb858"})
    l0 = "8b0e396d30b0af8b5323280153b191e3d5d57626d9f68d57b9f49f707904738d"
    l1 = "2e8a6fcbca81b0458e0537c9442cac2cd155f1dac61053c35154c27b36487a5d"
    l2 = "3572ade9bfb8b38ce1e4f3ec277a026ca233649fc7dd2539eda596370924aa92"
    n01 = "f4734da6d0cc11be8b67f1bea4815533c9ddcd5022ecfb0aa4231162312ca3fd"
    root_sig = tree0[50:114].hex()
    expect("sam tree: frame 0, k = 3, leaf 0, path L1, L2", pcap, 10,
           dict(header(6, 1, 16, 138), **{"sam.tree.block_size": "3", "sam.tree.leaf": "0",
                "sam.tree.first_seq": "1", "sam.tree.root_sig": root_sig,
                "sam.tree.path_len": "2", "sam.tree.path": l1 + "," + l2}))
    expect("sam tree: frame 1, leaf 1, path L0, L2", pcap, 11,
           {"sam.tree.leaf": "1", "sam.tree.path": l0 + "," + l2, "sam.tree.root_sig": root_sig})
    expect("sam tree: frame 2, leaf 2, path node(L0, L1)", pcap, 12,
           {"sam.auth_len": "106", "sam.tree.leaf": "2", "sam.tree.path_len": "1",
            "sam.tree.path": n01})
    expect("sam bootstrap frame: flag BOOTSTRAP and the envelope's fields", pcap, 13,
           dict(header(7, 1, 124, 0, boot="1"), **{
                "sam.bs.version": "1", "sam.bs.scheme": "7", "sam.bs.session": "0x01020304",
                "sam.bs.source": "0x0a0b0c0d", "sam.bs.issued": "1700000000000",
                "sam.bs.body_len": "38", "sam.bs.signature": tesla_envelope[-64:].hex()}))
    expect("sam bootstrap frame: the TESLA body (d 2, 100 ms, one chain, N 8, K_0)", pcap, 13,
           {"sam.tesla.bs.version": "2", "sam.tesla.bs.key_len": "16", "sam.tesla.bs.delay": "2",
            "sam.tesla.bs.interval_ms": "100", "sam.tesla.bs.chains": "1",
            "sam.tesla.bs.generation": "0", "sam.tesla.bs.t0": "1700000000000",
            "sam.tesla.bs.chain_len": "8", "sam.tesla.bs.commitment": k0})
    expect("sam hybrid: batch id, I, q, C, 35 y, 5 path nodes, certificate", pcap, 14,
           dict(header(4, 1, 16, 748), **{
                "sam.hybrid.batch_id": "0011223344556677",
                "sam.hybrid.i": bytes(range(0xa0, 0xb0)).hex(),
                "sam.hybrid.q": str(struct.unpack("!I", hybrid[64:68])[0]),
                "sam.hybrid.c": hybrid[68:84].hex(),
                "sam.hybrid.y": ",".join(hybrid[84 + 16 * i:100 + 16 * i].hex() for i in range(35)),
                "sam.hybrid.path": ",".join(hybrid[644 + 16 * i:660 + 16 * i].hex() for i in range(5)),
                "sam.hybrid.cert": hybrid[724:788].hex()}))
    expect_text("sam -V: scheme and flag names", pcap, 6,
                ["Scheme: ed25519 (2)", "ENCRYPTED: True", "Key ID: 7"])

    good = [expert_messages(pcap, n) for n in range(1, 15)]
    report(all(m == "" for m in good), "sam: no expert info on the 14 good frames")
    for frame, text, what in [
            (15, "24 + Payload Length + Authenticator Length = 73, the datagram has 72",
             "lengths that do not add up"),
            (16, "Authenticator Length 106, leaf 0 of 3 needs 74 + 32 x 2 = 138",
             "a tree authenticator one hash short"),
            (17, "encrypted Payload Length below 20", "an encrypted payload below 20 bytes"),
            (18, "Authenticator Length 35, tesla has 36", "a tesla authenticator of 35 bytes"),
            (19, "ENCRYPTED and BOOTSTRAP together", "both flags")]:
        msgs = expert_messages(pcap, frame)
        report(text in msgs, "sam expert info for %s (%r)" % (what, msgs))

    # the port preference and Decode As
    other = write_pcap("sam-port.pcap", [udp4(40000, 6000, frames[2])])
    expect("sam: nothing on port 6000 by default", other, 1, {"sam.scheme": ""})
    expect("sam: preference sam.port 6000", other, 1, {"sam.scheme": "2", "sam.seq": "1"},
           extra=["-o", "sam.port:6000"])
    expect("sam: Decode As udp.port==6000,sam", other, 1, {"sam.scheme": "2"},
           extra=["-d", "udp.port==6000,sam"])


# --- the G-IKEv2 captures -----------------------------------------------------------

# the fields of the GSA_AUTH message with the vectors of
# docs/g-ikev2-payloads.md: a check a title, then its fields and values
FRAME1_SPEC = """
IDg: ID_KEY_ID grp1 in GSA_AUTH (39)
    mike.exchange 39
    mike.payload 50,51,52
    mike.idg.type 11
    mike.idg.data 67727031
    mike.idg.name grp1
GSA: KEK (GIKE_UPDATE), TEK (ESP), GW policy
    mike.gsa.protocol 6,3,0
    mike.gsa.spi_size 16,4
    mike.gsa.length 155,84,16
    mike.gsa.spi 0102030405060708090a0b0c0d0e0f10,11223344
GSA: traffic selectors
    mike.gsa.src.ts_type 8,7
    mike.gsa.src.ip_proto 17,17
    mike.gsa.src.start_addr6 2001:db8::1
    mike.gsa.dst.end_addr6 ff0e::1:2
    mike.gsa.src.start_addr 192.0.2.1
    mike.gsa.dst.start_addr 239.1.2.3
    mike.gsa.src.start_port 848,0
    mike.gsa.src.end_port 848,65535
    mike.gsa.dst.start_port 848,5000
GSA: transforms ENCR AES-GCM-16/AES-CBC 256, KWA, GCAUTH, INTEG, SN
    mike.transform.type 1,13,14,1,3,5
    mike.transform.last 3,3,0,3,3,0
    mike.transform.encr 20,12
    mike.transform.key_length 256,256
    mike.transform.kwa 3
    mike.transform.gcauth 2
    mike.transform.sig_alg_id 300506032b6570
    mike.transform.integ 12
    mike.transform.sn 2
GSA: attributes (lifetimes, initial Message ID, next SPI, GW policy)
    mike.gsa.attr.type 1,2,1,3
    mike.gsa.key_lifetime 86400,3600
    mike.gsa.initial_msgid 1
    mike.gsa.next_spi 55667788
    mike.gw.attr.type 1,2,3
    mike.gw.atd 10
    mike.gw.dtd 20
    mike.gw.sender_id_bits 8
KD: KEK bag, ESP bag, member bag
    mike.kd.protocol 6,3,0
    mike.kd.length 112,92,112
    mike.kd.spi 0102030405060708090a0b0c0d0e0f10,11223344
    mike.kd.attr.type 1,1
    mike.kd.mattr.type 1,2,3
KD: wrapped keys (Key ID, KWK ID, Encrypted Key), AUTH_KEY, GM_SENDER_ID
    mike.kd.key_id 0,0,1
    mike.kd.kwk_id 0,0,0
    mike.kd.encrypted_key {keys}
    mike.kd.auth_key {spki}
    mike.kd.gm_sender_id 00000007
"""


def expect_spec(pcap, frame, spec, **values):
    """the checks of a spec: a title line, then indented "field value" lines"""
    checks = []
    for line in spec.format(**values).strip().split("\n"):
        if line.startswith(" "):
            name, value = line.split()
            checks[-1][1][name] = value
        else:
            checks.append((line, {}))
    for what, want in checks:
        expect(what, pcap, frame, want)


def gikev2_checks():
    idg_body = cvar(PAYLOAD_TESTS, "idg_body")
    idg_ipv4 = cvar(PAYLOAD_TESTS, "idg_ipv4_body")
    gsa = cvar(PAYLOAD_TESTS, "gsa_body")
    kd = cvar(PAYLOAD_TESTS, "kd_body")
    idg_doc = bytes.fromhex(re.search(r"full payload: ([0-9a-f ]+)",
                                      open(os.path.join(SRC, "docs/g-ikev2-payloads.md")).read())
                            .group(1).replace(" ", ""))
    report(len(gsa) == 255 and len(kd) == 316 and idg_doc[4:] == idg_body,
           "vectors: GSA 255 and KD 316 bytes, IDg as in docs/g-ikev2-payloads.md")

    # a TEK policy with mike's private attributes (docs/sam-keys.md)
    spki = bytes.fromhex("302a300506032b6570032100") + bytes([0x11]) * 32
    envelope = vec("bootstrap-tesla.bin")
    tek = gsa[155:239]
    private = (bytes.fromhex("4000000634dd41950201") + tlv(0x4001, bytes.fromhex("000000030200") + spki)
               + tlv(0x4002, envelope))
    tek = tek[:2] + struct.pack("!H", len(tek) + len(private)) + tek[4:] + private
    kek_private = tlv(0x4000, bytes.fromhex("34dd41950201"))

    rekey = doc_block("g-ikev2-rekey.md", 186)
    signed = cvar(REKEY_TESTS, "vec_signed")
    sig = cvar(REKEY_TESTS, "vec_sig")
    # the plaintext message: the header of the vector with SK's Next Payload
    # and the real length, its inner payloads with the signature in place
    inner = signed[32:-64] + sig
    clear = signed[:16] + bytes([signed[28]]) + signed[17:24] + struct.pack("!I", 28 + len(inner)) + inner

    bad_gsa = gsa[:2] + b"\x01\x00" + gsa[4:]            # KEK Length 256 > 255
    bad_kd = kd[:2] + struct.pack("!H", 28) + kd[4:20] + tlv(1, bytes(4))  # SA_KEY of 4 bytes
    packets = [
        # 1: GSA_AUTH request with IDg, GSA, KD on UDP 500
        udp4(500, 500, ike(39, [(50, idg_body), (51, gsa), (52, kd)]), dst=(192, 0, 2, 2)),
        # 2: GSA_REGISTRATION: IDg (ID_IPV4_ADDR), N(GROUP_SENDER), N(MIKE_SAM_KEY), N(MIKE_SAM_BOOTSTRAP)
        udp4(500, 500, ike(40, [(50, idg_ipv4), (41, notify(16429)),
                                (41, notify(40960, bytes([2, 0]) + spki)),
                                (41, notify(40961, envelope))]), dst=(192, 0, 2, 2)),
        # 3: GSA_INBAND_REKEY response with a GSA carrying the private attributes
        udp4(4500, 4500, bytes(4) + ike(42, [(51, gsa[:155] + tek[:2] + tek[2:]), (52, kd)],
                                       flags=0x20), dst=(192, 0, 2, 2)),
        # 4: the GSA_REKEY vector of docs/g-ikev2-rekey.md on the rekey port
        udp4(848, 848, rekey),
        # 5: the same message in clear
        udp4(848, 848, clear),
        # 6: the GSA_REKEY vector on UDP 4500 (non-ESP marker): Wireshark's ISAKMP
        udp4(4500, 4500, bytes(4) + rekey),
        # 7, 8: malformed GSA and KD bodies
        udp4(500, 500, ike(39, [(51, bad_gsa)]), dst=(192, 0, 2, 2)),
        udp4(500, 500, ike(39, [(52, bad_kd)]), dst=(192, 0, 2, 2)),
        # 9: a KEK policy with MIKE_SAM_SESSION only, in an IKE_AUTH (35)
        udp4(500, 500, ike(35, [(51, gsa[:2] + struct.pack("!H", 155 + len(kek_private)) + gsa[4:155]
                                 + kek_private)]), dst=(192, 0, 2, 2)),
    ]
    # 10: IKE_AUTH with IDg, GSA, KD encrypted, and the keys for Wireshark's
    # IKEv2 decryption table (the line strongSwan's save-keys plugin writes)
    ispi, rspi = bytes([0x11] * 8), bytes([0x22] * 8)
    sk_ei, sk_ai = bytes(range(0x10, 0x20)), bytes(range(0x30, 0x50))
    packets.append(udp4(500, 500, encrypted_ike_auth([(50, idg_body), (51, gsa), (52, kd)], ispi, rspi,
                                                     sk_ei, sk_ai, bytes(range(0x60, 0x70))),
                        dst=(192, 0, 2, 2)))
    keys = ["-o", 'uat:ikev2_decryption_table:%s,%s,%s,%s,"AES-CBC-128 [RFC3602]",%s,%s,'
            '"HMAC_SHA2_256_128 [RFC4868]"' % (ispi.hex(), rspi.hex(), sk_ei.hex(), bytes(16).hex(),
                                               sk_ai.hex(), bytes(32).hex())]
    pcap = write_pcap("gikev2.pcap", packets)

    expect_spec(pcap, 1, FRAME1_SPEC, spki=spki.hex(),
                keys=",".join(cvar(PAYLOAD_TESTS, v).hex()
                              for v in ("kd_kek_wrapped", "kd_tek_wrapped", "kd_tree_wrapped")))
    expect_text("-V: exchange and payload names", pcap, 1,
                ["Exchange Type: GSA_AUTH (39)", "Transform: ENCR ENCR_AES_GCM_16 (20)",
                 "GSA_KEY_LIFETIME (s): 86400", "Attribute: GM_SENDER_ID (3)",
                 "Signature Algorithm Identifier: 300506032b6570 (id-Ed25519)"])
    expect("GSA_REGISTRATION (40): IDg ID_IPV4_ADDR, N(GROUP_SENDER), N(MIKE_SAM_KEY)", pcap, 2,
           {"mike.exchange": "40", "mike.idg.type": "1", "mike.idg.ipv4": "239.1.2.3",
            "mike.notify.type": "16429,40960,40961", "mike.sam_key.scheme": "2",
            "mike.sam_key.key": spki.hex()})
    expect("N(MIKE_SAM_BOOTSTRAP): the envelope", pcap, 2,
           {"mike.sam_bootstrap": envelope.hex(), "sam.bs.scheme": "7", "sam.bs.body_len": "38",
            "sam.tesla.bs.chain_len": "8"})
    expect_text("-V: mike private notify types", pcap, 2,
                ["MIKE_SAM_KEY (mike private) (40960)", "MIKE_SAM_BOOTSTRAP (mike private) (40961)",
                 "GROUP_SENDER (16429)", "GSA_REGISTRATION (40)"])
    expect("GSA_INBAND_REKEY (42) on 4500: private GSA attributes 16384-16386", pcap, 3,
           {"mike.exchange": "42", "mike.gsa.attr.type": "1,2,1,3,16384,16385,16386",
            "mike.sam_session.id": "0x34dd4195", "mike.sam_session.scheme": "2",
            "mike.sam_session.flags.encrypt": "1", "mike.sam_source.id": "0x00000003",
            "mike.sam_key.scheme": "2", "mike.sam_key.key": spki.hex(),
            "sam.bs.source": "0x0a0b0c0d", "mike.kd.key_id": "0,0,1"})
    msgs = expert_messages(pcap, 3)
    report("MIKE_SAM_SESSION (mike private)" in msgs and "MIKE_SAM_BOOTSTRAP (mike private)" in msgs,
           "expert info names the mike private attributes (%r)" % msgs)
    expect_text("-V: GSA_INBAND_REKEY and the private attribute names", pcap, 3,
                ["GSA_INBAND_REKEY (42)", "Attribute: MIKE_SAM_SOURCE (mike private) (16385)"])
    expect("GSA_REKEY (41) on the rekey port: IKE header of docs/g-ikev2-rekey.md", pcap, 4,
           {"mike.exchange": "41", "mike.ike.spi": bytes(range(16)).hex(),
            "mike.ike.next_payload": "46", "mike.ike.version": "0x20",
            "mike.ike.flags.initiator": "1", "mike.ike.flags.response": "0",
            "mike.ike.msgid": "5", "mike.ike.length": "186"})
    expect("GSA_REKEY: SK envelope (next 51, length 158, IV, ciphertext, ICV)", pcap, 4,
           {"mike.payload": "46", "mike.payload.next": "51", "mike.payload.length": "158",
            "mike.sk.iv": "a0a1a2a3a4a5a6a7", "mike.sk.encrypted": rekey[40:-16].hex(),
            "mike.sk.icv": rekey[-16:].hex()})
    expect("GSA_REKEY in clear: GSA, KD, Delete, Notify, AUTH", pcap, 5,
           {"mike.exchange": "41", "mike.ike.msgid": "5", "mike.payload": "51,52,42,41,39",
            "mike.gsa.protocol": "0", "mike.kd.protocol": "0",
            "mike.kd.mattr.type": "768", "mike.delete.protocol": "3",
            "mike.delete.num_spis": "1", "mike.delete.spi": "11223344",
            "mike.notify.type": "16394", "mike.notify.data": "78"})
    expect("GSA_REKEY in clear: AUTH (Digital Signature, id-Ed25519, the vector's signature)",
           pcap, 5, {"mike.auth.method": "14", "mike.auth.asn1_length": "7",
                     "mike.auth.alg_id": "300506032b6570", "mike.auth.data": sig.hex()})
    expect("GSA_REKEY on 4500 through Wireshark's ISAKMP: exchange 41", pcap, 6,
           {"isakmp.exchangetype": "41", "mike.exchange": "41"})
    msgs = [expert_messages(pcap, n) for n in (1, 2, 4, 6)]
    report(msgs == ["", "MIKE_SAM_KEY (mike private),MIKE_SAM_BOOTSTRAP (mike private)", "", ""],
           "well-formed G-IKEv2 messages: no expert info but the private notes (%r)" % msgs)
    # the rekey vector's GSA body (a GW policy of 8 bytes) is made for the
    # message layer, which does not look inside: an attribute of 8 bytes
    # with 4 left
    msgs = expert_messages(pcap, 5)
    report(msgs == "attribute of 8 bytes, 4 left",
           "expert info for the rekey vector's GSA body (%r)" % msgs)
    msgs = expert_messages(pcap, 7)
    report("GSA substructure Length 256, 255 bytes left" in msgs,
           "expert info for a GSA substructure longer than the body (%r)" % msgs)
    msgs = expert_messages(pcap, 8)
    report("wrapped key shorter than 9 bytes" in msgs,
           "expert info for a 4-byte SA_KEY (%r)" % msgs)
    expect("encrypted IKE_AUTH without its keys: no payload bodies", pcap, 10,
           {"isakmp.exchangetype": "35", "mike.payload": ""})
    expect("encrypted IKE_AUTH, decrypted by Wireshark's IKEv2 table: IDg, GSA, KD bodies", pcap, 10,
           {"mike.payload": "50,51,52", "mike.idg.name": "grp1", "mike.gsa.key_lifetime": "86400,3600",
            "mike.gsa.dst.start_addr": "239.1.2.3", "mike.kd.key_id": "0,0,1",
            "mike.kd.gm_sender_id": "00000007"}, extra=keys)
    other = write_pcap("rekey-port.pcap", [udp4(9848, 9848, rekey)])
    expect("GSA_REKEY: nothing on port 9848 by default", other, 1, {"mike.exchange": ""})
    expect("GSA_REKEY: preference mike.rekey_port 9848", other, 1,
           {"mike.exchange": "41", "mike.ike.msgid": "5"}, extra=["-o", "mike.rekey_port:9848"])
    # an RFC 7383 fragment of a GSA_REKEY (RFC 9838 2.4.1.2): the vector's
    # header with Next Payload SKF, fragment 2 of 3 (Next Payload 0 after
    # the first), an IV, some ciphertext and an ICV of its own
    body = struct.pack("!HH", 2, 3) + bytes(range(0xa0, 0xa8)) + bytes(40) + bytes([0xee]) * 16
    skf = bytes([0, 0]) + struct.pack("!H", 4 + len(body)) + body
    frag = rekey[:16] + bytes([53]) + rekey[17:24] + struct.pack("!I", 28 + len(skf)) + skf
    bad = frag[:32] + struct.pack("!HH", 4, 3) + frag[36:]
    frags = write_pcap("rekey-frag.pcap", [udp4(848, 848, frag), udp4(848, 848, bad)])
    expect("GSA_REKEY fragment: SKF (53) with Fragment Number, Total Fragments, IV, ICV", frags, 1,
           {"mike.exchange": "41", "mike.payload": "53", "mike.skf.number": "2",
            "mike.skf.total": "3", "mike.sk.iv": "a0a1a2a3a4a5a6a7",
            "mike.sk.icv": "ee" * 16})
    msgs = expert_messages(frags, 2)
    report("fragment 4 of 3" in msgs, "expert info for fragment 4 of 3 (%r)" % msgs)
    expect("IKE_AUTH (35): GSA payload, no exchange name of ours", pcap, 9,
           {"mike.exchange": "", "mike.payload": "51", "mike.gsa.attr.type": "1,2,16384",
            "mike.sam_session.id": "0x34dd4195"})


sam_checks()
gikev2_checks()
# the closing line is testing/wireshark-dissector's
sys.exit(0 if failed == 0 else 1)
