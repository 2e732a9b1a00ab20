#!/usr/bin/env python3
#
# ed25519_oo_vector.py: the expected signatures of ed25519-oo for fixed
# nonces, computed from RFC 8032 with integers and hashlib only (no
# crypto library, nothing shared with libsam or libsodium).
#
#   ed25519_oo_vector.py            print the vectors (ed25519-oo.txt)
#   ed25519_oo_vector.py --check    compare with ed25519-oo.txt next to it
#
# Each case is a seed (the RFC 8032 test 1 key, also tests' TV_ED25519_KEY),
# a nonce r (little endian, < L), a message, and the signature R || s with
# R = r·B, s = r + SHA-512(R || A || M)·a mod L.  The script checks every
# signature with RFC 8032's verification equation before printing it.

import hashlib
import os
import sys

p = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
d = -121665 * pow(121666, p - 2, p) % p
SQRT_M1 = pow(2, (p - 1) // 4, p)


def sha512(b):
    return hashlib.sha512(b).digest()


def recover_x(y, sign):
    x2 = (y * y - 1) * pow(d * y * y + 1, p - 2, p) % p
    if x2 == 0:
        return 0 if not sign else None
    x = pow(x2, (p + 3) // 8, p)
    if (x * x - x2) % p:
        x = x * SQRT_M1 % p
    if (x * x - x2) % p:
        return None
    if (x & 1) != sign:
        x = p - x
    return x


# points in extended coordinates (X, Y, Z, T), RFC 8032 5.1.4
def add(P, Q):
    A = (P[1] - P[0]) * (Q[1] - Q[0]) % p
    B = (P[1] + P[0]) * (Q[1] + Q[0]) % p
    C = 2 * P[3] * Q[3] * d % p
    D = 2 * P[2] * Q[2] % p
    E, F, G, H = B - A, D - C, D + C, B + A
    return (E * F % p, G * H % p, F * G % p, E * H % p)


def mul(s, P):
    Q = (0, 1, 1, 0)
    while s:
        if s & 1:
            Q = add(Q, P)
        P = add(P, P)
        s >>= 1
    return Q


def encode(P):
    zi = pow(P[2], p - 2, p)
    x, y = P[0] * zi % p, P[1] * zi % p
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def decode(b):
    y = int.from_bytes(b, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = recover_x(y, sign)
    assert y < p and x is not None
    return (x, y, 1, x * y % p)


def equal(P, Q):
    return ((P[0] * Q[2] - Q[0] * P[2]) % p == 0 and
            (P[1] * Q[2] - Q[1] * P[2]) % p == 0)


By = 4 * pow(5, p - 2, p) % p
B = (recover_x(By, 0), By, 1, recover_x(By, 0) * By % p)


def secret_scalar(seed):
    h = bytearray(sha512(seed)[:32])
    h[0] &= 248
    h[31] &= 127
    h[31] |= 64
    return int.from_bytes(h, "little")


def sign_with_nonce(seed, r, msg):
    a = secret_scalar(seed)
    A = encode(mul(a, B))
    R = encode(mul(r, B))
    k = int.from_bytes(sha512(R + A + msg), "little") % L
    s = (r + k * a) % L
    sig = R + s.to_bytes(32, "little")
    # RFC 8032 5.1.7: [s]B = R + [k]A
    assert equal(mul(s, B), add(decode(R), mul(k, decode(A))))
    return A, sig


SEED = bytes.fromhex(
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")

# the authenticated bytes of the ed25519 test frame of
# docs/sam-frame-format.md (session 0x01020304, source 0x0a0b0c0d, seq 1,
# payload "hello, multicast"): signed, they make a complete ed25519 frame
FRAME = bytes.fromhex(
    "01020000010203040a0b0c0d000000000000000100100040") + b"hello, multicast"

CASES = [
    ("frame", int.from_bytes(sha512(b"libsam ed25519-oo nonce 1"),
                             "little") % L, FRAME),
    ("empty", 1, b""),
    ("large", L - 1, bytes(i * 7 & 0xff for i in range(1400))),
]


def vectors():
    out = []
    for name, r, msg in CASES:
        A, sig = sign_with_nonce(SEED, r, msg)
        out.append("case %s\n" % name)
        out.append("seed %s\n" % SEED.hex())
        out.append("pub %s\n" % A.hex())
        out.append("r %s\n" % r.to_bytes(32, "little").hex())
        out.append("msg %s\n" % (msg.hex() or "-"))
        out.append("sig %s\n" % sig.hex())
    return "".join(out)


if __name__ == "__main__":
    text = vectors()
    if sys.argv[1:] == ["--check"]:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "ed25519-oo.txt")
        with open(path) as f:
            if f.read() != text:
                sys.exit("ed25519_oo_vector.py: %s differs" % path)
        print("ed25519_oo_vector.py: %s matches" % path)
    else:
        sys.stdout.write(text)
