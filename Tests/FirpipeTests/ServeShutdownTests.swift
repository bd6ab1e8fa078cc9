import FirAudio
import FirTestSupport
import Foundation
import Testing

/// Shutdown when the stream cannot drain: the output is a named pipe nobody opens, so the writer never
/// gets going and the stream cannot finish.
@Suite struct ServeShutdownTests {
    private func stuckDaemon(_ f: Fixtures, timeout: Double) throws -> DaemonProcess {
        try f.text("k.txt", "1\n")
        let fifo = f.dir.path("nobody-reads.pcm")
        #expect(mkfifo(fifo, 0o600) == 0)
        let config = try f.text(
            "s.yaml",
            "kernel: k.txt\nserve:\n  stream: {output: \(fifo), format: s16le, channels: 1, rate: 8000}\n"
                + "  shutdown_timeout_s: \(timeout)\n")
        let daemon = try DaemonProcess(["serve", "--config", config])
        // Signal handlers are installed before the services start, and the log line comes after.
        #expect(daemon.waitUntil { daemon.stderr.contains("streaming 1 ch") }, "\(daemon.stderr)")
        try daemon.write(Data(count: 8000))
        return daemon
    }

    @Test func drainLongerThanTheTimeoutExits70() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let daemon = try stuckDaemon(f, timeout: 0.5)
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit() == 70, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("shutdown took longer than shutdown_timeout_s (0.5 s)"))
    }

    @Test func secondSignalExitsAtOnce() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        // A timeout far beyond the wait below: only the second signal can end it in time.
        let daemon = try stuckDaemon(f, timeout: 600)
        daemon.send(SIGTERM)
        #expect(daemon.waitUntil { daemon.stderr.contains("stopping") })
        daemon.send(SIGINT)
        #expect(daemon.waitForExit(timeout: 20) == 128 + SIGINT, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("second SIGINT during shutdown: exiting at once"))
    }
}
