#ifndef FIRPIPE_CJACK_H
#define FIRPIPE_CJACK_H
// libjack (JACK2, or PipeWire's libjack through pw-jack), for `firpipe serve`'s jack backend; loaded at
// first use (JackLibrary.c), not at start.
#include <jack/jack.h>
#include <jack/thread.h>

/// NULL once libjack (libjack.so.0) is loaded, else why it cannot be. Call before any jack_ function.
/// Any thread.
const char *firpipe_jack_library_error(void);

/// jack_client_open, which Swift cannot call (it is variadic). Never starts a server (the daemon
/// connects to the one the system runs, and retries while there is none; JACK_DEFAULT_SERVER picks it),
/// and keeps the exact name, so the ports are where the config's connections say.
jack_client_t *firpipe_jack_open(const char *name, jack_status_t *status);

/// CPU time of JACK's process thread in nanoseconds (0 if unknown), read from another thread.
unsigned long long firpipe_jack_thread_cpu(jack_client_t *client);
#endif
