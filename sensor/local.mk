librevwire_a_SOURCES += \
	sensor/sensor_main.c
librevwire_a_SOURCES += \
	sensor/app.c \
	sensor/event.c
