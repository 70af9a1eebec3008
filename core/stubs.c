/* stubs.c - commands whose subsystems are not built yet (temporary). */
#include "core/commands.h"

#define STUB(fn, what)                                                                     \
	int fn(int argc, char **argv)                                                      \
	{                                                                                  \
		(void)argc;                                                                \
		(void)argv;                                                                \
		return mb_err(MB_EUNSUPP, "'%s' is not implemented yet", what);            \
	}

STUB(cmd_link, "link")
STUB(cmd_delayline, "delayline")
