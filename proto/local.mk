librevwire_a_SOURCES += \
	proto/http.c
librevwire_a_SOURCES += \
	proto/objtype.c
	proto/asn1.c \
	proto/crl.c \
	proto/ocsp.c
