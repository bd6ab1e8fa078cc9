import FirCore

/// Values given on the command line, which win over the config file's in `ConfigFile.resolve(_:)`.
///
/// Paths here are used as given (relative to the working directory, not to the config file), and
/// values are not range-checked again: the command line checks its own options.
public struct ConfigOverrides: Sendable, Equatable {
    /// Replaces `input`.
    public var input: String?
    /// Replaces `output`.
    public var output: String?
    /// Replaces the file's `kernel` or `channels` with one kernel file for every channel.
    public var kernel: String?
    /// Replaces `mode`.
    public var mode: ConvolutionMode?
    /// Replaces `length`.
    public var length: OutputLength?
    /// Replaces the top-level `gain_db` (per-channel gains in `channels` still apply).
    public var gainDB: Double?
    /// Replaces `block_size`.
    public var blockSize: Int?
    /// Replaces `threads`.
    public var threads: Int?
    /// Replaces `format`.
    public var container: ContainerName?
    /// Replaces `subtype`.
    public var sampleFormat: SampleFormatName?
    /// Resamples every kernel of another rate (`--resample-kernels`), as `resample: true` on each filter.
    public var resampleKernels: Bool?
    /// Replaces `dither`.
    public var dither: DitherMode?
    /// Replaces `dither_seed`.
    public var ditherSeed: UInt64?
    /// Replaces `limit_db`.
    public var limitDB: Double?

    /// Overrides for the given values; every other value comes from the config file.
    public init(
        input: String? = nil, output: String? = nil, kernel: String? = nil,
        mode: ConvolutionMode? = nil, length: OutputLength? = nil, gainDB: Double? = nil,
        blockSize: Int? = nil, threads: Int? = nil,
        container: ContainerName? = nil, sampleFormat: SampleFormatName? = nil
    ) {
        self.input = input
        self.output = output
        self.kernel = kernel
        self.mode = mode
        self.length = length
        self.gainDB = gainDB
        self.blockSize = blockSize
        self.threads = threads
        self.container = container
        self.sampleFormat = sampleFormat
    }
}
