
/// Writes kernels that firpipe made or edited, always through ``AtomicOutputFile``: nothing appears
/// under the output's name until it is complete.
///
/// Stateless; any thread.
public enum KernelWriter {
    /// Writes `channels` (all of one length) to `path`: a text kernel (one channel, 17 significant
    /// digits a line, so float64 taps survive exactly) for the text extensions ``KernelLoader`` reads,
    /// else an audio file of the container its extension names, 32-bit float samples at `sampleRate`.
    ///
    /// - Throws: `.unsupported` for several channels in a text kernel, an unknown extension or a container
    ///   that cannot hold float samples (FLAC); `.cannotCreate` / `.ioError` as ``AtomicOutputFile``.
    public static func write(_ channels: [[Double]], sampleRate: Int, to path: String) throws(AudioError) {
        precondition(!channels.isEmpty && !channels[0].isEmpty, "a kernel needs at least one tap")
        if let ext = FileSystem.pathExtension(path), KernelLoader.textExtensions.contains(ext) {
            guard channels.count == 1 else {
                throw AudioError(
                    .unsupported, path: path,
                    message: "a text kernel holds one channel, this one has \(channels.count); write a .wav instead")
            }
            let text = channels[0].map { String(cFormat: "%.17g", $0) }.joined(separator: "\n") + "\n"
            let output = try AtomicOutputFile(finalPath: path)
            try output.write(contents: Array(text.utf8))
            return
        }
        guard let container = AudioContainer.fromExtension(ofPath: path) else {
            throw AudioError(
                .unsupported, path: path,
                message: "unknown kernel extension; use .wav (or another audio container) or .txt")
        }
        let format = AudioFormat(container: container, sampleFormat: .float)
        guard format.isSupported else {
            throw AudioError(
                .unsupported, path: path,
                message: "\(container.rawValue) cannot hold float samples; use .wav for a kernel")
        }
        let frames = channels[0].count, count = channels.count
        var interleaved = [Float](repeating: 0, count: frames * count)
        for (c, taps) in channels.enumerated() {
            for i in 0..<frames { interleaved[i * count + c] = Float(taps[i]) }
        }
        let output = try AtomicOutputFile(finalPath: path)
        let writer = try AudioFileWriter(output: output, format: format, channels: count, sampleRate: sampleRate)
        try writer.write(from: interleaved, frames: frames)
        try writer.finish()
        try output.commit()
    }
}
