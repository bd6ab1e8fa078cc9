import FirAudio
internal import Foundation

/// The machine-readable report of a batch (`--report FILE.jsonl`): one JSON line per job with input,
/// output, status (done, skipped, failed, not-run), frames, seconds, audio_seconds and error (null
/// unless failed), written through ``AtomicOutputFile`` when the batch ends.
public enum BatchReport {
    /// The report's lines, in the jobs' order.
    public static func lines(_ results: [BatchResult]) -> [String] {
        results.map { r in
            var object: [String: Any] = [
                "input": r.input, "output": r.output, "status": r.status.rawValue, "frames": r.frames,
                "seconds": (r.seconds * 1000).rounded() / 1000, "audio_seconds": (r.audioSeconds * 1000).rounded() / 1000,
                "error": r.error.map { $0.message as Any } ?? NSNull(),
            ]
            if let origin = r.origin { object["origin"] = origin }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
                ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// Writes the report to `path`, replacing it whole.
    ///
    /// - Throws: `.cannotCreate` or `.ioError` naming `path`; nothing is left under a temporary name.
    public static func write(_ results: [BatchResult], to path: String) throws(AudioError) {
        let output = try AtomicOutputFile(finalPath: path)
        let bytes = Array(lines(results).map { $0 + "\n" }.joined().utf8)
        do throws(AudioError) {
            let fd = try output.duplicateDescriptor()
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
                guard n > 0 else {
                    let code = errno
                    close(fd)
                    throw AudioError(.ioError, path: path, message: "report cannot be written (\(errnoText(code)))")
                }
                offset += n
            }
            guard fsync(fd) == 0, close(fd) == 0 else {
                throw AudioError(.ioError, path: path, message: "report cannot be synced (\(errnoText(errno)))")
            }
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
    }
}
