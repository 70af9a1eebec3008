/* enum.h - an enum's names, defined once (libvirt's VIR_ENUM_DECL/IMPL).
 *
 * In the header of the subsystem that owns the enum:
 *     enum link_path { PATH_MIGRATION, PATH_STORAGE, PATH_BOTH, LINK_PATH_LAST };
 *     MB_ENUM_DECL(link_path);
 * and in its .c file:
 *     MB_ENUM_IMPL(link_path, LINK_PATH_LAST, "migration", "storage", "both");
 * which gives
 *     const char *link_path_to_string(int v);   "?" when v is out of range
 *     int link_path_from_string(const char *s); -1 when s is no name
 *     extern const char *const link_path_names[]; NULL-terminated, for the
 *                                                  option table's choices
 * A table with more or fewer names than the enum has values does not compile.
 */
#ifndef MB_ENUM_H
#define MB_ENUM_H

#include <stddef.h>

/* The name of v in names[0..n-1], or "?" (never NULL: safe in printf and JSON). */
const char *mb_enum_to_string(const char *const *names, int n, int v);
/* The index of s in names[0..n-1], or -1 (also for s == NULL). */
int mb_enum_from_string(const char *const *names, int n, const char *s);

#define MB_ENUM_DECL(name)                                                                    \
	extern const char *const name##_names[];                                              \
	const char *name##_to_string(int v);                                                  \
	int name##_from_string(const char *s)

/* The static assert comes last so that the caller's ';' ends it. */
#define MB_ENUM_IMPL(name, last, ...)                                                         \
	const char *const name##_names[] = { __VA_ARGS__, NULL };                             \
	const char *name##_to_string(int v)                                                   \
	{                                                                                     \
		return mb_enum_to_string(name##_names, (last), v);                            \
	}                                                                                     \
	int name##_from_string(const char *s)                                                 \
	{                                                                                     \
		return mb_enum_from_string(name##_names, (last), s);                          \
	}                                                                                     \
	_Static_assert(sizeof(name##_names) / sizeof(name##_names[0]) == (size_t)(last) + 1,   \
		       "the names of enum " #name " do not match its values (" #last ")")

#endif
