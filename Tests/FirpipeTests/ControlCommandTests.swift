import FirTestSupport
import Foundation
import Testing

@testable import firpipe

/// `firpipe status` and `firpipe reload`, run as a user would against a control socket in this process.
@Suite struct ControlCommandTests {
    @Test func statusPrintsTheDaemonsReply() throws {
        let dir = try TemporaryDirectory(prefix: "fp-cmd")
        defer { dir.remove() }
        let server = try ControlSocket(path: dir.path("room.sock")) { $0 == "status" ? #"{"state":"running"}"# : "?" }
        defer { server.stop() }
        let r = try FirpipeBinary.run(["status", "--socket", dir.path("room.sock")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "{\"state\":\"running\"}\n")
        // Found from the config's name inside systemd's runtime directory.
        var env = ProcessInfo.processInfo.environment
        env["RUNTIME_DIRECTORY"] = dir.url.path
        let byConfig = try FirpipeBinary.run(["status", "--config", "/etc/firpipe/room.yaml"], environment: env)
        #expect(byConfig.status == 0, "\(byConfig.stderr)")
        #expect(byConfig.stdout == "{\"state\":\"running\"}\n")
    }

    @Test func reloadExitsByTheOutcome() throws {
        let dir = try TemporaryDirectory(prefix: "fp-cmd")
        defer { dir.remove() }
        let bad = ControlReply.failure("/etc/firpipe/room.yaml:3:9: kernel: no such file")
        let good = try ControlSocket(path: dir.path("good.sock")) { _ in ControlReply.success("reloaded").json }
        let rejected = try ControlSocket(path: dir.path("bad.sock")) { _ in bad.json }
        let garbled = try ControlSocket(path: dir.path("odd.sock")) { _ in "hello" }
        defer { [good, rejected, garbled].forEach { $0.stop() } }

        let ok = try FirpipeBinary.run(["reload", "--socket", dir.path("good.sock")])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ControlReply(json: ok.stdout) == .success("reloaded"))
        let no = try FirpipeBinary.run(["reload", "--socket", dir.path("bad.sock")])
        #expect(no.status == 78)
        #expect(ControlReply(json: no.stdout) == bad)
        #expect(no.errorLines == ["firpipe: /etc/firpipe/room.yaml:3:9: kernel: no such file"])
        #expect(try FirpipeBinary.run(["reload", "--socket", dir.path("odd.sock")]).status == 76)
    }

    @Test func saysWhenNoDaemonListens() throws {
        let dir = try TemporaryDirectory(prefix: "fp-cmd")
        defer { dir.remove() }
        let path = dir.path("room.sock")
        let r = try FirpipeBinary.run(["status", "--socket", path])
        #expect(r.status == 69)
        let hint = "is it running? (systemctl status firpipe@room)"
        #expect(r.errorLines == ["firpipe: no firpipe daemon is listening on \(path); \(hint)"])
        #expect(try FirpipeBinary.run(["reload", "--socket", path]).status == 69)
        #expect(try FirpipeBinary.run(["status", "--socket", path, "--timeout", "0"]).status == 64)
    }

    /// Another user meets the socket's 0600 and gets exit 77. Needs root, to become `nobody` (CI runs it).
    @Test(.enabled(if: AsNobody.isPossible, "needs root and setpriv to become nobody"))
    func otherUsersAreTurnedAway() throws {
        let dir = try TemporaryDirectory(prefix: "fp-cmd")
        defer { dir.remove() }
        let server = try ControlSocket(path: dir.path("room.sock")) { _ in "{}" }
        defer { server.stop() }
        // The binary runs from a copy nobody may reach, so a checkout under /root cannot stop the test.
        let version = try AsNobody.run(FirpipeBinary.url.path, ["--version"])
        try #require(version.status == 0, "nobody cannot run firpipe: \(version.stderr)")
        let r = try AsNobody.run(FirpipeBinary.url.path, ["status", "--socket", dir.path("room.sock")])
        #expect(r.status == 77)
        #expect(r.stderr.hasPrefix("firpipe: permission denied on \(dir.path("room.sock"))"), "\(r.stderr)")
    }

    @Test func exitCodesFollowSysexits() {
        #expect(ControlOptions.exitCode(for: .unavailable) == 69)
        #expect(ControlOptions.exitCode(for: .permission) == 77)
        #expect(ControlOptions.exitCode(for: .timeout) == 75)
        #expect(ControlOptions.exitCode(for: .badReply) == 76)
    }
}
