internal import CALSA

/// Which way a sound card's PCM carries audio.
public enum PCMDirection: String, Sendable {
    case capture, playback
}

/// What an ALSA call refused. ``Kind/setting``: the device does not do what the config asks (a config
/// error, naming the config key in ``key``); ``Kind/device``: it cannot be opened or was lost.
public struct ALSAError: Error, Sendable {
    public enum Kind: Sendable {
        case setting, device
    }

    public let kind: Kind
    /// The `serve.stream` key the refusal is about (`rate`, `format`, `channels`, `periods`, or the
    /// device key), when it is a setting's.
    public let key: String?
    public let message: String
    /// alsa-lib's negative errno, when a call returned one.
    public let code: Int32?
}

/// One opened ALSA PCM in blocking, interleaved read/write mode, with the stream's format, channels and
/// rate set exactly, a period of the stream's block and `periods` periods of buffer. Every alsa-lib
/// call of the stream goes through this type; the handle is closed in `deinit`.
///
/// Owned by one stage thread (the reader for capture, the writer for playback) once opened;
/// `@unchecked Sendable` because it is opened on the set-up thread and handed over once.
public final class ALSAPCM: @unchecked Sendable {
    /// The PCM name as the config gives it (`hw:1`, `plughw:CARD=Device`, `default`, an asoundrc name).
    public let name: String
    public let direction: PCMDirection
    public let periodFrames: Int
    public let periods: Int
    let handle: OpaquePointer

    /// Opens `name` and sets it up. The rate must be the device's own (no resampling is asked for; a
    /// `plughw:` device may still convert), so a mismatch is found here, before the daemon is ready.
    /// - Parameters:
    ///   - deviceKey: the config key naming the device, for messages.
    /// - Throws: ``ALSAError`` `.device` when the PCM cannot be opened, `.setting` naming the config key
    ///   the device refuses.
    public init(
        name: String, direction: PCMDirection, deviceKey: String, format: RawSampleFormat, channels: Int, rate: Int,
        periodFrames: Int, periods: Int
    ) throws(ALSAError) {
        self.name = name
        self.direction = direction
        self.periodFrames = periodFrames
        self.periods = periods
        if let why = Self.libraryProblem {
            throw ALSAError(kind: .device, key: deviceKey, message: why, code: -ENOENT)
        }
        var pcm: OpaquePointer?
        let stream = direction == .capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK
        let opened = snd_pcm_open(&pcm, name, stream, 0)
        guard opened >= 0, let pcm else {
            let hint = opened == -ENOENT || opened == -ENODEV
                ? "; list the devices with `arecord -L` / `aplay -L`" : opened == -EBUSY
                ? "; another program holds it (a sound server? use its JACK or ALSA plugin, or stop it)" : ""
            throw ALSAError(
                kind: .device, key: deviceKey,
                message: "\(direction.rawValue) device '\(name)' cannot be opened: \(Self.text(opened))\(hint)",
                code: opened)
        }
        handle = pcm
        // Every property is set: when this throws, deinit runs and closes the handle (closing it here
        // as well was a double close that alsa-lib's plug PCM aborts on).
        try configure(format: format, channels: channels, rate: rate, deviceKey: deviceKey)
    }

    deinit { snd_pcm_close(handle) }

    /// What one transfer did.
    public enum Transfer: Sendable, Equatable {
        /// All the frames asked for.
        case done
        /// An xrun (or a suspend) after `frames` frames; recovered, the stream may go on.
        case xrun(frames: Int)
        /// The device failed (unplugged: ENODEV) after `frames` frames; it must be reopened.
        case failed(frames: Int, code: Int32)
    }

    /// Reads `frames` interleaved frames into `buffer`, waiting for them. Reader thread.
    public func read(into buffer: UnsafeMutableRawPointer, frames: Int) -> Transfer {
        transfer(frames) { done in
            snd_pcm_readi(handle, buffer + snd_pcm_frames_to_bytes(handle, done), snd_pcm_uframes_t(frames - done))
        }
    }

    /// Writes `frames` interleaved frames from `buffer`, waiting for room. Writer thread.
    public func write(_ buffer: UnsafeRawPointer, frames: Int) -> Transfer {
        transfer(frames) { done in
            snd_pcm_writei(handle, buffer + snd_pcm_frames_to_bytes(handle, done), snd_pcm_uframes_t(frames - done))
        }
    }

    /// Frames ready to read (capture) or room to write (playback); 0 on an error.
    public var available: Int {
        let n = snd_pcm_avail(handle)
        return n < 0 ? 0 : Int(n)
    }

    /// Plays out what is queued (playback) and stops. Writer thread, at the end of the stream.
    public func drain() {
        snd_pcm_drain(handle)
    }

    /// Loops `call` until `frames` are moved, recovering from xruns, suspends and signals with
    /// `snd_pcm_recover`; an error it cannot recover ends the transfer.
    private func transfer(_ frames: Int, _ call: (Int) -> snd_pcm_sframes_t) -> Transfer {
        var done = 0
        while done < frames {
            let n = call(done)
            if n >= 0 {
                done += Int(n)
                continue
            }
            let code = Int32(n)
            if code == -EINTR { continue }
            let recovered = snd_pcm_recover(handle, code, 1)
            if recovered < 0 { return .failed(frames: done, code: code) }
            if code == -EPIPE || code == -ESTRPIPE { return .xrun(frames: done) }
        }
        return .done
    }

    /// Why alsa-lib cannot be used here (it is loaded at first use, not at start), or nil.
    public static var libraryProblem: String? {
        firpipe_alsa_library_error().map {
            "alsa-lib cannot be loaded (\(String(cString: $0))); install it (Debian: libasound2) or use backend: pipe"
        }
    }

    /// alsa-lib's text for a negative error code.
    static func text(_ code: Int32) -> String {
        snd_strerror(code).map { String(cString: $0) } ?? "error \(code)"
    }

    /// Whether `name`'s base (before the first `:`) is a PCM the ALSA configuration defines (the
    /// built-in `hw`, `plughw`, `default`, `null`, … or an asoundrc's), without opening anything or
    /// evaluating its arguments (which would need the card to be present).
    public static func isDefined(_ name: String) -> Bool {
        guard libraryProblem == nil else { return false }
        let base = name.split(separator: ":", maxSplits: 1).first.map(String.init) ?? name
        var top: OpaquePointer?
        guard snd_config_update_ref(&top) >= 0, let top else { return false }
        defer { snd_config_unref(top) }
        var node: OpaquePointer?
        return snd_config_search(top, "pcm.\(base)", &node) >= 0
    }
}
