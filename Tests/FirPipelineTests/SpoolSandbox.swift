import FirAudio
import FirPipeline
import FirTestSupport
import Foundation
import Logging
import Synchronization

/// A spool's three directories in a fresh temporary directory, a short kernel, and helpers to put files
/// in the inbox and wait for the spool to act on them.
struct SpoolSandbox {
    let dir: TemporaryDirectory
    let inbox: String, outbox: String, failed: String
    /// Where inputs are written before they are renamed into the inbox.
    let staging: String
    let kernel: String
    let log = LogRecorder()

    init() throws {
        dir = try TemporaryDirectory(prefix: "firpipe-spool")
        (inbox, outbox, failed, staging) = (dir.path("in"), dir.path("out"), dir.path("failed"), dir.path("staging"))
        for path in [inbox, outbox, failed, staging] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        }
        kernel = try AudioFixture.write([[0.5, 0.25, -0.125, 0.0625, 0.03125]], to: dir.path("k.wav"))
    }

    func remove() { dir.remove() }

    func settings(settle: Double = 0.2, maxJobs: Int = 1) -> SpoolSettings {
        SpoolSettings(inbox: inbox, outbox: outbox, failed: failed, settleSeconds: settle, maxJobs: maxJobs)
    }

    /// The spec factory a daemon would pass: the sandbox's kernel, a fixed block size, and `gainDB`.
    func specFactory(gainDB: Double = 0) -> @Sendable (String, String) -> JobSpec {
        let kernel = self.kernel
        return { input, output in
            var spec = JobSpec(input: input, output: output, kernels: .shared(path: kernel))
            spec.blockSize = 64
            spec.gainDB = gainDB
            return spec
        }
    }

    func makeSpool(settle: Double = 0.2, maxJobs: Int = 1) -> Spool {
        Spool(settings: settings(settle: settle, maxJobs: maxJobs), makeSpec: specFactory(), logger: log.logger)
    }

    /// Writes a float WAV of `channels` in the staging directory and renames it into the inbox, the way
    /// a producer hands over a finished file. Returns the staged copy's twin path for reference runs.
    @discardableResult
    func drop(_ name: String, _ channels: [[Float]]) throws -> String {
        let staged = try AudioFixture.write(channels, to: staging + "/" + name)
        let reference = staging + "/reference-" + name
        try FileManager.default.copyItem(atPath: staged, toPath: reference)
        try FileManager.default.moveItem(atPath: staged, toPath: inbox + "/" + name)
        return reference
    }

    /// Renames `bytes`, written in the staging directory, into the inbox as `name`.
    func drop(_ name: String, bytes: [UInt8]) throws {
        let staged = staging + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: staged))
        try FileManager.default.moveItem(atPath: staged, toPath: inbox + "/" + name)
    }

    /// What a direct `FileFilterJob` run of `spec` on `input` gives, read back.
    func directRun(_ input: String, gainDB: Double = 0) throws -> [[Float]] {
        let output = staging + "/direct-" + UUID().uuidString + ".wav"
        var spec = specFactory(gainDB: gainDB)(input, output)
        spec.threads = 1
        _ = try FileFilterJob(spec: spec, fromConfig: true).run()
        return try Self.read(output)
    }

    static func read(_ path: String) throws -> [[Float]] {
        let reader = try AudioFileReader(path: path)
        defer { reader.close() }
        return try reader.readAllChannels()
    }

    static func listing(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }
}

/// Keeps every line logged through its ``logger``, message and metadata, for tests to look at.
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "firpipe.spool.test") { _ in Handler(recorder: self) }
    }

    var all: [String] { lines.withLock { $0 } }

    func contains(_ text: String) -> Bool { all.contains { $0.contains(text) } }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            recorder.append(([event.message.description] + fields).joined(separator: " "))
        }
    }
}
