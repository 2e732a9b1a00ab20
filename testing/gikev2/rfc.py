#
# Copyright (C) 2026 The mike developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License as published by the
# Free Software Foundation; either version 2 of the License, or (at your
# option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
#
# rfc.py: the numbers and tables of RFC 9838 (G-IKEv2), RFC 7296 (IKEv2),
# RFC 5282 / RFC 4106 (AEAD in IKE and ESP), RFC 7427 (signature AUTH) and
# RFC 5649 (key wrap) that gikev2.py checks against.  Written from the RFC
# texts, not from mike's code.  The values the draft left "TBA" are the ones
# IANA assigned for RFC 9838.

# --- RFC 7296 3.1: exchange types; RFC 9838 9.3 ----------------------------
IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL = 34, 35, 36, 37
IKE_INTERMEDIATE = 43
GSA_AUTH, GSA_REGISTRATION, GSA_REKEY, GSA_INBAND_REKEY = 39, 40, 41, 42
EXCHANGES = {34: "IKE_SA_INIT", 35: "IKE_AUTH", 36: "CREATE_CHILD_SA",
             37: "INFORMATIONAL", 43: "IKE_INTERMEDIATE", 39: "GSA_AUTH",
             40: "GSA_REGISTRATION", 41: "GSA_REKEY", 42: "GSA_INBAND_REKEY"}

FLAG_I, FLAG_V, FLAG_R = 0x08, 0x10, 0x20

# --- payload types (RFC 7296 3.2, RFC 7383, RFC 9838 4) ---------------------
PL = {0: "NONE", 33: "SA", 34: "KE", 35: "IDi", 36: "IDr", 37: "CERT",
      38: "CERTREQ", 39: "AUTH", 40: "Nonce", 41: "N", 42: "D", 43: "V",
      44: "TSi", 45: "TSr", 46: "SK", 47: "CP", 48: "EAP", 53: "SKF",
      50: "IDg", 51: "GSA", 52: "KD"}
PL_SA, PL_KE, PL_IDI, PL_IDR, PL_CERT, PL_AUTH = 33, 34, 35, 36, 37, 39
PL_NONCE, PL_N, PL_D, PL_SK, PL_SKF = 40, 41, 42, 46, 53
PL_IDG, PL_GSA, PL_KD = 50, 51, 52

# --- security protocols (RFC 7296 3.3.1, RFC 9838 9.3) ----------------------
PROTO_IKE, PROTO_AH, PROTO_ESP, PROTO_GIKE_UPDATE = 1, 2, 3, 6
PROTOS = {0: "none", 1: "IKE", 2: "AH", 3: "ESP", 6: "GIKE_UPDATE"}
SPI_SIZE = {PROTO_AH: 4, PROTO_ESP: 4, PROTO_GIKE_UPDATE: 16}   # 4.4.2, 4.5.2

# --- transform types (RFC 7296 3.3.2, RFC 9838 4.4.2.1) ---------------------
T_ENCR, T_PRF, T_INTEG, T_KE, T_SN, T_KWA, T_GCAUTH = 1, 2, 3, 4, 5, 13, 14
TTYPES = {1: "ENCR", 2: "PRF", 3: "INTEG", 4: "KE", 5: "SN", 13: "KWA",
          14: "GCAUTH"}
# RFC 9838 4.4.2.1: mandatory and optional transform types per protocol
GSA_TRANSFORMS = {
    PROTO_GIKE_UPDATE: ({T_ENCR, T_KWA}, {T_INTEG, T_GCAUTH}),
    PROTO_ESP: ({T_ENCR, T_SN}, {T_INTEG}),
    PROTO_AH: ({T_INTEG, T_SN}, set()),
}

# transform attributes (RFC 7296 3.3.5; RFC 9838 9.3): type -> TV?
TA_KEY_LENGTH, TA_SIG_ALG_ID = 14, 18
TRANSFORM_ATTRS = {TA_KEY_LENGTH: True, TA_SIG_ALG_ID: False}

# ENCR transform IDs: name, key bytes (None: Key Length attribute), salt,
# AEAD ICV length (0: not AEAD), IV length in IKE/ESP, counter mode
ENCR = {
    3: ("3DES", 24, 0, 0, 8, False),
    11: ("NULL", 0, 0, 0, 0, False),
    12: ("AES-CBC", None, 0, 0, 16, False),
    13: ("AES-CTR", None, 4, 0, 8, True),
    14: ("AES-CCM-8", None, 3, 8, 8, True),
    15: ("AES-CCM-12", None, 3, 12, 8, True),
    16: ("AES-CCM-16", None, 3, 16, 8, True),
    18: ("AES-GCM-8", None, 4, 8, 8, True),
    19: ("AES-GCM-12", None, 4, 12, 8, True),
    20: ("AES-GCM-16", None, 4, 16, 8, True),
    21: ("NULL-AES-GMAC", None, 4, 16, 8, True),
    28: ("CHACHA20-POLY1305", 32, 4, 16, 8, True),
    29: ("AES-CCM-8-IIV", None, 3, 8, 0, True),
    30: ("AES-GCM-16-IIV", None, 4, 16, 0, True),
    31: ("CHACHA20-POLY1305-IIV", 32, 4, 16, 0, True),
}
ENCR_IMPLICIT_IV = {29, 30, 31}                         # RFC 8750, 2.7
ENCR_KEY_LENGTHS = {12: (128, 192, 256), 13: (128, 192, 256),
                    14: (128, 192, 256), 15: (128, 192, 256),
                    16: (128, 192, 256), 18: (128, 192, 256),
                    19: (128, 192, 256), 20: (128, 192, 256),
                    21: (128, 192, 256), 29: (128, 192, 256),
                    30: (128, 192, 256)}
# INTEG: name, key bytes, ICV bytes, counter mode (GMAC)
INTEG = {
    0: ("NONE", 0, 0, False),
    1: ("HMAC-MD5-96", 16, 12, False),
    2: ("HMAC-SHA1-96", 20, 12, False),
    5: ("AES-XCBC-96", 16, 12, False),
    8: ("AES-CMAC-96", 16, 12, False),
    9: ("AES-128-GMAC", 20, 16, True),
    10: ("AES-192-GMAC", 28, 16, True),
    11: ("AES-256-GMAC", 36, 16, True),
    12: ("HMAC-SHA2-256-128", 32, 16, False),
    13: ("HMAC-SHA2-384-192", 48, 24, False),
    14: ("HMAC-SHA2-512-256", 64, 32, False),
}
PRF_HASH = {1: "md5", 2: "sha1", 5: "sha256", 6: "sha384", 7: "sha512"}
# SN (RFC 9838 4.4.2.1.3)
SN_32_SEQ, SN_64_PARTIAL, SN_32_UNSPEC = 0, 1, 2
# KWA (4.4.2.1.2): key bytes
KWA = {1: ("KW_5649_128", 16), 2: ("KW_5649_192", 24),
       3: ("KW_5649_256", 32), 4: ("KW_ARX", 32)}
KWA_IMPLIED = 3           # mike: not negotiated in IKE_SA_INIT (4.5.4)
# GCAUTH (4.4.2.1.1)
GCAUTH_IMPLICIT, GCAUTH_SIGNATURE = 1, 2

# --- attributes (RFC 9838 4.4.2.2, 4.4.3.1, 4.5.2, 4.5.3, 9.2) --------------
# type -> (name, TV?, multi-valued, value length or None)
GSA_ATTRS = {1: ("GSA_KEY_LIFETIME", False, False, 4),
             2: ("GSA_INITIAL_MESSAGE_ID", False, False, 4),
             3: ("GSA_NEXT_SPI", False, True, None)}
GSA_ATTR_PROTOS = {1: {2, 3, 6}, 2: {6}, 3: {2, 3, 6}}
GW_ATTRS = {1: ("GWP_ATD", True, False, 2), 2: ("GWP_DTD", True, False, 2),
            3: ("GWP_SENDER_ID_BITS", True, False, 2)}
GKB_ATTRS = {1: ("SA_KEY", False, True, None)}
MKB_ATTRS = {1: ("WRAP_KEY", False, True, None),
             2: ("AUTH_KEY", False, False, None),
             3: ("GM_SENDER_ID", False, True, None)}
A_GSA_KEY_LIFETIME, A_GSA_INITIAL_MESSAGE_ID, A_GSA_NEXT_SPI = 1, 2, 3
A_GWP_ATD, A_GWP_DTD, A_GWP_SENDER_ID_BITS = 1, 2, 3
A_SA_KEY = 1
A_WRAP_KEY, A_AUTH_KEY, A_GM_SENDER_ID = 1, 2, 3
PRIVATE_ATTRS = range(16384, 32768)

# --- notify types (RFC 7296 3.10.1, RFC 9838 4.7) ---------------------------
N_UNSUPPORTED_CRITICAL_PAYLOAD, N_INVALID_SYNTAX = 1, 7
N_NO_PROPOSAL_CHOSEN, N_AUTHENTICATION_FAILED = 14, 24
N_INVALID_GROUP_ID, N_AUTHORIZATION_FAILED, N_REGISTRATION_FAILED = 45, 46, 49
N_USE_TRANSPORT_MODE, N_GROUP_SENDER = 16391, 16429
NOTIFIES = {1: "UNSUPPORTED_CRITICAL_PAYLOAD", 4: "INVALID_IKE_SPI",
            5: "INVALID_MAJOR_VERSION", 7: "INVALID_SYNTAX",
            9: "INVALID_MESSAGE_ID", 11: "INVALID_SPI",
            14: "NO_PROPOSAL_CHOSEN", 17: "INVALID_KE_PAYLOAD",
            24: "AUTHENTICATION_FAILED", 34: "SINGLE_PAIR_REQUIRED",
            35: "NO_ADDITIONAL_SAS", 36: "INTERNAL_ADDRESS_FAILURE",
            37: "FAILED_CP_REQUIRED", 38: "TS_UNACCEPTABLE",
            43: "TEMPORARY_FAILURE", 44: "CHILD_SA_NOT_FOUND",
            45: "INVALID_GROUP_ID", 46: "AUTHORIZATION_FAILED",
            49: "REGISTRATION_FAILED",
            16384: "INITIAL_CONTACT", 16388: "NAT_DETECTION_SOURCE_IP",
            16389: "NAT_DETECTION_DESTINATION_IP", 16390: "COOKIE",
            16391: "USE_TRANSPORT_MODE", 16404: "MULTIPLE_AUTH_SUPPORTED",
            16406: "EAP_ONLY_AUTHENTICATION", 16417: "SIGNATURE_HASH_ALGORITHMS",
            16430: "IKEV2_FRAGMENTATION_SUPPORTED", 16429: "GROUP_SENDER",
            16431: "SIGNATURE_HASH_ALGORITHMS", 16418: "USE_PPK",
            16396: "REDIRECT_SUPPORTED", 16422: "CHILDLESS_IKEV2_SUPPORTED"}
# RFC 7296 3.10.1: private use ranges
def notify_private(t):
    return 8192 <= t <= 16383 or 40960 <= t <= 65535
G_IKEV2_ERRORS = {N_INVALID_GROUP_ID, N_AUTHORIZATION_FAILED,
                  N_REGISTRATION_FAILED}

# --- RFC 7427 / RFC 5280 AlgorithmIdentifiers -------------------------------
AUTH_DIGITAL_SIGNATURE = 14

# --- RFC 9838 section 5 tables ---------------------------------------------
# per context: attribute -> "S" (one, MUST), "[S]" (optional single),
# "[M]" (optional multiple), "S[M]" (one or more), "-" (MUST NOT).
# Contexts: "reg" (GSA_AUTH / GSA_REGISTRATION), "rekey" (GSA_REKEY),
# "inband-reg" and "inband" for groups rekeyed with GSA_INBAND_REKEY.
TABLE = {
    "reg": {"GSA_KEY_LIFETIME": "S", "GSA_INITIAL_MESSAGE_ID": "[S]",
            "GSA_NEXT_SPI": "[M]", "GWP_ATD": "[S]", "GWP_DTD": "[S]",
            "GWP_SENDER_ID_BITS": "S*", "SA_KEY": "S", "WRAP_KEY": "[M]",
            "AUTH_KEY": "S*", "GM_SENDER_ID": "S[M]*"},
    "rekey": {"GSA_KEY_LIFETIME": "S", "GSA_INITIAL_MESSAGE_ID": "[S]",
              "GSA_NEXT_SPI": "[M]", "GWP_ATD": "[S]", "GWP_DTD": "[S]",
              "GWP_SENDER_ID_BITS": "-", "SA_KEY": "S[M]",
              "WRAP_KEY": "[M]", "AUTH_KEY": "[S]", "GM_SENDER_ID": "-"},
    "inband-reg": {"GSA_KEY_LIFETIME": "[S]", "GSA_INITIAL_MESSAGE_ID": "-",
                   "GSA_NEXT_SPI": "-", "GWP_ATD": "[S]", "GWP_DTD": "[S]",
                   "GWP_SENDER_ID_BITS": "S*", "SA_KEY": "S",
                   "WRAP_KEY": "-", "AUTH_KEY": "-", "GM_SENDER_ID": "S[M]*"},
    "inband": {"GSA_KEY_LIFETIME": "[S]", "GSA_INITIAL_MESSAGE_ID": "-",
               "GSA_NEXT_SPI": "-", "GWP_ATD": "[S]", "GWP_DTD": "[S]",
               "GWP_SENDER_ID_BITS": "-", "SA_KEY": "S", "WRAP_KEY": "-",
               "AUTH_KEY": "-", "GM_SENDER_ID": "-"},
}
