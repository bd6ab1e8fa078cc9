
/// Writes interleaved 32-bit float frames to an audio file, block by block.
///
/// It writes exactly where it is told; to keep a half-written file from ever appearing under its final
/// name, make it with ``init(output:format:channels:sampleRate:)`` and commit the output after ``finish()``.
///
/// Threads: not for concurrent use. Create it on one thread and hand it to another if you like, but call
/// it from one thread at a time. It is `@unchecked Sendable` only so that it can be handed over; it holds
/// no thread-affine state (libsndfile handles and descriptors are not tied to a thread).
public final class AudioFileWriter: @unchecked Sendable {
    /// The path as given.
    public let path: String
    public let format: AudioFormat
    public let channels: Int
    public let sampleRate: Int
    /// Samples with magnitude above 1.0 written to an integer format, where they clip to full scale,
    /// and non-finite ones (see ``write(from:frames:)``). Always 0 for float formats, which store such
    /// values as they are.
    public var clippedSamples: Int { clippedPerChannel.reduce(0, +) }
    /// ``clippedSamples`` by channel.
    public private(set) var clippedPerChannel: [Int]
    /// Frames accepted so far.
    public private(set) var framesWritten = 0

    private let file: SndFile
    /// Bytes written since writeback was last started (FLAC counted as uncompressed: an estimate).
    private var pendingBytes = 0
    static let writebackBytes = 1 << 20
    /// The first write error; every later call reports it again rather than writing past a gap.
    private var failure: AudioError?
    /// nil until ``finish()`` runs; then what it threw, if anything, so a second call can say the same.
    private var finishResult: Result<Void, AudioError>?
    /// Integer formats: the samples rounded to the format's grid, a chunk at a time (see `write`).
    private let rounded: UnsafeMutablePointer<Float>?
    /// 2^(bits − 1) for integer formats: full scale in steps.
    private let steps: Float
    /// Floats rounded per chunk: 64 KiB, small enough to stay in L2 between rounding and writing.
    static let chunkSamples = 16384

    /// Creates or truncates `path` (normally a temporary path) for `format`. Integer formats are set to
    /// clip out-of-range samples instead of wrapping around.
    ///
    /// - Throws: `.unsupported` when the container cannot hold this sample format, channel count or rate
    ///   (FLAC: pcm16 and pcm24 only, at most 8 channels); `.cannotCreate` when the file cannot be made.
    public convenience init(path: String, format: AudioFormat, channels: Int, sampleRate: Int) throws(AudioError) {
        try self.init(
            file: try SndFile.createForWriting(path: path, format: format, channels: channels, sampleRate: sampleRate),
            format: format, channels: channels)
    }

    /// Writes into `output`'s temporary file (named or unnamed) through a descriptor of its own; every
    /// message names ``AtomicOutputFile/finalPath``, the path the user gave, and ``path`` is that path.
    /// Commit `output` after ``finish()``.
    ///
    /// - Throws: as ``init(path:format:channels:sampleRate:)``.
    public convenience init(output: AtomicOutputFile, format: AudioFormat, channels: Int, sampleRate: Int) throws(AudioError) {
        let file = try SndFile.createForWriting(
            descriptor: try output.duplicateDescriptor(), path: output.finalPath, format: format, channels: channels,
            sampleRate: sampleRate)
        try self.init(file: file, format: format, channels: channels)
    }

    private init(file: SndFile, format: AudioFormat, channels: Int) throws(AudioError) {
        let path = file.path, sampleRate = Int(file.info.samplerate)
        if format.sampleFormat.isFloat {
            file.omitPeakChunk()
        } else {
            // Without this, libsndfile converts 1.5 to a 16-bit value that wraps to a large negative one.
            try file.enableClipping()
        }
        self.path = path
        self.format = format
        self.channels = channels
        self.sampleRate = sampleRate
        self.file = file
        clippedPerChannel = Array(repeating: 0, count: channels)
        switch format.sampleFormat {
        case .pcm16: steps = 0x1p15
        case .pcm24: steps = 0x1p23
        case .pcm32: steps = 0x1p31
        default: steps = 0
        }
        rounded = steps == 0 ? nil : .allocate(capacity: Swift.max(Self.chunkSamples, channels))
    }

    deinit {
        rounded?.deallocate()
    }

    /// Reserves the disk space `frames` frames will take, ahead of writing them, where the container
    /// stores samples uncompressed (not FLAC): see ``SndFile/reserve(bytes:)``.
    ///
    /// - Throws: `.ioError` when the disk or quota cannot hold them.
    public func reserve(frames: Int) throws(AudioError) {
        guard format.container != .flac, frames > 0 else { return }
        try file.reserve(bytes: frames * channels * format.sampleFormat.bytesPerSample)
    }

    /// Writes `frames` interleaved frames from `buffer` (`frames * channels` floats). For integer
    /// formats, counts the samples that clip in ``clippedSamples``. The last line of defence against a
    /// non-finite value (the reader screens the input, so only an overflow makes one): ±infinity clips
    /// to full scale of its sign like any value beyond it, NaN becomes 0, never a full-scale click, and
    /// both count as clipped.
    ///
    /// - Throws: `.ioError` naming the path and the system's reason when fewer than `frames` frames could
    ///   be written (disk full, file too large, EIO). After that, every call throws the same error.
    public func write(from buffer: UnsafePointer<Float>, frames: Int) throws(AudioError) {
        precondition(frames >= 0, "frame count must not be negative")
        precondition(finishResult == nil, "AudioFileWriter.write called after finish()")
        if let failure { throw failure }
        guard frames > 0 else { return }
        if !format.sampleFormat.isFloat {
            Self.countOverFullScale(buffer, frames: frames, channels: channels, into: &clippedPerChannel)
        }
        do {
            if let rounded {
                // libsndfile 1.2 with clipping on converts floats to integers by truncating towards −∞,
                // not by rounding (measured: 1.4 steps → 1, −0.6 → −1): a bias of −½ step and three
                // times the rounding noise. Samples already on the grid are exact in float and come
                // through unchanged, so they are rounded here, to nearest, and clipped.
                let perChunk = Swift.max(1, Self.chunkSamples / channels)
                var done = 0
                while done < frames {
                    let n = Swift.min(perChunk, frames - done)
                    Self.round(buffer + done * channels, count: n * channels, steps: steps, into: rounded)
                    try file.writeFrames(from: rounded, frames: n)
                    done += n
                }
            } else {
                try file.writeFrames(from: buffer, frames: frames)
            }
        } catch {
            failure = error
            throw error
        }
        framesWritten += frames
        // Start writeback every MiB, so the final fsync waits for little more than the last MiB: on W1
        // it took 2.4-3.2 ms with 4 MiB between starts (16 MiB: 8 ms), 0.5-0.8 ms with 1 MiB, at the
        // same CPU (starting writeback costs by the page, not by the call).
        let bytes = frames * channels * format.sampleFormat.bytesPerSample
        pendingBytes += bytes
        if pendingBytes >= Self.writebackBytes {
            pendingBytes = 0
            file.startWriteback()
        }
    }

    /// Whether ``finish()`` fsyncs the file (the default). A caller that turns it off must flush the
    /// file before it commits it (``AtomicOutputFile/syncFileSystem()``), so that the final name never
    /// shows data that is not on disk.
    public var syncsOnFinish = true

    /// Finishes the header, closes the file and fsyncs it (see ``syncsOnFinish``), then checks that the file reads back with
    /// ``framesWritten`` frames (libsndfile does not report errors in its final writes). Idempotent: a
    /// second call returns or throws as the first did.
    ///
    /// - Throws: `.ioError`, including the error of an earlier failed ``write(from:frames:)``.
    public func finish() throws(AudioError) {
        if finishResult == nil {
            do {
                try file.finishWriting(expectedFrames: framesWritten, sync: syncsOnFinish)
                finishResult = failure.map { .failure($0) } ?? .success(())
            } catch {
                finishResult = .failure(failure ?? error)
            }
        }
        if case .failure(let error) = finishResult { throw error }
    }

    /// `out = clamp(round(x · steps), −steps, steps − 1) / steps`: the integer the file will hold, as a
    /// float that converts to it exactly. NaN becomes 0.
    private static func round(_ x: UnsafePointer<Float>, count: Int, steps: Float, into out: UnsafeMutablePointer<Float>) {
        let low = -steps, high = steps - 1, inverse = 1 / steps
        for i in 0..<count {
            let v = x[i] * steps
            let r = v.isNaN ? 0 : Swift.min(Swift.max(v.rounded(.toNearestOrEven), low), high)
            out[i] = r * inverse
        }
    }

    /// Adds each channel's samples whose magnitude exceeds full scale, or that are NaN (written as 0, but
    /// a sign that the arithmetic overflowed, which must not pass silently).
    private static func countOverFullScale(
        _ samples: UnsafePointer<Float>, frames: Int, channels: Int, into counts: inout [Int]
    ) {
        for c in 0..<channels {
            var over = 0, i = c
            for _ in 0..<frames {
                if !(abs(samples[i]) <= 1) { over += 1 }
                i += channels
            }
            counts[c] += over
        }
    }
}
