#ifndef FIRPIPE_CALSA_H
#define FIRPIPE_CALSA_H
// alsa-lib, for `firpipe serve`'s alsa backend; loaded at first use (ALSALibrary.c), not at start.
#include <alsa/asoundlib.h>

/// NULL once alsa-lib (libasound.so.2) is loaded, else why it cannot be. Call before any snd_ function.
/// Any thread.
const char *firpipe_alsa_library_error(void);
#endif
