import Dispatch
import FirAudio
internal import Glibc

/// One side of an ALSA stream: its PCM while it works, and how to open it again when it is lost (a USB
/// card unplugged), with a back-off between attempts that doubles from 0.25 s up to 8 s.
///
/// Opened on the set-up thread (so a refused setting is a config error before READY), then owned by
/// one stage thread: the reader for capture, the writer for playback. `@unchecked Sendable` for that
/// one hand-over.
final class StreamDevice: @unchecked Sendable {
    let name: String
    let direction: PCMDirection
    /// The PCM, nil while the device is lost.
    private(set) var pcm: ALSAPCM?
    private let open: () throws(ALSAError) -> ALSAPCM
    private var delay = StreamDevice.firstDelay
    private var nextAttempt: UInt64 = 0

    static let firstDelay = 0.25
    static let longestDelay = 8.0

    /// Opens the device with the stream's format, channels and rate, a period of one block and
    /// `periods` periods.
    /// - Throws: `.config` naming the key the device refuses (rate, format, channels, periods,
    ///   block_size); `.ioError` when it cannot be opened at all.
    init(
        name: String, direction: PCMDirection, settings: StreamSettings, channels: Int, blockSize: Int, periods: Int
    ) throws(JobError) {
        self.name = name
        self.direction = direction
        let deviceKey = direction == .capture ? "capture_device" : "playback_device"
        open = { () throws(ALSAError) -> ALSAPCM in
            try ALSAPCM(
                name: name, direction: direction, deviceKey: deviceKey, format: settings.format, channels: channels,
                rate: settings.sampleRate, periodFrames: blockSize, periods: periods)
        }
        do throws(ALSAError) {
            pcm = try open()
        } catch {
            throw Self.jobError(error)
        }
    }

    /// The error a refusal at start is: a config error at the key the device refuses, else an I/O error.
    static func jobError(_ error: ALSAError) -> JobError {
        switch (error.kind, error.key) {
        case (.setting, "block_size"?): JobError(.config, error.message, configKey: "block_size")
        case (.setting, let key?): JobError(.config, error.message, configKey: "serve.stream.\(key)")
        default: JobError(.ioError, error.message)
        }
    }

    /// Forgets a PCM that failed; the next ``reopen()`` may try once the back-off has passed.
    /// - Returns: the line to log.
    func lose(code: Int32) -> String {
        pcm = nil
        delay = Self.firstDelay
        nextAttempt = Self.now + Self.nanoseconds(delay)
        return "\(direction.rawValue) device '\(name)' failed (\(String(cString: strerror(-code)))); "
            + "reopening it, waiting \(Self.firstDelay) s and then twice as long after each failure, up to "
            + "\(Self.longestDelay) s"
    }

    /// Seconds until the next attempt may be made (0 when it may be made now).
    var secondsToNextAttempt: Double {
        let now = Self.now
        return now >= nextAttempt ? 0 : Double(nextAttempt - now) / 1e9
    }

    /// Tries to open the device again if the back-off allows. Returns what to log, if anything: the
    /// reopening or why it failed.
    func reopen() -> String? {
        guard pcm == nil, secondsToNextAttempt == 0 else { return nil }
        do throws(ALSAError) {
            pcm = try open()
            delay = Self.firstDelay
            return "\(direction.rawValue) device '\(name)' reopened"
        } catch {
            delay = min(delay * 2, Self.longestDelay)
            nextAttempt = Self.now + Self.nanoseconds(delay)
            return "\(error.message); trying again in \(delay) s"
        }
    }

    private static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }
    private static func nanoseconds(_ seconds: Double) -> UInt64 { UInt64(seconds * 1e9) }
}
