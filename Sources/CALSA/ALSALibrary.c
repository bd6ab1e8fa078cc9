// alsa-lib's functions firpipe calls, forwarded to libasound.so.2 once loaded (CSystem.h says why).
#include "CSystem.h"
#pragma GCC visibility push(hidden)
#include "CALSA.h"

#define ALSA_FUNCTIONS(X)                                                                               \
    X(snd_config_search) X(snd_config_unref) X(snd_config_update_ref) X(snd_pcm_avail) X(snd_pcm_close) \
    X(snd_pcm_drain) X(snd_pcm_format_name) X(snd_pcm_frames_to_bytes) X(snd_pcm_hw_params)            \
    X(snd_pcm_hw_params_any) X(snd_pcm_hw_params_free) X(snd_pcm_hw_params_get_channels_max)          \
    X(snd_pcm_hw_params_get_channels_min) X(snd_pcm_hw_params_get_period_size_max)                    \
    X(snd_pcm_hw_params_get_period_size_min) X(snd_pcm_hw_params_get_periods_max)                     \
    X(snd_pcm_hw_params_get_periods_min) X(snd_pcm_hw_params_get_rate_max)                            \
    X(snd_pcm_hw_params_get_rate_min) X(snd_pcm_hw_params_malloc) X(snd_pcm_hw_params_set_access)     \
    X(snd_pcm_hw_params_set_channels) X(snd_pcm_hw_params_set_format)                                 \
    X(snd_pcm_hw_params_set_period_size) X(snd_pcm_hw_params_set_periods) X(snd_pcm_hw_params_set_rate) \
    X(snd_pcm_hw_params_set_rate_resample) X(snd_pcm_hw_params_test_format) X(snd_pcm_open)           \
    X(snd_pcm_readi) X(snd_pcm_recover) X(snd_pcm_sw_params) X(snd_pcm_sw_params_current)             \
    X(snd_pcm_sw_params_free) X(snd_pcm_sw_params_malloc) X(snd_pcm_sw_params_set_avail_min)          \
    X(snd_pcm_sw_params_set_start_threshold) X(snd_pcm_writei) X(snd_strerror)

FIRPIPE_LAZY_LIBRARY(firpipe_alsa, "libasound.so.2", ALSA_FUNCTIONS)
#define F firpipe_alsa_fn

int snd_config_search(snd_config_t *c, const char *key, snd_config_t **result) { return F.snd_config_search(c, key, result); }
void snd_config_unref(snd_config_t *top) { F.snd_config_unref(top); }
int snd_config_update_ref(snd_config_t **top) { return F.snd_config_update_ref(top); }
snd_pcm_sframes_t snd_pcm_avail(snd_pcm_t *pcm) { return F.snd_pcm_avail(pcm); }
int snd_pcm_close(snd_pcm_t *pcm) { return F.snd_pcm_close(pcm); }
int snd_pcm_drain(snd_pcm_t *pcm) { return F.snd_pcm_drain(pcm); }
const char *snd_pcm_format_name(const snd_pcm_format_t format) { return F.snd_pcm_format_name(format); }
ssize_t snd_pcm_frames_to_bytes(snd_pcm_t *pcm, snd_pcm_sframes_t frames) { return F.snd_pcm_frames_to_bytes(pcm, frames); }
int snd_pcm_hw_params(snd_pcm_t *pcm, snd_pcm_hw_params_t *p) { return F.snd_pcm_hw_params(pcm, p); }
int snd_pcm_hw_params_any(snd_pcm_t *pcm, snd_pcm_hw_params_t *p) { return F.snd_pcm_hw_params_any(pcm, p); }
void snd_pcm_hw_params_free(snd_pcm_hw_params_t *p) { F.snd_pcm_hw_params_free(p); }
int snd_pcm_hw_params_get_channels_max(const snd_pcm_hw_params_t *p, unsigned int *v) { return F.snd_pcm_hw_params_get_channels_max(p, v); }
int snd_pcm_hw_params_get_channels_min(const snd_pcm_hw_params_t *p, unsigned int *v) { return F.snd_pcm_hw_params_get_channels_min(p, v); }
int snd_pcm_hw_params_get_period_size_max(const snd_pcm_hw_params_t *p, snd_pcm_uframes_t *v, int *dir) { return F.snd_pcm_hw_params_get_period_size_max(p, v, dir); }
int snd_pcm_hw_params_get_period_size_min(const snd_pcm_hw_params_t *p, snd_pcm_uframes_t *v, int *dir) { return F.snd_pcm_hw_params_get_period_size_min(p, v, dir); }
int snd_pcm_hw_params_get_periods_max(const snd_pcm_hw_params_t *p, unsigned int *v, int *dir) { return F.snd_pcm_hw_params_get_periods_max(p, v, dir); }
int snd_pcm_hw_params_get_periods_min(const snd_pcm_hw_params_t *p, unsigned int *v, int *dir) { return F.snd_pcm_hw_params_get_periods_min(p, v, dir); }
int snd_pcm_hw_params_get_rate_max(const snd_pcm_hw_params_t *p, unsigned int *v, int *dir) { return F.snd_pcm_hw_params_get_rate_max(p, v, dir); }
int snd_pcm_hw_params_get_rate_min(const snd_pcm_hw_params_t *p, unsigned int *v, int *dir) { return F.snd_pcm_hw_params_get_rate_min(p, v, dir); }
int snd_pcm_hw_params_malloc(snd_pcm_hw_params_t **p) { return F.snd_pcm_hw_params_malloc(p); }
int snd_pcm_hw_params_set_access(snd_pcm_t *pcm, snd_pcm_hw_params_t *p, snd_pcm_access_t a) { return F.snd_pcm_hw_params_set_access(pcm, p, a); }
int snd_pcm_hw_params_set_channels(snd_pcm_t *pcm, snd_pcm_hw_params_t *p, unsigned int v) { return F.snd_pcm_hw_params_set_channels(pcm, p, v); }
int snd_pcm_hw_params_set_format(snd_pcm_t *pcm, snd_pcm_hw_params_t *p, snd_pcm_format_t v) { return F.snd_pcm_hw_params_set_format(pcm, p, v); }
int snd_pcm_hw_params_set_period_size(snd_pcm_t *pcm, snd_pcm_hw_params_t *p, snd_pcm_uframes_t v, int dir) { return F.snd_pcm_hw_params_set_period_size(pcm, p, v, dir); }
int snd_pcm_hw_params_set_periods(snd_pcm_t *pcm, snd_pcm_hw_params_t *p, unsigned int v, int dir) { return F.snd_pcm_hw_params_set_periods(pcm, p, v, dir); }
int snd_pcm_hw_params_set_rate(snd_pcm_t *pcm, snd_pcm_hw_params_t *p, unsigned int v, int dir) { return F.snd_pcm_hw_params_set_rate(pcm, p, v, dir); }
int snd_pcm_hw_params_set_rate_resample(snd_pcm_t *pcm, snd_pcm_hw_params_t *p, unsigned int v) { return F.snd_pcm_hw_params_set_rate_resample(pcm, p, v); }
int snd_pcm_hw_params_test_format(snd_pcm_t *pcm, snd_pcm_hw_params_t *p, snd_pcm_format_t v) { return F.snd_pcm_hw_params_test_format(pcm, p, v); }
int snd_pcm_open(snd_pcm_t **pcm, const char *name, snd_pcm_stream_t stream, int mode) { return F.snd_pcm_open(pcm, name, stream, mode); }
snd_pcm_sframes_t snd_pcm_readi(snd_pcm_t *pcm, void *buffer, snd_pcm_uframes_t size) { return F.snd_pcm_readi(pcm, buffer, size); }
int snd_pcm_recover(snd_pcm_t *pcm, int err, int silent) { return F.snd_pcm_recover(pcm, err, silent); }
int snd_pcm_sw_params(snd_pcm_t *pcm, snd_pcm_sw_params_t *p) { return F.snd_pcm_sw_params(pcm, p); }
int snd_pcm_sw_params_current(snd_pcm_t *pcm, snd_pcm_sw_params_t *p) { return F.snd_pcm_sw_params_current(pcm, p); }
void snd_pcm_sw_params_free(snd_pcm_sw_params_t *p) { F.snd_pcm_sw_params_free(p); }
int snd_pcm_sw_params_malloc(snd_pcm_sw_params_t **p) { return F.snd_pcm_sw_params_malloc(p); }
int snd_pcm_sw_params_set_avail_min(snd_pcm_t *pcm, snd_pcm_sw_params_t *p, snd_pcm_uframes_t v) { return F.snd_pcm_sw_params_set_avail_min(pcm, p, v); }
int snd_pcm_sw_params_set_start_threshold(snd_pcm_t *pcm, snd_pcm_sw_params_t *p, snd_pcm_uframes_t v) { return F.snd_pcm_sw_params_set_start_threshold(pcm, p, v); }
snd_pcm_sframes_t snd_pcm_writei(snd_pcm_t *pcm, const void *buffer, snd_pcm_uframes_t size) { return F.snd_pcm_writei(pcm, buffer, size); }
const char *snd_strerror(int code) { return F.snd_strerror(code); }
