/* enum.c - lookups behind MB_ENUM_IMPL's xxx_to_string / xxx_from_string. */
#include "core/enum.h"

#include <stddef.h>
#include <string.h>

const char *mb_enum_to_string(const char *const *names, int n, int v)
{
	return v >= 0 && v < n ? names[v] : "?";
}

int mb_enum_from_string(const char *const *names, int n, const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}
