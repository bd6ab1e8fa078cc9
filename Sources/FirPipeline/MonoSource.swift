import FirAudio

/// One audio file read as a single channel (one chosen channel, or all of them mixed down), in
/// stretches at any non-decreasing positions: what `align` and `find` read their inputs through.
///
/// Keeps only the stretch last asked for and one block of frames, so memory does not grow with the file.
/// Positions before 0 and past the end read as silence. Not thread-safe: one thread at a time.
public final class MonoSource {
    /// The path as given.
    public let path: String
    /// The file's header.
    public let info: AudioFileInfo
    /// The channel read (0-based), or nil for the mean of all channels.
    public let channel: Int?

    private var reader: AudioFileReader
    private static let blockFrames = 16_384
    private var interleaved: [Float]
    /// Frames delivered by the reader so far: the file position.
    private var readFrames = 0
    private var ended = false
    /// Frames `[heldStart, heldStart + held.count)`, the tail of what was last asked for.
    private var held: [Float] = []
    private var heldStart = 0
    /// The start of the last call, which the next may not precede.
    private var lastStart = Int.min

    /// Opens `path`.
    /// - Throws: ``JobError`` `.missingInput`/`.badData`/`.usage` as for any input, and `.usage` when
    ///   `channel` is not one of the file's.
    public init(path: String, channel: Int?) throws(JobError) {
        do { reader = try AudioFileReader(path: path) } catch { throw JobError(audio: error) }
        let channels = reader.info.channels
        if let channel, !(0..<channels).contains(channel) {
            throw JobError(.usage, "\(path): has \(channels) channel\(channels == 1 ? "" : "s") (0 to \(channels - 1)); "
                + "--channel \(channel) is not one of them")
        }
        self.path = path
        self.info = reader.info
        self.channel = channel
        interleaved = [Float](repeating: 0, count: Self.blockFrames * channels)
    }

    /// Frames in the file, as its header says.
    public var frames: Int { info.frames }

    /// Writes the mono frames `[start, start + count)` to `out`; `start` must not be less than the start
    /// of the previous call. Returns how many of them lie inside the file (0 once past its end).
    /// - Throws: ``JobError`` for a read error or a NaN or infinite sample.
    @discardableResult
    public func read(from start: Int, count: Int, into out: UnsafeMutablePointer<Float>) throws(JobError) -> Int {
        precondition(start >= lastStart, "MonoSource reads must not go back")
        lastStart = start
        // Drop what is before `start`; `held` always ends where the reader stands.
        let drop = Swift.max(0, Swift.min(held.count, start - heldStart))
        held.removeFirst(drop)
        heldStart += drop
        if held.isEmpty { heldStart = readFrames }
        while !ended && readFrames < start + count {
            try readBlock(keepingFrom: start)
        }
        var inside = 0
        for i in 0..<count {
            let p = start + i
            if p >= 0 && p >= heldStart && p < heldStart + held.count {
                out[i] = held[p - heldStart]
                inside += 1
            } else {
                out[i] = 0
            }
        }
        return inside
    }

    /// Reads one block and appends the frames at or after `keepingFrom` to `held`.
    private func readBlock(keepingFrom start: Int) throws(JobError) {
        let channels = info.channels
        let n: Int
        do {
            n = try interleaved.withUnsafeMutableBufferPointer { buffer throws(AudioError) in
                try reader.read(into: buffer.baseAddress!, frames: Self.blockFrames)
            }
        } catch {
            throw JobError(audio: error)
        }
        if n == 0 {
            ended = true
            return
        }
        let first = readFrames
        readFrames += n
        if held.isEmpty { heldStart = Swift.max(first, Swift.min(start, readFrames)) }
        let from = held.isEmpty ? heldStart : first
        guard from < readFrames else { return }
        held.reserveCapacity(held.count + readFrames - from)
        let scale = 1 / Float(channels)
        for f in (from - first)..<n {
            var v: Float
            if let channel {
                v = interleaved[f * channels + channel]
            } else {
                v = 0
                for c in 0..<channels { v += interleaved[f * channels + c] }
                v *= scale
            }
            guard v.isFinite else {
                throw JobError(.badData, "\(path): frame \(first + f) is not a finite number (NaN or infinity); "
                    + "repair the file, e.g. run it through firpipe process with --non-finite zero")
            }
            held.append(v)
        }
    }
}
