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
    /// A batch's kernels, shared with its other jobs; nil for a job on its own.
    let shared: SharedKernels?

    init(fromConfig: Bool, shared: SharedKernels? = nil) {
        self.fromConfig = fromConfig
        self.shared = shared
    }

    /// The kernel at `path`, resampled to `sampleRate` when `resample` is set and its rate differs.
    ///
    /// - Parameter key: the config key naming the file, for messages.
    mutating func load(
        _ path: String, key: String, inputPath: String, sampleRate: Int, resample: Bool = false
    ) throws(JobError) -> Kernel {
        let id = resample ? "\(path)@\(sampleRate)" : path
        if let kernel = loaded[id] { return kernel }
        var kernel = try raw(path, key: key)
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
            let original = kernel
            func make() throws(JobError) -> Kernel { try resampled(original, from: rate, to: sampleRate, key: key) }
            kernel = if let shared { try shared.kernel(id, make: make) } else { try make() }
            notices.append(
                "\(kernel.path): kernel resampled from \(rate) to \(sampleRate) Hz (libsoxr, very high quality), "
                    + "\(original.taps) → \(kernel.taps) taps")
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

    /// The file's kernel as loaded, from the batch's store when there is one.
    private func raw(_ path: String, key: String) throws(JobError) -> Kernel {
        let configKey = fromConfig ? key : nil
        func load() throws(JobError) -> Kernel {
            do { return try KernelLoader.load(path: path) } catch { throw JobError(audio: error, configKey: configKey) }
        }
        guard let shared else { return try load() }
        return try shared.kernel(path, make: load)
    }

    private func resampled(_ kernel: Kernel, from: Int, to: Int, key: String) throws(JobError) -> Kernel {
        var channels: [[Float]] = []
        for taps in kernel.channels {
            do {
                channels.append(try KernelResampler.resampleKernel(taps, from: from, to: to, path: kernel.path))
            } catch {
                throw JobError(audio: error, configKey: fromConfig ? key : nil)
            }
        }
        return Kernel(path: kernel.path, channels: channels, sampleRate: to)
    }
}
