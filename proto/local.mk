librevwire_a_SOURCES += \
	proto/tls.c \
	proto/tls.h \
	proto/x509.c
