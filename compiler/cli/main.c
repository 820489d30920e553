/* saker: the rules compiler's command line. One table maps subcommands to their handlers. */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "saker/version.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "check", cmd_check, "check rules files and report every problem" },
	{ "compile", cmd_compile, "compile rules files into a bundle for sakerd" },
	{ "explain", cmd_explain, "show each rule's effective condition, priority, tags and output" },
	{ "inspect", cmd_inspect, "show what a bundle holds" },
	{ "keygen", cmd_keygen, "make a key pair for signing bundles" },
	{ "parse", cmd_parse, "parse one condition and print its canonical form" },
	{ "run", cmd_run, "compile rules in memory and run them as sakerd would" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: saker COMMAND [OPTIONS] ...\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'saker COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("saker %s\n", SAKER_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "saker: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
