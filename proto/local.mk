librevwire_a_SOURCES += \
	proto/http.c
