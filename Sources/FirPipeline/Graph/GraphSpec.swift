internal import Glibc

/// A processing graph as a config file declares it: named filters and mixers, and a pipeline that
/// applies them in order. Names are checked against their definitions when the file is read; channel
/// counts are checked against the input when the graph is compiled (``GraphCompiler``), the first
/// moment the input's channel count is known.
///
/// ```yaml
/// filters:
///   room_l: {type: convolution, kernel: room.wav, channel: 0, gain_db: -3, normalize: peak}
///   align:  {type: delay, delay: 1.5, unit: ms}          # unit: ms (default) or samples; subsample: true
///   flip:   {type: gain, gain_db: 0, invert: true}       # mute: true silences the channel
/// mixers:
///   mono_to_stereo:
///     channels: {in: 1, out: 2}
///     mapping:
///       - {dest: 0, sources: [{channel: 0}]}
///       - {dest: 1, sources: [{channel: 0, gain_db: -6, invert: true}]}
/// pipeline:
///   - {type: mixer, name: mono_to_stereo}
///   - {type: filter, channels: [0], names: [room_l, align]}
///   - {type: filter, names: [flip]}                       # no channels: every channel
/// ```
///
/// Immutable and `Sendable`.
public struct GraphSpec: Sendable, Equatable {
    /// Filters by name, in file order.
    public var filters: [String: FilterDefinition]
    /// Mixers by name.
    public var mixers: [String: MixerDefinition]
    /// The steps, in order; empty means the input passes through unchanged.
    public var pipeline: [PipelineStep]

    public init(filters: [String: FilterDefinition], mixers: [String: MixerDefinition], pipeline: [PipelineStep]) {
        self.filters = filters
        self.mixers = mixers
        self.pipeline = pipeline
    }
}

/// One named filter of a graph.
public enum FilterDefinition: Sendable, Equatable {
    case convolution(ConvolutionFilter)
    case gain(GainFilter)
    case delay(DelayFilter)
}

/// A kernel file's channel as a filter.
public struct ConvolutionFilter: Sendable, Equatable {
    /// The kernel file (audio or text), absolute once the config is resolved.
    public var path: String
    /// Which channel of the kernel file; 0 when not given.
    public var channel: Int
    /// Gain folded into the kernel, after normalization.
    public var gainDB: Double
    public var normalize: KernelNormalization
    /// Resample a kernel recorded at another rate to the audio's (libsoxr), instead of refusing it.
    public var resample: Bool

    public init(
        path: String, channel: Int = 0, gainDB: Double = 0, normalize: KernelNormalization = .none,
        resample: Bool = false
    ) {
        self.path = path
        self.channel = channel
        self.gainDB = gainDB
        self.normalize = normalize
        self.resample = resample
    }
}

/// How a convolution filter scales its kernel before its own `gain_db`.
public enum KernelNormalization: String, Sendable, CaseIterable, Equatable {
    /// The taps as the file holds them.
    case none
    /// The largest tap's magnitude becomes 1.
    case peak
    /// The sum of squared taps becomes 1 (unit energy: white noise keeps its power).
    case energy
    /// The sum of taps becomes 1 (unit gain at 0 Hz).
    case dc
}

/// A gain, polarity inversion or mute.
public struct GainFilter: Sendable, Equatable {
    public var gainDB: Double
    public var invert: Bool
    public var mute: Bool

    public init(gainDB: Double = 0, invert: Bool = false, mute: Bool = false) {
        self.gainDB = gainDB
        self.invert = invert
        self.mute = mute
    }

    /// The linear factor: ±10^(dB/20), or 0 when muted.
    public var linear: Double { GraphMath.factor(gainDB: gainDB, invert: invert, mute: mute) }
}

/// A delay in samples or milliseconds.
public struct DelayFilter: Sendable, Equatable {
    public enum Unit: String, Sendable, CaseIterable, Equatable {
        case ms, samples
    }

    public var amount: Double
    public var unit: Unit
    /// Whether a delay that is not a whole number of samples at the audio's rate is allowed (done by a
    /// windowed-sinc interpolator); refused otherwise, so a rounding is never silent.
    public var subsample: Bool

    public init(amount: Double, unit: Unit = .ms, subsample: Bool = false) {
        self.amount = amount
        self.unit = unit
        self.subsample = subsample
    }

    /// The delay in samples at `sampleRate`, possibly fractional.
    public func samples(at sampleRate: Int) -> Double {
        switch unit {
        case .samples: return amount
        case .ms: return amount * Double(sampleRate) / 1000
        }
    }
}

/// A mixer: each output channel the sum of some input channels, each with gain and polarity.
public struct MixerDefinition: Sendable, Equatable {
    /// Channels the mixer expects to reach it.
    public var inputs: Int
    /// Channels it makes.
    public var outputs: Int
    /// Per output channel, its sources; an output no mapping names is silent.
    public var sources: [[MixerSource]]

    public init(inputs: Int, outputs: Int, sources: [[MixerSource]]) {
        self.inputs = inputs
        self.outputs = outputs
        self.sources = sources
    }
}

/// One input of a mixer output.
public struct MixerSource: Sendable, Equatable {
    public var channel: Int
    public var gainDB: Double
    public var invert: Bool
    public var mute: Bool

    public init(channel: Int, gainDB: Double = 0, invert: Bool = false, mute: Bool = false) {
        self.channel = channel
        self.gainDB = gainDB
        self.invert = invert
        self.mute = mute
    }

    /// The linear factor: ±10^(dB/20), or 0 when muted.
    public var linear: Double { GraphMath.factor(gainDB: gainDB, invert: invert, mute: mute) }
}

/// One step of a pipeline.
public enum PipelineStep: Sendable, Equatable {
    /// Remix every channel through the named mixer.
    case mixer(String)
    /// Apply the named filters in order to each listed channel (`nil`: every channel).
    case filters([String], channels: [Int]?)
}

/// Small numeric helpers shared by the graph's parts.
public enum GraphMath {
    /// 10^(dB/20).
    public static func linear(dB: Double) -> Double {
        pow(10, dB / 20)
    }

    /// A gain with polarity and mute: ±10^(dB/20), or 0 when muted.
    public static func factor(gainDB: Double, invert: Bool, mute: Bool) -> Double {
        mute ? 0 : (invert ? -1 : 1) * linear(dB: gainDB)
    }
}
