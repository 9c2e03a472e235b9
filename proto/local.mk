librevwire_a_SOURCES += \
	proto/http.c
librevwire_a_SOURCES += \
	proto/objtype.c
