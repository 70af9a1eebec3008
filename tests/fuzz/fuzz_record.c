/* fuzz_record.c - libFuzzer target: arbitrary bytes as a scenarios.jsonl
 * line through the typed reader, and as run.json through the --resume
 * reader.  Results directories are shared between people: whatever a line
 * holds, the readers check types and never crash; what they accept writes
 * back as a record they accept again. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "record/record.h"
#include "record/result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	json_object *o;
	struct res_scenario rec;
	struct res_run run = { .dir = (char *)"fuzz" };
	struct res_resume ri;

	memcpy(text, data, size);
	text[size] = '\0';
	o = json_tokener_parse(text);
	free(text);
	if (!o)
		return 0;
	if (res_scenario_read(o, &rec) == MB_OK) {
		/* Accepted: its record must read back. */
		json_object *again = res_scenario_json(&rec);
		struct res_scenario rec2;
		if (res_scenario_read(again, &rec2) != MB_OK)
			__builtin_trap();
		(void)res_number(&rec2, "migration.total_s");
		res_scenario_free(&rec2);
		json_object_put(again);
	}
	res_scenario_free(&rec);
	if (json_object_is_type(o, json_type_object)) {
		run.run = o;
		if (res_resume_info(&run, &ri) == MB_OK)
			res_resume_free(&ri);
	}
	json_object_put(o);
	return 0;
}
