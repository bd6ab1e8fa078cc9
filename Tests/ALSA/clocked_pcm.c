/*
 * A clocked ALSA PCM for the tests: an alsa-lib external (ioplug) plugin that behaves like a sound card
 * without one. Why it exists: alsa-lib's null PCM has no clock and the jack PCM drops frames without
 * reporting them, so neither can make an xrun happen; this one can, which is what ServeALSAXrunTests
 * needs to test firpipe's recovery.
 *
 * Once started, its hardware pointer moves with CLOCK_MONOTONIC at the configured rate. Playback
 * takes frames (appended to `file`, when given, as the application writes them); capture gives frames
 * (from `infile`, looped, or zeros). When the application falls a whole buffer behind (playback: the
 * card played everything written; capture: a buffer's worth waits unread) the pointer callback
 * returns -EPIPE, so alsa-lib reports an xrun as a card's driver would. A timerfd wakes the
 * application each period.
 *
 * Built by the test (without -DPIC the plugin's version symbol refers to snd_dlsym_start, which only
 * a static alsa-lib has, and loading fails):
 *     cc -shared -fPIC -DPIC -o libasound_module_pcm_clocked.so clocked_pcm.c -lasound
 * Used in an asoundrc:
 *     pcm_type.clocked { lib "/path/libasound_module_pcm_clocked.so" }
 *     pcm.out { type clocked file "/path/out.raw" }      # rate 48000 unless `rate` says otherwise
 *     pcm.in { type clocked infile "/path/in.raw" }
 */
#include <alsa/asoundlib.h>
#include <alsa/pcm_external.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

struct clocked {
    snd_pcm_ioplug_t io;
    int file;            /* playback: where frames go; capture: where they come from; -1 for none */
    int timer;           /* the poll descriptor: a timerfd ticking once a period while running */
    unsigned int frame_bytes;
    int running;
    struct timespec started;
    uint64_t hw;         /* frames the "card" has played or captured since prepare */
    uint64_t appl;       /* frames the application has written or read since prepare */
};

static uint64_t nanoseconds_since(const struct timespec *t) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)(now.tv_sec - t->tv_sec) * 1000000000u + (uint64_t)now.tv_nsec - (uint64_t)t->tv_nsec;
}

/* The card's position: frozen when stopped, else the frames the clock has run through since start. */
static uint64_t hw_frames(struct clocked *c) {
    if (c->running)
        c->hw = (uint64_t)((unsigned __int128)nanoseconds_since(&c->started) * c->io.rate / 1000000000u);
    return c->hw;
}

/* Whether the application fell a whole buffer behind the card. */
static int fell_behind(struct clocked *c, uint64_t hw) {
    if (!c->running)
        return 0;
    if (c->io.stream == SND_PCM_STREAM_PLAYBACK)
        return hw >= c->appl;
    return hw - c->appl >= c->io.buffer_size;
}

static void set_timer(struct clocked *c, int on) {
    /* Rounded up, so a tick never comes before its period's frames are there. */
    long period = on ? (long)((c->io.period_size * 1000000000ull + c->io.rate - 1) / c->io.rate) : 0;
    struct itimerspec spec = {
        .it_interval = { period / 1000000000, period % 1000000000 },
        .it_value = { period / 1000000000, period % 1000000000 },
    };
    timerfd_settime(c->timer, 0, &spec, NULL);
}

static int clocked_start(snd_pcm_ioplug_t *io) {
    struct clocked *c = io->private_data;
    clock_gettime(CLOCK_MONOTONIC, &c->started);
    c->running = 1;
    set_timer(c, 1);
    return 0;
}

static int clocked_stop(snd_pcm_ioplug_t *io) {
    struct clocked *c = io->private_data;
    hw_frames(c);
    c->running = 0;
    set_timer(c, 0);
    return 0;
}

static int clocked_prepare(snd_pcm_ioplug_t *io) {
    struct clocked *c = io->private_data;
    c->running = 0;
    c->hw = c->appl = 0;
    set_timer(c, 0);
    return 0;
}

static snd_pcm_sframes_t clocked_pointer(snd_pcm_ioplug_t *io) {
    struct clocked *c = io->private_data;
    uint64_t hw = hw_frames(c);
    if (fell_behind(c, hw))
        return -EPIPE;
    return (snd_pcm_sframes_t)(hw % io->buffer_size);
}

/* Capture: fills from the looped infile, zeros without one (or when it is empty or unreadable). */
static void fill(struct clocked *c, char *buf, size_t bytes) {
    int rewound = 0;
    while (bytes > 0) {
        ssize_t n = c->file >= 0 ? read(c->file, buf, bytes) : 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 && !rewound && c->file >= 0 && lseek(c->file, 0, SEEK_SET) == 0) {
            rewound = 1;
            continue;
        }
        if (n <= 0) {
            memset(buf, 0, bytes);
            return;
        }
        rewound = 0;
        buf += n;
        bytes -= (size_t)n;
    }
}

static void append(struct clocked *c, const char *buf, size_t bytes) {
    while (c->file >= 0 && bytes > 0) {
        ssize_t n = write(c->file, buf, bytes);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        bytes -= (size_t)n;
    }
}

static snd_pcm_sframes_t clocked_transfer(
    snd_pcm_ioplug_t *io, const snd_pcm_channel_area_t *areas, snd_pcm_uframes_t offset, snd_pcm_uframes_t size
) {
    struct clocked *c = io->private_data;
    /* Interleaved: channel 0's area walks every channel's samples. */
    char *buf = (char *)areas[0].addr + (areas[0].first + areas[0].step * offset) / 8;
    if (io->stream == SND_PCM_STREAM_PLAYBACK)
        append(c, buf, size * c->frame_bytes);
    else
        fill(c, buf, size * c->frame_bytes);
    c->appl += size;
    return (snd_pcm_sframes_t)size;
}

static int clocked_hw_params(snd_pcm_ioplug_t *io, snd_pcm_hw_params_t *params) {
    struct clocked *c = io->private_data;
    (void)params;
    c->frame_bytes = (unsigned int)snd_pcm_format_physical_width(io->format) / 8 * io->channels;
    return 0;
}

/* Ready once a period can move (or the application fell behind, so it meets the xrun). */
static int clocked_poll_revents(snd_pcm_ioplug_t *io, struct pollfd *pfd, unsigned int nfds, unsigned short *revents) {
    struct clocked *c = io->private_data;
    uint64_t ticks;
    (void)pfd;
    (void)nfds;
    while (read(c->timer, &ticks, sizeof ticks) > 0) {}
    uint64_t hw = hw_frames(c);
    int ready = !c->running || fell_behind(c, hw)
        || (io->stream == SND_PCM_STREAM_PLAYBACK ? c->appl + io->period_size <= hw + io->buffer_size
                                                  : hw >= c->appl + io->period_size);
    *revents = ready ? (io->stream == SND_PCM_STREAM_PLAYBACK ? POLLOUT : POLLIN) : 0;
    return 0;
}

static int clocked_close(snd_pcm_ioplug_t *io) {
    struct clocked *c = io->private_data;
    if (c->file >= 0)
        close(c->file);
    close(c->timer);
    free(c);
    return 0;
}

static const snd_pcm_ioplug_callback_t clocked_callbacks = {
    .start = clocked_start,
    .stop = clocked_stop,
    .prepare = clocked_prepare,
    .pointer = clocked_pointer,
    .transfer = clocked_transfer,
    .hw_params = clocked_hw_params,
    .poll_revents = clocked_poll_revents,
    .close = clocked_close,
};

/* The formats firpipe streams: s16le, s24le (3 bytes), s32le, f32le. */
static int constrain(snd_pcm_ioplug_t *io, unsigned int rate) {
    static const unsigned int access[] = { SND_PCM_ACCESS_RW_INTERLEAVED };
    static const unsigned int formats[] = {
        SND_PCM_FORMAT_S16_LE, SND_PCM_FORMAT_S24_3LE, SND_PCM_FORMAT_S32_LE, SND_PCM_FORMAT_FLOAT_LE,
    };
    int err;
    if ((err = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_ACCESS, 1, access)) < 0
        || (err = snd_pcm_ioplug_set_param_list(io, SND_PCM_IOPLUG_HW_FORMAT, 4, formats)) < 0
        || (err = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_CHANNELS, 1, 32)) < 0
        || (err = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_RATE, rate, rate)) < 0
        || (err = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_PERIOD_BYTES, 16, 1 << 20)) < 0
        || (err = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_PERIODS, 2, 64)) < 0
        || (err = snd_pcm_ioplug_set_param_minmax(io, SND_PCM_IOPLUG_HW_BUFFER_BYTES, 32, 1 << 24)) < 0)
        return err;
    return 0;
}

SND_PCM_PLUGIN_DEFINE_FUNC(clocked) {
    snd_config_iterator_t i, next;
    const char *path = NULL;
    long rate = 48000;
    (void)root;
    snd_config_for_each(i, next, conf) {
        snd_config_t *n = snd_config_iterator_entry(i);
        const char *id;
        if (snd_config_get_id(n, &id) < 0)
            continue;
        if (!strcmp(id, "comment") || !strcmp(id, "type") || !strcmp(id, "hint"))
            continue;
        if ((!strcmp(id, "file") && stream == SND_PCM_STREAM_PLAYBACK)
            || (!strcmp(id, "infile") && stream == SND_PCM_STREAM_CAPTURE)) {
            if (snd_config_get_string(n, &path) < 0) {
                SNDERR("clocked: %s must be a string", id);
                return -EINVAL;
            }
        } else if (!strcmp(id, "file") || !strcmp(id, "infile")) {
            continue;  /* the other direction's */
        } else if (!strcmp(id, "rate")) {
            if (snd_config_get_integer(n, &rate) < 0 || rate <= 0) {
                SNDERR("clocked: rate must be a positive integer");
                return -EINVAL;
            }
        } else {
            SNDERR("clocked: unknown field %s", id);
            return -EINVAL;
        }
    }

    struct clocked *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    c->file = -1;
    c->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (c->timer < 0) {
        free(c);
        return -errno;
    }
    if (path) {
        c->file = stream == SND_PCM_STREAM_PLAYBACK ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                                                    : open(path, O_RDONLY | O_CLOEXEC);
        if (c->file < 0) {
            int err = -errno;
            SNDERR("clocked: cannot open %s", path);
            close(c->timer);
            free(c);
            return err;
        }
    }
    c->io.version = SND_PCM_IOPLUG_VERSION;
    c->io.name = "firpipe test clocked PCM";
    c->io.callback = &clocked_callbacks;
    c->io.private_data = c;
    c->io.poll_fd = c->timer;
    c->io.poll_events = POLLIN;  /* what a timerfd signals; poll_revents says POLLOUT for playback */
    int err = snd_pcm_ioplug_create(&c->io, name, stream, mode);
    if (err < 0) {
        clocked_close(&c->io);
        return err;
    }
    if ((err = constrain(&c->io, (unsigned int)rate)) < 0) {
        snd_pcm_ioplug_delete(&c->io);  /* closes, through clocked_close */
        return err;
    }
    *pcmp = c->io.pcm;
    return 0;
}

SND_PCM_PLUGIN_SYMBOL(clocked);
