/*
 * redis_cmd.c - `revwire redis status|start|stop`: the private
 * redis-server revwire runs when no redis-url is configured.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "redis/redis.h"
#include "src/cmd.h"

#define EXIT_NOT_RUNNING	3	/* LSB "program is not running" */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: revwire redis status|start|stop [-C FILE] [--set KEY=VALUE]\n\n"
	    "Manages the private redis-server revwire starts when redis-url is\n"
	    "empty: unix socket STATE/redis.sock (no TCP port), data and\n"
	    "append-only file in STATE/redis.  STATE is state-dir, by default\n"
	    "/var/lib/revwire for root, else $XDG_STATE_HOME/revwire or\n"
	    "~/.local/state/revwire.\n\n"
	    "  status          whether it runs, its pid, socket, data, keys\n"
	    "                  (exit 0 running, 3 not running)\n"
	    "  start           start it unless it already answers\n"
	    "  stop            SHUTDOWN (data kept; the next revwire run restarts it)\n"
	    "  -C, --config F  revwire.conf\n"
	    "  --set K=V       override one config key (repeatable)\n"
	    "  -h, --help      this text\n");
}

static int
load_config(struct rw_config *cfg, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'C' },
		{ "set", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rw_err err;
	char *eq;
	int ch;

	config_defaults(cfg);
	while ((ch = getopt_long(argc, argv, "C:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			if (config_load(cfg, optarg, &err) == -1)
				goto bad;
			break;
		case 'S':
			if ((eq = strchr(optarg, '=')) == NULL) {
				fprintf(stderr, "revwire redis: --set wants "
				    "KEY=VALUE\n");
				return -1;
			}
			*eq = '\0';
			if (config_set(cfg, optarg, eq + 1, &err) == -1)
				goto bad;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "Try 'revwire redis --help'.\n");
			return -1;
		}
	}
	return 0;
bad:
	fprintf(stderr, "revwire redis: %s\n", err.msg);
	return -1;
}

static int
print_status(const char *dir)
{
	struct rw_embedded_info info;
	struct rw_err err;

	if (rw_embedded_status(dir, &info, &err) == -1) {
		fprintf(stderr, "revwire redis: %s\n", err.msg);
		return 1;
	}
	if (info.running)
		printf("running: pid %ld, redis %s, up %llu s, %llu keys\n",
		    info.pid, info.version, info.uptime, info.keys);
	else
		printf("not running\n");
	printf("socket: %s\ndata:   %s\n", info.socket, info.data_dir);
	return info.running ? 0 : EXIT_NOT_RUNNING;
}

int
redis_main(int argc, char **argv)
{
	struct rw_config cfg;
	struct rw_err err;
	char dir[RW_STATE_DIR_MAX], url[RW_STATE_DIR_MAX + 16];
	const char *verb;
	int rc;

	if (load_config(&cfg, argc, argv) == -1)
		return 2;
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	verb = argv[optind];
	if (strcmp(verb, "status") != 0 && strcmp(verb, "start") != 0 &&
	    strcmp(verb, "stop") != 0) {
		fprintf(stderr, "revwire redis: unknown action '%.32s' (status, "
		    "start or stop)\n", verb);
		return 2;
	}
	if (cfg.redis_url[0] != '\0')
		fprintf(stderr, "revwire redis: note: redis-url is set, so "
		    "revwire does not use the private server\n");
	if (rw_state_dir(&cfg, dir, sizeof(dir), &err) == -1) {
		fprintf(stderr, "revwire redis: %s\n", err.msg);
		return 1;
	}
	if (strcmp(verb, "start") == 0 &&
	    rw_embedded_ensure(&cfg, dir, url, sizeof(url), &err) == -1) {
		fprintf(stderr, "revwire redis: %s\n", err.msg);
		return 1;
	}
	if (strcmp(verb, "stop") == 0) {
		if (rw_embedded_stop(dir, &err) == -1) {
			fprintf(stderr, "revwire redis: %s\n", err.msg);
			return 1;
		}
		printf("stopped\n");
	}
	rc = print_status(dir);
	return rc == 1 || strcmp(verb, "status") == 0 ? rc : 0;
}
