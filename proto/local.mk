librevwire_a_SOURCES += \
	proto/asn1.c \
	proto/crl.c \
	proto/http.c \
	proto/http.h \
	proto/objtype.c \
	proto/ocsp.c \
	proto/proto.h \
	proto/tls.c \
	proto/tls.h \
	proto/tsp.c \
	proto/x509.c \
	proto/x509_cache.c
