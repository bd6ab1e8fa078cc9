#ifndef FIRPIPE_CJACK_SHIM_H
#define FIRPIPE_CJACK_SHIM_H
// libjack (JACK2, or PipeWire's libjack through pw-jack), for `firpipe serve`'s jack backend.
#include <jack/jack.h>
#include <jack/thread.h>
#include <pthread.h>
#include <time.h>

// jack_client_open is variadic, which Swift cannot call. Never start a server (the daemon connects
// to the one the system runs, and retries while there is none; JACK_DEFAULT_SERVER picks it), and
// keep the exact name, so the ports are where the config's connections say.
static inline jack_client_t *firpipe_jack_open(const char *name, jack_status_t *status) {
    return jack_client_open(name, (jack_options_t)(JackNoStartServer | JackUseExactName), status);
}

// CPU time of JACK's process thread in nanoseconds (0 if unknown), read from another thread.
static inline unsigned long long firpipe_jack_thread_cpu(jack_client_t *client) {
    clockid_t clock;
    struct timespec ts;
    if (pthread_getcpuclockid(jack_client_thread_id(client), &clock) != 0) return 0;
    if (clock_gettime(clock, &ts) != 0) return 0;
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}
#endif
