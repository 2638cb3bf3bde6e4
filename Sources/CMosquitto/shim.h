#ifndef VAKT_CMOSQUITTO_SHIM_H
#define VAKT_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#endif
