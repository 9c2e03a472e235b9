/*
 * vectors.h - finds test vectors: the copies committed under
 * $top_srcdir/tests/data/vectors, and Debian's python3-cryptography-vectors
 * when installed (located through python3 at run time).
 */
#ifndef RW_TEST_VECTORS_H
#define RW_TEST_VECTORS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Reads a whole file; NULL if it cannot.  Caller frees. */
static inline uint8_t *
vec_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	*len = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n)
		*len = (size_t)n;
	else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* A committed vector, by path relative to tests/data/vectors. */
static inline uint8_t *
vec_local(const char *rel, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	uint8_t *p;

	snprintf(path, sizeof(path), "%s/tests/data/vectors/%s",
	    top != NULL ? top : ".", rel);
	if ((p = vec_read_file(path, len)) == NULL)
		fprintf(stderr, "FATAL: committed vector %s missing\n", path);
	return p;
}

/*
 * Directory of the cryptography_vectors package, or NULL (with the reason
 * printed once) when it is not installed.
 */
static inline const char *
vec_pkg_dir(void)
{
	static char dir[4096];
	static int done;
	const char *cands[] = { "python3", "/usr/bin/python3" };
	struct stat sb;
	size_t i, n;
	FILE *p;

	if (done)
		return dir[0] != '\0' ? dir : NULL;
	done = 1;
	for (i = 0; i < sizeof(cands) / sizeof(cands[0]) && dir[0] == '\0';
	    i++) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "%s -c 'import cryptography_vectors,"
		    " os; print(os.path.dirname(cryptography_vectors.__file__))'"
		    " 2>/dev/null", cands[i]);
		if ((p = popen(cmd, "r")) == NULL)
			continue;
		if (fgets(dir, sizeof(dir), p) == NULL)
			dir[0] = '\0';
		pclose(p);
		n = strlen(dir);
		while (n > 0 && (dir[n - 1] == '\n' || dir[n - 1] == '\r'))
			dir[--n] = '\0';
		if (n > 0 && (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode)))
			dir[0] = '\0';
	}
	if (dir[0] == '\0')
		printf("SKIP part: python3-cryptography-vectors not installed "
		    "(import cryptography_vectors failed)\n");
	return dir[0] != '\0' ? dir : NULL;
}

/* A package vector (relative to the package dir), or NULL if absent. */
static inline uint8_t *
vec_pkg(const char *rel, size_t *len)
{
	const char *d = vec_pkg_dir();
	char path[4096];

	*len = 0;
	if (d == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", d, rel);
	return vec_read_file(path, len);
}

#endif
