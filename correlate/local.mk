librevwire_a_SOURCES += \
	correlate/ca_registry.c \
	correlate/correlate.h
