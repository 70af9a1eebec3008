/* cmd_lab.c - `migbench lab up | down | status`. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/log.h"
#include "core/util.h"
#include "lab/lab.h"

static void print_up(const struct lab *lab, bool existed, double secs)
{
	printf("lab '%s' %s%s\n", lab->name, existed ? "is already up" : "is up",
	       existed ? "" : "");
	if (!existed)
		printf("  took           %.1f s\n", secs);
	for (int i = 0; i < 2; i++)
		printf("  %-14s %s  %s  (%s)\n", lab->site[i].role, lab->site[i].hostname,
		       lab->site[i].addr, lab->site[i].uri);
	printf("  storage        iscsi://%s:%d/%s/%d  (%llu MiB)\n", lab->sto.portal,
	       lab->sto.target.port, lab->sto.target.iqn, lab->sto.target.lun,
	       (unsigned long long)(lab->sto.size >> 20));
	printf("  links          %s (%s)\n", lab->link_backend, lab->link_why);
	printf("  state          %s\n", lab->dir);
}

static void print_status(json_object *st)
{
	json_object *v, *arr;
	printf("lab '%s': %s\n", json_object_get_string(json_object_object_get(st, "name")),
	       json_object_get_boolean(json_object_object_get(st, "healthy")) ? "healthy" : "NOT healthy");
	arr = json_object_object_get(st, "sites");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *s = json_object_array_get_idx(arr, i);
		printf("  site %-4s %-10s %-12s ", json_object_get_string(json_object_object_get(s, "role")),
		       json_object_get_string(json_object_object_get(s, "hostname")),
		       json_object_get_string(json_object_object_get(s, "addr")));
		if (json_object_object_get_ex(s, "error", &v))
			printf("ERROR: %s\n", json_object_get_string(v));
		else
			printf("libvirt %s, %s, %d running domain(s)\n",
			       json_object_get_string(json_object_object_get(s, "libvirt")),
			       json_object_get_string(json_object_object_get(s, "hypervisor")),
			       json_object_get_int(json_object_object_get(s, "running_domains")));
	}
	v = json_object_object_get(st, "storage");
	printf("  storage   %s:%d %s lun %d, tgtd %s\n",
	       json_object_get_string(json_object_object_get(v, "portal")),
	       json_object_get_int(json_object_object_get(v, "port")),
	       json_object_get_string(json_object_object_get(v, "iqn")),
	       json_object_get_int(json_object_object_get(v, "lun")),
	       json_object_get_boolean(json_object_object_get(v, "tgtd_running")) ? "running" : "NOT running");
	arr = json_object_object_get(v, "inquiry");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *q = json_object_array_get_idx(arr, i);
		if (json_object_get_boolean(json_object_object_get(q, "ok")))
			printf("    inquiry from %s: %s %s\n",
			       json_object_get_string(json_object_object_get(q, "from")),
			       json_object_get_string(json_object_object_get(q, "vendor")),
			       json_object_get_string(json_object_object_get(q, "product")));
		else
			printf("    inquiry from %s FAILED: %s\n",
			       json_object_get_string(json_object_object_get(q, "from")),
			       json_object_get_string(json_object_object_get(q, "error")));
	}
	printf("  links     %s\n", json_object_get_string(json_object_object_get(st, "link_backend")));
	arr = json_object_object_get(st, "links");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *l = json_object_array_get_idx(arr, i);
		printf("    %-8s %s <-> %s%s%s\n", json_object_get_string(json_object_object_get(l, "name")),
		       json_object_get_string(json_object_object_get(l, "a")),
		       json_object_get_string(json_object_object_get(l, "b")),
		       json_object_object_get_ex(l, "error", &v) ? "  ERROR: " : "",
		       json_object_object_get_ex(l, "error", &v) ? json_object_get_string(v) : "");
	}
	v = json_object_object_get(st, "guest");
	printf("  guest     %s\n", json_object_get_boolean(json_object_object_get(v, "present"))
				       ? json_object_get_string(json_object_object_get(v, "kernel"))
				       : "no image (run make guest, then lab up again)");
	v = json_object_object_get(st, "lock");
	if (json_object_object_get_ex(v, "holder", &arr))
		printf("  in use    by %s\n", json_object_get_string(arr));
	else if (json_object_object_get_ex(v, "error", &arr))
		printf("  lock      ERROR: %s\n", json_object_get_string(arr));
	else
		printf("  in use    no (nothing holds %s)\n", json_object_get_string(json_object_object_get(v, "path")));
}

int cmd_lab(int argc, char **argv)
{
	static const struct cli_flag flags[] = {
		{ "json", NULL, "status: print JSON", false },
		{ "purge", NULL, "down: also remove the shared QEMU capabilities cache", false },
		{ NULL, NULL, NULL, false },
	};
	struct cli_args a;
	struct profile *p = NULL;
	struct mb_config cfg;
	struct lab_params lp;
	struct lab lab;
	bool help;
	const char *verb;
	int rc = cli_parse(argc - 1, argv + 1, flags, true, &a, &help);

	if (rc)
		return rc;
	if (help || a.npos < 1 || a.npos > 2) {
		cmd_usage("lab", flags, true, help ? stdout : stderr);
		if (help)
			printf("\n  up [PROFILE]      create the lab ([lab] section of PROFILE, or --lab.KEY=VALUE);\n"
			       "                    a lab already up and healthy is left as it is\n"
			       "  down [PROFILE]    remove every namespace, process, mount and file of the lab\n"
			       "  status [PROFILE]  check each part for real (libvirt connections, iSCSI inquiry);\n"
			       "                    takes no lock, so it works during a run, and names\n"
			       "                    who holds the lab (up, down and run hold it exclusively)\n");
		cli_free(&a);
		return help ? MB_OK : mb_err(MB_EINPUT, "lab: expected up, down or status");
	}
	verb = a.pos[0];
	rc = cmd_load_profile(a.npos > 1 ? a.pos[1] : NULL, &a, &p);
	if (rc)
		goto out;
	profile_config(p, NULL, &cfg);
	lab_params_from_config(&lp, &cfg);
	if (!strcmp(verb, "up")) {
		bool existed;
		double t0 = mb_real_s();
		rc = lab_up(&lab, &lp, &existed);
		if (!rc)
			print_up(&lab, existed, mb_real_s() - t0);
	} else if (!strcmp(verb, "down")) {
		rc = lab_down(&lp, cli_has(&a, "purge"));
		if (!rc)
			printf("lab '%s' is down\n", cfg.lab_name);
	} else if (!strcmp(verb, "status")) {
		json_object *st = NULL;
		bool healthy = false;
		rc = lab_load(&lab, &lp);
		if (!rc)
			rc = lab_status(&lab, &st, &healthy);
		if (!rc) {
			if (cli_has(&a, "json"))
				printf("%s\n", json_object_to_json_string_ext(st, JSON_C_TO_STRING_PRETTY |
										     JSON_C_TO_STRING_NOSLASHESCAPE));
			else
				print_status(st);
			if (!healthy)
				rc = mb_err(MB_EFAILED, "lab '%s' is not healthy ('migbench lab up' rebuilds it)",
					    lab.name);
		}
		json_object_put(st);
		if (rc == MB_EFAILED)
			mb_error("%s", mb_errmsg());
	} else {
		static const char *const verbs[] = { "up", "down", "status" };
		rc = cmd_bad_verb("lab", verb, verbs, 3);
	}
out:
	profile_free(p);
	cli_free(&a);
	return rc;
}
