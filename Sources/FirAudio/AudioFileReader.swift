
/// Reads an audio file block by block as interleaved 32-bit floats in [-1, 1] (integer formats are
/// scaled by libsndfile; float files keep values beyond full scale). Never reads the whole file unless
/// asked with ``readAllChannels()``.
///
/// Threads: not for concurrent use. Create it on one thread and hand it to another if you like, but call
/// it from one thread at a time. It is `@unchecked Sendable` only so that it can be handed over; it holds
/// no thread-affine state (libsndfile handles and descriptors are not tied to a thread).
public final class AudioFileReader: @unchecked Sendable {
    /// The path as given.
    public let path: String
    /// What the header says, with frames already corrected by libsndfile where it can tell.
    public let info: AudioFileInfo

    private var file: SndFile?
    /// Frames delivered since the start of the data.
    private var position = 0
    /// The frame count the header promises, or nil when libsndfile does not know it (a stream).
    private let promisedFrames: Int?

    /// Opens `path` and reads its header.
    ///
    /// - Throws: `.missing` when it does not exist, `.unreadable` for permissions or a directory,
    ///   `.badData` for anything that is not audio or has a corrupt header (an empty file included), and
    ///   for a file that holds less audio than its header promises (truncated) when that can be told at
    ///   open, as for WAV, WAVEX, AIFF, W64, RF64 and CAF; `.unsupported` for an encoding libsndfile
    ///   cannot decode.
    public init(path: String) throws(AudioError) {
        let file = try SndFile.openForReading(path: path)
        let sf = file.info
        // SF_COUNT_MAX is libsndfile's "unknown length" (a pipe); there is nothing to check against.
        let known = sf.frames >= 0 && sf.frames < Int64.max
        guard sf.channels > 0, sf.samplerate > 0 else {
            throw AudioError(
                .badData, path: path,
                message: "has a header with \(sf.channels) channels at \(sf.samplerate) Hz; re-export the file")
        }
        // libsndfile opens a RIFF or AIFF file cut short without complaint; only its log tells.
        if let shortfall = HeaderLog.shortfall(in: file.headerLog()) {
            throw AudioError(.badData, path: path, message: HeaderLog.message(for: shortfall))
        }
        self.path = path
        self.file = file
        self.promisedFrames = known ? Int(sf.frames) : nil
        self.info = AudioFileInfo(
            frames: known ? Int(sf.frames) : 0, channels: Int(sf.channels), sampleRate: Int(sf.samplerate),
            container: AudioContainer(sndfileFormat: sf.format), sampleFormat: SampleFormat(sndfileFormat: sf.format))
    }

    deinit {
        file?.closeAfterReading()
    }

    /// Reads up to `frames` interleaved frames into `buffer`, which must hold `frames * info.channels`
    /// floats. Returns the number of frames read, which is 0 only at the end of the file (or when
    /// `frames` is 0); a count below `frames` may come before the end.
    ///
    /// - Throws: `.badData` when libsndfile reports damage, or when the data ends before the frame count
    ///   the header promised (a truncated FLAC, for example); `.ioError` for a failed system read.
    public func read(into buffer: UnsafeMutablePointer<Float>, frames: Int) throws(AudioError) -> Int {
        precondition(frames >= 0, "frame count must not be negative")
        guard let file else { preconditionFailure("AudioFileReader.read called after close()") }
        guard frames > 0 else { return 0 }
        let count = try file.readFrames(into: buffer, frames: frames)
        position += count
        // Checked only at the very end: libsndfile may legitimately return a short count before it.
        if count == 0, let promised = promisedFrames, position < promised {
            throw AudioError(
                .badData, path: path,
                message: "ends after \(position) of the \(promised) frames its header promises (truncated); "
                    + "re-export or re-copy the file")
        }
        return count
    }

    /// Reads the whole file from its first frame, one array per channel. Meant for small files
    /// (kernels); a long recording needs `frames * channels * 4` bytes of memory.
    ///
    /// - Throws: as ``read(into:frames:)``, and `.ioError` if the file cannot be rewound.
    public func readAllChannels() throws(AudioError) -> [[Float]] {
        guard let file else { preconditionFailure("AudioFileReader.readAllChannels called after close()") }
        if position != 0 {
            try file.seekToStart()
            position = 0
        }
        let channels = info.channels
        let blockFrames = 16_384
        let block = UnsafeMutablePointer<Float>.allocate(capacity: blockFrames * channels)
        defer { block.deallocate() }
        var result = [[Float]](repeating: [], count: channels)
        // A damaged header can promise any length, so it only sizes the first allocation up to a bound.
        let expected = min(info.frames, 1 << 24)
        for c in 0..<channels { result[c].reserveCapacity(expected) }
        while true {
            let count = try read(into: block, frames: blockFrames)
            if count == 0 { return result }
            for c in 0..<channels {
                // Grown once per block and filled through a pointer: appending sample by sample checks
                // uniqueness every time, which made loading a 1M-tap kernel take 30 ms.
                let start = result[c].count
                result[c].append(contentsOf: repeatElement(0, count: count))
                result[c].withUnsafeMutableBufferPointer { run in
                    for f in 0..<count { run[start + f] = block[f * channels + c] }
                }
            }
        }
    }

    /// Releases the file. Idempotent; reading afterwards is a programming error.
    public func close() {
        file?.closeAfterReading()
        file = nil
    }
}
