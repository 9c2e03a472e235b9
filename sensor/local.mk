librevwire_a_SOURCES += \
	sensor/sensor_main.c
librevwire_a_SOURCES += \
	sensor/eve_cert.c \
	sensor/eve_cert.h
