/* jfield.c - the field-table writer, reader and schema (see jfield.h). */
#define _GNU_SOURCE
#include "core/jfield.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "core/util.h"

#define AT(base, f, T) ((T *)(void *)((char *)(base) + (f)->off))
#define CAT(base, f, T) ((const T *)(const void *)((const char *)(base) + (f)->off))

json_object *jf_num(double v)
{
	if (!isfinite(v))
		return NULL; /* JSON null */
	if (fabs(v) < 9e15 && v == (double)(int64_t)v) /* range first: the cast of a huge v is UB */
		return json_object_new_int64((int64_t)v);
	return json_object_new_double(v);
}

static double scale_of(const struct jf_field *f)
{
	return f->scale != 0 ? f->scale : 1;
}

static bool gated_off(const struct jf_field *f, const void *base)
{
	return f->cond && !*(const bool *)((const char *)base + f->cond - 1);
}

static void set_gate(const struct jf_field *f, void *base)
{
	if (f->cond)
		*(bool *)((char *)base + f->cond - 1) = true;
}

void jf_init(const struct jf_field *f, void *base)
{
	for (; f->key || f->type == JF_INLINE; f++) {
		if (f->type == JF_NUM)
			*AT(base, f, double) = NAN;
		else if (f->type == JF_OBJ || f->type == JF_INLINE)
			jf_init(f->sub, AT(base, f, char));
	}
}

/* ---- writer ----------------------------------------------------------------- */

static size_t count_names(const char *const *n)
{
	size_t k = 0;
	while (n[k])
		k++;
	return k;
}

static void write_into(json_object *o, const struct jf_field *f, const void *base);

static json_object *value_of(const struct jf_field *f, const void *base)
{
	switch (f->type) {
	case JF_STR: {
		const char *s = *CAT(base, f, char *);
		return s ? json_object_new_string(s) : NULL;
	}
	case JF_CHARS: return json_object_new_string(CAT(base, f, char));
	case JF_BOOL: return json_object_new_boolean(*CAT(base, f, bool));
	case JF_INT: return json_object_new_int64(*CAT(base, f, int));
	case JF_I64: return json_object_new_int64(*CAT(base, f, int64_t));
	case JF_U64: return json_object_new_int64((int64_t)*CAT(base, f, uint64_t));
	case JF_NUM: return jf_num(*CAT(base, f, double) * scale_of(f));
	case JF_NS: return jf_num((double)*CAT(base, f, int64_t) / scale_of(f));
	case JF_ENUM: {
		int v = *CAT(base, f, int);
		return v >= 0 && (size_t)v < count_names(f->names) ? json_object_new_string(f->names[v])
								   : NULL;
	}
	case JF_OBJ: return jf_write(f->sub, CAT(base, f, char));
	case JF_ARR: {
		json_object *a = json_object_new_array();
		const char *p = *CAT(base, f, char *);
		int n = *(const int *)(const void *)((const char *)base + f->aux);
		for (int i = 0; i < n; i++)
			json_object_array_add(a, jf_write(f->sub, p + (size_t)i * f->size));
		return a;
	}
	case JF_NUMS: {
		json_object *a = json_object_new_array();
		const double *p = *CAT(base, f, double *);
		int n = *(const int *)(const void *)((const char *)base + f->aux);
		for (int i = 0; i < n; i++)
			json_object_array_add(a, jf_num(p[i]));
		return a;
	}
	case JF_U64S: {
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < f->size; i++)
			json_object_array_add(a, json_object_new_int64((int64_t)CAT(base, f, uint64_t)[i]));
		return a;
	}
	case JF_JSON: return json_object_get(*(json_object *const *)(const void *)((const char *)base + f->off));
	case JF_CONST: return json_object_new_string(f->text);
	case JF_FN: {
		const char *s = f->fn(base);
		return s ? json_object_new_string(s) : NULL;
	}
	case JF_INLINE: break;
	}
	return NULL;
}

static void write_into(json_object *o, const struct jf_field *f, const void *base)
{
	for (; f->key || f->type == JF_INLINE; f++) {
		if (gated_off(f, base))
			continue;
		if (f->type == JF_INLINE) {
			write_into(o, f->sub, CAT(base, f, char));
			continue;
		}
		if (f->type == JF_STR && (f->flags & JF_OMIT) && !*CAT(base, f, char *))
			continue;
		if (f->type == JF_JSON && !*(json_object *const *)(const void *)((const char *)base + f->off))
			continue; /* no object to echo: left out (null is not an object) */
		json_object_object_add(o, f->key, value_of(f, base));
	}
}

json_object *jf_write(const struct jf_field *f, const void *base)
{
	json_object *o = json_object_new_object();
	write_into(o, f, base);
	return o;
}

/* ---- reader ----------------------------------------------------------------- */

static const char *type_words(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a fractional number";
	case json_type_int: return "an integer";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "something else";
}

static int mismatch(const char *path, const char *want, json_object *v)
{
	return mb_err(MB_EINPUT, "key '%s': expected %s, found %s", path, want, type_words(v));
}

static bool is_number(json_object *v)
{
	return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

/* An integral JSON number in [lo, hi]. */
static bool integer_in(json_object *v, double lo, double hi, int64_t *out)
{
	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);
		if ((double)i < lo || (double)i > hi)
			return false;
		*out = i;
		return true;
	}
	if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);
		if (!isfinite(d) || d != floor(d) || d < lo || d > hi || fabs(d) >= 9.2e18)
			return false;
		*out = (int64_t)d;
		return true;
	}
	return false;
}

static int read_fields(const struct jf_field *f, json_object *o, void *base, const char *prefix);

static int read_array(const struct jf_field *f, json_object *v, void *base, const char *path)
{
	size_t n = json_object_array_length(v);
	if (n > INT_MAX / 2)
		return mb_err(MB_EINPUT, "key '%s': %zu elements is too many", path, n);
	*(int *)(void *)((char *)base + f->aux) = 0;
	if (f->type == JF_NUMS) {
		double *d = mb_xcalloc(n ? n : 1, sizeof(*d));
		*AT(base, f, double *) = d;
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(v, i);
			if (!e) {
				d[i] = NAN;
			} else if (is_number(e)) {
				d[i] = json_object_get_double(e);
			} else {
				char *p = mb_xasprintf("%s[%zu]", path, i);
				int rc = mismatch(p, "a number or null", e);
				free(p);
				return rc;
			}
			*(int *)(void *)((char *)base + f->aux) = (int)i + 1;
		}
		return MB_OK;
	}
	char *arr = mb_xcalloc(n ? n : 1, f->size);
	*AT(base, f, char *) = arr;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		char *p = mb_xasprintf("%s[%zu]", path, i);
		int rc;
		jf_init(f->sub, arr + i * f->size);
		*(int *)(void *)((char *)base + f->aux) = (int)i + 1; /* freed with the rest */
		rc = json_object_is_type(e, json_type_object) ? read_fields(f->sub, e, arr + i * f->size, p)
							      : mismatch(p, "an object", e);
		free(p);
		if (rc)
			return rc;
	}
	return MB_OK;
}

/* A boolean or a number. */
static int read_scalar(const struct jf_field *f, json_object *v, void *base, const char *path)
{
	int64_t i;
	switch (f->type) {
	case JF_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return mismatch(path, "a boolean", v);
		*AT(base, f, bool) = json_object_get_boolean(v);
		return MB_OK;
	case JF_INT:
		if (!integer_in(v, INT_MIN, INT_MAX, &i))
			return mismatch(path, "an integer (32 bits)", v);
		*AT(base, f, int) = (int)i;
		return MB_OK;
	case JF_I64:
		if (!integer_in(v, -9.2e18, 9.2e18, &i))
			return mismatch(path, "an integer", v);
		*AT(base, f, int64_t) = i;
		return MB_OK;
	case JF_U64:
		if (!integer_in(v, 0, 9.2e18, &i))
			return mismatch(path, "a non-negative integer", v);
		*AT(base, f, uint64_t) = (uint64_t)i;
		return MB_OK;
	case JF_NUM:
		if (v && !is_number(v))
			return mismatch(path, "a number or null", v);
		if (v && (f->flags & JF_NONNEG) && json_object_get_double(v) < 0)
			return mismatch(path, "a non-negative number or null", v);
		*AT(base, f, double) = v ? json_object_get_double(v) / scale_of(f) : NAN;
		return MB_OK;
	case JF_NS: {
		double d = v && is_number(v) ? json_object_get_double(v) * scale_of(f) : NAN;
		if (!isfinite(d) || fabs(d) > 9.2e18)
			return mismatch(path, "a number", v);
		*AT(base, f, int64_t) = (int64_t)llround(d);
		return MB_OK;
	}
	default: break;
	}
	return MB_OK;
}

static int read_value(const struct jf_field *f, json_object *v, void *base, const char *path)
{
	int64_t i;
	switch (f->type) {
	case JF_STR:
		if (!v && !(f->flags & JF_REQ))
			return MB_OK;
		if (!json_object_is_type(v, json_type_string))
			return mismatch(path, f->flags & JF_REQ ? "a string" : "a string or null", v);
		*AT(base, f, char *) = mb_xstrdup(json_object_get_string(v));
		return MB_OK;
	case JF_CHARS:
		if (!json_object_is_type(v, json_type_string))
			return mismatch(path, "a string", v);
		if ((size_t)json_object_get_string_len(v) >= f->size)
			return mb_err(MB_EINPUT, "key '%s': longer than %zu characters", path, f->size - 1);
		memcpy(AT(base, f, char), json_object_get_string(v),
		       (size_t)json_object_get_string_len(v) + 1);
		return MB_OK;
	case JF_BOOL:
	case JF_INT:
	case JF_I64:
	case JF_U64:
	case JF_NUM:
	case JF_NS: return read_scalar(f, v, base, path);
	case JF_ENUM: {
		if (!v && !(f->flags & JF_REQ)) {
			*AT(base, f, int) = -1;
			return MB_OK;
		}
		if (!json_object_is_type(v, json_type_string))
			return mismatch(path, "a string", v);
		for (size_t k = 0; f->names[k]; k++) {
			if (!strcmp(f->names[k], json_object_get_string(v))) {
				*AT(base, f, int) = (int)k;
				return MB_OK;
			}
		}
		return mb_err(MB_EINPUT, "key '%s': '%.80s' is not one of the known values", path,
			      json_object_get_string(v));
	}
	case JF_OBJ:
		if (!json_object_is_type(v, json_type_object))
			return mismatch(path, "an object", v);
		return read_fields(f->sub, v, AT(base, f, char), path);
	case JF_ARR:
	case JF_NUMS:
		if (!json_object_is_type(v, json_type_array))
			return mismatch(path, "an array", v);
		return read_array(f, v, base, path);
	case JF_U64S: {
		size_t n;
		if (!json_object_is_type(v, json_type_array))
			return mismatch(path, "an array", v);
		n = json_object_array_length(v);
		if (n > f->size)
			return mb_err(MB_EINPUT, "key '%s': %zu elements, at most %zu expected", path, n,
				      f->size);
		for (size_t k = 0; k < n; k++) {
			if (!integer_in(json_object_array_get_idx(v, k), 0, 9.2e18, &i)) {
				char *p = mb_xasprintf("%s[%zu]", path, k);
				int rc = mismatch(p, "a non-negative integer",
						  json_object_array_get_idx(v, k));
				free(p);
				return rc;
			}
			AT(base, f, uint64_t)[k] = (uint64_t)i;
		}
		return MB_OK;
	}
	case JF_JSON:
		if (!json_object_is_type(v, json_type_object))
			return mismatch(path, "an object", v);
		*AT(base, f, json_object *) = json_object_get(v);
		return MB_OK;
	case JF_CONST:
	case JF_FN:
		if (v && !json_object_is_type(v, json_type_string))
			return mismatch(path, "a string", v);
		return MB_OK;
	case JF_INLINE: break;
	}
	return MB_OK;
}

static bool any_key(const struct jf_field *f, json_object *o)
{
	for (; f->key || f->type == JF_INLINE; f++)
		if (f->type == JF_INLINE ? any_key(f->sub, o) : json_object_object_get_ex(o, f->key, NULL))
			return true;
	return false;
}

static int read_fields(const struct jf_field *f, json_object *o, void *base, const char *prefix)
{
	for (; f->key || f->type == JF_INLINE; f++) {
		json_object *v;
		char *path;
		int rc;
		if (f->type == JF_INLINE) {
			if (!any_key(f->sub, o))
				continue;
			set_gate(f, base);
			rc = read_fields(f->sub, o, AT(base, f, char), prefix);
			if (rc)
				return rc;
			continue;
		}
		path = prefix[0] ? mb_xasprintf("%s.%s", prefix, f->key) : mb_xstrdup(f->key);
		if (!json_object_object_get_ex(o, f->key, &v)) {
			rc = f->flags & JF_REQ ? mb_err(MB_EINPUT, "key '%s' is missing", path) : MB_OK;
		} else {
			set_gate(f, base);
			rc = read_value(f, v, base, path);
		}
		free(path);
		if (rc)
			return rc;
	}
	return MB_OK;
}

int jf_read(const struct jf_field *f, json_object *o, void *base)
{
	if (!json_object_is_type(o, json_type_object))
		return mb_err(MB_EINPUT, "expected an object, found %s", type_words(o));
	return read_fields(f, o, base, "");
}

void jf_free(const struct jf_field *f, void *base)
{
	for (; f->key || f->type == JF_INLINE; f++) {
		switch (f->type) {
		case JF_STR:
			free(*AT(base, f, char *));
			*AT(base, f, char *) = NULL;
			break;
		case JF_OBJ:
		case JF_INLINE: jf_free(f->sub, AT(base, f, char)); break;
		case JF_ARR: {
			char *p = *AT(base, f, char *);
			int n = *(int *)(void *)((char *)base + f->aux);
			for (int i = 0; i < n; i++)
				jf_free(f->sub, p + (size_t)i * f->size);
			free(p);
			*AT(base, f, char *) = NULL;
			*(int *)(void *)((char *)base + f->aux) = 0;
			break;
		}
		case JF_NUMS:
			free(*AT(base, f, double *));
			*AT(base, f, double *) = NULL;
			*(int *)(void *)((char *)base + f->aux) = 0;
			break;
		case JF_JSON:
			json_object_put(*AT(base, f, json_object *));
			*AT(base, f, json_object *) = NULL;
			break;
		default: break;
		}
	}
}

/* ---- lookup and schema --------------------------------------------------------- */

const struct jf_field *jf_find(const struct jf_field *f, const char *path, size_t *off)
{
	size_t n = strcspn(path, ".");
	for (; f->key || f->type == JF_INLINE; f++) {
		if (f->type == JF_INLINE) {
			size_t sub;
			const struct jf_field *r = jf_find(f->sub, path, &sub);
			if (r) {
				*off = f->off + sub;
				return r;
			}
			continue;
		}
		if (strlen(f->key) != n || strncmp(f->key, path, n))
			continue;
		if (!path[n]) {
			*off = f->off;
			return f;
		}
		if (f->type == JF_OBJ) {
			size_t sub;
			const struct jf_field *r = jf_find(f->sub, path + n + 1, &sub);
			if (r)
				*off = f->off + sub;
			return r;
		}
		return NULL;
	}
	return NULL;
}

int jf_number(const struct jf_field *f, const void *base, const char *path, double *out)
{
	size_t n = strcspn(path, ".");
	*out = NAN;
	for (; f->key || f->type == JF_INLINE; f++) {
		if (f->type == JF_INLINE) {
			if (jf_find(f->sub, path, &(size_t){ 0 })) {
				if (gated_off(f, base))
					return MB_OK;
				return jf_number(f->sub, CAT(base, f, char), path, out);
			}
			continue;
		}
		if (strlen(f->key) != n || strncmp(f->key, path, n))
			continue;
		if (path[n] && f->type == JF_OBJ) {
			if (gated_off(f, base)) {
				size_t off;
				return jf_find(f->sub, path + n + 1, &off) ? MB_OK
					: mb_err(MB_EINPUT, "no numeric key '%s'", path);
			}
			return jf_number(f->sub, CAT(base, f, char), path + n + 1, out);
		}
		if (path[n])
			break;
		if (gated_off(f, base))
			return MB_OK;
		switch (f->type) {
		case JF_BOOL: *out = *CAT(base, f, bool); return MB_OK;
		case JF_INT: *out = *CAT(base, f, int); return MB_OK;
		case JF_I64: *out = (double)*CAT(base, f, int64_t); return MB_OK;
		case JF_U64: *out = (double)*CAT(base, f, uint64_t); return MB_OK;
		case JF_NUM: *out = *CAT(base, f, double) * scale_of(f); return MB_OK;
		case JF_NS: *out = (double)*CAT(base, f, int64_t) / scale_of(f); return MB_OK;
		default: break;
		}
		break;
	}
	return mb_err(MB_EINPUT, "no numeric key '%s'", path);
}

static json_object *types(const char *a, const char *b)
{
	json_object *t = json_object_new_array();
	json_object_array_add(t, json_object_new_string(a));
	json_object_array_add(t, json_object_new_string(b));
	return t;
}

static json_object *typed(const char *t)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(t));
	return o;
}

static void schema_into(json_object *props, json_object *req, const struct jf_field *f);

static json_object *schema_of(const struct jf_field *f)
{
	json_object *s = NULL, *e;
	switch (f->type) {
	case JF_STR:
		if (f->flags & (JF_REQ | JF_OMIT)) {
			s = typed("string");
		} else {
			s = json_object_new_object();
			json_object_object_add(s, "type", types("string", "null"));
		}
		break;
	case JF_CHARS:
	case JF_FN: s = typed("string"); break;
	case JF_BOOL: s = typed("boolean"); break;
	case JF_INT:
	case JF_I64: s = typed("integer"); break;
	case JF_U64:
		s = typed("integer");
		json_object_object_add(s, "minimum", json_object_new_int(0));
		break;
	case JF_NUM:
		s = json_object_new_object();
		json_object_object_add(s, "type", types("number", "null"));
		if (f->flags & JF_NONNEG)
			json_object_object_add(s, "minimum", json_object_new_int(0));
		break;
	case JF_NS: s = typed("number"); break;
	case JF_ENUM:
		s = json_object_new_object();
		e = json_object_new_array();
		for (size_t k = 0; f->names[k]; k++)
			json_object_array_add(e, json_object_new_string(f->names[k]));
		if (!(f->flags & JF_REQ))
			json_object_array_add(e, NULL);
		json_object_object_add(s, "enum", e);
		break;
	case JF_OBJ: s = jf_schema(f->sub); break;
	case JF_ARR:
		s = typed("array");
		json_object_object_add(s, "items", jf_schema(f->sub));
		break;
	case JF_NUMS:
		s = typed("array");
		e = json_object_new_object();
		json_object_object_add(e, "type", types("number", "null"));
		json_object_object_add(s, "items", e);
		break;
	case JF_U64S:
		s = typed("array");
		e = typed("integer");
		json_object_object_add(e, "minimum", json_object_new_int(0));
		json_object_object_add(s, "items", e);
		json_object_object_add(s, "maxItems", json_object_new_int64((int64_t)f->size));
		break;
	case JF_JSON: s = typed("object"); break;
	case JF_CONST:
		s = json_object_new_object();
		json_object_object_add(s, "const", json_object_new_string(f->text));
		break;
	case JF_INLINE: break;
	}
	if (s && f->doc)
		json_object_object_add(s, "description", json_object_new_string(f->doc));
	return s;
}

static void schema_into(json_object *props, json_object *req, const struct jf_field *f)
{
	for (; f->key || f->type == JF_INLINE; f++) {
		if (f->type == JF_INLINE) {
			schema_into(props, req, f->sub);
			continue;
		}
		json_object_object_add(props, f->key, schema_of(f));
		if (f->flags & JF_REQ)
			json_object_array_add(req, json_object_new_string(f->key));
	}
}

json_object *jf_schema(const struct jf_field *f)
{
	json_object *s = typed("object"), *props = json_object_new_object(),
		    *req = json_object_new_array();
	schema_into(props, req, f);
	json_object_object_add(s, "properties", props);
	if (json_object_array_length(req))
		json_object_object_add(s, "required", req);
	else
		json_object_put(req);
	json_object_object_add(s, "additionalProperties", json_object_new_boolean(false));
	return s;
}
