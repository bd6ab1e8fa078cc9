import FirAudio
internal import FoundationEssentials

/// The machine-readable report of a batch (`--report FILE.jsonl`): one JSON line per job with input,
/// output, status (done, skipped, failed, not-run; missing in a `--summarize` report), frames, seconds,
/// audio_seconds, error (null unless failed) and kind (the error's kind, which sets the exit code),
/// written through ``AtomicOutputFile`` when the batch ends.
public enum BatchReport {
    /// The report's lines, in the jobs' order.
    public static func lines(_ results: [BatchResult]) -> [String] {
        results.map { r in
            var object: [String: JSONValue] = [
                "input": .string(r.input), "output": .string(r.output), "status": .string(r.status.rawValue),
                "frames": .int(r.frames), "seconds": .double((r.seconds * 1000).rounded() / 1000),
                "audio_seconds": .double((r.audioSeconds * 1000).rounded() / 1000),
                "error": r.error.map { .string($0.message) } ?? .null,
            ]
            if let kind = r.error?.kind { object["kind"] = .string(kind.description) }
            if let origin = r.origin { object["origin"] = .string(origin) }
            return JSONValue.object(object).text()
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
            guard let o = JSONValue.parse(line)?.object,
                  let input = o["input"]?.string, let output = o["output"]?.string,
                  let status = o["status"]?.string.flatMap(BatchResult.Status.init(rawValue:))
            else { return nil }
            let error = o["error"]?.string.map { message in
                JobError(o["kind"]?.string.flatMap(JobError.Kind.named) ?? .ioError, message)
            }
            return BatchResult(
                input: input, output: output, status: status, frames: o["frames"]?.int ?? 0,
                audioSeconds: o["audio_seconds"]?.double ?? 0, seconds: o["seconds"]?.double ?? 0, error: error,
                warnings: [], origin: o["origin"]?.string)
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
