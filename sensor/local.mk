librevwire_a_SOURCES += \
	sensor/app.c \
	sensor/app.h \
	sensor/capture.c \
	sensor/eve.c \
	sensor/eve.h \
	sensor/event.c \
	sensor/event.h \
	sensor/pktpath.h \
	sensor/redis_sink.c \
	sensor/redis_sink.h \
	sensor/sensor.h \
	sensor/sensor_main.c
librevwire_a_SOURCES += \
	sensor/ipfrag.c \
	sensor/pktpath.c \
	sensor/pktpath_int.h \
	sensor/tcp.c \
	sensor/eve_cert.c \
	sensor/eve_cert.h
librevwire_a_SOURCES += \
	sensor/eve_tsp.c \
	sensor/eve_tsp.h
