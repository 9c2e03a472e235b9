librevwire_a_SOURCES += \
	common/conf.c \
	common/conf.h \
	common/cursor.h \
	common/err.c \
	common/err.h \
	common/hex.c \
	common/hex.h \
	common/log.c \
	common/log.h \
	common/stats.c \
	common/stats.h \
	common/timefmt.c \
	common/timefmt.h

check_PROGRAMS += tests/unit/test_common
tests_unit_test_common_SOURCES = tests/unit/test_common.c tests/unit/unit.h
tests_unit_test_common_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_common
