import FirAudio
import Synchronization
internal import Glibc
internal import FoundationEssentials

/// The batch's record of committed jobs, one JSON line each, appended after the job's output was
/// renamed into place (and its directory synced), then fsynced. A re-run skips a job when the journal
/// holds a line for its output with the same job key (settings, input and kernel sizes and times) and
/// the output still has the size and modification time recorded.
///
/// Why that is safe: a line is written only after the rename, so a line means a whole output existed
/// under the final name; the size and time checks catch an output removed, replaced or edited since;
/// the key catches a changed input, kernel or setting. A `kill -9` between the rename and the line
/// costs only a redo, which replaces the output with identical bytes. A line torn by a crash does not
/// parse and is ignored. The journal is an append-only log, so it is the one file of the batch not
/// written through ``AtomicOutputFile``: a rewrite per job would cost a whole copy each time.
///
/// Threads: any; `record` locks.
public final class BatchJournal: Sendable {
    struct Entry: Codable, Equatable {
        var output: String
        var job: String
        var size: Int64
        var mtimeNs: Int64

        enum CodingKeys: String, CodingKey {
            case output, job, size
            case mtimeNs = "mtime_ns"
        }
    }

    /// The journal's path.
    public let path: String
    private let entries: [String: Entry]
    /// Whether the file ends inside a line (a crash tore the last one): the first record then starts a
    /// new line, so the torn one stays the only line lost.
    private let endsTorn: Bool
    /// The descriptor appended to, opened on the first record.
    private let descriptor = Mutex<Int32>(-1)

    /// Reads the journal at `path` (none yet is an empty one), and the journals of other shards of the
    /// batch, `others`, which are read only; unreadable lines are skipped.
    public init(path: String, alsoReading others: [String] = []) {
        self.path = path
        var entries: [String: Entry] = [:]
        let data = FileManager.default.contents(atPath: path)
        endsTorn = data.map { !$0.isEmpty && $0.last != UInt8(ascii: "\n") } ?? false
        let decoder = JSONDecoder()
        for text in others.filter({ $0 != path }).compactMap(FileManager.default.contents(atPath:)) + [data ?? Data()] {
            for line in text.split(separator: UInt8(ascii: "\n")) {
                guard let entry = try? decoder.decode(Entry.self, from: Data(line)) else { continue }
                entries[entry.output] = entry
            }
        }
        self.entries = entries
    }

    /// The journal at `path` and every shard's beside it (`NAME-shard-I-of-N`).
    public static func siblings(of path: String) -> [String] {
        let directory = PathName.directory(of: path)
        let base = PathName.lastComponent(path)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: PathName.openableDirectory(of: path))) ?? []
        return names.filter { $0 == base || $0.hasPrefix(base + "-shard-") }.sorted()
            .map { directory.isEmpty ? $0 : directory + "/" + $0 }
    }

    deinit {
        let fd = descriptor.withLock { $0 }
        if fd >= 0 { close(fd) }
    }

    /// Committed jobs the journal holds.
    public var count: Int { entries.count }

    /// The key of `job`: a digest of its settings and of its input's and kernels' sizes and times.
    static func key(of job: BatchJob) -> String {
        var text = job.settingsText
        let files = [job.input] + (job.spec?.kernelPaths ?? [])
        for file in files {
            let signature = SpoolSystem.signature(of: file)
            text += "|\(file):\(signature?.size ?? -1):\(signature?.modifiedSeconds ?? 0).\(signature?.modifiedNanoseconds ?? 0)"
        }
        return StableDigest.hex(text)
    }

    /// Whether `job`'s output is committed and untouched since, by the journal.
    func isDone(_ job: BatchJob, key: String) -> Bool {
        isCommitted(output: Self.absolute(job.output), key: key)
    }

    /// Whether the job of key `key` writing `output` (absolute) is committed and its output untouched since.
    func isCommitted(output: String, key: String) -> Bool {
        guard let entry = entries[output], entry.job == key, let now = SpoolSystem.signature(of: output)
        else { return false }
        return now.size == entry.size && Self.nanoseconds(now) == entry.mtimeNs
    }

    /// Appends `job`'s line after its output was committed, and fsyncs it.
    ///
    /// - Throws: `.ioError` when the journal cannot be opened, written or synced: the output stands, but
    ///   the next run would redo it.
    func record(_ job: BatchJob, key: String) throws(JobError) {
        if let error = record([(job, key)])[0] { throw error }
    }

    /// Appends the lines of `jobs` (each with its key) after their outputs were committed, with one
    /// fsync for all: a batch commits its outputs in groups.
    ///
    /// - Returns: per job, nil when its line is on disk, else why not (`.ioError`: the output stands,
    ///   but the next run would redo it).
    func record(_ jobs: [(job: BatchJob, key: String)]) -> [JobError?] {
        var errors = [JobError?](repeating: nil, count: jobs.count)
        var lines = Data()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for (i, item) in jobs.enumerated() {
            guard let now = SpoolSystem.signature(of: item.job.output) else {
                errors[i] = JobError(.ioError, "\(item.job.output): gone right after it was written; check who else writes there")
                continue
            }
            let entry = Entry(output: Self.absolute(item.job.output), job: item.key, size: now.size, mtimeNs: Self.nanoseconds(now))
            guard let line = try? encoder.encode(entry) else { continue }
            lines += line
            lines.append(UInt8(ascii: "\n"))
        }
        guard !lines.isEmpty else { return errors }
        do throws(JobError) { try append(lines) } catch {
            return errors.map { $0 ?? error }
        }
        return errors
    }

    private func append(_ lines: Data) throws(JobError) {
        var line = lines
        try descriptor.withLock { (fd: inout Int32) throws(JobError) in
            if fd < 0 {
                fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw failure("cannot be opened") }
                if endsTorn { line.insert(UInt8(ascii: "\n"), at: 0) }
            }
            let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == line.count else { throw failure("cannot be written") }
            guard fdatasync(fd) == 0 else { throw failure("cannot be synced") }
        }
    }

    private func failure(_ what: String) -> JobError {
        JobError(.ioError, "batch journal \(path) \(what) (\(String(cString: strerror(errno)))); "
            + "check free space and permissions in its directory")
    }

    /// `path` made absolute against the current directory, as the journal records outputs.
    public static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    private static func nanoseconds(_ signature: FileSignature) -> Int64 {
        Int64(signature.modifiedSeconds) * 1_000_000_000 + Int64(signature.modifiedNanoseconds)
    }
}
