import FirAudio

/// Kernel files loaded once per job (or reload) however many filters name them, each checked for its
/// length and its sample rate against the audio's. Caller's thread.
struct KernelCache {
    /// The longest kernel accepted: 2^24 taps (about 5.8 minutes at 48 kHz).
    static let maxTaps = 1 << 24

    /// Whether errors carry config keys (and become config errors).
    let fromConfig: Bool
    private var loaded: [String: Kernel] = [:]
    /// One line for each kernel resampled, for the job's summary.
    private(set) var notices: [String] = []

    init(fromConfig: Bool) {
        self.fromConfig = fromConfig
    }

    /// The kernel at `path`, resampled to `sampleRate` when `resample` is set and its rate differs.
    ///
    /// - Parameter key: the config key naming the file, for messages.
    mutating func load(
        _ path: String, key: String, inputPath: String, sampleRate: Int, resample: Bool = false
    ) throws(JobError) -> Kernel {
        let id = resample ? "\(path)@\(sampleRate)" : path
        if let kernel = loaded[id] { return kernel }
        var kernel: Kernel
        do { kernel = try KernelLoader.load(path: path) } catch {
            throw JobError(audio: error, configKey: fromConfig ? key : nil)
        }
        if let rate = kernel.sampleRate, rate != sampleRate {
            guard resample else {
                let fix = fromConfig
                    ? "resample the kernel to \(sampleRate) Hz, or add 'resample: true' to its filter"
                    : "resample the kernel to \(sampleRate) Hz, or pass --resample-kernels"
                throw JobError(
                    fromConfig ? .config : .badData,
                    "\(path): kernel sample rate is \(rate) Hz but input \(inputPath) is \(sampleRate) Hz; \(fix)",
                    configKey: fromConfig ? key : nil)
            }
            kernel = try resampled(kernel, from: rate, to: sampleRate, key: key)
        }
        if kernel.taps > Self.maxTaps {
            throw JobError(
                fromConfig ? .config : .badData,
                "\(path): kernel has \(kernel.taps) taps, more than the \(Self.maxTaps) firpipe supports; shorten it",
                configKey: fromConfig ? key : nil)
        }
        loaded[id] = kernel
        return kernel
    }

    private mutating func resampled(_ kernel: Kernel, from: Int, to: Int, key: String) throws(JobError) -> Kernel {
        var channels: [[Float]] = []
        for taps in kernel.channels {
            do {
                channels.append(try KernelResampler.resampleKernel(taps, from: from, to: to, path: kernel.path))
            } catch {
                throw JobError(audio: error, configKey: fromConfig ? key : nil)
            }
        }
        notices.append(
            "\(kernel.path): kernel resampled from \(from) to \(to) Hz (libsoxr, very high quality), "
                + "\(kernel.taps) → \(channels.first?.count ?? 0) taps")
        return Kernel(path: kernel.path, channels: channels, sampleRate: to)
    }
}
