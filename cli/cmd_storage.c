/* cmd_storage.c - `migbench storage attach|detach` (internal): attach or
 * detach an iSCSI LUN on this machine through a storage mode's ops, as a
 * scenario does on each host (tests run open-iscsi for real with it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/util.h"
#include "storage/store.h"

int cmd_storage(int argc, char **argv)
{
	static const struct cli_flag flags[] = {
		{ "portal", "HOST[:PORT]", "the iSCSI target portal (port 3260 by default)", false },
		{ "iqn", "IQN", "the target's name", false },
		{ "lun", "N", "the logical unit (default 1, the lab's)", false },
		{ NULL, NULL, NULL, false },
	};
	static const char *const verbs[] = { "attach", "detach" };
	static const char verbs_help[] =
		"\n  attach   log in to the LUN with the mode --storage names (auto: the first\n"
		"           that works here) and print its block device\n"
		"  detach   log out and remove what attach recorded\n";
	struct host_exec here = { .name = "this machine" };
	const struct store_ops *ops;
	struct store_target t;
	struct profile *p = NULL;
	struct mb_config c;
	struct cli_args a;
	char why[1024];
	bool help;
	int rc = cli_parse(argc - 1, argv + 1, flags, true, &a, &help);

	if (rc)
		return rc;
	if (help || a.npos != 1 || !cli_get(&a, "portal") || !cli_get(&a, "iqn")) {
		cmd_usage("storage", flags, true, help ? stdout : stderr);
		if (help)
			fputs(verbs_help, stdout);
		rc = help ? MB_OK : mb_err(MB_EINPUT, "storage: expected attach or detach, --portal and --iqn");
	} else if (strcmp(a.pos[0], "attach") && strcmp(a.pos[0], "detach")) {
		rc = cmd_bad_verb("storage", a.pos[0], verbs, 2);
	} else {
		const char *lun = cli_get(&a, "lun");
		long long n = 1;
		if (lun && mb_parse_ll(lun, 0, 16383, &n))
			rc = mb_err(MB_EINPUT, "--lun '%s': expected a number from 0 to 16383", lun);
		if (!rc)
			rc = store_target_parse(cli_get(&a, "portal"), cli_get(&a, "iqn"), (int)n, &t);
		if (!rc)
			rc = cmd_load_profile(NULL, &a, &p);
	}
	if (help || rc)
		goto out;
	profile_config(p, NULL, &c);
	if (!strcmp(a.pos[0], "attach")) {
		rc = store_choose(c.storage, &t, &here, 1, &ops, why, sizeof(why));
		if (!rc)
			rc = ops->attach(&t, &here);
		if (!rc) {
			char dev[64] = "", link[600];
			store_bypath(&t, link, sizeof(link));
			if (ops == &store_openiscsi_ops && store_openiscsi_device(&t, dev, sizeof(dev)) == MB_OK)
				printf("storage attach: %s LUN %d via %s (%s): %s -> %s\n", t.iqn, t.lun, ops->name,
				       why, link, dev);
			else
				printf("storage attach: %s LUN %d via %s (%s)\n", t.iqn, t.lun, ops->name, why);
		}
	} else {
		/* Detach with the mode asked for; auto: open-iscsi if a session is there. */
		char dev[64];
		ops = c.storage == STORE_LIBISCSI ? &store_libiscsi_ops : &store_openiscsi_ops;
		if (c.storage == STORE_AUTO && store_openiscsi_device(&t, dev, sizeof(dev)) != MB_OK)
			ops = &store_libiscsi_ops;
		rc = ops->detach(&t, &here);
		if (!rc)
			printf("storage detach: %s LUN %d via %s\n", t.iqn, t.lun, ops->name);
	}
out:
	profile_free(p);
	cli_free(&a);
	return rc;
}
