/* jfield.h - JSON field tables: one table per C struct, {key, type, offset},
 * drives both the writer and the type-checked reader (fio's option table
 * idea applied to results).  A key exists once, in its table; readers look
 * fields up by dotted path in the same table (jf_find).
 *
 * Number policy, everywhere: a double that is NaN or infinite (unmeasured)
 * is written as JSON null and read back as NaN; integral doubles are written
 * as integers.  The writer never produces invalid JSON.
 *
 * Presence: a field with .cond set is written only when the bool at that
 * offset is true (a section that was measured); the reader sets that bool
 * when the key is there.  JF_OMIT strings are left out when NULL, others are
 * written as null.  Reading: JF_REQ keys must be there; every key that is
 * there must have the table's type, else the reader fails naming the path.
 * Keys the table does not know are ignored by the reader. */
#ifndef MB_JFIELD_H
#define MB_JFIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/err.h"

enum jf_type {
	JF_STR,    /* char * owned by the struct (NULL: null, or left out with JF_OMIT) */
	JF_CHARS,  /* char[size] inside the struct */
	JF_BOOL,   /* bool */
	JF_INT,    /* int */
	JF_I64,    /* int64_t */
	JF_U64,    /* uint64_t */
	JF_NUM,    /* double, JSON value = v * scale (scale 0 means 1) */
	JF_NS,     /* int64_t nanoseconds, JSON value = ns / scale (1e9: seconds) */
	JF_ENUM,   /* int index into names (NULL-terminated), JSON string */
	JF_OBJ,    /* nested struct at off, an object with the fields of sub */
	JF_INLINE, /* nested struct at off, its fields of sub in this object */
	JF_ARR,    /* array of structs: pointer at off, int count at aux, size per element */
	JF_NUMS,   /* array of numbers: double * at off, int count at aux */
	JF_U64S,   /* uint64_t[size] inside the struct, an array of integers */
	JF_JSON,   /* json_object * owned by the struct, an object kept as it is (NULL: left out) */
	JF_CONST,  /* the constant string text (write only; read: type checked) */
	JF_FN,     /* a string computed by fn from the struct (write only) */
};

enum jf_flags {
	JF_REQ = 1 << 0,  /* the reader rejects an object without it */
	JF_OMIT = 1 << 1, /* JF_STR: NULL is left out instead of written as null */
	JF_NONNEG = 1 << 2, /* JF_NUM: a count or size, never negative (null allowed) */
};

/* A table ends with { NULL } (JF_INLINE entries have no key of their own). */
struct jf_field {
	const char *key;
	enum jf_type type;
	size_t off;
	unsigned flags;             /* enum jf_flags */
	size_t cond;                /* 1 + offset of the bool that gates it; 0 = always */
	double scale;               /* JF_NUM, JF_NS */
	const struct jf_field *sub; /* JF_OBJ, JF_INLINE, JF_ARR */
	size_t size;                /* JF_CHARS bytes, JF_U64S count, JF_ARR element size */
	size_t aux;                 /* JF_ARR, JF_NUMS: offset of the int count */
	const char *const *names;   /* JF_ENUM */
	const char *text;           /* JF_CONST */
	const char *(*fn)(const void *base); /* JF_FN */
	const char *doc;            /* one line for the schema's description (optional) */
};

/* Table entries: T is the struct type, m the member. */
#define JF_AT(T, m) .off = offsetof(T, m)
#define JF_IF(T, m) .cond = offsetof(T, m) + 1
/* The end of a table. */
#define JF_END { .key = NULL }

/* A number as JSON (null when not finite, an integer when integral). */
json_object *jf_num(double v);

/* Set the table's doubles to NaN (unmeasured) and the rest to zero. */
void jf_init(const struct jf_field *f, void *base);
/* The object described by f at base. */
json_object *jf_write(const struct jf_field *f, const void *base);
/* Fill base from o (base must have been jf_init'ed).  On a type mismatch or a
 * missing JF_REQ key: MB_EINPUT, message "key 'a.b': expected ..., found ...".
 * What was read so far stays in base: free it with jf_free either way. */
int jf_read(const struct jf_field *f, json_object *o, void *base) MB_WUR;
/* Free what the reader (or a writer) allocated: strings, arrays, JSON. */
void jf_free(const struct jf_field *f, void *base);

/* The field at a dotted path ("migration.total_s"), and its offset from the
 * table's base in *off; NULL if the table has no such key.  Arrays are not
 * entered. */
const struct jf_field *jf_find(const struct jf_field *f, const char *path, size_t *off);
/* The number at a dotted path of base: MB_OK and *out (NaN for null), or
 * MB_EINPUT when the table has no such numeric key.  A field of a section
 * that is not there (its .cond false) reads as NaN. */
int jf_number(const struct jf_field *f, const void *base, const char *path, double *out) MB_WUR;
/* A JSON Schema (draft 2020-12) "object" of the table. */
json_object *jf_schema(const struct jf_field *f);

#endif
