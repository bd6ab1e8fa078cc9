import FirAudio
import FirTestSupport
import Foundation
import Testing

@testable import firpipe

/// The running daemon's control surface: the notify protocol on a real datagram socket set as
/// NOTIFY_SOCKET, `firpipe status` and `firpipe reload` over the control socket, and the metrics file.
@Suite struct ServeControlTests {
    @Test func notifyStatusReloadAndMetrics() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        try f.text("k.txt", "1\n0.5\n")
        let socketPath = f.dir.path("run/room.sock"), metrics = f.dir.path("room.prom")
        let text = """
            kernel: k.txt
            block_size: 128
            serve:
              stream: {format: s16le, channels: 2, rate: 48000}
              control_socket: run/room.sock
              metrics_file: room.prom
              metrics_interval_s: 0.1
            """
        let configPath = try f.text("room.yaml", text)
        let notify = try SystemdNotifierTests.Receiver(try UnixSocketAddress(path: f.dir.path("notify")))
        try notify.socket.setTimeouts(receive: .seconds(20), send: .seconds(1))

        let daemon = try DaemonProcess(
            ["serve", "--config", configPath], environment: ["NOTIFY_SOCKET": f.dir.path("notify")])
        #expect(try notify.next() == "READY=1\nSTATUS=streaming 2 ch at 48000 Hz, latency 128 samples")
        var info = stat()
        #expect(stat(socketPath, &info) == 0 && info.st_mode & 0o777 == 0o600, "the control socket is 0600")

        let frames = 10 * 128
        try daemon.write(Data(repeating: 0x11, count: frames * 4))
        #expect(daemon.waitUntil { daemon.stdout.count >= (128 + frames) * 4 })
        let status = try firpipe("status", "--socket", socketPath)
        #expect(status.status == 0, "\(status.stderr)")
        let json = try #require(DaemonStatus(json: status.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(json.state == .running)
        #expect(json.mode == .stream)
        #expect(json.config.path == configPath)
        #expect(json.config.sha256 == ConfigHash.sha256(of: Data(text.utf8)))
        #expect(json.latency.samples == 128 && abs(json.latency.ms - 128.0 / 48) < 1e-9)
        #expect(json.blocks == 10 && json.samples == UInt64(frames))
        #expect(json.underruns == 0 && json.clippedSamples == 0)
        #expect(Set(json.cpu.seconds.keys) == ["reader", "convolver", "writer", "levels"])
        #expect(Set(json.cpu.loadLastInterval.keys) == Set(json.cpu.seconds.keys))
        // The first status already counts the work done since start (before, it showed all zeros).
        #expect(json.cpu.seconds.values.reduce(0, +) > 0 && json.cpu.intervalSeconds > 0, "\(status.stdout)")
        #expect(json.channels == 2 && json.sampleRate == 48000 && json.blockSize == 128)
        #expect(json.pid == daemon.pid)

        // Also by config: the client finds the socket through serve.control_socket.
        let byConfig = try firpipe("status", "--config", configPath)
        #expect(byConfig.status == 0, "\(byConfig.stderr)")

        let reload = try firpipe("reload", "--socket", socketPath)
        #expect(reload.status == 0, "\(reload.stderr)")
        #expect(reload.stdout.contains("\"ok\":true"))
        let reloading = try notify.next()
        #expect(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        #expect(try notify.next() == "READY=1\nSTATUS=reloaded \(configPath)")

        _ = try f.text("room.yaml", text + "\n  bogus: 1\n")
        let rejected = try firpipe("reload", "--socket", socketPath)
        #expect(rejected.status == 78)
        #expect(rejected.errorLines.last?.contains("\(configPath):8:3: unknown key 'bogus' in serve") == true,
                "\(rejected.stderr)")
        // Found by the broken config itself: the client reads control_socket leniently, the daemon
        // names the error. Before, these exited 69 against the default socket path.
        let byBrokenConfig = try firpipe("reload", "--config", configPath)
        #expect(byBrokenConfig.status == 78, "\(byBrokenConfig.stderr)")
        #expect(byBrokenConfig.errorLines.last?.contains("\(configPath):8:3: unknown key 'bogus'") == true)
        _ = try f.text("room.yaml", text + "\n  metrics_interval_s: [\n")
        let badYAML = try firpipe("reload", "--config", configPath)
        #expect(badYAML.status == 78, "\(badYAML.stderr)")
        #expect(badYAML.errorLines.last?.contains("\(configPath):") == true, "\(badYAML.stderr)")
        #expect(try firpipe("status", "--config", configPath).status == 0)
        _ = try f.text("room.yaml", text)
        let after = try #require(DaemonStatus(json: try firpipe("status", "--socket", socketPath).stdout))
        #expect(after.reloads.ok == 1 && after.reloads.failed == 3)

        #expect(daemon.waitUntil {
            (try? String(contentsOfFile: metrics, encoding: .utf8))?.contains("firpipe_blocks_total{config=\"room\"} 10") == true
        })
        daemon.send(SIGTERM)
        for _ in 0..<6 { _ = try notify.next() }  // RELOADING / READY of the three rejected reloads
        #expect(try notify.next() == "STOPPING=1\nEXTEND_TIMEOUT_USEC=6000000")
        #expect(daemon.waitForExit() == 0, "\(daemon.stderr)")
        #expect(!FileManager.default.fileExists(atPath: socketPath), "the socket is removed at exit")
    }
}
