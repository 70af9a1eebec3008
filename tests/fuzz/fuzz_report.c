/* fuzz_report.c - libFuzzer target: any bytes as a scenarios.jsonl line and
 * as run.json through the report's typed reader, and as text through its
 * quoting functions.  Must never crash or leak; the quoted text must always
 * pass the gnuplot script check, HTML escaping must leave no markup
 * character, and a name made from an id must be a plain file name. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "report/report.h"
#include "report/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reader(const char *text)
{
	json_object *o = json_tokener_parse(text);
	struct rep_row row;
	struct rep_prov prov;
	struct rep_buf bad = { 0 };
	if (o && json_object_is_type(o, json_type_object)) {
		if (rep_row_from_json(o, &row) == MB_OK)
			rep_row_free(&row);
		rep_prov_from_json(o, &prov, &bad);
		rep_prov_free(&prov);
	}
	rep_bfree(&bad);
	json_object_put(o);
}

static void quoting(const char *text)
{
	struct rep_buf gp = { 0 }, html = { 0 };
	char *name = rep_safe_name(text);
	rep_bputs(&gp, "set title ");
	rep_gp_quote(&gp, text);
	rep_bputs(&gp, "\nset output 'timeline-");
	rep_bputs(&gp, name);
	rep_bputs(&gp, ".png'\n");
	if (rep_gp_check(gp.s) != MB_OK || !mb_safe_name(name))
		abort();
	rep_html(&html, text);
	if (strpbrk(rep_bstr(&html), "<>\"'"))
		abort();
	rep_bfree(&gp);
	rep_bfree(&html);
	free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	reader(text);
	quoting(text);
	free(text);
	return 0;
}
