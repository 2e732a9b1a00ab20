-- mike.lua: Wireshark dissector for mike + libsam
--
-- Copyright (C) 2026 The mike developers
--
-- This program is free software; you can redistribute it and/or modify it
-- under the terms of the GNU General Public License as published by the
-- Free Software Foundation; either version 2 of the License, or (at your
-- option) any later version.  See <http://www.fsf.org/copyleft/gpl.txt>.
--
-- Dissects, for Wireshark / tshark 4.0 (Lua 5.2):
--
--  * the G-IKEv2 payload bodies of RFC 9838 (IDg 50, GSA 51, KD 52), the
--    exchange types 39-42 and mike's private-use codepoints (GSA attributes
--    16384-16386, notify types 40960-40961): as a post-dissector over what
--    Wireshark's own ISAKMP dissector found on UDP 500/4500, decrypted
--    payloads of IKE_AUTH and INFORMATIONAL included (its IKEv2 decryption
--    table), under the protocol "mike";
--  * whole G-IKEv2 messages on the rekey port (preference mike.rekey_port,
--    default 848): the IKE header, the payload chain, the SK envelope of a
--    GSA_REKEY (encrypted under the KEK: IV, ciphertext, ICV), and its inner
--    payloads when a capture carries them in clear;
--  * libsam's SAM frames (docs/sam-frame-format.md) on a UDP port
--    (preference sam.port, default 5000, and Decode As), under "sam".
--
-- The layouts are those of docs/g-ikev2-payloads.md, docs/g-ikev2-rekey.md,
-- docs/sam-*.md.  Use: tshark -X lua_script:mike.lua, or copy it into a
-- Lua plugin directory (tshark -G folders; make install does).

-- loaded twice (installed, and -X lua_script): the first one stays
for _, name in ipairs(Dissector.list()) do
	if name == "mike_post" then return end
end

local p_mike = Proto("mike", "G-IKEv2 (RFC 9838, mike)")
local p_post = Proto("mike_post", "G-IKEv2 payload bodies (mike post-dissector)")
local p_sam = Proto("sam", "libsam SAM frame")

local F = {}   -- G-IKEv2 fields, registered with p_mike
local S = {}   -- SAM fields, registered with p_sam

-- ---------------------------------------------------------------------------
-- value strings
-- ---------------------------------------------------------------------------

local exchange_names = {
	[34] = "IKE_SA_INIT", [35] = "IKE_AUTH", [36] = "CREATE_CHILD_SA",
	[37] = "INFORMATIONAL", [39] = "GSA_AUTH", [40] = "GSA_REGISTRATION",
	[41] = "GSA_REKEY", [42] = "GSA_INBAND_REKEY",
}
local payload_names = {
	[0] = "NONE", [33] = "SA", [34] = "KE", [35] = "IDi", [36] = "IDr",
	[37] = "CERT", [38] = "CERTREQ", [39] = "AUTH", [40] = "Nonce",
	[41] = "Notify", [42] = "Delete", [43] = "Vendor ID", [44] = "TSi",
	[45] = "TSr", [46] = "SK", [47] = "CP", [48] = "EAP", [49] = "GSPM",
	[50] = "IDg", [51] = "GSA", [52] = "KD", [53] = "SKF",
}
local id_type_names = {
	[1] = "ID_IPV4_ADDR", [2] = "ID_FQDN", [3] = "ID_RFC822_ADDR",
	[5] = "ID_IPV6_ADDR", [9] = "ID_DER_ASN1_DN", [10] = "ID_DER_ASN1_GN",
	[11] = "ID_KEY_ID", [13] = "ID_NULL",
}
local protocol_names = {
	[0] = "GW policy / member key bag", [1] = "IKE", [2] = "AH", [3] = "ESP",
	[6] = "GIKE_UPDATE",
}
local ts_type_names = { [7] = "TS_IPV4_ADDR_RANGE", [8] = "TS_IPV6_ADDR_RANGE" }
local ip_proto_names = { [0] = "any", [1] = "ICMP", [6] = "TCP", [17] = "UDP", [58] = "ICMPv6" }
local transform_type_names = {
	[1] = "ENCR", [2] = "PRF", [3] = "INTEG", [4] = "KE", [5] = "SN",
	[13] = "KWA", [14] = "GCAUTH",
}
local encr_names = {
	[3] = "ENCR_3DES", [11] = "ENCR_NULL", [12] = "ENCR_AES_CBC",
	[13] = "ENCR_AES_CTR", [14] = "ENCR_AES_CCM_8", [15] = "ENCR_AES_CCM_12",
	[16] = "ENCR_AES_CCM_16", [18] = "ENCR_AES_GCM_8", [19] = "ENCR_AES_GCM_12",
	[20] = "ENCR_AES_GCM_16", [21] = "ENCR_NULL_AUTH_AES_GMAC",
	[23] = "ENCR_CAMELLIA_CBC", [28] = "ENCR_CHACHA20_POLY1305",
}
local integ_names = {
	[0] = "NONE", [1] = "AUTH_HMAC_MD5_96", [2] = "AUTH_HMAC_SHA1_96",
	[5] = "AUTH_AES_XCBC_96", [8] = "AUTH_AES_CMAC_96", [9] = "AUTH_AES_128_GMAC",
	[10] = "AUTH_AES_192_GMAC", [11] = "AUTH_AES_256_GMAC",
	[12] = "AUTH_HMAC_SHA2_256_128", [13] = "AUTH_HMAC_SHA2_384_192",
	[14] = "AUTH_HMAC_SHA2_512_256",
}
local sn_names = {
	[0] = "32-bit Sequential Numbers", [1] = "Partially Transmitted 64-bit Sequential Numbers",
	[2] = "32-bit Unspecified Numbers",
}
local kwa_names = { [1] = "KW_5649_128", [2] = "KW_5649_192", [3] = "KW_5649_256", [4] = "KW_ARX" }
local gcauth_names = { [1] = "Implicit", [2] = "Digital Signature" }
local transform_attr_names = { [14] = "Key Length", [18] = "Signature Algorithm Identifier" }
local gsa_attr_names = {
	[1] = "GSA_KEY_LIFETIME", [2] = "GSA_INITIAL_MESSAGE_ID", [3] = "GSA_NEXT_SPI",
	[16384] = "MIKE_SAM_SESSION (mike private)", [16385] = "MIKE_SAM_SOURCE (mike private)",
	[16386] = "MIKE_SAM_BOOTSTRAP (mike private)",
}
local gw_attr_names = { [1] = "GWP_ATD", [2] = "GWP_DTD", [3] = "GWP_SENDER_ID_BITS" }
local group_bag_attr_names = { [1] = "SA_KEY" }
local member_bag_attr_names = { [1] = "WRAP_KEY", [2] = "AUTH_KEY", [3] = "GM_SENDER_ID" }
local notify_names = {
	[14] = "NO_PROPOSAL_CHOSEN", [24] = "AUTHENTICATION_FAILED",
	[36] = "FAILED_CP_REQUIRED", [49] = "REGISTRATION_FAILED",
	[16384] = "INITIAL_CONTACT", [16394] = "ESP_TFC_PADDING_NOT_SUPPORTED",
	[16429] = "GROUP_SENDER",
	[40960] = "MIKE_SAM_KEY (mike private)", [40961] = "MIKE_SAM_BOOTSTRAP (mike private)",
}
local auth_method_names = {
	[1] = "RSA Digital Signature", [2] = "Shared Key MIC", [3] = "DSS Digital Signature",
	[9] = "ECDSA SHA-256 P-256", [10] = "ECDSA SHA-384 P-384", [11] = "ECDSA SHA-512 P-521",
	[14] = "Digital Signature (RFC 7427)",
}
local sam_scheme_names = {
	[1] = "hmac-sha256", [2] = "ed25519", [3] = "ecdsa-p256", [4] = "hybrid",
	[5] = "ed25519-oo", [6] = "tree", [7] = "tesla",
}

local function name_of(names, v, private_from)
	local n = names[v]
	if n then return n end
	if private_from and v >= private_from then return "Private Use" end
	return "Unknown"
end

-- ---------------------------------------------------------------------------
-- G-IKEv2 fields
-- ---------------------------------------------------------------------------

local VS = {
	exchange_names = exchange_names, payload_names = payload_names,
	id_type_names = id_type_names, protocol_names = protocol_names,
	ts_type_names = ts_type_names, ip_proto_names = ip_proto_names,
	transform_type_names = transform_type_names, encr_names = encr_names,
	integ_names = integ_names, sn_names = sn_names, kwa_names = kwa_names,
	gcauth_names = gcauth_names, notify_names = notify_names,
	auth_method_names = auth_method_names, sam_scheme_names = sam_scheme_names,
}

-- makes the fields of a spec, one a line: key, filter name, type, options
-- (a base, vs=value string, mask=, bits= for bool; "-": none), label
local function build_fields(into, spec)
	for line in spec:gmatch("[^\n]+") do
		local key, abbr, typ, opts, label =
			line:match("^(%S+)%s+(%S+)%s+(%S+)%s+(%S+)%s+(.-)%s*$")
		local b, vs, mask, bits
		for o in opts:gmatch("[^,]+") do
			local k, v = o:match("^(%w+)=(.+)$")
			if k == "vs" then
				vs = assert(VS[v], v)
			elseif k == "mask" then
				mask = tonumber(v)
			elseif k == "bits" then
				bits = tonumber(v)
			elseif o ~= "-" then
				b = assert(base[o], o)
			end
		end
		if typ == "bool" then
			into[key] = ProtoField.bool(abbr, label, bits, nil, mask)
		elseif typ == "absolute_time" then
			into[key] = ProtoField.absolute_time(abbr, label, b)
		elseif typ:match("^uint") then
			into[key] = ProtoField[typ](abbr, label, b or base.DEC, vs, mask)
		else
			into[key] = ProtoField[typ](abbr, label)
		end
	end
end

build_fields(F, [[
exchange            mike.exchange                  uint8  DEC,vs=exchange_names       Exchange Type
ike_spi             mike.ike.spi                   bytes  -                           SPI (IKE SPIi | SPIr, or the rekey SA's SPI)
ike_next            mike.ike.next_payload          uint8  DEC,vs=payload_names        Next Payload
ike_version         mike.ike.version               uint8  HEX                         Version
ike_flags           mike.ike.flags                 uint8  HEX                         Flags
ike_flag_i          mike.ike.flags.initiator       bool   bits=8,mask=0x08            Initiator
ike_flag_v          mike.ike.flags.version         bool   bits=8,mask=0x10            Version
ike_flag_r          mike.ike.flags.response        bool   bits=8,mask=0x20            Response
ike_msgid           mike.ike.msgid                 uint32 DEC                         Message ID
ike_length          mike.ike.length                uint32 DEC                         Length
non_esp             mike.non_esp_marker            bytes  -                           Non-ESP Marker
payload             mike.payload                   uint8  DEC,vs=payload_names        Payload
pl_next             mike.payload.next              uint8  DEC,vs=payload_names        Next Payload
pl_critical         mike.payload.critical          bool   bits=8,mask=0x80            Critical
pl_length           mike.payload.length            uint16 DEC                         Payload Length
pl_body             mike.payload.body              bytes  -                           Body
idg_type            mike.idg.type                  uint8  DEC,vs=id_type_names        ID Type
idg_reserved        mike.idg.reserved              uint24 HEX                         RESERVED
idg_data            mike.idg.data                  bytes  -                           Identification Data
idg_name            mike.idg.name                  string -                           Group
idg_ipv4            mike.idg.ipv4                  ipv4   -                           Group address
idg_ipv6            mike.idg.ipv6                  ipv6   -                           Group address
gsa_policy          mike.gsa.policy                bytes  -                           Policy
gsa_protocol        mike.gsa.protocol              uint8  DEC,vs=protocol_names       Protocol
gsa_spi_size        mike.gsa.spi_size              uint8  DEC                         SPI Size
gsa_length          mike.gsa.length                uint16 DEC                         Length
gsa_spi             mike.gsa.spi                   bytes  -                           SPI
gw_reserved         mike.gw.reserved               uint8  HEX                         RESERVED
tr                  mike.transform                 bytes  -                           Transform
tr_last             mike.transform.last            uint8  DEC                         Last Substruc
tr_length           mike.transform.length          uint16 DEC                         Transform Length
tr_type             mike.transform.type            uint8  DEC,vs=transform_type_names Transform Type
tr_id               mike.transform.id              uint16 DEC                         Transform ID
tr_id_1 mike.transform.encr uint16 DEC,vs=encr_names ENCR
tr_id_3 mike.transform.integ uint16 DEC,vs=integ_names INTEG
tr_id_5 mike.transform.sn uint16 DEC,vs=sn_names SN
tr_id_13 mike.transform.kwa uint16 DEC,vs=kwa_names KWA
tr_id_14 mike.transform.gcauth uint16 DEC,vs=gcauth_names GCAUTH
key_length          mike.transform.key_length      uint16 DEC                         Key Length
sig_alg_id          mike.transform.sig_alg_id      bytes  -                           Signature Algorithm Identifier
key_lifetime        mike.gsa.key_lifetime          uint32 DEC                         GSA_KEY_LIFETIME (s)
initial_msgid       mike.gsa.initial_msgid         uint32 DEC                         GSA_INITIAL_MESSAGE_ID
next_spi            mike.gsa.next_spi              bytes  -                           GSA_NEXT_SPI
gw_atd              mike.gw.atd                    uint16 DEC                         GWP_ATD (s)
gw_dtd              mike.gw.dtd                    uint16 DEC                         GWP_DTD (s)
gw_sid_bits         mike.gw.sender_id_bits         uint16 DEC                         GWP_SENDER_ID_BITS
sam_session         mike.sam_session.id            uint32 HEX                         SAM Session ID
sam_session_scheme  mike.sam_session.scheme        uint8  DEC,vs=sam_scheme_names     SAM Scheme
sam_session_flags   mike.sam_session.flags         uint8  HEX                         Flags
sam_session_encrypt mike.sam_session.flags.encrypt bool   bits=8,mask=0x01            ENCRYPT
sam_source          mike.sam_source.id             uint32 HEX                         SAM Source ID
sam_key_scheme      mike.sam_key.scheme            uint8  DEC,vs=sam_scheme_names     SAM Scheme
sam_key_reserved    mike.sam_key.reserved          uint8  HEX                         Reserved
sam_key             mike.sam_key.key               bytes  -                           Verification Key (SubjectPublicKeyInfo)
sam_bootstrap       mike.sam_bootstrap             bytes  -                           SAM bootstrap envelope
kd_bag              mike.kd.bag                    bytes  -                           Key Bag
kd_protocol         mike.kd.protocol               uint8  DEC,vs=protocol_names       Protocol
kd_spi_size         mike.kd.spi_size               uint8  DEC                         SPI Size
kd_reserved         mike.kd.reserved               uint8  HEX                         RESERVED
kd_length           mike.kd.length                 uint16 DEC                         Length
kd_spi              mike.kd.spi                    bytes  -                           SPI
kd_key_id           mike.kd.key_id                 uint32 DEC                         Key ID
kd_kwk_id           mike.kd.kwk_id                 uint32 DEC                         KWK ID
kd_enc_key          mike.kd.encrypted_key          bytes  -                           Encrypted Key
kd_auth_key         mike.kd.auth_key               bytes  -                           AUTH_KEY (SubjectPublicKeyInfo)
kd_gm_sender_id     mike.kd.gm_sender_id           bytes  -                           GM_SENDER_ID
n_protocol          mike.notify.protocol           uint8  DEC,vs=protocol_names       Protocol ID
n_spi_size          mike.notify.spi_size           uint8  DEC                         SPI Size
n_type              mike.notify.type               uint16 DEC,vs=notify_names         Notify Message Type
n_spi               mike.notify.spi                bytes  -                           SPI
n_data              mike.notify.data               bytes  -                           Notification Data
d_protocol          mike.delete.protocol           uint8  DEC,vs=protocol_names       Protocol ID
d_spi_size          mike.delete.spi_size           uint8  DEC                         SPI Size
d_num               mike.delete.num_spis           uint16 DEC                         Num of SPIs
d_spi               mike.delete.spi                bytes  -                           SPI
auth_method         mike.auth.method               uint8  DEC,vs=auth_method_names    Auth Method
auth_reserved       mike.auth.reserved             uint24 HEX                         RESERVED
auth_asn1_len       mike.auth.asn1_length          uint8  DEC                         ASN.1 Length
auth_alg_id         mike.auth.alg_id               bytes  -                           AlgorithmIdentifier
auth_data           mike.auth.data                 bytes  -                           Authentication Data (signature)
sk_iv               mike.sk.iv                     bytes  -                           IV
sk_encrypted        mike.sk.encrypted              bytes  -                           Encrypted payloads, Pad Length
sk_icv              mike.sk.icv                    bytes  -                           ICV
skf_number          mike.skf.number                uint16 DEC                         Fragment Number
skf_total           mike.skf.total                 uint16 DEC                         Total Fragments
]])
-- the two traffic selectors of a GSA policy, and the attributes of each
-- registry (RFC 7296 3.3.5 format): the same fields under other names
local ts_spec = [[
type   %s.ts_type     uint8  DEC,vs=ts_type_names  TS Type
proto  %s.ip_proto    uint8  DEC,vs=ip_proto_names IP Protocol ID
length %s.ts_length   uint16 DEC                   Selector Length
sport  %s.start_port  uint16 DEC                   Start Port
eport  %s.end_port    uint16 DEC                   End Port
s4     %s.start_addr  ipv4   -                     Starting Address
e4     %s.end_addr    ipv4   -                     Ending Address
s6     %s.start_addr6 ipv6   -                     Starting Address
e6     %s.end_addr6   ipv6   -                     Ending Address
]]
local attr_spec = [[
item   %s        bytes  -                        Attribute
af     %s.af     bool   bits=16,mask=0x8000      AF (TV)
type   %s.type   uint16 DEC,vs=@,mask=0x7fff     Attribute Type
length %s.length uint16 DEC                      Attribute Length
tv     %s.tv     uint16 DEC                      Attribute Value
data   %s.data   bytes  -                        Attribute Value
]]
local function field_set(spec, prefix, names)
	local set = { names = names }
	VS["@"] = names
	build_fields(set, spec:gsub("%%s", prefix))
	for k, f in pairs(set) do
		if k ~= "names" then F[prefix .. "/" .. k] = f end
	end
	return set
end
local ts = { src = field_set(ts_spec, "mike.gsa.src"), dst = field_set(ts_spec, "mike.gsa.dst") }
local tr_id_fields = { [1] = F.tr_id_1, [3] = F.tr_id_3, [5] = F.tr_id_5, [13] = F.tr_id_13, [14] = F.tr_id_14 }
local A_transform = field_set(attr_spec, "mike.transform.attr", transform_attr_names)
local A_gsa = field_set(attr_spec, "mike.gsa.attr", gsa_attr_names)
local A_gw = field_set(attr_spec, "mike.gw.attr", gw_attr_names)
local A_group = field_set(attr_spec, "mike.kd.attr", group_bag_attr_names)
local A_member = field_set(attr_spec, "mike.kd.mattr", member_bag_attr_names)

-- a protocol's fields and its expert infos: name = { abbr, text, group, severity }
local function finish_proto(proto, fields, experts)
	local fl, el, ex = {}, {}, {}
	for _, f in pairs(fields) do fl[#fl + 1] = f end
	for k, e in pairs(experts) do
		ex[k] = ProtoExpert.new(e[1], e[2], expert.group[e[3]], expert.severity[e[4]])
		el[#el + 1] = ex[k]
	end
	proto.fields = fl
	proto.experts = el
	return ex
end

local E = finish_proto(p_mike, F, {
	malformed = { "mike.malformed", "Malformed G-IKEv2 data", "MALFORMED", "ERROR" },
	private = { "mike.private", "mike private codepoint", "PROTOCOL", "NOTE" },
})

-- ---------------------------------------------------------------------------
-- SAM fields
-- ---------------------------------------------------------------------------

build_fields(S, [[
version        sam.version                        uint8  DEC                     Version
scheme         sam.scheme                         uint8  DEC,vs=sam_scheme_names Scheme
flags          sam.flags                          uint16 HEX                     Flags
flag_encrypted sam.flags.encrypted                bool   bits=16,mask=0x0001     ENCRYPTED
flag_bootstrap sam.flags.bootstrap                bool   bits=16,mask=0x0002     BOOTSTRAP
flag_reserved  sam.flags.reserved                 uint16 HEX,mask=0xfffc         Reserved
session        sam.session                        uint32 HEX                     Session ID
source         sam.source                         uint32 HEX                     Source ID
seq            sam.seq                            uint64 DEC                     Sequence Number
payload_len    sam.payload_len                    uint16 DEC                     Payload Length
auth_len       sam.auth_len                       uint16 DEC                     Authenticator Length
payload        sam.payload                        bytes  -                       Payload
enc_key_id     sam.enc.key_id                     uint32 DEC                     Key ID
enc_ciphertext sam.enc.ciphertext                 bytes  -                       Ciphertext (AES-256-GCM)
enc_tag        sam.enc.tag                        bytes  -                       Tag
auth           sam.auth                           bytes  -                       Authenticator
hmac           sam.hmac                           bytes  -                       HMAC-SHA-256
signature      sam.signature                      bytes  -                       Signature
ecdsa_r        sam.ecdsa.r                        bytes  -                       r
ecdsa_s        sam.ecdsa.s                        bytes  -                       s
tesla_gen      sam.tesla.generation               uint8  DEC                     Generation
tesla_p        sam.tesla.p                        bool   bits=24,mask=0x800000   P (the disclosed key is the previous chain's)
tesla_interval sam.tesla.interval                 uint24 DEC,mask=0x7fffff       Interval
tesla_key      sam.tesla.disclosed_key            bytes  -                       Disclosed Key
tesla_mac      sam.tesla.mac                      bytes  -                       MAC (AES-128-GMAC)
tree_k1        sam.tree.k_minus_1                 uint8  DEC                     Block size - 1
tree_k         sam.tree.block_size                uint16 DEC                     Block size (k)
tree_leaf      sam.tree.leaf                      uint8  DEC                     Leaf index
tree_first     sam.tree.first_seq                 uint64 DEC                     First sequence number of the block
tree_sig       sam.tree.root_sig                  bytes  -                       Root signature (Ed25519)
tree_path_len  sam.tree.path_len                  uint8  DEC                     Audit path length
tree_path      sam.tree.path                      bytes  -                       Audit path hash
hy_batch       sam.hybrid.batch_id                bytes  -                       Batch ID
hy_i           sam.hybrid.i                       bytes  -                       I
hy_q           sam.hybrid.q                       uint32 DEC                     Leaf index q
hy_c           sam.hybrid.c                       bytes  -                       C
hy_y           sam.hybrid.y                       bytes  -                       y
hy_path        sam.hybrid.path                    bytes  -                       Authentication path node
hy_cert        sam.hybrid.cert                    bytes  -                       Certificate (Ed25519)
bs             sam.bs                             bytes  -                       Bootstrap envelope
bs_version     sam.bs.version                     uint8  DEC                     Version
bs_scheme      sam.bs.scheme                      uint8  DEC,vs=sam_scheme_names Scheme
bs_reserved    sam.bs.reserved                    uint16 HEX                     Reserved
bs_session     sam.bs.session                     uint32 HEX                     Session ID
bs_source      sam.bs.source                      uint32 HEX                     Source ID
bs_issued_time sam.bs.issued_time absolute_time UTC Issued
bs_issued      sam.bs.issued                      uint64 DEC                     Issued (ms since the epoch)
bs_body_len    sam.bs.body_len                    uint16 DEC                     Body Length
bs_body        sam.bs.body                        bytes  -                       Body
bs_sig         sam.bs.signature                   bytes  -                       Signature
tb_version     sam.tesla.bs.version               uint8  DEC                     Version
tb_key_len     sam.tesla.bs.key_len               uint8  DEC                     Key Length
tb_delay       sam.tesla.bs.delay                 uint16 DEC                     Delay (intervals)
tb_interval    sam.tesla.bs.interval_ms           uint32 DEC                     Interval (ms)
tb_chains      sam.tesla.bs.chains                uint8  DEC                     Chains
tb_gen         sam.tesla.bs.generation            uint8  DEC                     Generation
tb_t0          sam.tesla.bs.t0                    uint64 DEC                     T0 (ms since the epoch)
tb_len         sam.tesla.bs.chain_len             uint32 DEC                     Chain Length
tb_commit      sam.tesla.bs.commitment            bytes  -                       Commitment (K_0)
tb_cp_gen      sam.tesla.bs.checkpoint.generation uint8  DEC                     Checkpoint generation
tb_cp_interval sam.tesla.bs.checkpoint.interval   uint32 DEC                     Checkpoint interval
tb_cp_key      sam.tesla.bs.checkpoint.key        bytes  -                       Checkpoint key
]])

local SE = finish_proto(p_sam, S, {
	malformed = { "sam.malformed", "Malformed SAM frame", "MALFORMED", "ERROR" },
	warn = { "sam.suspicious", "SAM frame a receiver rejects", "PROTOCOL", "WARN" },
})

-- ---------------------------------------------------------------------------
-- helpers
-- ---------------------------------------------------------------------------

local function malformed(tree, range, text)
	tree:add_tvb_expert_info(E.malformed, range, text)
end

-- is every byte of the range printable ASCII?
local function printable(range)
	local s = range:raw()
	return s:match("^[\32-\126]+$") ~= nil
end

-- fixed layouts: what, minimum length, fixed-size fields { field, size },
-- the field of the rest
local layouts = {
	-- N(MIKE_SAM_KEY), and MIKE_SAM_SOURCE after its Source ID
	sam_key = { "SAM key", 2, { { F.sam_key_scheme, 1 }, { F.sam_key_reserved, 1 } }, F.sam_key },
	-- the data of SA_KEY and WRAP_KEY
	wrapped_key = { "wrapped key", 9, { { F.kd_key_id, 4 }, { F.kd_kwk_id, 4 } }, F.kd_enc_key },
	-- the fixed parts of payload bodies
	idg = { "IDg body", 4, { { F.idg_type, 1 }, { F.idg_reserved, 3 } } },
	notify = { "Notify body", 4, { { F.n_protocol, 1 }, { F.n_spi_size, 1 }, { F.n_type, 2 } } },
	delete = { "Delete body", 4, { { F.d_protocol, 1 }, { F.d_spi_size, 1 }, { F.d_num, 2 } } },
	auth = { "AUTH body", 4, { { F.auth_method, 1 }, { F.auth_reserved, 3 } } },
	-- SAM bootstrap envelope and TESLA bootstrap body
	envelope = { "bootstrap envelope", 22, { { S.bs_version, 1 }, { S.bs_scheme, 1 },
		{ S.bs_reserved, 2 }, { S.bs_session, 4 }, { S.bs_source, 4 }, { S.bs_issued, 8 },
		{ S.bs_body_len, 2 } }, expert = SE.malformed },
	tesla_body = { "TESLA bootstrap body", 9, { { S.tb_version, 1 }, { S.tb_key_len, 1 },
		{ S.tb_delay, 2 }, { S.tb_interval, 4 }, { S.tb_chains, 1 } }, expert = SE.malformed },
	tesla_chain = { "chain", 29, { { S.tb_gen, 1 }, { S.tb_t0, 8 }, { S.tb_len, 4 },
		{ S.tb_commit, 16 } }, expert = SE.malformed },
	checkpoint = { "checkpoint", 21, { { S.tb_cp_gen, 1 }, { S.tb_cp_interval, 4 },
		{ S.tb_cp_key, 16 } }, expert = SE.malformed },
	-- SAM authenticators
	tesla = { "tesla authenticator", 36, { { S.tesla_gen, 1 }, { S.tesla_p, 3, 0 },
		{ S.tesla_interval, 3 }, { S.tesla_key, 16 }, { S.tesla_mac, 16 } }, expert = SE.malformed },
	hybrid = { "hybrid authenticator", 44, { { S.hy_batch, 8 }, { S.hy_i, 16 }, { S.hy_q, 4 },
		{ S.hy_c, 16 } }, expert = SE.malformed },
	ecdsa = { "ECDSA signature", 64, { { S.signature, 64, 0 }, { S.ecdsa_r, 32 }, { S.ecdsa_s, 32 } },
		expert = SE.malformed },
}

-- adds the layout l over [off, off + len)
local function add_layout(tree, tvb, off, len, l)
	if len < l[2] then
		tree:add_tvb_expert_info(l.expert or E.malformed, tvb(off, len),
			string.format("%s shorter than %d bytes", l[1], l[2]))
		return false
	end
	for _, f in ipairs(l[3]) do
		tree:add(f[1], tvb(off, f[2]))
		local step = f[3] or f[2]   -- 0: the next field shares the bytes
		off, len = off + step, len - step
	end
	if l[4] and len > 0 then tree:add(l[4], tvb(off, len)) end
	return true
end

-- ---------------------------------------------------------------------------
-- SAM bootstrap envelope (docs/sam-bootstrap.md) and the tesla body
-- ---------------------------------------------------------------------------

local function dissect_tesla_body(tvb, off, len, tree)
	local stop = off + len
	local t = tree:add(p_sam, tvb(off, len), "TESLA bootstrap body")
	if not add_layout(t, tvb, off, len, layouts.tesla_body) then return end
	local o = off + 9
	for c = 1, tvb(off + 8, 1):uint() do
		local ct = t:add(p_sam, tvb(o, math.min(29, stop - o)), "Chain " .. c)
		if not add_layout(ct, tvb, o, math.min(29, stop - o), layouts.tesla_chain) then return end
		o = o + 29
	end
	if stop - o == 21 then
		add_layout(t:add(p_sam, tvb(o, 21), "Checkpoint"), tvb, o, 21, layouts.checkpoint)
	elseif stop ~= o then
		t:add_tvb_expert_info(SE.malformed, tvb(o, stop - o),
			"TESLA bootstrap body: " .. (stop - o) .. " bytes after the chains (a checkpoint has 21)")
	end
end

-- the envelope at tvb(off, len); returns nothing
local function dissect_envelope(tvb, off, len, tree)
	local t = tree:add(S.bs, tvb(off, len))
	if not add_layout(t, tvb, off, len, layouts.envelope) then return end
	local ms = tvb(off + 12, 8):uint64()
	t:add(S.bs_issued_time, tvb(off + 12, 8),
		NSTime.new((ms / 1000):tonumber(), (ms % 1000):tonumber() * 1000000)):set_generated()
	local bl = tvb(off + 20, 2):uint()
	if 22 + bl + 64 ~= len then
		t:add_tvb_expert_info(SE.malformed, tvb(off + 20, 2),
			string.format("envelope is %d bytes, 22 + Body Length + 64 = %d", len, 22 + bl + 64))
		return
	end
	if bl > 0 then
		t:add(S.bs_body, tvb(off + 22, bl))
		if tvb(off + 1, 1):uint() == 7 then
			dissect_tesla_body(tvb, off + 22, bl, t)
		end
	end
	t:add(S.bs_sig, tvb(off + 22 + bl, 64))
end

-- ---------------------------------------------------------------------------
-- attributes (RFC 7296 3.3.5)
-- ---------------------------------------------------------------------------

-- walks the attributes in tvb[off, stop); decode(type, tvb, voff, vlen, tree)
-- adds the meaning of each value
local function dissect_attrs(tvb, off, stop, tree, a, decode)
	while off < stop do
		if stop - off < 4 then
			malformed(tree, tvb(off, stop - off), "truncated attribute")
			return
		end
		local word = tvb(off, 2):uint()
		local tv = word >= 0x8000
		local typ = word % 0x8000
		local len = tv and 4 or 4 + tvb(off + 2, 2):uint()
		if off + len > stop then
			malformed(tree, tvb(off, stop - off),
				string.format("attribute of %d bytes, %d left", len, stop - off))
			return
		end
		local name = name_of(a.names, typ, 16384)
		local at = tree:add(a.item, tvb(off, len))
		at:set_text(string.format("Attribute: %s (%d)", name, typ))
		at:add(a.af, tvb(off, 2))
		at:add(a.type, tvb(off, 2))
		local voff, vlen
		if tv then
			at:add(a.tv, tvb(off + 2, 2))
			voff, vlen = off + 2, 2
		else
			at:add(a.length, tvb(off + 2, 2))
			voff, vlen = off + 4, len - 4
			if vlen > 0 then at:add(a.data, tvb(voff, vlen)) end
		end
		if typ >= 16384 then
			at:add_tvb_expert_info(E.private, tvb(off, 2),
				(a.names[typ] and name or "Private Use attribute " .. typ))
		end
		if decode and vlen > 0 then decode(typ, tv, tvb, voff, vlen, at) end
		off = off + len
	end
end

local function decode_transform_attr(typ, tv, tvb, off, len, tree)
	if typ == 14 and tv then
		tree:add(F.key_length, tvb(off, 2))
	elseif typ == 18 and not tv then
		local it = tree:add(F.sig_alg_id, tvb(off, len))
		if tvb(off, len):bytes():tohex():lower() == "300506032b6570" then
			it:append_text(" (id-Ed25519)")
		end
	end
end

local function decode_gsa_attr(typ, tv, tvb, off, len, tree)
	if tv then return end
	if typ == 1 and len == 4 then
		tree:add(F.key_lifetime, tvb(off, 4))
	elseif typ == 2 and len == 4 then
		tree:add(F.initial_msgid, tvb(off, 4))
	elseif typ == 3 then
		tree:add(F.next_spi, tvb(off, len))
	elseif typ == 16384 then
		if len ~= 6 then
			malformed(tree, tvb(off, len), "MIKE_SAM_SESSION is 6 bytes")
			return
		end
		tree:add(F.sam_session, tvb(off, 4))
		tree:add(F.sam_session_scheme, tvb(off + 4, 1))
		local ft = tree:add(F.sam_session_flags, tvb(off + 5, 1))
		ft:add(F.sam_session_encrypt, tvb(off + 5, 1))
	elseif typ == 16385 then
		if len < 7 then
			malformed(tree, tvb(off, len), "MIKE_SAM_SOURCE has at least 7 bytes")
			return
		end
		tree:add(F.sam_source, tvb(off, 4))
		add_layout(tree, tvb, off + 4, len - 4, layouts.sam_key)
	elseif typ == 16386 then
		tree:add(F.sam_bootstrap, tvb(off, len))
		dissect_envelope(tvb, off, len, tree)
	end
end

local function decode_gw_attr(typ, tv, tvb, off, len, tree)
	local f = ({ F.gw_atd, F.gw_dtd, F.gw_sid_bits })[typ]
	if f and tv then tree:add(f, tvb(off, 2)) end
end

local function decode_group_attr(typ, tv, tvb, off, len, tree)
	if typ == 1 and not tv then add_layout(tree, tvb, off, len, layouts.wrapped_key) end
end

local function decode_member_attr(typ, tv, tvb, off, len, tree)
	if tv then return end
	if typ == 1 then
		add_layout(tree, tvb, off, len, layouts.wrapped_key)
	elseif typ == 2 then
		tree:add(F.kd_auth_key, tvb(off, len))
	elseif typ == 3 then
		tree:add(F.kd_gm_sender_id, tvb(off, len))
	end
end

-- ---------------------------------------------------------------------------
-- G-IKEv2 payload bodies
-- ---------------------------------------------------------------------------

local function dissect_idg(tvb, tree)
	local len = tvb:len()
	if not add_layout(tree, tvb, 0, len, layouts.idg) then return end
	local typ = tvb(0, 1):uint()
	if len == 4 then
		malformed(tree, tvb(0, 1), "IDg without Identification Data")
		return
	end
	local data = tvb(4, len - 4)
	tree:add(F.idg_data, data)
	if typ == 1 and len == 8 then
		tree:add(F.idg_ipv4, data)
	elseif typ == 5 and len == 20 then
		tree:add(F.idg_ipv6, data)
	elseif (typ == 1 or typ == 5) then
		malformed(tree, data, "address of the wrong length")
	elseif (typ == 2 or typ == 3 or typ == 11) and printable(data) then
		tree:add(F.idg_name, data)
	end
	tree:append_text(": " .. name_of(id_type_names, typ))
end

local function dissect_ts(tvb, off, stop, tree, dir)
	local f = ts[dir]
	if stop - off < 8 then
		malformed(tree, tvb(off, stop - off), "truncated traffic selector")
		return nil
	end
	local tlen = tvb(off + 2, 2):uint()
	local typ = tvb(off, 1):uint()
	local alen = (typ == 7 and 4) or (typ == 8 and 16) or nil
	if tlen < 8 or off + tlen > stop or (alen and tlen ~= 8 + 2 * alen) then
		malformed(tree, tvb(off, stop - off), "bad Selector Length " .. tlen)
		return nil
	end
	local t = tree:add(p_mike, tvb(off, tlen),
		(dir == "src" and "Source" or "Destination") .. " traffic selector")
	t:add(f.type, tvb(off, 1))
	t:add(f.proto, tvb(off + 1, 1))
	t:add(f.length, tvb(off + 2, 2))
	t:add(f.sport, tvb(off + 4, 2))
	t:add(f.eport, tvb(off + 6, 2))
	if alen == 4 then
		t:add(f.s4, tvb(off + 8, 4))
		t:add(f.e4, tvb(off + 12, 4))
	elseif alen == 16 then
		t:add(f.s6, tvb(off + 8, 16))
		t:add(f.e6, tvb(off + 24, 16))
	end
	return off + tlen
end

-- one transform at off; returns the offset after it and whether it was last
local function dissect_transform(tvb, off, stop, tree)
	if stop - off < 8 then
		malformed(tree, tvb(off, stop - off), "truncated transform")
		return nil
	end
	local tlen = tvb(off + 2, 2):uint()
	if tlen < 8 or off + tlen > stop then
		malformed(tree, tvb(off, stop - off), "bad Transform Length " .. tlen)
		return nil
	end
	local typ, id = tvb(off + 4, 1):uint(), tvb(off + 6, 2):uint()
	local t = tree:add(F.tr, tvb(off, tlen))
	t:add(F.tr_last, tvb(off, 1))
	t:add(F.tr_length, tvb(off + 2, 2))
	t:add(F.tr_type, tvb(off + 4, 1))
	t:add(F.tr_id, tvb(off + 6, 2))
	local idf = tr_id_fields[typ]
	local idnames = ({ [1] = encr_names, [3] = integ_names, [5] = sn_names,
		[13] = kwa_names, [14] = gcauth_names })[typ]
	if idf then t:add(idf, tvb(off + 6, 2)) end
	t:set_text(string.format("Transform: %s %s (%d)", name_of(transform_type_names, typ),
		idnames and name_of(idnames, id, 1024) or "", id))
	dissect_attrs(tvb, off + 8, off + tlen, t, A_transform, decode_transform_attr)
	local last = tvb(off, 1):uint()
	if last ~= 0 and last ~= 3 then
		malformed(t, tvb(off, 1), "Last Substruc is neither 0 nor 3")
	end
	return off + tlen, last == 0
end

-- what follows the SPI of a GSA policy: the traffic selectors and the
-- transforms; returns the offset of the GSA attributes, nil on an error
local function dissect_gsa_selectors(tvb, o, stop, t)
	o = dissect_ts(tvb, o, stop, t, "src")
	if not o then return nil end
	o = dissect_ts(tvb, o, stop, t, "dst")
	if not o then return nil end
	local last = false
	while not last do
		if o >= stop then
			malformed(t, tvb(o - 1, 1), "transform list without a last transform")
			return nil
		end
		o, last = dissect_transform(tvb, o, stop, t)
		if not o then return nil end
	end
	return o
end

-- GSA policies and KD key bags share their frame: Protocol 0 (GW policy,
-- member key bag), RESERVED, Length, attributes; or Protocol, SPI Size,
-- Length, SPI, (a GSA policy's selectors and transforms,) attributes
local substructures = {
	GSA = {
		item = F.gsa_policy, protocol = F.gsa_protocol, reserved = F.gw_reserved,
		spi_size = F.gsa_spi_size, length = F.gsa_length, spi = F.gsa_spi,
		zero = "GW policy", zero_attrs = A_gw, zero_decode = decode_gw_attr,
		attrs = A_gsa, decode = decode_gsa_attr, middle = dissect_gsa_selectors,
		title = function(proto)
			return "GSA policy: " .. name_of(protocol_names, proto) ..
				(proto == 6 and " (Rekey SA, KEK)" or " (Data-Security SA, TEK)")
		end,
	},
	KD = {
		item = F.kd_bag, protocol = F.kd_protocol, reserved = F.kd_reserved,
		spi_size = F.kd_spi_size, length = F.kd_length, spi = F.kd_spi,
		zero = "Member key bag", zero_attrs = A_member, zero_decode = decode_member_attr,
		attrs = A_group, decode = decode_group_attr,
		title = function(proto) return "Group key bag: " .. name_of(protocol_names, proto) end,
	},
}

local function dissect_substructure(d, tvb, off, len, tree)
	local stop = off + len
	local proto = tvb(off, 1):uint()
	local t = tree:add(d.item, tvb(off, len))
	t:add(d.protocol, tvb(off, 1))
	if proto == 0 then
		t:set_text(d.zero)
		t:add(d.reserved, tvb(off + 1, 1))
		t:add(d.length, tvb(off + 2, 2))
		dissect_attrs(tvb, off + 4, stop, t, d.zero_attrs, d.zero_decode)
		return
	end
	t:set_text(d.title(proto))
	t:add(d.spi_size, tvb(off + 1, 1))
	t:add(d.length, tvb(off + 2, 2))
	local spi_size = tvb(off + 1, 1):uint()
	local o = off + 4
	if o + spi_size > stop then
		malformed(t, tvb(off + 1, 1), "SPI beyond the substructure")
		return
	end
	if spi_size > 0 then t:add(d.spi, tvb(o, spi_size)) end
	o = o + spi_size
	if d.middle then o = d.middle(tvb, o, stop, t) end
	if o then dissect_attrs(tvb, o, stop, t, d.attrs, d.decode) end
end

-- GSA and KD bodies: substructures with their 16-bit length at offset 2
local function walk_substructures(what, tvb, tree)
	local len, off = tvb:len(), 0
	if len == 0 then malformed(tree, tvb(), what .. " body is empty") end
	while off < len do
		if len - off < 4 then
			malformed(tree, tvb(off, len - off), "truncated " .. what .. " substructure")
			return
		end
		local slen = tvb(off + 2, 2):uint()
		if slen < 4 or off + slen > len then
			malformed(tree, tvb(off, len - off), string.format(
				"%s substructure Length %d, %d bytes left", what, slen, len - off))
			return
		end
		dissect_substructure(substructures[what], tvb, off, slen, tree)
		off = off + slen
	end
end

local function dissect_gsa(tvb, tree) walk_substructures("GSA", tvb, tree) end
local function dissect_kd(tvb, tree) walk_substructures("KD", tvb, tree) end

-- data of the notify types mike knows
local function dissect_notify_data(ntype, tvb, off, len, tree)
	if len <= 0 then return end
	if ntype == 40960 then
		add_layout(tree, tvb, off, len, layouts.sam_key)
	elseif ntype == 40961 then
		tree:add(F.sam_bootstrap, tvb(off, len))
		dissect_envelope(tvb, off, len, tree)
	end
end

local function dissect_notify(tvb, tree)
	local len = tvb:len()
	if not add_layout(tree, tvb, 0, len, layouts.notify) then return end
	local spi_size, ntype = tvb(1, 1):uint(), tvb(2, 2):uint()
	if 4 + spi_size > len then malformed(tree, tvb(1, 1), "SPI beyond the payload") return end
	if spi_size > 0 then tree:add(F.n_spi, tvb(4, spi_size)) end
	local o = 4 + spi_size
	if o < len then tree:add(F.n_data, tvb(o, len - o)) end
	if ntype >= 40960 then tree:add_tvb_expert_info(E.private, tvb(2, 2), name_of(notify_names, ntype)) end
	dissect_notify_data(ntype, tvb, o, len - o, tree)
	tree:append_text(": " .. name_of(notify_names, ntype, 40960))
end

local function dissect_delete(tvb, tree)
	local len = tvb:len()
	if not add_layout(tree, tvb, 0, len, layouts.delete) then return end
	local size, num = tvb(1, 1):uint(), tvb(2, 2):uint()
	if 4 + size * num ~= len then
		malformed(tree, tvb(), string.format("Delete of %d bytes, 4 + SPI Size x Num of SPIs = %d",
			len, 4 + size * num))
		return
	end
	for i = 0, num - 1 do
		if size > 0 then tree:add(F.d_spi, tvb(4 + i * size, size)) end
	end
end

local function dissect_auth(tvb, tree)
	local len = tvb:len()
	if not add_layout(tree, tvb, 0, len, layouts.auth) then return end
	if tvb(0, 1):uint() ~= 14 then
		if len > 4 then tree:add(F.auth_data, tvb(4, len - 4)) end
		return
	end
	if len < 5 then malformed(tree, tvb(), "AUTH (RFC 7427) without ASN.1 Length") return end
	tree:add(F.auth_asn1_len, tvb(4, 1))
	local n = tvb(4, 1):uint()
	if 5 + n >= len then malformed(tree, tvb(4, 1), "ASN.1 Length leaves no signature") return end
	local it = tree:add(F.auth_alg_id, tvb(5, n))
	if tvb(5, n):bytes():tohex():lower() == "300506032b6570" then it:append_text(" (id-Ed25519)") end
	tree:add(F.auth_data, tvb(5 + n, len - 5 - n))
end

local body_dissectors = {
	[50] = dissect_idg, [51] = dissect_gsa, [52] = dissect_kd,
}

-- ---------------------------------------------------------------------------
-- post-dissector over Wireshark's ISAKMP (UDP 500/4500, decrypted too)
-- ---------------------------------------------------------------------------

local isakmp_fields = {}
for _, n in ipairs({ "isakmp", "isakmp.mjver", "isakmp.exchangetype", "isakmp.typepayload",
		"isakmp.datapayload", "isakmp.notify.msgtype", "isakmp.notify.data" }) do
	isakmp_fields[n] = Field.new(n)
end

function p_post.dissector(tvb, pinfo, tree)
	if not isakmp_fields["isakmp"]() then return end
	local mtree, ptype, ntype, ikev2
	local function top(range)
		if not mtree then mtree = tree:add(p_mike, range) end
		return mtree
	end
	local names = {}
	for _, fi in ipairs({ all_field_infos() }) do
		local n = fi.name
		if n == "isakmp.mjver" then
			ikev2 = fi.value == 2
		elseif n == "isakmp.exchangetype" and ikev2 then
			local x = fi.value
			if x >= 39 and x <= 42 then
				top(fi.range):add(F.exchange, fi.range)
				names[#names + 1] = exchange_names[x]
			end
		elseif n == "isakmp.typepayload" then
			ptype = fi.value
		elseif n == "isakmp.datapayload" and ikev2 and body_dissectors[ptype] then
			local r = fi.range
			local pt = top(r):add(F.payload, r, ptype)
			pt:set_text(string.format("%s payload (%d)", payload_names[ptype], ptype))
			body_dissectors[ptype](r:tvb(), pt)
			names[#names + 1] = payload_names[ptype]
		elseif n == "isakmp.notify.msgtype" then
			ntype = fi.value
			if ikev2 and (ntype == 49 or ntype == 16429 or ntype == 40960 or ntype == 40961) then
				local nt = top(fi.range):add(F.n_type, fi.range)
				if ntype >= 40960 then
					nt:add_tvb_expert_info(E.private, fi.range, notify_names[ntype])
				end
				names[#names + 1] = "N(" .. notify_names[ntype]:gsub(" %(mike private%)", "") .. ")"
			end
		elseif n == "isakmp.notify.data" and ikev2 and ntype and ntype >= 40960 then
			local r = fi.range
			local nt = top(r):add(F.n_data, r)
			local t = r:tvb()
			dissect_notify_data(ntype, t, 0, t:len(), nt)
		end
	end
	if #names > 0 then
		pinfo.cols.info:append(" [G-IKEv2: " .. table.concat(names, " ") .. "]")
	end
end

register_postdissector(p_post, true)

-- ---------------------------------------------------------------------------
-- whole messages on the rekey port
-- ---------------------------------------------------------------------------

p_mike.prefs.rekey_port = Pref.uint("Rekey UDP port", 848,
	"UDP port of GSA_REKEY messages (the GCKS's rekey_port)")
p_mike.prefs.sk_iv_len = Pref.uint("SK IV length", 8,
	"IV bytes of an SK payload here (8 for the KEK's AES-GCM)")
p_mike.prefs.sk_icv_len = Pref.uint("SK ICV length", 16,
	"ICV bytes of an SK payload here (16 for AES-GCM-16)")

local function dissect_sk(tvb, tree)
	local len = tvb:len()
	local ivl, icvl = p_mike.prefs.sk_iv_len, p_mike.prefs.sk_icv_len
	if len < ivl + icvl + 1 then
		malformed(tree, tvb(), "SK body shorter than IV + Pad Length + ICV")
		return
	end
	if ivl > 0 then tree:add(F.sk_iv, tvb(0, ivl)) end
	tree:add(F.sk_encrypted, tvb(ivl, len - ivl - icvl))
	if icvl > 0 then tree:add(F.sk_icv, tvb(len - icvl, icvl)) end
end

-- RFC 7383 2.5: an Encrypted Fragment payload, as a GCKS fragments a
-- GSA_REKEY (RFC 9838 2.4.1.2): the numbers, then an SK body of its own
local function dissect_skf(tvb, tree)
	if tvb:len() < 4 then
		malformed(tree, tvb(), "SKF body shorter than its fragment numbers")
		return
	end
	tree:add(F.skf_number, tvb(0, 2))
	tree:add(F.skf_total, tvb(2, 2))
	local n, total = tvb(0, 2):uint(), tvb(2, 2):uint()
	if n == 0 or n > total then
		malformed(tree, tvb(0, 4), string.format("fragment %d of %d", n, total))
	end
	dissect_sk(tvb(4):tvb(), tree)
end

local chain_dissectors = {
	[39] = dissect_auth, [41] = dissect_notify, [42] = dissect_delete, [46] = dissect_sk,
	[53] = dissect_skf,
	[50] = dissect_idg, [51] = dissect_gsa, [52] = dissect_kd,
}

function p_mike.dissector(tvb, pinfo, tree)
	local len = tvb:len()
	local off = 0
	local t = tree:add(p_mike, tvb())
	-- a non-ESP marker (rekey port 4500)
	if len >= 4 and tvb(0, 4):uint() == 0 then
		t:add(F.non_esp, tvb(0, 4))
		off = 4
	end
	if len - off < 28 then
		malformed(t, tvb(off, len - off), "shorter than an IKE header")
		return
	end
	pinfo.cols.protocol = "G-IKEv2"
	t:add(F.ike_spi, tvb(off, 16))
	t:add(F.ike_next, tvb(off + 16, 1))
	t:add(F.ike_version, tvb(off + 17, 1))
	t:add(F.exchange, tvb(off + 18, 1))
	local ft = t:add(F.ike_flags, tvb(off + 19, 1))
	ft:add(F.ike_flag_i, tvb(off + 19, 1))
	ft:add(F.ike_flag_v, tvb(off + 19, 1))
	ft:add(F.ike_flag_r, tvb(off + 19, 1))
	t:add(F.ike_msgid, tvb(off + 20, 4))
	t:add(F.ike_length, tvb(off + 24, 4))
	local x = tvb(off + 18, 1):uint()
	local mlen = tvb(off + 24, 4):uint()
	if mlen ~= len - off then
		malformed(t, tvb(off + 24, 4), string.format("Length %d, the datagram has %d", mlen, len - off))
	end
	local info = { name_of(exchange_names, x) .. " MID=" .. tvb(off + 20, 4):uint() }
	local next_type = tvb(off + 16, 1):uint()
	local o = off + 28
	while next_type ~= 0 do
		if len - o < 4 then
			malformed(t, tvb(o, len - o), "payload header beyond the datagram")
			break
		end
		local plen = tvb(o + 2, 2):uint()
		if plen < 4 or o + plen > len then
			malformed(t, tvb(o, len - o), string.format("Payload Length %d, %d bytes left", plen, len - o))
			break
		end
		local pt = t:add(F.payload, tvb(o, plen), next_type)
		pt:set_text(string.format("%s payload (%d)", name_of(payload_names, next_type), next_type))
		pt:add(F.pl_next, tvb(o, 1))
		pt:add(F.pl_critical, tvb(o + 1, 1))
		pt:add(F.pl_length, tvb(o + 2, 2))
		info[#info + 1] = name_of(payload_names, next_type)
		local d = chain_dissectors[next_type]
		if plen > 4 then
			if d then
				d(tvb(o + 4, plen - 4):tvb(), pt)
			else
				pt:add(F.pl_body, tvb(o + 4, plen - 4))
			end
		elseif d then
			malformed(pt, tvb(o, plen), "empty body")
		end
		-- the SK (or SKF) payload is the last: what follows is encrypted
		if next_type == 46 or next_type == 53 then break end
		next_type = tvb(o, 1):uint()
		o = o + plen
	end
	pinfo.cols.info = table.concat(info, " ")
	return len
end

-- ---------------------------------------------------------------------------
-- SAM frames
-- ---------------------------------------------------------------------------

p_sam.prefs.port = Pref.uint("UDP port", 5000, "UDP port of SAM frames (also: Decode As)")

local sam_auth_len = { [1] = 32, [2] = 64, [3] = 64, [4] = 748, [7] = 36 }

-- audit path length of leaf i among k leaves (RFC 6962 2.1.1)
local function tree_path_len(i, k)
	if k <= 1 then return 0 end
	local j = 1
	while j * 2 < k do j = j * 2 end
	if i < j then return 1 + tree_path_len(i, j) end
	return 1 + tree_path_len(i - j, k - j)
end

local function sam_bad(tree, range, text)
	tree:add_tvb_expert_info(SE.malformed, range, text)
end

-- count items of size bytes each from off, "[n] " before each
local function add_array(tree, field, tvb, off, count, size)
	for n = 0, count - 1 do
		tree:add(field, tvb(off + size * n, size)):prepend_text("[" .. n .. "] ")
	end
end

local auth_dissectors = {
	[1] = function(tvb, off, len, t) t:add(S.hmac, tvb(off, len)) end,
	[2] = function(tvb, off, len, t) t:add(S.signature, tvb(off, len)) end,
	[3] = function(tvb, off, len, t) add_layout(t, tvb, off, len, layouts.ecdsa) end,
	[4] = function(tvb, off, len, t)
		add_layout(t, tvb, off, len, layouts.hybrid)
		add_array(t:add(p_sam, tvb(off + 44, 560), "One-time signature y[0..34]"),
			S.hy_y, tvb, off + 44, 35, 16)
		add_array(t:add(p_sam, tvb(off + 604, 80), "Authentication path"),
			S.hy_path, tvb, off + 604, 5, 16)
		t:add(S.hy_cert, tvb(off + 684, 64))
		if tvb(off + 24, 4):uint() >= 32 then
			t:add_tvb_expert_info(SE.warn, tvb(off + 24, 4), "q beyond the batch's 32 keys")
		end
	end,
	[7] = function(tvb, off, len, t) add_layout(t, tvb, off, len, layouts.tesla) end,
	[6] = function(tvb, off, len, t, seq)
		if len < 74 then
			sam_bad(t, tvb(off, len), "tree authenticator shorter than 74 bytes")
			return
		end
		local k = tvb(off, 1):uint() + 1
		local i = tvb(off + 1, 1):uint()
		t:add(S.tree_k1, tvb(off, 1))
		t:add(S.tree_k, tvb(off, 1), k):set_generated()
		t:add(S.tree_leaf, tvb(off + 1, 1))
		t:add(S.tree_first, tvb(off + 2, 8))
		t:add(S.tree_sig, tvb(off + 10, 64))
		if i >= k then
			sam_bad(t, tvb(off + 1, 1), string.format("leaf index %d, the block has %d", i, k))
			return
		end
		local p = tree_path_len(i, k)
		t:add(S.tree_path_len, tvb(off, 2), p):set_generated()
		if len ~= 74 + 32 * p then
			sam_bad(t, tvb(off, len), string.format(
				"Authenticator Length %d, leaf %d of %d needs 74 + 32 x %d = %d", len, i, k, p, 74 + 32 * p))
			return
		end
		add_array(t, S.tree_path, tvb, off + 74, p, 32)
		if tvb(off + 2, 8):uint64() + i ~= seq then
			t:add_tvb_expert_info(SE.warn, tvb(off + 2, 8),
				"Sequence Number is not the block's first + leaf index")
		end
	end,
}

function p_sam.dissector(tvb, pinfo, tree)
	local len = tvb:len()
	if len < 1 then return 0 end
	pinfo.cols.protocol = "SAM"
	local t = tree:add(p_sam, tvb())
	t:add(S.version, tvb(0, 1))
	local version = tvb(0, 1):uint()
	if version ~= 1 then
		sam_bad(t, tvb(0, 1), "Version " .. version .. ", not 1")
		return len
	end
	if len < 24 then
		sam_bad(t, tvb(), "frame shorter than the 24-byte header")
		return len
	end
	local scheme, flags = tvb(1, 1):uint(), tvb(2, 2):uint()
	local plen, alen = tvb(20, 2):uint(), tvb(22, 2):uint()
	local seq = tvb(12, 8):uint64()
	t:add(S.scheme, tvb(1, 1))
	local ft = t:add(S.flags, tvb(2, 2))
	ft:add(S.flag_encrypted, tvb(2, 2))
	ft:add(S.flag_bootstrap, tvb(2, 2))
	ft:add(S.flag_reserved, tvb(2, 2))
	t:add(S.session, tvb(4, 4))
	t:add(S.source, tvb(8, 4))
	local st = t:add(S.seq, tvb(12, 8))
	t:add(S.payload_len, tvb(20, 2))
	t:add(S.auth_len, tvb(22, 2))
	local enc, boot = flags % 2 == 1, math.floor(flags / 2) % 2 == 1
	pinfo.cols.info = string.format("SAM %s source=0x%08x seq=%s%s%s",
		name_of(sam_scheme_names, scheme), tvb(8, 4):uint(), tostring(seq),
		enc and " ENCRYPTED" or "", boot and " BOOTSTRAP" or "")
	if flags >= 4 then sam_bad(ft, tvb(2, 2), "reserved flag bits set") end
	if enc and boot then sam_bad(ft, tvb(2, 2), "ENCRYPTED and BOOTSTRAP together") end
	if seq == UInt64(0) then sam_bad(st, tvb(12, 8), "Sequence Number 0") end
	if not sam_scheme_names[scheme] or scheme == 5 then
		t:add_tvb_expert_info(SE.warn, tvb(1, 1), "unknown scheme " .. scheme)
	end
	if 24 + plen + alen ~= len then
		sam_bad(t, tvb(20, 4), string.format(
			"24 + Payload Length + Authenticator Length = %d, the datagram has %d", 24 + plen + alen, len))
		if 24 + plen <= len then
			if plen > 0 then t:add(S.payload, tvb(24, plen)) end
			if len > 24 + plen then t:add(S.auth, tvb(24 + plen, len - 24 - plen)) end
		end
		return len
	end
	if plen > 0 then
		local pt = t:add(S.payload, tvb(24, plen))
		if enc then
			if plen < 20 then
				sam_bad(pt, tvb(20, 2), "encrypted Payload Length below 20")
			else
				local kt = pt:add(S.enc_key_id, tvb(24, 4))
				if tvb(24, 4):uint() == 0 then sam_bad(kt, tvb(24, 4), "Key ID 0") end
				if plen > 20 then pt:add(S.enc_ciphertext, tvb(28, plen - 20)) end
				pt:add(S.enc_tag, tvb(8 + plen, 16))
			end
		elseif boot then
			dissect_envelope(tvb, 24, plen, pt)
		end
	elseif enc then
		sam_bad(t, tvb(20, 2), "encrypted Payload Length below 20")
	end
	if boot and alen ~= 0 then
		sam_bad(t, tvb(22, 2), "bootstrap frame with an authenticator")
	end
	if alen > 0 then
		local at = t:add(S.auth, tvb(24 + plen, alen))
		local want = sam_auth_len[scheme]
		if want and alen ~= want then
			sam_bad(at, tvb(22, 2), string.format("Authenticator Length %d, %s has %d",
				alen, sam_scheme_names[scheme], want))
		elseif auth_dissectors[scheme] then
			auth_dissectors[scheme](tvb, 24 + plen, alen, at, seq)
		end
	end
	return len
end

-- ---------------------------------------------------------------------------
-- registration, preferences
-- ---------------------------------------------------------------------------

local udp = DissectorTable.get("udp.port")
local registered = { mike = 0, sam = 0 }

local function register(key, proto, port)
	if registered[key] ~= 0 then udp:remove(registered[key], proto) end
	if port ~= 0 then udp:add(port, proto) end
	registered[key] = port
end

function p_mike.prefs_changed()
	register("mike", p_mike, p_mike.prefs.rekey_port)
end

function p_sam.prefs_changed()
	register("sam", p_sam, p_sam.prefs.port)
end

register("mike", p_mike, p_mike.prefs.rekey_port)
register("sam", p_sam, p_sam.prefs.port)
udp:add_for_decode_as(p_mike)
udp:add_for_decode_as(p_sam)
