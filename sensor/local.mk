librevwire_a_SOURCES += \
	sensor/capture.c \
	sensor/sensor.h \
	sensor/sensor_main.c
librevwire_a_SOURCES += \
	sensor/app.c \
	sensor/event.c
	sensor/eve.c
