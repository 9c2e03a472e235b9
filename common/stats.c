#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/stats.h"

/* FNV-1a: names are short literals, not attacker-chosen. */
static unsigned
stats_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h % STATS_SLOTS;
}

void
stats_init(struct stats *st)
{
	memset(st, 0, sizeof(*st));
}

static struct stats_entry *
stats_slot(struct stats *st, const char *name)
{
	unsigned i, h = stats_hash(name);

	for (i = 0; i < STATS_SLOTS; i++) {
		struct stats_entry *e = &st->e[(h + i) % STATS_SLOTS];

		if (e->name == name ||
		    (e->name != NULL && strcmp(e->name, name) == 0))
			return e;
		if (e->name == NULL) {
			/* keep one slot free so lookups always end */
			if (st->n + 1 >= STATS_SLOTS)
				return NULL;
			e->name = name;
			st->n++;
			return e;
		}
	}
	return NULL;
}

void
stats_add(struct stats *st, const char *name, uint64_t n)
{
	struct stats_entry *e = stats_slot(st, name);

	if (e == NULL)
		st->overflow += n;
	else
		e->value += n;
}

void
stats_set(struct stats *st, const char *name, uint64_t v)
{
	struct stats_entry *e = stats_slot(st, name);

	if (e == NULL)
		st->overflow++;
	else
		e->value = v;
}

uint64_t
stats_get(const struct stats *st, const char *name)
{
	unsigned i, h = stats_hash(name);

	for (i = 0; i < STATS_SLOTS; i++) {
		const struct stats_entry *e = &st->e[(h + i) % STATS_SLOTS];

		if (e->name == NULL)
			return 0;
		if (strcmp(e->name, name) == 0)
			return e->value;
	}
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct stats_entry *x = *(const struct stats_entry * const *)a;
	const struct stats_entry *y = *(const struct stats_entry * const *)b;

	return strcmp(x->name, y->name);
}

void
stats_foreach(const struct stats *st,
    void (*fn)(const char *name, uint64_t v, void *arg), void *arg)
{
	const struct stats_entry *sorted[STATS_SLOTS];
	unsigned i, n = 0;

	for (i = 0; i < STATS_SLOTS; i++)
		if (st->e[i].name != NULL)
			sorted[n++] = &st->e[i];
	qsort(sorted, n, sizeof(sorted[0]), entry_cmp);
	for (i = 0; i < n; i++)
		fn(sorted[i]->name, sorted[i]->value, arg);
	if (st->overflow > 0)
		fn("stats_overflow", st->overflow, arg);
}

static void
print_one(const char *name, uint64_t v, void *arg)
{
	fprintf((FILE *)arg, "%s %llu\n", name, (unsigned long long)v);
}

void
stats_print(const struct stats *st, FILE *f)
{
	stats_foreach(st, print_one, f);
}
