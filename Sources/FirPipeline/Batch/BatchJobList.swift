import FirAudio
internal import FoundationEssentials

/// Every job of a batch, whole and unsharded, written beside the journal when a run starts
/// (`.firpipe-batch-jobs.jsonl`): one JSON line per job with its input, output, job key, audio
/// seconds and shard. `firpipe batch --summarize` needs it to name the jobs that no shard has
/// committed, which neither the journals nor the reports can: a shard that never ran leaves neither.
/// Every shard computes the same split from the same inputs, so each writes the same list, through
/// ``AtomicOutputFile``; whichever lands last is as good as the others.
public enum BatchJobList {
    public struct Row: Codable, Equatable, Sendable {
        public var input: String
        public var output: String
        /// ``BatchJournal``'s key of the job when the list was written.
        public var job: String
        public var audioSeconds: Double
        /// `I/N`, when the batch was sharded.
        public var shard: String?

        enum CodingKeys: String, CodingKey {
            case input, output, job, shard
            case audioSeconds = "audio_seconds"
        }
    }

    /// The list's name, in the directory of the journal.
    public static let name = ".firpipe-batch-jobs.jsonl"

    /// The list beside `journal`.
    public static func path(besideJournal journal: String) -> String {
        BatchStateFiles.beside(journal, name)
    }

    /// The rows of `jobs`, `lengths` their audio seconds, `shardOf` each one's shard index of `shards`.
    public static func rows(_ jobs: [BatchJob], lengths: [Double], shardOf: [Int]?, shards: Int) -> [Row] {
        jobs.indices.map { i in
            Row(input: jobs[i].input, output: BatchJournal.absolute(jobs[i].output), job: BatchJournal.key(of: jobs[i]),
                audioSeconds: lengths[i], shard: shardOf.map { "\($0[i])/\(shards)" })
        }
    }

    /// Replaces the list at `path` with `rows`.
    ///
    /// - Throws: `.cannotCreate` or `.ioError` naming `path`; nothing half-written is left.
    public static func write(_ rows: [Row], to path: String) throws(AudioError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        for row in rows {
            guard let line = try? encoder.encode(row) else { continue }
            bytes += line
            bytes.append(UInt8(ascii: "\n"))
        }
        try AtomicOutputFile(finalPath: path).write(contents: bytes)
    }

    /// The list at `path`; nil when there is none. Lines that do not parse are skipped.
    public static func read(_ path: String) -> [Row]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let decoder = JSONDecoder()
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? decoder.decode(Row.self, from: Data($0)) }
    }
}

/// Where a batch keeps its state: the journal, the job list and the reports of its runs, all in the
/// journal's directory.
public enum BatchStateFiles {
    /// The journal's name in OUT_DIR (or beside the manifest) when `--journal` does not name another.
    public static let journalName = ".firpipe-batch-journal"
    /// The name stem of the report each run writes beside the journal, `-shard-I-of-N` added for a shard.
    public static let reportStem = ".firpipe-batch-report"

    /// `name` in the directory of `journal`.
    public static func beside(_ journal: String, _ name: String) -> String {
        let directory = PathName.directory(of: journal)
        return directory.isEmpty ? name : directory + "/" + name
    }

    /// The report of a run (of `shard`, written as `-shard-I-of-N`) beside `journal`.
    public static func report(besideJournal journal: String, shard: BatchShard?) -> String {
        beside(journal, reportStem + (shard.map { "-shard-\($0.index)-of-\($0.count)" } ?? "") + ".jsonl")
    }

    /// Every run's report beside `journal`, oldest first (by modification time, then name), so that a
    /// later run's word on a job wins.
    public static func reports(besideJournal journal: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: PathName.openableDirectory(of: journal))) ?? []
        let paths = names.filter { $0.hasPrefix(reportStem) && $0.hasSuffix(".jsonl") }.map { beside(journal, $0) }
        let dated = paths.map { path in
            (path, SpoolSystem.signature(of: path).map { Int64($0.modifiedSeconds) * 1_000_000_000 + Int64($0.modifiedNanoseconds) } ?? 0)
        }
        return dated.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)
    }
}
