/* tlsward: unit tests for event text (core/evtext.c): what a policy, a path
 * or a value name can put into an event stays on one line and bounded. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "evtext.h"

static const struct {
	const char *in, *out;
	int changed;
} cases[] = {
	{"C:\\ProgramData\\tlsward\\policy.yaml",
	 "C:\\ProgramData\\tlsward\\policy.yaml", 0},
	{"a\nb", "a?b", 1},
	{"a\r\n{\"id\":1100}", "a??{\"id\":1100}", 1},
	{"tab\there", "tab?here", 1},
	{"nel\xc2\x85x", "nel?x", 1},             /* U+0085 */
	{"ls\xe2\x80\xa8ps\xe2\x80\xa9", "ls?ps?", 1}, /* U+2028, U+2029 */
	{"\xe2\x80\xae" "evil", "?evil", 1},          /* U+202E RLO */
	{"\xe2\x81\xa6iso", "?iso", 1},            /* U+2066 LRI */
	{"del\x7f", "del?", 1},
	{"bad\xff\xfeutf8", "bad??utf8", 1},
	{"cut\xe2\x82", "cut??", 1},               /* truncated sequence */
	{"over\xc0\xaflong", "over??long", 1},
	{"caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac", 0},
	{"100%% sure %1", "100% % sure %1", 1},
	{"", "", 0},
};

START_TEST(evtext_one_line_and_safe)
{
	char out[64];

	ck_assert_int_eq(tlsr_evtext_clean(cases[_i].in, out, sizeof out),
			 cases[_i].changed);
	ck_assert_str_eq(out, cases[_i].out);
	ck_assert_ptr_null(strchr(out, '\n'));
}
END_TEST

START_TEST(evtext_long_text_is_cut_on_a_character)
{
	char *in = malloc(5000), *out = malloc(5000), small[10];
	size_t i;

	/* 2000 x "é" (2 bytes): cut at 1024 bytes, never inside one. */
	for (i = 0; i < 2000; i++) {
		in[2 * i] = (char)0xc3;
		in[2 * i + 1] = (char)0xa9;
	}
	in[4000] = '\0';
	ck_assert_int_eq(tlsr_evtext_clean(in, out, 5000), 1);
	ck_assert_uint_eq(strlen(out), TLSR_EVTEXT_MAX + 3);
	ck_assert_str_eq(out + TLSR_EVTEXT_MAX, "...");
	ck_assert_int_eq((unsigned char)out[TLSR_EVTEXT_MAX - 2], 0xc3);
	/* A small buffer: what fits, then "...", NUL-terminated. */
	ck_assert_int_eq(tlsr_evtext_clean(in, small, sizeof small), 1);
	ck_assert_str_eq(small, "\xc3\xa9\xc3\xa9\xc3\xa9...");
	ck_assert_int_eq(tlsr_evtext_clean("abcdefgh", small, sizeof small),
			 0);
	ck_assert_int_eq(tlsr_evtext_clean("abcdefghij", small, sizeof small),
			 1);
	ck_assert_str_eq(small, "abcdef...");
	ck_assert_int_eq(tlsr_evtext_clean(NULL, small, sizeof small), 0);
	ck_assert_str_eq(small, "");
	free(in);
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("evtext");
	TCase *tc = tcase_create("clean");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, evtext_one_line_and_safe, 0,
			    (int)(sizeof cases / sizeof cases[0]));
	tcase_add_test(tc, evtext_long_text_is_cut_on_a_character);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
