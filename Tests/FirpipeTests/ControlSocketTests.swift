import FirTestSupport
import Foundation
import Testing

@testable import firpipe

/// The control socket and its client, in one process, over real unix sockets.
@Suite struct ControlSocketTests {
    /// A directory for sockets; short, since sun_path holds 107 bytes.
    func scratch() throws -> TemporaryDirectory { try TemporaryDirectory(prefix: "fp-ctl") }

    @Test func answersOneCommandAConnection() throws {
        let dir = try scratch()
        defer { dir.remove() }
        let path = dir.path("run/firpipe/room.sock")
        let server = try ControlSocket(path: path) { command in
            command == "status" ? #"{"state":"running"}"# : ControlReply.failure("unknown command \(command)").json
        }
        defer { server.stop() }
        #expect(try ControlClient.send("status", to: path) == #"{"state":"running"}"#)
        #expect(try ControlClient.send("status", to: path) == #"{"state":"running"}"#)
        let refused = try #require(ControlReply(json: try ControlClient.send("frobnicate", to: path)))
        #expect(refused == .failure("unknown command frobnicate"))
    }

    @Test func socketIsOnlyForItsOwner() throws {
        let dir = try scratch()
        defer { dir.remove() }
        let path = dir.path("new/deeper/room.sock")
        let server = try ControlSocket(path: path) { _ in "{}" }
        defer { server.stop() }
        var info = stat()
        #expect(lstat(path, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(stat(dir.path("new/deeper"), &info) == 0)
        #expect(info.st_mode & 0o077 == 0, "the directories it creates are 0700")
    }

    @Test func aFileInTheSocketsPathIsNamed() throws {
        let dir = try scratch()
        defer { dir.remove() }
        #expect(FileManager.default.createFile(atPath: dir.path("run"), contents: Data("x".utf8)))
        let error = #expect(throws: DaemonError.self) {
            _ = try ControlSocket(path: dir.path("run/firpipe/room.sock")) { _ in "{}" }
        }
        #expect(error?.message == "\(dir.path("run")) is not a directory; choose another control_socket path")
    }

    @Test func stopRemovesTheSocketAndClientsThenHearNobody() throws {
        let dir = try scratch()
        defer { dir.remove() }
        let path = dir.path("room.sock")
        let server = try ControlSocket(path: path) { _ in "{}" }
        server.stop()
        server.stop()
        #expect(!FileManager.default.fileExists(atPath: path))
        let error = try #require(throws: DaemonError.self) { try ControlClient.send("status", to: path) }
        #expect(error.code == .unavailable)
        let hint = "is it running? (systemctl status firpipe@room)"
        #expect(error.message == "no firpipe daemon is listening on \(path); \(hint)")
    }

    @Test func replacesAStaleSocketButNotALiveOneOrAFile() throws {
        let dir = try scratch()
        defer { dir.remove() }
        let path = dir.path("room.sock")
        // A socket file nobody listens on, as a daemon killed with SIGKILL leaves it.
        try UnixSocket(type: Int32(SOCK_STREAM.rawValue)).bind(to: try UnixSocketAddress(path: path))
        #expect(FileManager.default.fileExists(atPath: path))
        let server = try ControlSocket(path: path) { _ in #"{"ok":true}"# }
        defer { server.stop() }
        #expect(try ControlClient.send("status", to: path) == #"{"ok":true}"#)

        let second = try #require(throws: DaemonError.self) { try ControlSocket(path: path) { _ in "" } }
        #expect(second.code == .unavailable)
        #expect(second.message.contains("another firpipe daemon is listening on \(path)"))
        #expect(try ControlClient.send("status", to: path) == #"{"ok":true}"#, "the first daemon still answers")

        let file = dir.path("notes.txt")
        try "keep me".write(toFile: file, atomically: false, encoding: .utf8)
        let refused = try #require(throws: DaemonError.self) { try ControlSocket(path: file) { _ in "" } }
        #expect(refused.code == .cannotCreate)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep me")
    }

    @Test func stopLeavesASuccessorsSocketAlone() throws {
        let dir = try scratch()
        defer { dir.remove() }
        let path = dir.path("room.sock")
        let old = try ControlSocket(path: path) { _ in "old" }
        // The old daemon's file vanishes (an admin cleaned up) and a new daemon binds the same path.
        unlink(path)
        let new = try ControlSocket(path: path) { _ in "new" }
        defer { new.stop() }
        old.stop()
        #expect(try ControlClient.send("status", to: path) == "new")
    }

    @Test func limitsWhatAClientMaySend() throws {
        let dir = try scratch()
        defer { dir.remove() }
        let path = dir.path("room.sock")
        let timeout = Duration.milliseconds(300)
        let server = try ControlSocket(path: path, readTimeout: timeout) { "got \($0)" }
        defer { server.stop() }

        func raw(_ bytes: String, close: Bool) throws -> String {
            let client = try UnixSocket(type: Int32(SOCK_STREAM.rawValue))
            try client.connect(to: try UnixSocketAddress(path: path))
            try client.setTimeouts(receive: .seconds(5), send: .seconds(5))
            if !bytes.isEmpty { try client.send(Array(bytes.utf8)) }
            if close { shutdown(client.descriptor, Int32(SHUT_WR)) }
            var reply: [UInt8] = []
            while true {
                let chunk = try client.receive(upTo: 4096)
                if chunk.isEmpty { break }
                reply += chunk
            }
            return String(decoding: reply, as: UTF8.self)
        }
        #expect(try raw("status\r\n", close: false) == "got status\n")
        #expect(try raw("  status", close: true) == "got status\n", "end of file ends the line too")
        #expect(try raw(String(repeating: "s", count: 1024) + "\n", close: false).hasPrefix("got sss"))
        let long = try raw(String(repeating: "s", count: 1025) + "\n", close: false)
        #expect(ControlReply(json: long) == .failure("command longer than 1024 bytes"))
        #expect(try raw("", close: true) == "", "a client that says nothing gets nothing")
        // Silent but connected: answered after the read timeout, and the socket serves on.
        let started = ContinuousClock.now
        let silent = try raw("", close: false)
        #expect(ControlReply(json: silent)?.ok == false)
        #expect(ContinuousClock.now - started >= timeout)
        #expect(try ControlClient.send("status", to: path) == "got status")
    }

    @Test func socketPathRule() {
        let room = "/etc/firpipe/room.yaml"
        func rule(_ config: String?, _ explicit: String? = nil, _ configured: String? = nil,
                  _ environment: [String: String] = ["RUNTIME_DIRECTORY": "/run/firpipe:/run/other"]) -> String {
            ControlPaths.socket(
                configPath: config, explicit: explicit, configured: configured, environment: environment)
        }
        #expect(rule(room, "/x.sock", "/y.sock") == "/x.sock")
        #expect(rule(room, nil, "/y.sock") == "/y.sock")
        #expect(rule(room) == "/run/firpipe/room.sock", "the first of RUNTIME_DIRECTORY's directories")
        #expect(rule("conf/hall.v2.yml", nil, nil, ["RUNTIME_DIRECTORY": "/tmp/rt/"]) == "/tmp/rt/hall.v2.sock")
        #expect(rule("studio", nil, nil, [:]) == "/run/firpipe/studio.sock")
        #expect(rule(nil, nil, nil, [:]) == "/run/firpipe/firpipe.sock")
        #expect(ControlPaths.unitName(socketPath: "/run/firpipe/room.sock") == "firpipe@room")
        #expect(ControlPaths.unitName(socketPath: "/run/firpipe/firpipe.sock") == "firpipe")
    }
}

extension ControlSocketTests {
    @Test func stopDoesNotWaitForASilentClient() throws {
        let dir = try scratch()
        defer { dir.remove() }
        let path = dir.path("room.sock")
        let server = try ControlSocket(path: path) { _ in "{}" }
        let client = try UnixSocket(type: Int32(SOCK_STREAM.rawValue))
        try client.connect(to: try UnixSocketAddress(path: path))
        // The accept thread now waits for this client's command; stop must not sit out the read timeout.
        let started = ContinuousClock.now
        server.stop()
        #expect(ContinuousClock.now - started < ControlSocket.readTimeout)
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
