import FirAudio

extension AlignJob {
    /// Writes every channel of B moved by `lag` whole samples onto A's timeline, `framesA` frames long:
    /// output frame n is B's frame `n − lag` (silence where B has none), so the result lines up with A
    /// sample for sample. Streams in blocks; through the atomic output path, so `output` appears whole
    /// or not at all. The container comes from the name, the sample format from B.
    /// - Throws: ``JobError`` for an unusable output name, a read or write failure.
    public static func writeShifted(b: String, lag: Int, framesA: Int, to output: String) throws(JobError) {
        let reader: AudioFileReader
        do { reader = try AudioFileReader(path: b) } catch { throw JobError(audio: error) }
        defer { reader.close() }
        let channels = reader.info.channels
        // Only the output's name and format fields count here; a format choice needs no kernel.
        let spec = JobSpec(input: b, output: output, kernels: .shared(path: b))
        let choice = try OutputFormatChoice(spec: spec, input: reader.info, outputFrames: framesA, channels: channels)
        let file: AtomicOutputFile
        do { file = try AtomicOutputFile(finalPath: output) } catch { throw JobError(audio: error) }
        do throws(AudioError) {
            let writer = try AudioFileWriter(
                output: file, format: choice.format, channels: channels, sampleRate: reader.info.sampleRate)
            try copyShifted(from: reader, lag: lag, frames: framesA, to: writer)
            try writer.finish()
            try file.commit()
        } catch {
            file.discard()
            throw JobError(audio: error)
        }
    }

    private static func copyShifted(
        from reader: AudioFileReader, lag: Int, frames: Int, to writer: AudioFileWriter
    ) throws(AudioError) {
        let channels = reader.info.channels, block = 16_384
        var buffer = [Float](repeating: 0, count: block * channels)
        try buffer.withUnsafeMutableBufferPointer { buffer throws(AudioError) in
            let p = buffer.baseAddress!
            // B's first −lag frames fall before A starts: read past them.
            var skip = Swift.max(0, -lag)
            while skip > 0 {
                let n = try reader.read(into: p, frames: Swift.min(block, skip))
                if n == 0 { break }
                skip -= n
            }
            var written = 0
            // Silence until B starts.
            let lead = Swift.min(frames, Swift.max(0, lag))
            buffer.update(repeating: 0)
            while written < lead {
                let n = Swift.min(block, lead - written)
                try writer.write(from: p, frames: n)
                written += n
            }
            var ended = false
            while written < frames {
                let want = Swift.min(block, frames - written)
                var n = ended ? 0 : try reader.read(into: p, frames: want)
                if n == 0 {
                    ended = true
                    (p).update(repeating: 0, count: want * channels)
                    n = want
                }
                try writer.write(from: p, frames: n)
                written += n
            }
        }
    }
}
