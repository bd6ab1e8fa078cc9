import FirAudio
internal import Foundation

/// The machine-readable report of a batch (`--report FILE.jsonl`): one JSON line per job with input,
/// output, status (done, skipped, failed, not-run; missing in a `--summarize` report), frames, seconds,
/// audio_seconds, error (null unless failed) and kind (the error's kind, which sets the exit code),
/// written through ``AtomicOutputFile`` when the batch ends.
public enum BatchReport {
    /// The report's lines, in the jobs' order.
    public static func lines(_ results: [BatchResult]) -> [String] {
        results.map { r in
            var object: [String: Any] = [
                "input": r.input, "output": r.output, "status": r.status.rawValue, "frames": r.frames,
                "seconds": (r.seconds * 1000).rounded() / 1000, "audio_seconds": (r.audioSeconds * 1000).rounded() / 1000,
                "error": r.error.map { $0.message as Any } ?? NSNull(),
            ]
            if let kind = r.error?.kind { object["kind"] = kind.description }
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
        try AtomicOutputFile(finalPath: path).write(contents: Array(lines(results).map { $0 + "\n" }.joined().utf8))
    }

    /// The results a report at `path` holds; empty when it cannot be read, lines that do not parse skipped.
    public static func read(_ path: String) -> [BatchResult] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let input = o["input"] as? String, let output = o["output"] as? String,
                  let status = (o["status"] as? String).flatMap(BatchResult.Status.init(rawValue:))
            else { return nil }
            let error = (o["error"] as? String).map { message in
                JobError((o["kind"] as? String).flatMap(JobError.Kind.named) ?? .ioError, message)
            }
            return BatchResult(
                input: input, output: output, status: status, frames: o["frames"] as? Int ?? 0,
                audioSeconds: o["audio_seconds"] as? Double ?? 0, seconds: o["seconds"] as? Double ?? 0, error: error,
                warnings: [], origin: o["origin"] as? String)
        }
    }
}

extension JobError.Kind {
    /// The kind whose description is `name`, as a report writes it.
    static func named(_ name: String) -> JobError.Kind? {
        [.usage, .badData, .missingInput, .cannotCreate, .ioError, .config, .osError, .interrupted]
            .first { $0.name == name }
    }
}
