internal import CSndFile

/// The file containers firpipe reads and writes. Each is a libsndfile major format.
///
/// Value type; any thread.
public enum AudioContainer: String, CaseIterable, Sendable {
    /// RIFF WAVE. Limited to 4 GiB; use ``rf64`` or ``w64`` beyond that.
    case wav
    /// RIFF WAVE with a WAVE_FORMAT_EXTENSIBLE header.
    case wavex
    /// FLAC: lossless compression, integer samples of up to 24 bits only.
    case flac
    /// AIFF, or AIFF-C when the samples are floating point.
    case aiff
    /// Sony/Sonic Foundry Wave64: WAV with 64-bit chunk sizes.
    case w64
    /// EBU RF64: WAV with 64-bit sizes in a ds64 chunk.
    case rf64
    /// Apple Core Audio Format: 64-bit sizes.
    case caf

    /// The container a file name's extension names: .wav, .flac, .aif/.aiff/.aifc, .w64, .rf64, .caf in any
    /// letter case. nil for anything else, including no extension. `.wav` means plain ``wav``.
    public static func fromExtension(ofPath path: String) -> AudioContainer? {
        switch FileSystem.pathExtension(path) {
        case "wav": return .wav
        case "flac": return .flac
        case "aif", "aiff", "aifc": return .aiff
        case "w64": return .w64
        case "rf64": return .rf64
        case "caf": return .caf
        default: return nil
        }
    }

    /// libsndfile's major format code.
    var sndfileCode: Int32 {
        switch self {
        case .wav: return Int32(SF_FORMAT_WAV)
        case .wavex: return Int32(SF_FORMAT_WAVEX)
        case .flac: return Int32(SF_FORMAT_FLAC)
        case .aiff: return Int32(SF_FORMAT_AIFF)
        case .w64: return Int32(SF_FORMAT_W64)
        case .rf64: return Int32(SF_FORMAT_RF64)
        case .caf: return Int32(SF_FORMAT_CAF)
        }
    }

    /// The container of a libsndfile format code (any subtype and endianness), if it is one we list.
    init?(sndfileFormat format: Int32) {
        let major = format & Int32(SF_FORMAT_TYPEMASK)
        guard let match = Self.allCases.first(where: { $0.sndfileCode == major }) else { return nil }
        self = match
    }
}

/// How samples are stored in a file. Reading and writing always go through 32-bit floats in [-1, 1].
///
/// Value type; any thread.
public enum SampleFormat: String, CaseIterable, Sendable {
    /// Signed 16-bit integers.
    case pcm16
    /// Signed 24-bit integers.
    case pcm24
    /// Signed 32-bit integers.
    case pcm32
    /// 32-bit IEEE floats: no clipping, values beyond ±1 are kept.
    case float
    /// 64-bit IEEE floats.
    case double

    /// True for ``float`` and ``double``, which store values beyond full scale instead of clipping them.
    public var isFloat: Bool { self == .float || self == .double }

    /// Bytes one sample takes in an uncompressed file.
    public var bytesPerSample: Int {
        switch self {
        case .pcm16: return 2
        case .pcm24: return 3
        case .pcm32, .float: return 4
        case .double: return 8
        }
    }

    /// libsndfile's subtype code.
    var sndfileCode: Int32 {
        switch self {
        case .pcm16: return Int32(SF_FORMAT_PCM_16)
        case .pcm24: return Int32(SF_FORMAT_PCM_24)
        case .pcm32: return Int32(SF_FORMAT_PCM_32)
        case .float: return Int32(SF_FORMAT_FLOAT)
        case .double: return Int32(SF_FORMAT_DOUBLE)
        }
    }

    /// The sample format of a libsndfile format code, if it is one we list (not pcm8, µ-law, Vorbis, ...).
    init?(sndfileFormat format: Int32) {
        let subtype = format & Int32(SF_FORMAT_SUBMASK)
        guard let match = Self.allCases.first(where: { $0.sndfileCode == subtype }) else { return nil }
        self = match
    }
}

/// A container and a sample format: what an output file will be.
///
/// Value type; any thread.
public struct AudioFormat: Sendable, Equatable {
    public var container: AudioContainer
    public var sampleFormat: SampleFormat

    public init(container: AudioContainer, sampleFormat: SampleFormat) {
        self.container = container
        self.sampleFormat = sampleFormat
    }

    /// Whether libsndfile can write this combination at all, asked with a representative stereo 48 kHz
    /// layout. FLAC, for one, rejects pcm32, float and double. A particular channel count or rate can
    /// still be refused by ``AudioFileWriter/init(path:format:channels:sampleRate:)``.
    public var isSupported: Bool {
        isSupported(channels: 2, sampleRate: 48_000)
    }

    /// FLAC's frame headers hold a rate up to 655,350 Hz (in tens of Hz) and at most 8 channels.
    /// libsndfile's format check knows the channels but not the rate: 1.2.0 accepts 768 kHz there and
    /// refuses it only when the file is opened ("flac does not support this sample rate"; measured:
    /// 655,350 opens, 655,351 does not).
    public static let flacMaxSampleRate = 655_350
    public static let flacMaxChannels = 8

    /// Whether libsndfile can write this combination with exactly this layout.
    public func isSupported(channels: Int, sampleRate: Int) -> Bool {
        guard let channels = Int32(exactly: channels), let sampleRate = Int32(exactly: sampleRate),
              channels > 0, sampleRate > 0
        else { return false }
        if container == .flac && sampleRate > Self.flacMaxSampleRate { return false }
        var info = SF_INFO()
        info.channels = channels
        info.samplerate = sampleRate
        info.format = sndfileCode
        return sf_format_check(&info) != 0
    }

    /// Why this format cannot hold `channels` channels at `sampleRate` Hz, naming the limit, and what to
    /// choose instead; for a file message after its path.
    /// `channels` nil: the rate alone is the problem.
    public func limitMessage(channels: Int?, sampleRate: Int) -> String {
        let limit = container == .flac
            ? "flac holds at most \(Self.flacMaxChannels) channels and \(Self.flacMaxSampleRate) Hz"
            : "\(container.rawValue) cannot hold that"
        let what = channels.map { "\($0) channels at \(sampleRate) Hz" } ?? "audio at \(sampleRate) Hz"
        return "the output has \(what) but \(limit); choose another container, e.g. --format wav, w64 or caf"
    }

    /// The full libsndfile format code, with the container's default byte order.
    var sndfileCode: Int32 { container.sndfileCode | sampleFormat.sndfileCode }
}

/// What a file holds, as its header says.
///
/// Value type; any thread.
public struct AudioFileInfo: Sendable, Equatable {
    /// Frames (samples per channel). Comes from the header (0 when it does not say, as for a stream);
    /// ``AudioFileReader`` checks it against the data that is really there.
    public var frames: Int
    public var channels: Int
    /// Frames per second.
    public var sampleRate: Int
    /// nil for formats libsndfile reads but firpipe does not write (Ogg, AU, ...).
    public var container: AudioContainer?
    /// nil for encodings outside ``SampleFormat`` (pcm8, µ-law, Vorbis, ...); they still read as floats.
    public var sampleFormat: SampleFormat?

    /// Whether `frames` has been checked against the file's size: true for uncompressed samples in the
    /// containers we write, where a header promising more than the file holds is refused at open. A
    /// compressed file's length (FLAC, ALAC in CAF, Ogg) is its header's word alone until it is read.
    public var framesMatchFileSize: Bool {
        container != nil && container != .flac && sampleFormat != nil
    }

    public init(
        frames: Int, channels: Int, sampleRate: Int, container: AudioContainer?, sampleFormat: SampleFormat?
    ) {
        self.frames = frames
        self.channels = channels
        self.sampleRate = sampleRate
        self.container = container
        self.sampleFormat = sampleFormat
    }
}
