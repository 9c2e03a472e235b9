/*
 * onefile.c - runs a libFuzzer target over files without libFuzzer, so
 * `make check` replays every seed corpus and every past crash under the
 * normal (or sanitizer) build.  Arguments are files or directories.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "onefile: %s: cannot read\n", path);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	/* one spare byte so an empty file still gets a valid pointer */
	if ((buf = malloc((size_t)len + 1)) == NULL ||
	    fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "onefile: %s: cannot read\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 0;
}

static int
run_path(const char *path, unsigned *n)
{
	struct stat sb;
	struct dirent *de;
	DIR *d;
	char sub[4096];
	int rc = 0;

	if (stat(path, &sb) == -1) {
		fprintf(stderr, "onefile: %s: no such file\n", path);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		(*n)++;
		return run_file(path);
	}
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (run_path(sub, n) == -1)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned n = 0;
	int i, rc = 0;

	for (i = 1; i < argc; i++)
		if (run_path(argv[i], &n) == -1)
			rc = 1;
	printf("%s: %u inputs replayed\n", argv[0], n);
	return rc;
}
