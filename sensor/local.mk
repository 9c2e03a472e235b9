librevwire_a_SOURCES += \
	sensor/sensor_main.c
