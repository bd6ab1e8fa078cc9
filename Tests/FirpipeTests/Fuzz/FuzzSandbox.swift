import FirAudio
import FirTestSupport
import Foundation

/// A worker's directory of fixtures (an input, kernels, an output directory) that each case runs in, put
/// back as it was after every case so one case's damage cannot change the next one's meaning.
struct FuzzSandbox {
    let dir: TemporaryDirectory
    /// The fixtures' names and contents, kept with a failing case so it can be replayed.
    private(set) var fixtures: [String: Data] = [:]

    /// Makes the directory with `files` (name → contents) and `audio` (name → channels, wav float).
    init(worker: Int, files: [String: Data], audio: [String: [[Float]]]) throws {
        dir = try TemporaryDirectory(prefix: "firpipe-fuzz-\(worker)")
        try FileManager.default.createDirectory(atPath: dir.path("out/deep"), withIntermediateDirectories: true)
        for (name, channels) in audio {
            try AudioFixture.write(channels, to: dir.path(name))
            fixtures[name] = try Data(contentsOf: dir.url.appendingPathComponent(name))
        }
        for (name, data) in files {
            try data.write(to: dir.url.appendingPathComponent(name))
            fixtures[name] = data
        }
    }

    /// Writes a case's own file (not a fixture: it is removed by `restore`).
    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: dir.url.appendingPathComponent(name))
    }

    /// Runs `firpipe args…` here and checks it against `rules` (a fixture in `reads` must not change),
    /// and a successful run against
    /// `success` (which returns the rule broken, if any); returns the outcome's name and the rule
    /// broken, if any.
    func check(
        _ args: [String], rules: FuzzRules, reads: Set<String>? = nil,
        success: ((TemporaryDirectory) -> String?)? = nil
    ) throws -> (outcome: String, rule: String?, run: FuzzRun) {
        let before = DirectorySnapshot(dir.url)
        let run = try FuzzRun.run(args, in: dir.url, seconds: rules.bound + 5)
        let after = DirectorySnapshot(dir.url)
        var rule = rules.violation(run, before: before, after: after)
        // An output may replace any file, but never one the run reads (`reads`: nil for every fixture).
        if rule == nil, let damaged = after.changes(since: before).first(where: {
            fixtures[$0] != nil && reads?.contains($0) != false
        }) {
            rule = "fixture \(damaged) was changed"
        }
        if rule == nil, run.ending == .exited(0), let success { rule = success(dir) }
        try restore(since: before)
        return (FuzzRules.outcome(run), rule, run)
    }

    /// Removes what appeared since `snapshot` and rewrites fixtures that changed.
    private func restore(since snapshot: DirectorySnapshot) throws {
        let now = DirectorySnapshot(dir.url)
        for path in now.added(since: snapshot).sorted(by: >) {
            try? FileManager.default.removeItem(atPath: dir.path(path))
        }
        for (name, data) in fixtures where (try? Data(contentsOf: dir.url.appendingPathComponent(name))) != data {
            try data.write(to: dir.url.appendingPathComponent(name))
        }
    }
}
