import FirTestSupport
import Foundation
import Synchronization
import Testing

@testable import firpipe

/// The control socket against clients that do not play along: many silent ones, slow commands, a
/// deleted socket file, a client whose daemon never answers.
@Suite struct ControlSocketAbuseTests {
    func scratch() throws -> TemporaryDirectory { try TemporaryDirectory(prefix: "fp-abuse") }

    /// Connects and says nothing; the socket stays open as long as the value lives.
    func silentClient(_ path: String) throws -> UnixSocket {
        let client = try UnixSocket(type: Int32(SOCK_STREAM.rawValue))
        try client.connect(to: try UnixSocketAddress(path: path))
        return client
    }

    func timed<T>(_ body: () throws -> T) rethrows -> (T, Duration) {
        let started = ContinuousClock.now
        let value = try body()
        return (value, ContinuousClock.now - started)
    }

    @Test func silentClientsDoNotDelayOthers() throws {
        let dir = try scratch()
        defer { dir.remove() }
        let path = dir.path("room.sock")
        let server = try ControlSocket(path: path) { _ in "up" }
        defer { server.stop() }
        // Before: one connection at a time, each silent client holding the socket for its 2 s timeout.
        let idle = try (0..<50).map { _ in try silentClient(path) }
        let (reply, took) = try timed { try ControlClient.send("status", to: path, timeout: .seconds(10)) }
        #expect(reply == "up")
        #expect(took < .milliseconds(500), "answered in \(took) behind \(idle.count) silent clients")
    }

    @Test func aFullTableDropsTheOldestSilentClient() throws {
        let dir = try scratch()
        defer { dir.remove() }
        let path = dir.path("room.sock")
        let server = try ControlSocket(path: path) { _ in "up" }
        defer { server.stop() }
        let idle = try (0..<(ControlSocket.connectionLimit + 10)).map { _ in try silentClient(path) }
        #expect(try ControlClient.send("status", to: path, timeout: .seconds(10)) == "up")
        // The first silent client was dropped with a reason.
        try idle[0].setTimeouts(receive: .seconds(5), send: .seconds(5))
        let dropped = String(decoding: try idle[0].receive(upTo: 4096), as: UTF8.self)
        #expect(ControlReply(json: dropped.trimmingCharacters(in: .newlines))?.ok == false)
    }

    @Test func aSlowCommandDoesNotDelayStatus() throws {
        let dir = try scratch()
        defer { dir.remove() }
        let path = dir.path("room.sock")
        let release = DispatchSemaphore(value: 0)
        let server = try ControlSocket(path: path) { command in
            if command == "reload" { release.wait() }
            return command
        }
        defer { server.stop() }
        let reloaded = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let reply = try? ControlClient.send("reload", to: path)
            reloaded.withLock { $0 = reply }
            done.signal()
        }
        // Dispatch's pool started this status about a second late behind the held reload; handlers now
        // run on threads of their own.
        let (reply, took) = try timed { try ControlClient.send("status", to: path, timeout: .seconds(10)) }
        #expect(reply == "status")
        #expect(took < .milliseconds(500), "status waited \(took) for a reload in progress")
        release.signal()
        done.wait()
        #expect(reloaded.withLock { $0 } == "reload")
    }

    @Test func aDeletedSocketFileIsBoundAgain() throws {
        let dir = try scratch()
        defer { dir.remove() }
        let path = dir.path("run/room.sock")
        let logged = Mutex<[String]>([])
        let server = try ControlSocket(path: path, log: { line in logged.withLock { $0.append(line) } }) { _ in "up" }
        defer { server.stop() }
        #expect(unlink(path) == 0)
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        var answered = false
        while !answered, ContinuousClock.now < deadline {
            answered = (try? ControlClient.send("status", to: path, timeout: .seconds(1))) == "up"
            if !answered { usleep(20_000) }
        }
        #expect(answered, "the socket is back within a few checks")
        #expect(logged.withLock { $0 } == ["control socket \(path) was removed; bound it again"])
        var info = stat()
        #expect(lstat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        server.stop()
        #expect(!FileManager.default.fileExists(atPath: path), "stop removes the new file")
    }

    @Test func aReplacedSocketFileIsLeftAlone() throws {
        let dir = try scratch()
        defer { dir.remove() }
        let path = dir.path("room.sock")
        let logged = Mutex<[String]>([])
        let server = try ControlSocket(path: path, log: { line in logged.withLock { $0.append(line) } }) { _ in "up" }
        // Renamed over it, so the loop never sees the path empty and binds again.
        try "not ours".write(toFile: dir.path("other"), atomically: false, encoding: .utf8)
        #expect(rename(dir.path("other"), path) == 0)
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while logged.withLock({ $0.isEmpty }), ContinuousClock.now < deadline { usleep(20_000) }
        server.stop()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "not ours")
        #expect(logged.withLock { $0.first?.contains("was replaced by another file; leaving it alone") } == true)
    }

    @Test func theClientsTimeoutIsHonoured() throws {
        let dir = try scratch()
        defer { dir.remove() }
        let path = dir.path("room.sock")
        let release = DispatchSemaphore(value: 0)
        let server = try ControlSocket(path: path) { _ in
            release.wait()
            return "late"
        }
        defer {
            release.signal()
            server.stop()
        }
        let (error, took) = timed {
            Result { () throws(DaemonError) in try ControlClient.send("status", to: path, timeout: .milliseconds(300)) }
        }
        guard case .failure(let failure) = error else {
            Issue.record("a reply came from a daemon that never answers")
            return
        }
        #expect(failure.code == .timeout)
        #expect(took >= .milliseconds(300) && took < .milliseconds(400), "gave up after \(took)")
    }
}
