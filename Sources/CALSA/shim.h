#ifndef FIRPIPE_CALSA_SHIM_H
#define FIRPIPE_CALSA_SHIM_H
#include <alsa/asoundlib.h>

#endif
