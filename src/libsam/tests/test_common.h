/*
 * Shared helpers and fixed keys of the libsam unit tests.
 */

#ifndef SAM_TEST_COMMON_H_
#define SAM_TEST_COMMON_H_

#include <check.h>
#include <stdint.h>
#include <string.h>

#include "sam.h"

/* the test-vector parameters of docs/sam-frame-format.md */
#define TV_SESSION 0x01020304
#define TV_SOURCE 0x0a0b0c0d
#define TV_PAYLOAD "hello, multicast"
#define TV_LARGE_SEQ UINT64_C(0x0123456789abcdef)

/* RFC 8032 test 1 secret seed, PKCS#8 */
#define TV_ED25519_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n" \
	"-----END PRIVATE KEY-----\n"
#define TV_ED25519_PUB \
	"-----BEGIN PUBLIC KEY-----\n" \
	"MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n" \
	"-----END PUBLIC KEY-----\n"
/* d = SHA-256("libsam ecdsa-p256 test key") */
#define TV_ECDSA_KEY \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgemKvhr1RsG+HeVMs\n" \
	"q5xbXczMSOi0LiCXcj48Lb4lCIihRANCAAQRMVJGwMP4au3zou09v/uwdwH82m64\n" \
	"upvAbPciCtzttzMemOS63OIsr7qR+2c4hRVgBJqFq4im7bSnjJQc3VoN\n" \
	"-----END PRIVATE KEY-----\n"
#define TV_ECDSA_PUB \
	"-----BEGIN PUBLIC KEY-----\n" \
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEETFSRsDD+Grt86LtPb/7sHcB/Npu\n" \
	"uLqbwGz3Igrc7bczHpjkutziLK+6kftnOIUVYASahauIpu20p4yUHN1aDQ==\n" \
	"-----END PUBLIC KEY-----\n"
/* the bytes 0x00 .. 0x1f */
#define TV_GROUP_KEY \
	"-----BEGIN SAM GROUP KEY-----\n" \
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n" \
	"-----END SAM GROUP KEY-----\n"

#define TV_HMAC_SEQ1 \
	"01010000010203040a0b0c0d00000000000000010010002068656c6c6f2c206d" \
	"756c7469636173744132e2367dece7f142e0d4441abf0cc0e4b41f81bde35de7" \
	"649df9a11dec3ded"
#define TV_HMAC_LARGE \
	"01010000010203040a0b0c0d0123456789abcdef0010002068656c6c6f2c206d" \
	"756c746963617374034fdfeee579b97a28970501e5e84a485cb245aa668f5ab1" \
	"64ecae85488ec981"
#define TV_ED25519_SEQ1 \
	"01020000010203040a0b0c0d00000000000000010010004068656c6c6f2c206d" \
	"756c7469636173746d25d3f8d3e60be42674fd94c84aed1c77f5fc4e326fa3d3" \
	"9d7ae74496b1fbbaa65da668ebead5249b20c652514c4cd6a91d2080fdaedef7" \
	"67565bd76502dc03"
#define TV_ED25519_LARGE \
	"01020000010203040a0b0c0d0123456789abcdef0010004068656c6c6f2c206d" \
	"756c7469636173749f763946bdf33094fe12e5814e1fe966ae945cb7728c5ece" \
	"97007743709f74e8a5ee3b9e5404a8fe4f81b14e93024a65200db937319e5ba9" \
	"6a9a268ec39a5a0b"
#define TV_ECDSA_SEQ1 \
	"01030000010203040a0b0c0d00000000000000010010004068656c6c6f2c206d" \
	"756c7469636173740ea3a487b1bfdca94c0038a0e30636ec01014355f6e5b8ba" \
	"f51172fe5db862c65ca92c84d4ce0398d6afe35698915dfaac01f8907fa62e61" \
	"5c226c8d3f49ece4"

/* the data key of the encrypted vectors (vectors/data-key): id 7, the
 * bytes 0x40 .. 0x5f */
#define TV_DATA_KEY_ID 7
#define TV_DATA_KEY \
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
#define TV_HMAC_ENC \
	"01010001010203040a0b0c0d0000000000000001002400200000000704160951" \
	"ee126faf4701deb6a494412c17807c2738c7fb623a4dd2c5f35db6188fc97324" \
	"7994aa55a60077c2ec7441f5028829abf012c12894134ef65f398d1e"
#define TV_ED25519_ENC \
	"01020001010203040a0b0c0d0000000000000001002400400000000704160951" \
	"ee126faf4701deb6a494412cad1389509404b5f8ae95d98b3745bd3201b89bd5" \
	"d4501c6818f05e161340bb46ceb3f8b8101f9cb76b2d1bd44030d73bf712c30c" \
	"c9ed2dba045c31ba83ea5b8b3f124de12fdbb9bfb2a2bfa7a295720a"
/* the bootstrap vector of docs/sam-bootstrap.md: TV_ED25519_KEY as source
 * TV_SOURCE of TV_SESSION, issued at TV_BOOTSTRAP_ISSUED */
#define TV_BOOTSTRAP_ISSUED UINT64_C(1700000000000)
#define TV_BOOTSTRAP_BODY "TESLA commitment"
#define TV_BOOTSTRAP_ED25519 \
	"01020000010203040a0b0c0d0000018bcfe5680000105445534c4120636f6d6d" \
	"69746d656e747a92aa288d2f9522b281a5d8d46dd3423903cb95682f4a2bb3b9" \
	"5b1aa4ef83242a44a63a09a0bef8124f3f9e10b934fe658ab079eefdb78a47a6" \
	"c673d0f0c708"

/* the tree vector of docs/sam-tree.md: TV_PAYLOAD three times, seq 1 .. 3,
 * of source TV_SOURCE in TV_SESSION, one block under TV_ED25519_KEY */
#define TV_TREE_0 \
	"01060000010203040a0b0c0d00000000000000010010008a68656c6c6f2c206d" \
	"756c74696361737402000000000000000001879cfb5ca588676abe3370d7a6ea" \
	"f9ad222bf2d700cb1b8876ac562730bc1ab96202ce0cc032f111a9d7b3bacd7c" \
	"f6b0c9a3d18135d5f00a35e96982817357062e8a6fcbca81b0458e0537c9442c" \
	"ac2cd155f1dac61053c35154c27b36487a5d3572ade9bfb8b38ce1e4f3ec277a" \
	"026ca233649fc7dd2539eda596370924aa92"
#define TV_TREE_1 \
	"01060000010203040a0b0c0d00000000000000020010008a68656c6c6f2c206d" \
	"756c74696361737402010000000000000001879cfb5ca588676abe3370d7a6ea" \
	"f9ad222bf2d700cb1b8876ac562730bc1ab96202ce0cc032f111a9d7b3bacd7c" \
	"f6b0c9a3d18135d5f00a35e96982817357068b0e396d30b0af8b5323280153b1" \
	"91e3d5d57626d9f68d57b9f49f707904738d3572ade9bfb8b38ce1e4f3ec277a" \
	"026ca233649fc7dd2539eda596370924aa92"
#define TV_TREE_2 \
	"01060000010203040a0b0c0d00000000000000030010006a68656c6c6f2c206d" \
	"756c74696361737402020000000000000001879cfb5ca588676abe3370d7a6ea" \
	"f9ad222bf2d700cb1b8876ac562730bc1ab96202ce0cc032f111a9d7b3bacd7c" \
	"f6b0c9a3d18135d5f00a35e9698281735706f4734da6d0cc11be8b67f1bea481" \
	"5533c9ddcd5022ecfb0aa4231162312ca3fd"

/** Decode hex into out, @return its length */
size_t tc_unhex(const char *hex, uint8_t *out, size_t size);

/** Parse a PEM string, failing the test on error */
sam_key *tc_key(const char *pem);

/** The 32-byte group secret 0x00 .. 0x1f */
sam_key *tc_group_key(void);

/** Give ctx the data key TV_DATA_KEY under TV_DATA_KEY_ID */
void tc_add_data_key(sam_ctx *ctx);

/** A context for session TV_SESSION */
sam_ctx *tc_ctx(void);

/**
 * A sender context: session TV_SESSION, source id, next seq, signing key
 */
sam_ctx *tc_sender(uint32_t source, uint64_t seq, const sam_key *key);

/** Seal payload "p" + n under sender; fail the test on error */
ssize_t tc_seal(sam_ctx *sender, uint8_t *frame, size_t size);

Suite *suite_vectors(void);
Suite *suite_schemes(void);
Suite *suite_replay(void);
Suite *suite_receive(void);
Suite *suite_api(void);
Suite *suite_io(void);
Suite *suite_ed25519_oo(void);
Suite *suite_pending(void);
Suite *suite_hybrid(void);
Suite *suite_attach(void);
Suite *suite_encrypt(void);
Suite *suite_bootstrap(void);
Suite *suite_tree(void);
Suite *suite_tesla(void);
Suite *suite_bootstrap_frame(void);

#endif /* SAM_TEST_COMMON_H_ */
