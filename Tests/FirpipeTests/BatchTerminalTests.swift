import FirAudio
import FirTestSupport
import Foundation
import Testing

/// The batch's behaviour that needs the outside world: the progress line on a real terminal (a pty from
/// script(1)) and a full disk that clears while the batch pauses (a file size limit: write(2) fails with
/// EFBIG, as it fails with ENOSPC on a full disk, and the batch ignores SIGXFSZ; both are I/O errors).
@Suite struct BatchTerminalTests {
    typealias Tree = BatchCommandTests.Tree

    /// `args` as one shell word each, for script(1)'s command line.
    private func shellLine(_ args: [String]) -> String {
        args.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    }

    @Test("on a terminal: files done of all, failed, audio processed and an ETA; none on a pipe or with -q")
    func progressLineOnATerminal() throws {
        let t = try Tree()
        defer { t.f.dir.remove() }
        try Data("RIFF junk".utf8).write(to: URL(fileURLWithPath: t.path("in/sub/bad.wav")))
        let batch = [FirpipeBinary.url.path, "batch", t.path("in"), t.path("out"), "-k", t.kernel]
        let r = try FirpipeBinary.run(["-qec", shellLine(batch), "/dev/null"], executable: "/usr/bin/script")
        #expect(r.status == 65, "\(r.stdout)")
        // 24,000 + 30,000 + 9,000 + 20,000 frames at 48 kHz of good audio: 1.7 s; the corrupt file has none.
        #expect(r.stdout.contains("\rfirpipe batch: 5/5 files, 1 failed, 1.7 s of audio, ETA 0 s"), "\(r.stdout.debugDescription)")
        let quiet = try FirpipeBinary.run(["-qec", shellLine(batch + ["-q", "--force"]), "/dev/null"], executable: "/usr/bin/script")
        #expect(quiet.status == 65 && !quiet.stdout.contains("\r firpipe batch:") && !quiet.stdout.contains("files, "),
                "\(quiet.stdout.debugDescription)")
        let piped = try FirpipeBinary.run(Array(batch.dropFirst()) + ["--force"])
        #expect(piped.status == 65 && !piped.stderr.contains("\r"), "\(piped.stderr.debugDescription)")
    }

    @Test("a full disk pauses the job and says so; when space returns the retry commits the right bytes")
    func fullDiskPausesAndRetries() throws {
        let t = try Tree()
        defer { t.f.dir.remove() }
        // a.wav's output (stereo float, 28,095 frames: 225 kB) passes the limit; the others stay under it.
        let limit = 150 * 1024
        let child = try ChildProcess(
            ["--fsize=\(limit):unlimited", FirpipeBinary.url.path, "batch", t.path("in"), t.path("out"), "-k", t.kernel,
             "--jobs", "1", "-q"],
            executable: "/usr/bin/prlimit", stdout: .capture, stderr: .capture)
        let paused = waitUntil(timeout: 120) { child.stderr.contains("retrying in ") || child.ended != nil }
        #expect(paused && child.ended == nil, "\(child.stderr)")
        // Space comes back: the limit is lifted while the batch waits.
        let lift = try FirpipeBinary.run(["--pid", "\(child.pid)", "--fsize=unlimited:unlimited"], executable: "/usr/bin/prlimit")
        #expect(lift.status == 0, "\(lift.stderr)")
        #expect(child.wait(timeout: 120) == .exited(0), "\(child.stderr)")
        let pause = child.errorLines.first { $0.contains("retrying in 1 s") } ?? ""
        #expect(pause.contains(t.path("out/")) && pause.contains("a.wav") && pause.contains("File too large"), "\(child.stderr)")
        for file in t.files {
            #expect(try t.bytes(t.path("out/" + file)) == t.processed(t.path("in/" + file)), "\(file)")
        }
        let names = try FileManager.default.subpathsOfDirectory(atPath: t.path("out"))
        #expect(!names.contains { AtomicOutputFile.isTemporaryName(($0 as NSString).lastPathComponent) }, "\(names)")
    }
}
