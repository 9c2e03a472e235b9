librevwire_a_SOURCES += \
	redis/castore.c \
	redis/cluster.c \
	redis/cluster.h \
	redis/conn.c \
	redis/embedded.c \
	redis/redis.h \
	redis/redis_int.h \
	redis/reply.c \
	redis/schema.h \
	redis/spool.c \
	redis/spool.h \
	redis/stream.c \
	redis/url.c

check_PROGRAMS += tests/unit/test_redis
tests_unit_test_redis_SOURCES = tests/unit/test_redis.c tests/unit/unit.c tests/unit/unit.h \
	tests/unit/redis_server.c tests/unit/redis_server.h
tests_unit_test_redis_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_redis

check_PROGRAMS += tests/unit/test_reply
tests_unit_test_reply_SOURCES = tests/unit/test_reply.c tests/unit/unit.c tests/unit/unit.h
tests_unit_test_reply_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_reply

check_PROGRAMS += tests/unit/test_cluster
tests_unit_test_cluster_SOURCES = tests/unit/test_cluster.c tests/unit/unit.c tests/unit/unit.h
tests_unit_test_cluster_LDADD = $(RW_LIBS)
TESTS += tests/unit/test_cluster
