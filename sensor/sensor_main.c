/* placeholder until the capture loop lands */
#include "config.h"

#include <stdio.h>

#include "src/cmd.h"

int
sensor_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "revwire sensor: not built yet\n");
	return 1;
}
