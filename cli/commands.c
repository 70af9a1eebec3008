/* commands.c - the table of subcommands, their usage text and `migbench
 * help`; main.c dispatches through it. */
#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

#include "mb_version.h"
#include "core/util.h"


const struct mb_command mb_commands[] = {
	{ "check", cmd_check, "PROFILE...", "parse and validate profiles; run nothing", false },
	{ "plan", cmd_plan, "PROFILE", "print the scenarios a profile expands to, with their ids",
	  false },
	{ "run", cmd_run, "PROFILE", "run a profile's scenarios and record results", false },
	{ "report", cmd_report, "RUNDIR...", "write summary.csv, plots and index.html for runs",
	  false },
	{ "compare", cmd_compare, "RUN_A RUN_B",
	  "compare two runs cell by cell: differences with 95% CIs", false },
	{ "lab", cmd_lab, "up|down|status", "the local lab: two libvirt hosts and an iSCSI target",
	  false },
	{ "link", cmd_link, "set|clear|show|probe", "emulate the WAN link and measure it", false },
	{ "guest", cmd_guest, "info|boot|parse", "the guest image and its workloads", false },
	{ "help", cmd_help, "[COMMAND|keys|exit-codes]", "show help", false },
	{ "version", cmd_version, "", "print version and build information", false },
	{ "delayline", cmd_delayline, "", "(internal) the userspace delay line process", true },
	{ "storage", cmd_storage, "attach|detach", "(internal) attach an iSCSI LUN on this machine", true },
	{ NULL, NULL, NULL, NULL, false },
};

static const char exit_codes[] =
	"Exit codes:\n"
	"  0    ok\n"
	"  1    internal error (a bug, or an unexpected system error)\n"
	"  2    bad input: profile, command line or guest output\n"
	"  3    a scenario failed (the system under test)\n"
	"  4    cannot run here: a resource is missing (the reason is printed)\n"
	"  130  interrupted (SIGINT/SIGTERM); what was finished is kept\n";

int cmd_bad_verb(const char *cmd, const char *verb, const char *const *verbs, size_t n)
{
	const char *s = mb_closest(verb, verbs, n);
	return mb_err(MB_EINPUT, "%s: unknown action '%s'%s%s%s", cmd, verb, s ? ", did you mean '" : "",
		      s ? s : "", s ? "'?" : "");
}

void cmd_usage(const char *name, const struct cli_flag *flags, bool keys, FILE *f)
{
	for (const struct mb_command *c = mb_commands; c->name; c++) {
		if (strcmp(c->name, name))
			continue;
		fprintf(f, "usage: migbench %s %s%s\n\n%s.\n", c->name, c->args,
			flags || keys ? " [OPTIONS]" : "", c->summary);
	}
	if (flags && flags->name) {
		fprintf(f, "\nOptions:\n");
		cli_print_flags(flags, f);
	}
	if (keys)
		fprintf(f, "  --KEY=VALUE                any profile key overrides the profile "
			   "(migbench help keys)\n");
	fprintf(f, "  -h, --help                 this help\n\n%s", exit_codes);
}

void mb_usage(FILE *f)
{
	fprintf(f,
		"usage: migbench COMMAND [ARGS]\n\n"
		"migbench live-migrates a VM over an emulated wide-area link and measures the\n"
		"guest's throughput before, during and after the migration.\n\nCommands:\n");
	for (const struct mb_command *c = mb_commands; c->name; c++)
		if (!c->hidden)
			fprintf(f, "  %-9s %-26s %s\n", c->name, c->args, c->summary);
	fprintf(f, "\nGlobal options (before the command): -v (more output), -q (errors only)\n"
		   "'migbench COMMAND --help' describes a command; 'migbench help keys' lists\n"
		   "every profile key.\n\n%s",
		exit_codes);
}

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		mb_usage(stdout);
		return MB_OK;
	}
	if (!strcmp(argv[1], "keys")) {
		bool md = argc > 2 && !strcmp(argv[2], "--markdown");
		if (md) {
			opt_print_markdown(stdout);
			return MB_OK;
		}
		printf("Profile keys (in [global] or an experiment section unless noted; lab.* in "
		       "[lab], hosts.* in [hosts]):\n\n");
		for (size_t i = 0; i < mb_noptions; i++)
			opt_print_help(&mb_options[i], stdout);
		printf("\nUnits: durations %s; sizes %s; rates %s.\n", unit_names(UNIT_DURATION),
		       unit_names(UNIT_SIZE), unit_names(UNIT_RATE));
		return MB_OK;
	}
	if (!strcmp(argv[1], "exit-codes")) {
		fputs(exit_codes, stdout);
		return MB_OK;
	}
	for (const struct mb_command *c = mb_commands; c->name; c++) {
		if (!strcmp(c->name, argv[1])) {
			char *args[] = { argv[1], (char *)"--help", NULL };
			return c->fn(2, args);
		}
	}
	return mb_err(MB_EINPUT, "no help for '%s' (try 'migbench help')", argv[1]);
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("migbench %s (git %s)\nbuilt with: %s\n", MB_VERSION, MB_GIT_REV, MB_BUILD_FLAGS);
	return MB_OK;
}

