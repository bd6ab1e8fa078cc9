// libjack's functions firpipe calls, forwarded to libjack.so.0 once loaded (CSystem.h says why).
#include "CSystem.h"
#include <time.h>
#pragma GCC visibility push(hidden)
#include "CJack.h"

#define JACK_FUNCTIONS(X)                                                                                \
    X(jack_activate) X(jack_client_close) X(jack_client_open) X(jack_client_real_time_priority)        \
    X(jack_client_thread_id) X(jack_connect) X(jack_deactivate) X(jack_get_buffer_size)                \
    X(jack_get_client_name) X(jack_get_sample_rate) X(jack_on_shutdown) X(jack_port_get_buffer)        \
    X(jack_port_get_latency_range) X(jack_port_name) X(jack_port_register)                             \
    X(jack_port_set_latency_range) X(jack_set_error_function) X(jack_set_info_function)                \
    X(jack_set_latency_callback) X(jack_set_port_registration_callback) X(jack_set_process_callback)   \
    X(jack_set_xrun_callback)

FIRPIPE_LAZY_LIBRARY(firpipe_jack, "libjack.so.0", JACK_FUNCTIONS)
#define F firpipe_jack_fn

jack_client_t *firpipe_jack_open(const char *name, jack_status_t *status) {
    return F.jack_client_open(name, (jack_options_t)(JackNoStartServer | JackUseExactName), status);
}

unsigned long long firpipe_jack_thread_cpu(jack_client_t *client) {
    clockid_t clock;
    struct timespec ts;
    if (pthread_getcpuclockid(F.jack_client_thread_id(client), &clock) != 0) return 0;
    if (clock_gettime(clock, &ts) != 0) return 0;
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

int jack_activate(jack_client_t *c) { return F.jack_activate(c); }
int jack_client_close(jack_client_t *c) { return F.jack_client_close(c); }
int jack_client_real_time_priority(jack_client_t *c) { return F.jack_client_real_time_priority(c); }
jack_native_thread_t jack_client_thread_id(jack_client_t *c) { return F.jack_client_thread_id(c); }
int jack_connect(jack_client_t *c, const char *from, const char *to) { return F.jack_connect(c, from, to); }
int jack_deactivate(jack_client_t *c) { return F.jack_deactivate(c); }
jack_nframes_t jack_get_buffer_size(jack_client_t *c) { return F.jack_get_buffer_size(c); }
char *jack_get_client_name(jack_client_t *c) { return F.jack_get_client_name(c); }
jack_nframes_t jack_get_sample_rate(jack_client_t *c) { return F.jack_get_sample_rate(c); }
void jack_on_shutdown(jack_client_t *c, JackShutdownCallback f, void *arg) { F.jack_on_shutdown(c, f, arg); }
void *jack_port_get_buffer(jack_port_t *port, jack_nframes_t frames) { return F.jack_port_get_buffer(port, frames); }
void jack_port_get_latency_range(jack_port_t *port, jack_latency_callback_mode_t mode, jack_latency_range_t *range) {
    F.jack_port_get_latency_range(port, mode, range);
}
const char *jack_port_name(const jack_port_t *port) { return F.jack_port_name(port); }
jack_port_t *jack_port_register(jack_client_t *c, const char *name, const char *type, unsigned long flags,
                                unsigned long bufferSize) {
    return F.jack_port_register(c, name, type, flags, bufferSize);
}
void jack_port_set_latency_range(jack_port_t *port, jack_latency_callback_mode_t mode, jack_latency_range_t *range) {
    F.jack_port_set_latency_range(port, mode, range);
}
void jack_set_error_function(void (*f)(const char *)) { F.jack_set_error_function(f); }
void jack_set_info_function(void (*f)(const char *)) { F.jack_set_info_function(f); }
int jack_set_latency_callback(jack_client_t *c, JackLatencyCallback f, void *arg) { return F.jack_set_latency_callback(c, f, arg); }
int jack_set_port_registration_callback(jack_client_t *c, JackPortRegistrationCallback f, void *arg) {
    return F.jack_set_port_registration_callback(c, f, arg);
}
int jack_set_process_callback(jack_client_t *c, JackProcessCallback f, void *arg) { return F.jack_set_process_callback(c, f, arg); }
int jack_set_xrun_callback(jack_client_t *c, JackXRunCallback f, void *arg) { return F.jack_set_xrun_callback(c, f, arg); }
