bin_PROGRAMS += revwire
revwire_SOURCES = src/revwire.c src/cmd.h
revwire_SOURCES += src/ingest.c
revwire_SOURCES += src/query.c
revwire_SOURCES += src/redis_cmd.c
revwire_LDADD = $(RW_LIBS)
dist_man_MANS += man/revwire.1 man/revwire-sensor.1 man/revwire.conf.5 man/revwire-query.1
EXTRA_DIST += etc/revwire.conf scripts/setup
