/* cmd_delayline.c - `migbench delayline --dir STATEDIR` (internal): the
 * delay line process a link's backend starts (link/delayline.c). */
#include "cli/commands.h"
#include "link/link.h"

int cmd_delayline(int argc, char **argv)
{
	static const struct cli_flag flags[] = {
		{ "dir", "DIR", "the link's state directory (spec.json, control socket)", false },
		{ NULL, NULL, NULL, false },
	};
	struct cli_args a;
	bool help;
	int rc = cli_parse(argc - 1, argv + 1, flags, false, &a, &help);

	if (rc)
		return rc;
	/* The backend starts it with --dir; a person only asks for help. */
	if (!help && cli_get(&a, "dir")) {
		rc = link_delayline_main(cli_get(&a, "dir"));
	} else {
		cmd_usage("delayline", flags, false, help ? stdout : stderr);
		rc = help ? MB_OK : mb_err(MB_EINPUT, "delayline: --dir is required");
	}
	cli_free(&a);
	return rc;
}
