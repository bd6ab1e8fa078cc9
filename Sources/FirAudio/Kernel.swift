/// A filter kernel loaded whole into memory: one or more channels of taps.
///
/// Value type; any thread.
public struct Kernel: Sendable, Equatable {
    /// The file it came from, as given.
    public var path: String
    /// The taps, one array per channel. ``KernelLoader`` guarantees at least one channel, all of the same
    /// length of at least one tap, and only finite values.
    public var channels: [[Float]]
    /// The rate the kernel was designed for, from an audio file's header; nil for text kernels, which
    /// carry no rate.
    public var sampleRate: Int?

    public init(path: String, channels: [[Float]], sampleRate: Int?) {
        self.path = path
        self.channels = channels
        self.sampleRate = sampleRate
    }

    /// Taps per channel (the length of the first channel).
    public var taps: Int { channels.first?.count ?? 0 }
}

/// Loads kernels from text or audio files.
///
/// Stateless; any thread, concurrently.
public enum KernelLoader {
    /// Extensions (lowercased) that mean a text kernel.
    static let textExtensions: Set<String> = ["txt", "dat", "csv", "coef", "coeffs", "fir"]

    /// Text kernels larger than this are refused: nobody types a 64 MiB coefficient list, and it keeps
    /// a device path given by mistake from filling memory.
    static let textSizeLimit = 64 << 20

    /// Loads the kernel at `path`.
    ///
    /// Files ending in .txt, .dat, .csv, .coef, .coeffs or .fir (any letter case) are text, read as
    /// SoX's `fir` effect reads them: numbers separated by whitespace (and commas in .csv), `#` starting a
    /// comment to the end of the line, CR LF line ends accepted; the result has one channel and no rate.
    /// Anything else is read with libsndfile, all channels.
    ///
    /// - Throws: `.missing` / `.unreadable` as for audio files; `.badData` for a token that is not a
    ///   number (naming the line and the token), a NaN or infinity, a text file with no numbers, an audio
    ///   file with no frames, or non-finite samples.
    public static func load(path: String) throws(AudioError) -> Kernel {
        if let ext = FileSystem.pathExtension(path), textExtensions.contains(ext) {
            let bytes = try FileSystem.readWholeFile(
                path, limit: textSizeLimit, tooLarge: "too large for a text kernel; store it as WAV or FLAC")
            let taps = try parseText(bytes, path: path, commasSeparate: ext == "csv")
            return Kernel(path: path, channels: [taps], sampleRate: nil)
        }
        return try loadAudio(path: path)
    }

    private static func loadAudio(path: String) throws(AudioError) -> Kernel {
        let reader = try AudioFileReader(path: path)
        defer { reader.close() }
        let channels = try reader.readAllChannels()
        guard let taps = channels.first?.count, taps > 0 else {
            throw AudioError(.badData, path: path, message: "empty kernel: the file has no frames; give a filter with at least one tap")
        }
        for (c, channel) in channels.enumerated() {
            if let i = channel.firstIndex(where: { !$0.isFinite }) {
                // Counted from 0, as the input's channels and frames are in its own non-finite error.
                let value = channel[i].isNaN ? "NaN" : channel[i] > 0 ? "+Inf" : "-Inf"
                throw AudioError(
                    .badData, path: path,
                    message: "tap \(i) of channel \(c) is \(value), not a finite number; regenerate the filter")
            }
        }
        return Kernel(path: path, channels: channels, sampleRate: reader.info.sampleRate)
    }
}
