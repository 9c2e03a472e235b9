librevwire_a_SOURCES += \
	sensor/capture.c \
	sensor/sensor.h \
	sensor/sensor_main.c
