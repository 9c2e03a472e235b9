/*
 * revwire.c - the revwire command: dispatches to its subcommands.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "src/cmd.h"

static const struct subcommand {
	const char	*name;
	int		(*main)(int, char **);
	const char	*what;
} subcommands[] = {
	{ "sensor", sensor_main, "decode revocation traffic from captures or an interface" },
	{ "ingest", ingest_main, "normalise and score Windows endpoint events" },
	{ "query", query_main, "read alerts, timelines, certificates, CAs from Redis" },
	{ "alert", alert_main, "acknowledge or close an alert (ack|close ID)" },
	{ "redis", redis_main, "status, start or stop the private redis-server" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: revwire COMMAND [OPTIONS]\n\n"
	    "Passive sensor for code-signing certificate abuse (ATT&CK T1588.003).\n\n"
	    "Commands:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-8s %s\n", subcommands[i].name, subcommands[i].what);
	fprintf(f, "\nRun 'revwire COMMAND --help' for a command's options.\n"
	    "revwire --version prints the version.\n");
}

int
main(int argc, char **argv)
{
	char progname[32];
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("revwire %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0) {
			/* getopt names the command in its messages */
			snprintf(progname, sizeof(progname), "revwire %s",
			    subcommands[i].name);
			argv[1] = progname;
			return subcommands[i].main(argc - 1, argv + 1);
		}
	fprintf(stderr, "revwire: unknown command '%.64s' (try revwire --help)\n",
	    argv[1]);
	return 2;
}
