#ifndef FIRPIPE_CSNDFILE_SHIM_H
#define FIRPIPE_CSNDFILE_SHIM_H
#include <sndfile.h>

#endif
