import FirAudio
import FirCore

/// One channel's filter: which kernel file, which of its channels, and a gain.
public struct KernelAssignment: Sendable, Equatable {
    /// Path of the kernel file (audio, or text with one coefficient a line).
    public var path: String
    /// Channel of the kernel file to use; `nil` means "the channel matching the input channel, or the
    /// only one for a mono kernel".
    public var channel: Int?
    /// Gain in dB applied to this channel only.
    public var gainDB: Double

    public init(path: String, channel: Int? = nil, gainDB: Double = 0) {
        self.path = path
        self.channel = channel
        self.gainDB = gainDB
    }
}

/// The filter of a job: one kernel file for every channel, one assignment per input channel, or a graph.
public enum KernelSpec: Sendable, Equatable {
    /// A mono kernel applies to every channel; a C-channel kernel applies channel i to input channel i.
    case shared(path: String)
    /// Exactly one entry per input channel, in channel order.
    case perChannel([KernelAssignment])
    /// A processing graph: filters, mixers and the pipeline that applies them (``GraphSpec``).
    case graph(GraphSpec)
}

/// Output sample format names, as `--subtype` and the config take them.
public enum SampleFormatName: String, Sendable, CaseIterable, Codable {
    case pcm16, pcm24, pcm32, float, double
}

/// Dither choices, as `--dither` and the config take them.
public enum DitherMode: String, Sendable, CaseIterable, Codable {
    /// Plain rounding.
    case none
    /// Triangular dither of ±1 LSB before rounding to integers (``TPDFDither``).
    case tpdf
}

/// What a NaN or infinite input sample does, as `--non-finite` and the config's `non_finite` take them.
/// One rule for files and streams.
public enum NonFiniteMode: String, Sendable, CaseIterable, Codable {
    /// The run stops with bad data (65), naming the file or stream, channel and frame of the first one.
    case error
    /// Each is replaced by silence (0) and counted.
    case zero
}

/// Output container names, as `--format` and the config take them.
public enum ContainerName: String, Sendable, CaseIterable, Codable {
    case wav, wavex, flac, aiff, w64, rf64, caf
}

/// Everything a batch run needs, after the command line and config file have been merged.
/// Paths are as given (relative to the working directory); nothing has been opened yet.
public struct JobSpec: Sendable, Equatable {
    public var input: String
    public var output: String
    public var kernels: KernelSpec
    public var mode: ConvolutionMode = .convolve
    public var length: OutputLength = .full
    /// Gain in dB applied to every channel, on top of per-channel gains.
    public var gainDB: Double = 0
    /// Partition (and processing block) size in samples; `nil` lets the cost model choose.
    public var blockSize: Int?
    /// Worker threads; `nil` means one per core.
    public var threads: Int?
    /// Output container; `nil` means from the output file's extension.
    public var container: ContainerName?
    /// Output sample format; `nil` means the input's (float input gives float output).
    public var sampleFormat: SampleFormatName?
    /// Resample kernels recorded at another rate than the input's (libsoxr) instead of refusing them.
    public var resampleKernels = false
    /// The output limiter's ceiling in dBFS (``limitRange``); nil for no limiter.
    public var limitDB: Double?
    /// Dither for integer output.
    public var dither: DitherMode = .none
    /// The dither's seed: the same seed gives the same output.
    public var ditherSeed: UInt64 = 1
    /// What a NaN or infinite input sample does.
    public var nonFinite: NonFiniteMode = .error

    public init(input: String, output: String, kernels: KernelSpec) {
        self.input = input
        self.output = output
        self.kernels = kernels
    }

    /// The accepted range of `blockSize`.
    public static let blockSizeRange = 16...(1 << 22)
    /// The accepted range of `limitDB`.
    public static let limitRange = -60.0...0.0
    /// The accepted range of `threads`.
    public static let threadRange = 1...256
}

extension JobSpec {
    /// The kernel files the job names, in the order the job uses them.
    var kernelPaths: [String] {
        switch kernels {
        case .shared(let path): [path]
        case .perChannel(let assignments): assignments.map(\.path)
        case .graph(let graph):
            graph.filters.keys.sorted().compactMap { name in
                guard case .convolution(let conv)? = graph.filters[name] else { return nil }
                return conv.path
            }
        }
    }

    /// Refuses a path longer than the system takes (a name over 255 bytes, a path over 4095) before
    /// anything is opened: an output so named would otherwise fail only at the rename, after the whole
    /// input was filtered. One pass over each path.
    ///
    /// - Throws: `.cannotCreate` for the output, `.missingInput` for the input or a kernel (no such file
    ///   can exist).
    func checkPathLengths() throws(JobError) {
        if let problem = PlatformPath.lengthProblem(output) {
            throw JobError(.cannotCreate, "\(PlatformPath.abbreviated(output)): \(problem)")
        }
        for path in [input] + kernelPaths {
            if let problem = PlatformPath.lengthProblem(path) {
                throw JobError(.missingInput, "\(PlatformPath.abbreviated(path)): \(problem)")
            }
        }
    }
}
