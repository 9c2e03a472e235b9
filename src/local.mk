bin_PROGRAMS += revwire
revwire_SOURCES = src/revwire.c src/cmd.h
revwire_SOURCES += src/ingest.c
revwire_LDADD = $(RW_LIBS)
