librevwire_a_SOURCES += \
	proto/asn1.c \
	proto/crl.c \
	proto/ocsp.c
