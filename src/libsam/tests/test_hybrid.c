/*
 * The hybrid scheme (docs/sam-hybrid.md), its ops called directly with a
 * key and an env, not through a context: LM-OTS and the LMS tree against
 * RFC 8554's test vectors, the frames of tests/vectors/hybrid_vector.py
 * byte for byte, round trips across batches, every bit flip and length of
 * the authenticator, certificates of other sessions and sources, a reused
 * one-time key, frames lost at random; and a round trip through a context.
 *
 * The vectors of hybrid_vector.py are checked against this file by
 *   python3 tests/vectors/hybrid_vector.py --check tests/test_hybrid.c
 */

#include <stdlib.h>

#include <openssl/evp.h>

#include "test_common.h"

#include "hybrid.h"
#include "key.h"
#include "lms_tree.h"
#include "lmots.h"
#include "scheme.h"

/* ---- RFC 8554 Appendix F, test case 2 ------------------------------------ */

static const char *tc2_I1 = "d08fabd4a2091ff0a8cb4ed834e74534";
static const char *tc2_seed1 =
	"558b8966c48ae9cb898b423c83443aae014a72f1b1ab5cc85cf1d892903b5439";
/* the level-1 root T[1], the HSS public key's */
static const char *tc2_root1 =
	"32a58885cd9ba0431235466bff9651c6c92124404d45fa53cf161c28f1ad5a8e";
static const char *tc2_I2 = "215f83b7ccb9acbcd08db97b0d04dc2b";
static const char *tc2_seed2 =
	"a1c4696e2608035a886100d05cd99945eb3370731884a8235e2fb3d4d71f2547";
static const char *tc2_root2 =
	"a1cd035833e0e90059603f26e07ad2aad152338e7a5e5984bcd5f7bb4eba40b7";
/* "The enumeration in the Constitution, of certain rights, shall not be
 * construed to deny or disparage others retained by the people.\n" */
static const char *tc2_msg2 =
	"54686520656e756d65726174696f6e20696e2074686520436f6e737469747574"
	"696f6e2c206f66206365727461696e207269676874732c207368616c6c206e6f"
	"7420626520636f6e73747275656420746f2064656e79206f7220646973706172"
	"616765206f74686572732072657461696e6564206279207468652070656f706c"
	"652e0a";

/* level 1 (LMS_SHA256_M32_H10, LMOTS_SHA256_N32_W4), q = 3: C || y[0..66] */
static const char *tc2_sig1 =
	"3d46bee8660f8f215d3f96408a7a64cf1c4da02b63a55f62c666ef5707a914ce"
	"0674e8cb7a55f0c48d484f31f3aa4af9719a74f22cf823b94431d01c926e2a76"
	"bb71226d279700ec81c9e95fb11a0d10d065279a5796e265ae17737c44eb8c59"
	"4508e126a9a7870bf4360820bdeb9a01d9693779e416828e75bddd7d8c70d50a"
	"0ac8ba39810909d445f44cb5bb58de737e60cb4345302786ef2c6b14af212ca1"
	"9edeaa3bfcfe8baa6621ce88480df2371dd37add732c9de4ea2ce0dffa53c926"
	"49a18d39a50788f4652987f226a1d48168205df6ae7c58e049a25d4907edc1aa"
	"90da8aa5e5f7671773e941d8055360215c6b60dd35463cf2240a9c06d694e9cb"
	"54e7b1e1bf494d0d1a28c0d31acc75161f4f485dfd3cb9578e836ec2dc722f37"
	"ed30872e07f2b8bd0374eb57d22c614e09150f6c0d8774a39a6e168211035dc5"
	"2988ab46eaca9ec597fb18b4936e66ef2f0df26e8d1e34da28cbb3af75231372"
	"0c7b345434f72d65314328bbb030d0f0f6d5e47b28ea91008fb11b05017705a8"
	"be3b2adb83c60a54f9d1d1b2f476f9e393eb5695203d2ba6ad815e6a111ea293"
	"dcc21033f9453d49c8e5a6387f588b1ea4f706217c151e05f55a6eb7997be09d"
	"56a326a32f9cba1fbe1c07bb49fa04cecf9df1a1b815483c75d7a27cc88ad1b1"
	"238e5ea986b53e087045723ce16187eda22e33b2c70709e53251025abde89396"
	"45fc8c0693e97763928f00b2e3c75af3942d8ddaee81b59a6f1f67efda0ef81d"
	"11873b59137f67800b35e81b01563d187c4a1575a1acb92d087b517a8833383f"
	"05d357ef4678de0c57ff9f1b2da61dfde5d88318bcdde4d9061cc75c2de3cd47"
	"40dd7739ca3ef66f1930026f47d9ebaa713b07176f76f953e1c2e7f8f271a6ca"
	"375dbfb83d719b1635a7d8a13891957944b1c29bb101913e166e11bd5f34186f"
	"a6c0a555c9026b256a6860f4866bd6d0b5bf90627086c6149133f8282ce6c9b3"
	"622442443d5eca959d6c14ca8389d12c4068b503e4e3c39b635bea245d9d05a2"
	"558f249c9661c0427d2e489ca5b5dde220a90333f4862aec793223c781997da9"
	"8266c12c50ea28b2c438e7a379eb106eca0c7fd6006e9bf612f3ea0a454ba3bd"
	"b76e8027992e60de01e9094fddeb3349883914fb17a9621ab929d970d101e45f"
	"8278c14b032bcab02bd15692d21b6c5c204abbf077d465553bd6eda645e6c306"
	"5d33b10d518a61e15ed0f092c32226281a29c8a0f50cde0a8c66236e29c2f310"
	"a375cebda1dc6bb9a1a01dae6c7aba8ebedc6371a7d52aacb955f83bd6e4f84d"
	"2949dcc198fb77c7e5cdf6040b0f84faf82808bf985577f0a2acf2ec7ed7c0b0"
	"ae8a270e951743ff23e0b2dd12e9c3c828fb5598a22461af94d568f29240ba28"
	"20c4591f71c088f96e095dd98beae456579ebbba36f6d9ca2613d1c26eee4d8c"
	"73217ac5962b5f3147b492e8831597fd89b64aa7fde82e1974d2f6779504dc21"
	"435eb3109350756b9fdabe1c6f368081bd40b27ebcb9819a75d7df8bb07bb05d"
	"b1bab705a4b7e37125186339464ad8faaa4f052cc1272919fde3e025bb64aa8e"
	"0eb1fcbfcc25acb5f718ce4f7c2182fb393a1814b0e942490e52d3bca817b2b2"
	"6e90d4c9b0cc38608a6cef5eb153af0858acc867c9922aed43bb67d7b33acc51"
	"9313d28d41a5c6fe6cf3595dd5ee63f0a4c4065a083590b275788bee7ad875a7"
	"f88dd73720708c6c6c0ecf1f43bbaadae6f208557fdc07bd4ed91f88ce4c0de8"
	"42761c70c186bfdafafc444834bd3418be4253a71eaf41d718753ad07754ca3e"
	"ffd5960b0336981795721426803599ed5b2b7516920efcbe32ada4bcf6c73bd2"
	"9e3fa152d9adeca36020fdeeee1b739521d3ea8c0da497003df1513897b0f547"
	"94a873670b8d93bcca2ae47e64424b7423e1f078d9554bb5232cc6de8aae9b83"
	"fa5b9510beb39ccf4b4e1d9c0f19d5e17f58e5b8705d9a6837a7d9bf99cd1338"
	"7af256a8491671f1f2f22af253bcff54b673199bdb7d05d81064ef05f80f0153"
	"d0be7919684b23da8d42ff3effdb7ca0985033f389181f47659138003d712b5e"
	"c0a614d31cc7487f52de8664916af79c98456b2c94a8038083db55391e347586"
	"2250274a1de2584fec975fb09536792cfbfcf6192856cc76eb5b13dc4709e2f7"
	"301ddff26ec1b23de2d188c999166c74e1e14bbc15f457cf4e471ae13dcbdd9c"
	"50f4d646fc6278e8fe7eb6cb5c94100fa870187380b777ed19d7868fd8ca7ceb"
	"7fa7d5cc861c5bdac98e7495eb0a2ceec1924ae979f44c5390ebedddc65d6ec1"
	"1287d978b8df064219bc5679f7d7b264a76ff272b2ac9f2f7cfc9fdcfb6a5142"
	"8240027afd9d52a79b647c90c2709e060ed70f87299dd798d68f4fadd3da6c51"
	"d839f851f98f67840b964ebe73f8cec41572538ec6bc131034ca2894eb736b3b"
	"da93d9f5f6fa6f6c0f03ce43362b8414940355fb54d3dfdd03633ae108f3de3e"
	"bc85a3ff51efeea3bc2cf27e1658f1789ee612c83d0f5fd56f7cd071930e2946"
	"beeecaa04dccea9f97786001475e0294bc2852f62eb5d39bb9fbeef75916efe4"
	"4a662ecae37ede27e9d6eadfdeb8f8b2b2dbccbf96fa6dbaf7321fb0e701f4d4"
	"29c2f4dcd153a2742574126e5eaccc77686acf6e3ee48f423766e0fc466810a9"
	"05ff5453ec99897b56bc55dd49b991142f65043f2d744eeb935ba7f4ef23cf80"
	"cc5a8a335d3619d781e7454826df720eec82e06034c44699b5f0c44a8787752e"
	"057fa3419b5bb0e25d30981e41cb1361322dba8f69931cf42fad3f3bce6ded5b"
	"8bfc3d20a2148861b2afc14562ddd27f12897abf0685288dcc5c4982f8260268"
	"46a24bf77e383c7aacab1ab692b29ed8c018a65f3dc2b87ff619a633c41b4fad"
	"b1c78725c1f8f922f6009787b1964247df0136b1bc614ab575c59a16d089917b"
	"d4a8b6f04d95c581279a139be09fcf6e98a470a0bceca191fce476f9370021cb"
	"c05518a7efd35d89d8577c990a5e19961ba16203c959c91829ba7497cffcbb4b"
	"294546454fa5388a23a22e805a5ca35f956598848bda678615fec28afd5da61a";

/* its path[0..9] */
static const char *tc2_path1 =
	"b326493313053ced3876db9d237148181b7173bc7d042cefb4dbe94d2e58cd21"
	"a769db4657a103279ba8ef3a629ca84ee836172a9c50e51f45581741cf808315"
	"0b491cb4ecbbabec128e7c81a46e62a67b57640a0a78be1cbf7dd9d419a10cd8"
	"686d16621a80816bfdb5bdc56211d72ca70b81f1117d129529a7570cf79cf52a"
	"7028a48538ecdd3b38d3d5d62d26246595c4fb73a525a5ed2c30524ebb1d8cc8"
	"2e0c19bc4977c6898ff95fd3d310b0bae71696cef93c6a552456bf96e9d075e3"
	"83bb7543c675842bafbfc7cdb88483b3276c29d4f0a341c2d406e40d4653b7e4"
	"d045851acf6a0a0ea9c710b805cced4635ee8c107362f0fc8d80c14d0ac49c51"
	"6703d26d14752f34c1c0d2c4247581c18c2cf4de48e9ce949be7c888e9caebe4"
	"a415e291fd107d21dc1f084b1158208249f28f4f7c7e931ba7b3bd0d824a4570";

/* the message it signs: the level-2 public key */
static const char *tc2_msg1 =
	"0000000500000004215f83b7ccb9acbcd08db97b0d04dc2ba1cd035833e0e900"
	"59603f26e07ad2aad152338e7a5e5984bcd5f7bb4eba40b7";

/* level 2 (LMS_SHA256_M32_H5, LMOTS_SHA256_N32_W8), q = 4: C || y[0..33] */
static const char *tc2_sig2 =
	"0eb1ed54a2460d512388cad533138d240534e97b1e82d33bd927d201dfc24ebb"
	"11b3649023696f85150b189e50c00e98850ac343a77b3638319c347d7310269d"
	"3b7714fa406b8c35b021d54d4fdada7b9ce5d4ba5b06719e72aaf58c5aae7aca"
	"057aa0e2e74e7dcfd17a0823429db62965b7d563c57b4cec942cc865e29c1dad"
	"83cac8b4d61aacc457f336e6a10b66323f5887bf3523dfcadee158503bfaa89d"
	"c6bf59daa82afd2b5ebb2a9ca6572a6067cee7c327e9039b3b6ea6a1edc7fdc3"
	"df927aade10c1c9f2d5ff446450d2a3998d0f9f6202b5e07c3f97d2458c69d3c"
	"8190643978d7a7f4d64e97e3f1c4a08a7c5bc03fd55682c017e2907eab07e5bb"
	"2f190143475a6043d5e6d5263471f4eecf6e2575fbc6ff37edfa249d6cda1a09"
	"f797fd5a3cd53a066700f45863f04b6c8a58cfd341241e002d0d2c0217472bf1"
	"8b636ae547c1771368d9f317835c9b0ef430b3df4034f6af00d0da44f4af7800"
	"bc7a5cf8a5abdb12dc718b559b74cab9090e33cc58a955300981c420c4da8ffd"
	"67df540890a062fe40dba8b2c1c548ced22473219c534911d48ccaabfb71bc71"
	"862f4a24ebd376d288fd4e6fb06ed8705787c5fedc813cd2697e5b1aac1ced45"
	"767b14ce88409eaebb601a93559aae893e143d1c395bc326da821d79a9ed41dc"
	"fbe549147f71c092f4f3ac522b5cc57290706650487bae9bb5671ecc9ccc2ce5"
	"1ead87ac01985268521222fb9057df7ed41810b5ef0d4f7cc67368c90f573b1a"
	"c2ce956c365ed38e893ce7b2fae15d3685a3df2fa3d4cc098fa57dd60d2c9754"
	"a8ade980ad0f93f6787075c3f680a2ba1936a8c61d1af52ab7e21f416be09d2a"
	"8d64c3d3d8582968c2839902229f85aee297e717c094c8df4a23bb5db658dd37"
	"7bf0f4ff3ffd8fba5e383a48574802ed545bbe7a6b4753533353d73706067640"
	"135a7ce517279cd683039747d218647c86e097b0daa2872d54b8f3e508598762"
	"9547b830d8118161b65079fe7bc59a99e9c3c7380e3e70b7138fe5d9be255150"
	"2b698d09ae193972f27d40f38dea264a0126e637d74ae4c92a6249fa103436d3"
	"eb0d4029ac712bfc7a5eacbdd7518d6d4fe903a5ae65527cd65bb0d4e9925ca2"
	"4fd7214dc617c150544e423f450c99ce51ac8005d33acd74f1bed3b17b7266a4"
	"a3bb86da7eba80b101e15cb79de9a207852cf91249ef480619ff2af8cabca831"
	"25d1faa94cbb0a03a906f683b3f47a97c871fd513e510a7a25f283b196075778"
	"496152a91c2bf9da76ebe089f4654877f2d586ae7149c406e663eadeb2b5c7e8"
	"2429b9e8cb4834c83464f079995332e4b3c8f5a72bb4b8c6f74b0d45dc6c1f79"
	"952c0b7420df525e37c15377b5f0984319c3993921e5ccd97e097592064530d3"
	"3de3afad5733cbe7703c5296263f77342efbf5a04755b0b3c997c4328463e84c"
	"aa2de3ffdcd297baaaacd7ae646e44b5c0f16044df38fabd296a47b3a838a913"
	"982fb2e370c078edb042c84db34ce36b46ccb76460a690cc86c302457dd1cde1"
	"97ec8075e82b393d542075134e2a17ee70a5e187075d03ae3c853cff60729ba4";

/* its path[0..4] */
static const char *tc2_path2 =
	"4de1f6965bdabc676c5a4dc7c35f97f82cb0e31c68d04f1dad96314ff09e6b3d"
	"e96aeee300d1f68bf1bca9fc58e4032336cd819aaf578744e50d1357a0e42867"
	"04d341aa0a337b19fe4bc43c2e79964d4f351089f2e0e41c7c43ae0d49e7f404"
	"b0f75be80ea3af098c9752420a8ac0ea2bbb1f4eeba05238aef0d8ce63f0c6e5"
	"e4041d95398a6f7f3e0ee97cc1591849d4ed236338b147abde9f51ef9fd4e1c1";

/* ---- hybrid_vector.py ------------------------------------------------------ */

static const char *vec_hybrid_root =
	"3b3b7179f8fcb1a27fdfe85d3a4addcb";

static const char *vec_hybrid_frame1 =
	"01040000010203040a0b0c0d0000000000000001001002ec68656c6c6f2c206d"
	"756c7469636173740011223344556677a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
	"00000000aae315ab8ad0415db6075002b886bde06ba7695e9e7a28fab2912938"
	"d1a1735ddc85b266e3dd5821a0b6f0e82b81997b650eb3a7c97a93728fd5e808"
	"dba5f774715e7ae565c62b8ccbb9c19488fda952dbf46c5b67c3f11d7dd2994c"
	"196cbe52547fd6416064ee28df87a7003355627eb70347c7d477db9d396ef2e6"
	"e2b9ceb81a947357aa5dab4b257166fcc76de5fc5584770ef709120aa11822dc"
	"43d9cb048e5b794c8b0bd8825655b355aeb461f3ac06f40b5cb461c46a7ac8a0"
	"62b46444179bcf44a3671d2c1487adf8f601f02d5dc8c8e9cbabbf7300921ba7"
	"3fa51025ed03655ba72c105e284a71a54e12a8496281596104a25d7d5ec08e4e"
	"792c26324769a30c77549aaddbedd03e1cef49007d4553b3be3b1afd7f82df4e"
	"2a21541d1884c220ef7978a4bd8ad4af9f131c7109ef92226c8c84840563e776"
	"bd13496fe9524d440242f65b0a3a92d3053f858b597ab5f1e645b067f6d175f1"
	"8b3656aa46f4703e82e90f22806840c8b7477d6e43dd325106ea517216d6f317"
	"34993ec4eb38ba42cfcc9cbb59e33aac5cefeb8628ba2594ae9f77e8808e7888"
	"2118bcdef145cead5f9ceb8cd652d32d9e554af4d4dd29e1b94defef40aa3f4a"
	"2a1883cffdee86dd197e9d4ac5e3f8db3e6f540a146ba6e7e874caded5db5d16"
	"409f3e1f528431dfca6da6bfff75d792122116c12433d375321b863c3a6945d0"
	"b2a7568585d67827382e113742f6ca0c1d12ac952d8db7b03d3b50d3238a8450"
	"50e6c40b8110c42f3771102cce6a9e557a2b7be4dee323908ba33b49799e4c0f"
	"e20115abf759b0821be93002f1b9e6c8ba9a697a5d617f93c2d8b5ad2fc5bad6"
	"cb74aa032f07deb39c3e3078edd19e2060f6d19db8f6ce950cddea87cb07350f"
	"d6be93aa56627853de6f3044e39937603021d1f687ed95301796cc46a73f0731"
	"54eee1609fc0bb37eeea52a16720428004de050193f68f85c7e7f6daf9121906"
	"1c97a0b23c791f28d993c2f64fa07d13b26ab80a";

static const char *vec_hybrid_frame2 =
	"01040000010203040a0b0c0d0000000000000002001002ec68656c6c6f2c206d"
	"756c7469636173740011223344556677a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
	"0000000121ef62b60438349c688a9e3d409bd9a849cba36918e7c2e809b4366f"
	"5554919adefaeb0799f4fc32f8e9fab953ea9e3810b79f95b766136f09458ea8"
	"c9473f7e5652b19d3695463d9330ae7f49cee122d79e0b3133201e081a0f0814"
	"f9e450601a59074bb85aea3190d68e09535deeb58856f485621255d198e1cfcd"
	"9354d00bedbabd7c689dbbfe6df7c36edb65c6baa107adc98042683f8eb4d930"
	"ede462e49318c6bf6f1e152f82570fed561da5f6c98086fb07ce5f0a6f658988"
	"097abdf949c7ab47231f12769f18b4e129702b313a1ec4d61fbd2f7e9d665367"
	"855f08ddf26dd9e8fb49ad4b2a24fcf5f517d3bb7af54100e7785d913e219aad"
	"fb9c0fa670207bea926b6140dcfeb37bb95e8514db2cfdf2ffcefd7a9c0abadc"
	"02c355a00ac2d76873831a60b02140b15b30e8afe588eb46b1c256025208d142"
	"a8cb69860952cdbf62c1aee6b2e988852631c6d7474a3635d927cbbeeabd0bef"
	"15b06bfb70c2294e1d05239716acbd3e73ac17462d42774d9f901a8c581b1678"
	"1a465597055701308987d4dc2c40dec27cedd30830a2d8dfc01231746c001902"
	"5d98b35fd8b6e7b216db020c8ca7b3d29466efab205b0833e61cb161b6cdfc25"
	"d388e60070de54784602f4bbb6a94d813dcd735a6cd8baf0394284879a288980"
	"40fc3bc2227f4de338fe842efef8c4c84f6cf371851df1255889ba4538b9482e"
	"3a5b32c96004bd81ef9f3701581dc8e753f30288308d2b4fa5c241a11149c7ad"
	"6d6a5a524aa9cbeb395dc35352a089b87072a4127a0e998f1fdeb76e1addda5b"
	"d099bd99649054d97772afd4d6bf33a4417510f35d617f93c2d8b5ad2fc5bad6"
	"cb74aa032f07deb39c3e3078edd19e2060f6d19db8f6ce950cddea87cb07350f"
	"d6be93aa56627853de6f3044e39937603021d1f687ed95301796cc46a73f0731"
	"54eee1609fc0bb37eeea52a16720428004de050193f68f85c7e7f6daf9121906"
	"1c97a0b23c791f28d993c2f64fa07d13b26ab80a";

/* RFC 8032 7.1 TEST 1 */
static const char *ed25519_sk =
	"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char *ed25519_pk =
	"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

#define VEC_PAYLOAD_LEN 16
#define MAX_PAYLOAD 666

static const struct sam_scheme_ops *ops = &sam_scheme_hybrid;
static EVP_MD_CTX *md;
static struct sam_key sk, pk;

/** A frame made here: header, payload, authenticator */
struct tframe {
	uint8_t buf[SAM_HEADER_SIZE + MAX_PAYLOAD + HYB_AUTH_LEN];
	size_t payload_len;
	size_t len;
	struct sam_frame_hdr hdr;
};

static void put_be(uint8_t *out, uint64_t v, size_t len)
{
	while (len--)
	{
		out[len] = (uint8_t)v;
		v >>= 8;
	}
}

static struct sam_scheme_env env_of(uint32_t session, uint32_t source)
{
	struct sam_scheme_env env = {
		.session_id = session,
		.source_id = source,
		.now = 0,
		.md = md,
	};
	return env;
}

static void load_key(struct sam_key *key, const char *hex, int private_part)
{
	uint8_t raw[32];

	ck_assert_uint_eq(tc_unhex(hex, raw, sizeof(raw)), 32);
	memset(key, 0, sizeof(*key));
	key->scheme = SAM_SCHEME_HYBRID;
	key->can_sign = private_part;
	key->pkey = private_part ?
		EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, raw, 32) :
		EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, 32);
	ck_assert_ptr_nonnull(key->pkey);
}

static void setup(void)
{
	md = EVP_MD_CTX_new();
	ck_assert_ptr_nonnull(md);
	load_key(&sk, ed25519_sk, 1);
	load_key(&pk, ed25519_pk, 0);
}

static void teardown(void)
{
	EVP_PKEY_free(sk.pkey);
	EVP_PKEY_free(pk.pkey);
	EVP_MD_CTX_free(md);
}

static void *new_signer(void)
{
	void *signer = calloc(1, ops->signer_size);

	ck_assert_ptr_nonnull(signer);
	ck_assert_int_eq(ops->signer_init(signer, &sk), SAM_OK);
	return signer;
}

static void free_signer(void *signer)
{
	ops->signer_clear(signer);
	free(signer);
}

static void *new_verifier(void)
{
	void *verifier = calloc(1, ops->verifier_size);

	ck_assert_ptr_nonnull(verifier);
	ck_assert_int_eq(ops->verifier_init(verifier, &pk), SAM_OK);
	return verifier;
}

static void free_verifier(void *verifier)
{
	ops->verifier_clear(verifier);
	free(verifier);
}

/** Write the header and payload of a frame, as docs/sam-frame-format.md */
static void frame_data(struct tframe *f, uint32_t session, uint32_t source,
					   uint64_t seq, const void *payload, size_t len)
{
	ck_assert_uint_le(len, MAX_PAYLOAD);
	f->hdr = (struct sam_frame_hdr){
		.version = SAM_FRAME_VERSION,
		.scheme = SAM_SCHEME_HYBRID,
		.session_id = session,
		.source_id = source,
		.seq = seq,
		.payload_len = (uint16_t)len,
		.auth_len = HYB_AUTH_LEN,
	};
	f->buf[0] = SAM_FRAME_VERSION;
	f->buf[1] = SAM_SCHEME_HYBRID;
	put_be(f->buf + 2, 0, 2);
	put_be(f->buf + 4, session, 4);
	put_be(f->buf + 8, source, 4);
	put_be(f->buf + 12, seq, 8);
	put_be(f->buf + 20, len, 2);
	put_be(f->buf + 22, HYB_AUTH_LEN, 2);
	memcpy(f->buf + SAM_HEADER_SIZE, payload, len);
	f->payload_len = len;
	f->len = SAM_HEADER_SIZE + len + HYB_AUTH_LEN;
}

/** Sign a frame whose header names env's session and source */
static int seal(void *signer, const struct sam_scheme_env *env, uint64_t seq,
				const void *payload, size_t len, struct tframe *f)
{
	frame_data(f, env->session_id, env->source_id, seq, payload, len);
	ck_assert_ptr_null(ops->auth_len);
	ck_assert_uint_eq(ops->max_auth_len, HYB_AUTH_LEN);
	return ops->sign(signer, &sk, env, f->buf, SAM_HEADER_SIZE + len,
					 f->buf + SAM_HEADER_SIZE + len);
}

/** Verify a frame, with auth_len bytes of authenticator */
static int open_len(void *verifier, const struct sam_scheme_env *env,
					const struct tframe *f, size_t auth_len)
{
	struct sam_frame_view view = {
		.hdr = &f->hdr,
		.data = f->buf,
		.data_len = SAM_HEADER_SIZE + f->payload_len,
		.auth = f->buf + SAM_HEADER_SIZE + f->payload_len,
		.auth_len = auth_len,
	};
	return ops->verify(verifier, &pk, env, &view);
}

static int open_frame(void *verifier, const struct sam_scheme_env *env,
					  const struct tframe *f)
{
	return open_len(verifier, env, f, f->len - SAM_HEADER_SIZE -
					f->payload_len);
}

/** A signer with the deterministic batch of hybrid_vector.py */
static void *vector_signer(const struct sam_scheme_env *env)
{
	uint8_t batch_id[HYB_BATCH_ID_LEN], I[HYB_I_LEN], seed[HYB_SEED_LEN];
	void *signer = new_signer();
	size_t i;

	tc_unhex("0011223344556677", batch_id, sizeof(batch_id));
	for (i = 0; i < sizeof(I); i++)
	{
		I[i] = (uint8_t)(0xa0 + i);
	}
	for (i = 0; i < sizeof(seed); i++)
	{
		seed[i] = (uint8_t)(0x40 + i);
	}
	ck_assert_int_eq(sam_hybrid_signer_add_batch(signer, &sk, env, batch_id,
												 I, seed), SAM_OK);
	return signer;
}

/* ---- LM-OTS and the tree: RFC 8554 ------------------------------------------ */

START_TEST(test_params)
{
	static const struct { unsigned int w, p, ls; } rfc[] = {
		{ 1, 265, 7 }, { 2, 133, 6 }, { 4, 67, 4 }, { 8, 34, 0 },
	};
	struct lmots_params pp;
	size_t i;

	/* RFC 8554 Table 1 */
	for (i = 0; i < SAM_COUNTOF(rfc); i++)
	{
		ck_assert_int_eq(lmots_params_init(&pp, 32, rfc[i].w), 0);
		ck_assert_uint_eq(pp.p, rfc[i].p);
		ck_assert_uint_eq(pp.ls, rfc[i].ls);
	}
	ck_assert_int_eq(lmots_params_init(&pp, 16, 4), 0);
	ck_assert_uint_eq(pp.n, hyb_ots_params.n);
	ck_assert_uint_eq(pp.w, hyb_ots_params.w);
	ck_assert_uint_eq(pp.p, hyb_ots_params.p);
	ck_assert_uint_eq(pp.ls, hyb_ots_params.ls);
	ck_assert_uint_eq(lmots_sig_len(&pp), HYB_OTS_LEN);
	ck_assert_int_eq(lmots_params_init(&pp, 32, 3), -1);
	ck_assert_int_eq(lmots_params_init(&pp, 33, 4), -1);
	ck_assert_int_eq(lmots_params_init(&pp, 0, 4), -1);
	ck_assert_uint_eq(HYB_AUTH_LEN, 748);
	ck_assert_uint_eq(HYB_CERT_LEN, 75);
}
END_TEST

/** Verify a test case 2 signature: the root its candidate and path give */
static void tc2_verify(unsigned int w, unsigned int h, const char *I_hex,
					   uint32_t q, const char *sig_hex, const char *path_hex,
					   const char *msg_hex, const char *root_hex)
{
	static uint8_t sig[32 * 68], path[32 * 10], msg[256];
	uint8_t I[16], root[32], Kc[32], expect[32];
	struct lmots_params pp;
	size_t msg_len;

	ck_assert_int_eq(lmots_params_init(&pp, 32, w), 0);
	tc_unhex(I_hex, I, sizeof(I));
	ck_assert_uint_eq(tc_unhex(sig_hex, sig, sizeof(sig)), lmots_sig_len(&pp));
	ck_assert_uint_eq(tc_unhex(path_hex, path, sizeof(path)), 32 * h);
	msg_len = tc_unhex(msg_hex, msg, sizeof(msg));
	tc_unhex(root_hex, expect, sizeof(expect));

	lmots_pk_candidate(&pp, I, q, sig, msg, msg_len, Kc);
	lms_root_from_path(32, h, I, q, Kc, path, root);
	ck_assert_mem_eq(root, expect, 32);

	/* one changed byte of the message gives another root */
	msg[0] ^= 1;
	lmots_pk_candidate(&pp, I, q, sig, msg, msg_len, Kc);
	lms_root_from_path(32, h, I, q, Kc, path, root);
	ck_assert_mem_ne(root, expect, 32);
}

START_TEST(test_rfc8554_verify)
{
	/* level 1 signs the level-2 public key, level 2 the message */
	tc2_verify(4, 10, tc2_I1, 3, tc2_sig1, tc2_path1, tc2_msg1, tc2_root1);
	tc2_verify(8, 5, tc2_I2, 4, tc2_sig2, tc2_path2, tc2_msg2, tc2_root2);
}
END_TEST

/**
 * Generate a test case 2 tree from its SEED (RFC 8554 Appendix A) with the
 * table code, and sign key q again: the root, the path and the signature
 * must be the RFC's.
 */
static void tc2_keygen(unsigned int w, unsigned int h, const char *I_hex,
					   const char *seed_hex, uint32_t q, const char *sig_hex,
					   const char *path_hex, const char *msg_hex,
					   const char *root_hex)
{
	static uint8_t sig[32 * 68], mine[32 * 68], path[32 * 10], msg[256];
	uint8_t I[16], seed[32], expect[32], digits[LMOTS_P_MAX];
	uint8_t *table, *K, *nodes;
	struct lmots_params pp;
	size_t msg_len;
	uint32_t r;

	ck_assert_int_eq(lmots_params_init(&pp, 32, w), 0);
	tc_unhex(I_hex, I, sizeof(I));
	tc_unhex(seed_hex, seed, sizeof(seed));
	tc_unhex(sig_hex, sig, sizeof(sig));
	tc_unhex(path_hex, path, sizeof(path));
	msg_len = tc_unhex(msg_hex, msg, sizeof(msg));
	tc_unhex(root_hex, expect, sizeof(expect));

	table = malloc(lmots_table_len(&pp));
	K = malloc((size_t)32 << h);
	nodes = malloc(lms_tree_len(32, h));
	ck_assert(table && K && nodes);
	for (r = 0; r < (1u << h); r++)
	{
		lmots_keygen_table(&pp, I, r, seed, sizeof(seed), table, K + r * 32);
		if (r == q)
		{
			/* the RFC's C, the table's values */
			memcpy(mine, sig, 32);
			lmots_digits(&pp, I, q, sig, msg, msg_len, digits);
			lmots_sign_table(&pp, digits, table, mine + 32);
			ck_assert_mem_eq(mine, sig, lmots_sig_len(&pp));
		}
	}
	lms_tree_build(32, h, I, K, nodes);
	ck_assert_mem_eq(nodes + 32, expect, 32);
	lms_tree_path(32, h, nodes, q, mine);
	ck_assert_mem_eq(mine, path, 32 * h);

	/* and without a table */
	lmots_sign(&pp, I, q, seed, sizeof(seed), sig, msg, msg_len, mine);
	ck_assert_mem_eq(mine, sig, lmots_sig_len(&pp));
	free(table);
	free(K);
	free(nodes);
}

START_TEST(test_rfc8554_keygen)
{
	tc2_keygen(4, 10, tc2_I1, tc2_seed1, 3, tc2_sig1, tc2_path1, tc2_msg1,
			   tc2_root1);
	tc2_keygen(8, 5, tc2_I2, tc2_seed2, 4, tc2_sig2, tc2_path2, tc2_msg2,
			   tc2_root2);
}
END_TEST

/* ---- the scheme --------------------------------------------------------------- */

START_TEST(test_ops)
{
	struct sam_key gen = { 0 };
	void *state = calloc(1, ops->signer_size > ops->verifier_size ?
						 ops->signer_size : ops->verifier_size);

	ck_assert_int_eq(ops->id, SAM_SCHEME_HYBRID);
	ck_assert_int_eq(ops->wire_id, SAM_SCHEME_HYBRID);
	ck_assert_str_eq(ops->name, "hybrid");
	ck_assert_int_eq(ops->key_kind, SAM_KEY_ED25519);
	ck_assert_int_eq(ops->auth, SAM_AUTH_SOURCE);
	ck_assert_uint_eq(ops->max_auth_len, HYB_AUTH_LEN);
	ck_assert_ptr_eq(sam_scheme_get(SAM_SCHEME_HYBRID), ops);

	ck_assert_int_eq(ops->generate(&gen), SAM_OK);
	ck_assert(EVP_PKEY_is_a(gen.pkey, "ED25519"));
	ck_assert_int_eq(gen.scheme, SAM_SCHEME_HYBRID);
	ck_assert(gen.can_sign);
	EVP_PKEY_free(gen.pkey);

	/* a public key cannot sign, a P-256 key is not this scheme's */
	ck_assert_int_eq(ops->signer_init(state, &pk), SAM_E_KEY);
	gen.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	gen.can_sign = 1;
	ck_assert_ptr_nonnull(gen.pkey);
	ck_assert_int_eq(ops->signer_init(state, &gen), SAM_E_KEY);
	ck_assert_int_eq(ops->verifier_init(state, &gen), SAM_E_KEY);
	EVP_PKEY_free(gen.pkey);
	free(state);
}
END_TEST

START_TEST(test_vector)
{
	static uint8_t expect[2][SAM_HEADER_SIZE + VEC_PAYLOAD_LEN + HYB_AUTH_LEN];
	struct sam_scheme_env env = env_of(TV_SESSION, TV_SOURCE);
	const char *vec[] = { vec_hybrid_frame1, vec_hybrid_frame2 };
	uint8_t root[HYB_N];
	void *signer = vector_signer(&env), *verifier = new_verifier();
	struct tframe f;
	size_t i;

	ck_assert_uint_eq(tc_unhex(vec_hybrid_root, root, sizeof(root)), HYB_N);
	ck_assert_uint_eq(ops->available(signer), HYB_KEYS);
	for (i = 0; i < 2; i++)
	{
		ck_assert_uint_eq(tc_unhex(vec[i], expect[i], sizeof(expect[i])),
						  sizeof(expect[i]));
		ck_assert_int_eq(seal(signer, &env, i + 1, TV_PAYLOAD,
							  VEC_PAYLOAD_LEN, &f), SAM_OK);
		ck_assert_uint_eq(f.len, sizeof(expect[i]));
		ck_assert_mem_eq(f.buf, expect[i], f.len);
		ck_assert_int_eq(open_frame(verifier, &env, &f), SAM_OK);
	}
	ck_assert_uint_eq(ops->available(signer), HYB_KEYS - 2);
	free_signer(signer);
	free_verifier(verifier);
}
END_TEST

START_TEST(test_round_trip)
{
	static uint8_t payload[MAX_PAYLOAD];
	struct sam_scheme_env env = env_of(TV_SESSION, 7);
	uint8_t last_batch[HYB_BATCH_ID_LEN] = { 0 };
	void *signer = new_signer(), *verifier = new_verifier();
	unsigned int batches = 0;
	struct tframe f;
	uint64_t seq;
	size_t i;

	for (i = 0; i < sizeof(payload); i++)
	{
		payload[i] = (uint8_t)(i * 7);
	}
	/* nothing made yet */
	ck_assert_uint_eq(ops->available(signer), 0);
	ck_assert_int_eq(seal(signer, &env, 1, payload, 10, &f), SAM_E_PRECOMPUTE);
	/* as many as it holds: 3 batches */
	ck_assert_int_eq(ops->precompute(signer, &sk, &env, SIZE_MAX), SAM_OK);
	ck_assert_uint_eq(ops->available(signer), 3 * HYB_KEYS);
	for (seq = 1; seq <= 250; seq++)
	{
		size_t len = (size_t)(seq * 37) % (MAX_PAYLOAD + 1);
		int err = seal(signer, &env, seq, payload, len, &f);

		if (err == SAM_E_PRECOMPUTE)
		{
			ck_assert_uint_eq(ops->available(signer), 0);
			ck_assert_int_eq(ops->precompute(signer, &sk, &env, 40), SAM_OK);
			/* batch by batch: 40 frames take two */
			ck_assert_uint_eq(ops->available(signer), 2 * HYB_KEYS);
			err = seal(signer, &env, seq, payload, len, &f);
		}
		ck_assert_int_eq(err, SAM_OK);
		if (memcmp(last_batch, f.buf + SAM_HEADER_SIZE + len, 8))
		{
			memcpy(last_batch, f.buf + SAM_HEADER_SIZE + len, 8);
			batches++;
		}
		ck_assert_int_eq(open_frame(verifier, &env, &f), SAM_OK);
	}
	/* 250 frames: 8 batches, each with its own batch id; 9 made */
	ck_assert_uint_eq(batches, 8);
	ck_assert_uint_eq(ops->available(signer), 9 * HYB_KEYS - 250);
	free_signer(signer);
	free_verifier(verifier);
}
END_TEST

/* the field a byte of the authenticator belongs to, for messages */
static const char *field(size_t off)
{
	if (off < HYB_OFF_I)
	{
		return "batch id";
	}
	if (off < HYB_OFF_Q)
	{
		return "I";
	}
	if (off < HYB_OFF_OTS)
	{
		return "q";
	}
	if (off < HYB_OFF_PATH)
	{
		return "one-time signature";
	}
	if (off < HYB_OFF_CERT)
	{
		return "path";
	}
	return "certificate";
}

START_TEST(test_bit_flips)
{
	struct sam_scheme_env env = env_of(TV_SESSION, TV_SOURCE);
	void *signer = vector_signer(&env);
	void *cached = new_verifier(), *fresh = new_verifier();
	struct tframe f0, f1, bad;
	size_t bit, len;

	ck_assert_int_eq(seal(signer, &env, 1, TV_PAYLOAD, 16, &f0), SAM_OK);
	ck_assert_int_eq(seal(signer, &env, 2, TV_PAYLOAD, 16, &f1), SAM_OK);
	/* one verifier knows the batch (the certificate is cached) */
	ck_assert_int_eq(open_frame(cached, &env, &f0), SAM_OK);

	/* every bit of the frame: header, payload, authenticator */
	for (bit = 0; bit < f1.len * 8; bit++)
	{
		size_t off = bit / 8;
		const char *what = off < SAM_HEADER_SIZE + 16 ? "data" :
			field(off - SAM_HEADER_SIZE - 16);

		bad = f1;
		bad.buf[off] ^= (uint8_t)(1 << (bit % 8));
		ck_assert_msg(open_frame(cached, &env, &bad) == SAM_E_BAD_AUTH,
					  "bit %zu of byte %zu (%s) accepted", bit % 8, off, what);
		if (off >= SAM_HEADER_SIZE + 16)
		{
			ck_assert_msg(open_frame(fresh, &env, &bad) == SAM_E_BAD_AUTH,
						  "bit %zu of byte %zu (%s) accepted fresh", bit % 8,
						  off, what);
		}
	}
	/* every other length of the authenticator */
	for (len = 0; len <= HYB_AUTH_LEN + 1; len++)
	{
		if (len != HYB_AUTH_LEN)
		{
			ck_assert_int_eq(open_len(cached, &env, &f1, len),
							 SAM_E_MALFORMED);
		}
	}
	/* none of that marked key 1 used or displaced the batch */
	ck_assert_int_eq(open_frame(cached, &env, &f1), SAM_OK);
	ck_assert_int_eq(open_frame(fresh, &env, &f1), SAM_OK);
	ck_assert_int_eq(open_frame(fresh, &env, &f0), SAM_OK);
	free_signer(signer);
	free_verifier(cached);
	free_verifier(fresh);
}
END_TEST

START_TEST(test_other_session_source)
{
	struct sam_scheme_env env = env_of(TV_SESSION, TV_SOURCE);
	struct sam_scheme_env other_session = env_of(TV_SESSION + 1, TV_SOURCE);
	struct sam_scheme_env other_source = env_of(TV_SESSION, TV_SOURCE + 1);
	void *signer = vector_signer(&other_session), *verifier = new_verifier();
	struct tframe f;

	/* a batch certified for another session, under a header naming this
	 * one (the header is only signed data to the signer) */
	frame_data(&f, TV_SESSION, TV_SOURCE, 1, TV_PAYLOAD, 16);
	ck_assert_int_eq(ops->sign(signer, &sk, &other_session, f.buf,
							   SAM_HEADER_SIZE + 16,
							   f.buf + SAM_HEADER_SIZE + 16), SAM_OK);
	ck_assert_int_eq(open_frame(verifier, &env, &f), SAM_E_BAD_AUTH);
	ck_assert_int_eq(open_frame(verifier, &other_session, &f), SAM_OK);
	free_signer(signer);

	/* likewise another source id */
	signer = vector_signer(&other_source);
	frame_data(&f, TV_SESSION, TV_SOURCE, 1, TV_PAYLOAD, 16);
	ck_assert_int_eq(ops->sign(signer, &sk, &other_source, f.buf,
							   SAM_HEADER_SIZE + 16,
							   f.buf + SAM_HEADER_SIZE + 16), SAM_OK);
	free_verifier(verifier);
	verifier = new_verifier();
	ck_assert_int_eq(open_frame(verifier, &env, &f), SAM_E_BAD_AUTH);
	ck_assert_int_eq(open_frame(verifier, &other_source, &f), SAM_OK);

	/* the signer will not sign for a session its batches do not name */
	ck_assert_int_eq(seal(signer, &env, 2, TV_PAYLOAD, 16, &f),
					 SAM_E_PRECOMPUTE);
	ck_assert_uint_eq(ops->available(signer), 0);
	free_signer(signer);
	free_verifier(verifier);
}
END_TEST

START_TEST(test_key_reuse)
{
	struct sam_scheme_env env = env_of(TV_SESSION, TV_SOURCE);
	void *signer = vector_signer(&env), *copy = new_signer();
	void *verifier = new_verifier(), *other = new_verifier();
	struct tframe a, b;
	size_t i, n = 0;

	/* a copied signer (a fork, a restored snapshot) has the same keys */
	memcpy(copy, signer, ops->signer_size);
	ck_assert_int_eq(seal(signer, &env, 1, "first", 5, &a), SAM_OK);
	ck_assert_int_eq(seal(copy, &env, 2, "second", 6, &b), SAM_OK);
	ck_assert_mem_eq(a.buf + SAM_HEADER_SIZE + 5 + HYB_OFF_Q,
					 b.buf + SAM_HEADER_SIZE + 6 + HYB_OFF_Q, 4);

	/* both are valid signatures, but only the first use counts */
	ck_assert_int_eq(open_frame(verifier, &env, &a), SAM_OK);
	ck_assert_int_eq(open_frame(verifier, &env, &b), SAM_E_KEY_USED);
	ck_assert_int_eq(open_frame(other, &env, &b), SAM_OK);
	ck_assert_int_eq(open_frame(other, &env, &a), SAM_E_KEY_USED);
	/* and the same frame twice (the context's replay window sees it
	 * first) */
	ck_assert_int_eq(open_frame(other, &env, &b), SAM_E_KEY_USED);

	/* the signer wiped what it used: none of the 35 values it revealed
	 * is in its state any more */
	for (i = 0; i < HYB_P; i++)
	{
		const uint8_t *y = a.buf + SAM_HEADER_SIZE + 5 + HYB_OFF_OTS +
			HYB_N * (1 + i);
		const uint8_t *s = signer;
		size_t off;

		for (off = 0; off + HYB_N <= ops->signer_size; off++)
		{
			if (memcmp(s + off, y, HYB_N) == 0)
			{
				n++;
			}
		}
	}
	ck_assert_uint_eq(n, 0);
	free_signer(signer);
	free_signer(copy);
	free_verifier(verifier);
	free_verifier(other);
}
END_TEST

START_TEST(test_loss)
{
	struct sam_scheme_env env = env_of(TV_SESSION, 99);
	void *signer = new_signer(), *verifier = new_verifier();
	unsigned int arrived = 0, rnd = 12345;
	struct tframe f;
	uint64_t seq;

	for (seq = 1; seq <= 400; seq++)
	{
		char payload[32];
		int len = snprintf(payload, sizeof(payload), "frame %llu",
						   (unsigned long long)seq);
		int err = seal(signer, &env, seq, payload, (size_t)len, &f);

		if (err == SAM_E_PRECOMPUTE)
		{
			ck_assert_int_eq(ops->precompute(signer, &sk, &env, 1), SAM_OK);
			err = seal(signer, &env, seq, payload, (size_t)len, &f);
		}
		ck_assert_int_eq(err, SAM_OK);
		/* lose 30 % (a fixed LCG: the test is the same every run) */
		rnd = rnd * 1103515245 + 12345;
		if ((rnd >> 16) % 100 < 30)
		{
			continue;
		}
		arrived++;
		/* the receiver sees only what arrives */
		ck_assert_msg(open_frame(verifier, &env, &f) == SAM_OK,
					  "frame %llu", (unsigned long long)seq);
		/* and each frame verifies on its own */
		if (arrived % 8 == 0)
		{
			void *alone = new_verifier();

			ck_assert_int_eq(open_frame(alone, &env, &f), SAM_OK);
			free_verifier(alone);
		}
	}
	ck_assert_uint_gt(arrived, 240);
	ck_assert_uint_lt(arrived, 320);
	free_signer(signer);
	free_verifier(verifier);
}
END_TEST

/* the same through a context: key files, sam_precompute(), seal and open */
START_TEST(test_context)
{
	static uint8_t frame[SAM_MAX_FRAME], payload[MAX_PAYLOAD];
	sam_key *key, *pub;
	sam_ctx *tx, *rx;
	sam_frame_info info;
	char pem[1024];
	int seq;

	ck_assert_int_eq(sam_key_generate(SAM_SCHEME_HYBRID, &key), SAM_OK);
	ck_assert_int_eq(sam_key_scheme(key), SAM_SCHEME_HYBRID);
	/* a public key file does not say which Ed25519 scheme it is for */
	ck_assert_int_gt(sam_key_to_pem(key, 0, pem, sizeof(pem)), 0);
	pub = tc_key(pem);
	ck_assert_int_eq(sam_key_set_scheme(pub, SAM_SCHEME_HYBRID), SAM_OK);
	tx = tc_sender(5, 1, key);
	rx = tc_ctx();
	ck_assert_int_eq(sam_add_source(rx, 5, pub), SAM_OK);

	ck_assert_uint_eq(sam_precomputed(tx), 0);
	ck_assert_int_eq(sam_precompute(tx, 40), SAM_OK);
	ck_assert_uint_eq(sam_precomputed(tx), 2 * HYB_KEYS);
	ck_assert_int_eq(sam_frame_size(tx, MAX_PAYLOAD),
					 SAM_HEADER_SIZE + MAX_PAYLOAD + HYB_AUTH_LEN);
	for (seq = 1; seq <= 100; seq++)
	{
		size_t len = (size_t)seq * 7 % (MAX_PAYLOAD + 1);
		ssize_t n = sam_seal(tx, payload, len, frame, sizeof(frame));

		/* the context precomputes when nothing is left */
		ck_assert_int_eq(n, (ssize_t)(SAM_HEADER_SIZE + len + HYB_AUTH_LEN));
		if (seq % 3 == 0)
		{
			continue;
		}
		/* a forgery does not mark the sequence number */
		frame[n - 1] ^= 1;
		ck_assert_int_eq(sam_open(rx, frame, (size_t)n, &info),
						 SAM_E_BAD_AUTH);
		frame[n - 1] ^= 1;
		ck_assert_int_eq(sam_open(rx, frame, (size_t)n, &info), SAM_OK);
		ck_assert_int_eq(info.scheme, SAM_SCHEME_HYBRID);
		ck_assert_int_eq(info.auth, SAM_AUTH_SOURCE);
		ck_assert_uint_eq(info.payload_len, len);
		ck_assert_int_eq(sam_open(rx, frame, (size_t)n, &info),
						 SAM_E_REPLAY);
	}
	ck_assert_int_eq(sam_open(rx, frame, 10, &info), SAM_E_MALFORMED);
	sam_ctx_free(tx);
	sam_ctx_free(rx);
	sam_key_free(key);
	sam_key_free(pub);
}
END_TEST

Suite *suite_hybrid(void)
{
	Suite *s = suite_create("hybrid");
	TCase *tc;

	tc = tcase_create("rfc8554");
	tcase_add_test(tc, test_params);
	tcase_add_test(tc, test_rfc8554_verify);
	tcase_add_test(tc, test_rfc8554_keygen);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("scheme");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ops);
	tcase_add_test(tc, test_vector);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_bit_flips);
	tcase_add_test(tc, test_other_session_source);
	tcase_add_test(tc, test_key_reuse);
	tcase_add_test(tc, test_loss);
	tcase_add_test(tc, test_context);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
