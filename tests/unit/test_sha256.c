/*
 * test_sha256.c: SHA-256 against the FIPS 180-4 / NIST example vectors
 * ("", "abc", the 448- and 896-bit messages, one million 'a' fed in uneven
 * chunks) and against digests from coreutils' sha256sum for lengths around
 * the 55/56/64-byte padding boundaries, one-shot and byte by byte: the
 * wrapper round libcrypto, not the digest, is what can go wrong here.
 */
#include "tm/sha256.h"
#include "tm_test.h"

static void check_oneshot(const char *msg, const char *want)
{
    char hex[65];
    memset(hex, 'Z', sizeof hex);
    tm_sha256_hex(hex, msg, strlen(msg));
    TM_CHECK_STR(hex, want);
}

static void test_empty(void)
{
    check_oneshot("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* no update at all */
    tm_sha256 s;
    char hex[65];
    tm_sha256_init(&s);
    tm_sha256_final_hex(&s, hex);
    TM_CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* an update of zero bytes changes nothing */
    tm_sha256_init(&s);
    tm_sha256_update(&s, "ignored", 0);
    tm_sha256_final_hex(&s, hex);
    TM_CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_abc(void)
{
    check_oneshot("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    tm_sha256 s;
    char hex[65];
    tm_sha256_init(&s);
    tm_sha256_update(&s, "a", 1);
    tm_sha256_update(&s, "bc", 2);
    tm_sha256_final_hex(&s, hex);
    TM_CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_448_bit(void)
{
    check_oneshot("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_896_bit(void)
{
    check_oneshot("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                  "klmnopqrlmnopqrsmnopqrstnopqrstu",
                  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a_uneven_chunks(void)
{
    static const char want[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    static char buf[1000000];
    memset(buf, 'a', sizeof buf);
    /* chunk sizes that straddle block boundaries in every way */
    static const size_t steps[] = {1, 63, 64, 65, 7, 127, 128, 1000, 3, 4097, 55, 56, 9999};
    tm_sha256 s;
    tm_sha256_init(&s);
    size_t done = 0, k = 0;
    while (done < sizeof buf) {
        size_t n = steps[k++ % (sizeof steps / sizeof steps[0])];
        if (n > sizeof buf - done) n = sizeof buf - done;
        tm_sha256_update(&s, buf + done, n);
        done += n;
    }
    char hex[65];
    tm_sha256_final_hex(&s, hex);
    TM_CHECK_STR(hex, want);
    /* and in one call */
    tm_sha256_hex(hex, buf, sizeof buf);
    TM_CHECK_STR(hex, want);
}

/* Lengths around the padding boundaries; expected digests from sha256sum of
 * "ABCDEFGHIJKLMNOPQRSTUVWXYZABC..." truncated to each length. */
static void test_padding_boundaries(void)
{
    static const struct {
        size_t n;
        const char *hex;
    } v[] = {
        {55, "5be2d480ff0ea4094fb05e7adb2c1dbf1d7bd99dec429827ea4b9c1ddc7d3bf1"},
        {56, "f257b5e23c5cb81d044c7a9074ceeac9235ff5c1b377048c7c368ef1038462a2"},
        {63, "8abf253c52140a4203ed43a606808e342ec84856c5c32bb8e4e3869885f83534"},
        {64, "9b0c3567683f6d5198d714b00c40df3039f7717ba5ca65c2b6617688b63b42fa"},
        {65, "19811f1e6f2c8ef24d605283ec0fe0d35122b3d4a7a65d593797b8e2cf8e8865"},
        {119, "774836b19af4f3015a8dff4e9cb353b11899645ade4626c677a21c84cdb00050"},
        {120, "a26af5006eb83a2fc03fcd4a54ff5ab7269b4732bb84dc76c41ec097ce17be3f"},
        {127, "167bdf7e32501eb7e48d215ca4ce6c018f610c741a8d3b754a0fe904260a035b"},
        {128, "b470b0f27ccf983862f868fdc64b4be3ce096ae3a79191dc2de42e325f9d5c72"},
    };
    char msg[128];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (char)('A' + i % 26);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char hex[65];
        tm_sha256_hex(hex, msg, v[i].n);
        TM_CHECK_STR(hex, v[i].hex);
        tm_sha256 s;
        tm_sha256_init(&s);
        for (size_t b = 0; b < v[i].n; b++)
            tm_sha256_update(&s, msg + b, 1);
        tm_sha256_final_hex(&s, hex);
        TM_CHECK_STR(hex, v[i].hex);
    }
}

/* A digest abandoned half way is freed (valgrind and ASan see a leak if
 * not); discarding twice, or a zeroed one, is harmless. */
static void test_discard(void)
{
    tm_sha256 s = {0};
    tm_sha256_discard(&s);
    TM_CHECK_INT(tm_sha256_init(&s), 0);
    tm_sha256_update(&s, "abc", 3);
    tm_sha256_discard(&s);
    tm_sha256_discard(&s);
    char hex[65] = "x";
    TM_CHECK_INT(tm_sha256_final_hex(&s, hex), -1);
    TM_CHECK_STR(hex, "");
}

static const tm_test_case cases[] = {
    {"discard", test_discard},
    {"empty", test_empty},
    {"abc", test_abc},
    {"448_bit", test_448_bit},
    {"896_bit", test_896_bit},
    {"million_a_uneven_chunks", test_million_a_uneven_chunks},
    {"padding_boundaries", test_padding_boundaries},
    {NULL, NULL},
};

TM_TEST_MAIN(cases)
