import FirAudio
import FirPipeline
import FirTestSupport
import Foundation
import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

@testable import firpipe

/// The daemon's services in this process, shut down gracefully through ServiceLifecycle's test kit:
/// each returns by itself and leaves its work finished (the stream flushed, the spool's job done, the
/// socket file removed, a last metrics file written).
@Suite struct ServiceShutdownTests {
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func daemon(_ f: Fixtures, serve: String, engine: StreamEngine? = nil, spool: Spool? = nil) throws -> (Daemon, ServeConfig) {
        try f.text("k.txt", "1\n0.5\n")
        let config = try ServeConfig.load(path: try f.text("d.yaml", "kernel: k.txt\nblock_size: 64\nserve:\n" + serve))
        return (Daemon(config: config, engine: engine, spool: spool, notifier: SystemdNotifier(environment: [:]), logger: logger), config)
    }

    @Test func streamServiceFlushesWhatWasSentAndReturns() async throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let input = f.dir.path("in.pcm"), output = f.dir.path("out.pcm")
        #expect(mkfifo(input, 0o600) == 0)
        let stream = "  stream: {input: \(input), output: \(output), format: f32le, channels: 1, rate: 8000}\n"
        let (probe, config) = try daemon(f, serve: stream)
        guard case .stream(let settings) = config.settings.work else { throw Failure("not a stream") }
        let engine = try StreamEngine(
            settings: settings, convolver: try Daemon.makeConvolver(config, stream: settings), ditherSeed: nil,
            limitDB: nil, nonFinite: .error, logger: logger)
        let daemon = Daemon(config: config, engine: engine, spool: nil, notifier: probe.notifier, logger: logger)
        let x = Signals.noise(count: 1000, seed: 3, amplitude: 0.5)
        let ready = AsyncStream<Void>.makeStream()
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await StreamService(daemon: daemon, engine: engine, onReady: { ready.continuation.yield() }).run()
                }
                for await _ in ready.stream { break }
                // The writer holds the pipe open: only the shutdown ends the stream.
                let writer = try FileHandle(forWritingTo: URL(fileURLWithPath: input))
                try writer.write(contentsOf: ServeStreamTests.encode([x], RawPCMCodec(format: .f32le, channels: 1)))
                #expect(await Self.eventually { engine.counters.frames.load(ordering: .relaxed) >= 1000 - 64 })
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
                try writer.close()
            }
        }
        #expect(daemon.state == .stopping)
        let y = ServeStreamTests.decode(try Data(contentsOf: URL(fileURLWithPath: output)), RawPCMCodec(format: .f32le, channels: 1))[0]
        #expect(y.count == x.count + 64, "everything sent came out, after the latency")
        #expect(abs(y[64 + 10] - (x[10] + 0.5 * x[9])) < 1e-6, "filtered, not only passed through")
    }

    @Test func spoolServiceFinishesItsJobAndReturns() async throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        for name in ["in", "out", "failed"] { try FileManager.default.createDirectory(atPath: f.dir.path(name), withIntermediateDirectories: false) }
        let (probe, config) = try daemon(f, serve: "  spool: {inbox: in, outbox: out, failed: failed, settle_seconds: 0.05}\n")
        guard case .spool(let settings) = config.settings.work else { throw Failure("not a spool") }
        let spool = Spool(settings: settings, makeSpec: { config.spoolSpec(input: $0, output: $1) }, logger: logger)
        let daemon = Daemon(config: config, engine: nil, spool: spool, notifier: probe.notifier, logger: logger)
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await SpoolService(daemon: daemon, spool: spool, drainSeconds: 5, onReady: {}).run() }
                try f.audio("staged.wav", [Signals.noise(count: 2000, seed: 4)])
                #expect(rename(f.dir.path("staged.wav"), f.dir.path("in/take.wav")) == 0)
                #expect(await Self.eventually { spool.counts.done == 1 })
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(daemon.state == .stopping)
        #expect(FileManager.default.fileExists(atPath: f.dir.path("out/take.wav")))
    }

    @Test func controlAndMetricsServicesCleanUp() async throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let (daemon, _) = try daemon(f, serve: "  spool: {inbox: ., outbox: ., failed: .}\n")
        let socketPath = f.dir.path("c.sock"), metrics = f.dir.path("m.prom")
        let control = ControlService(socket: try ControlSocket(path: socketPath) { daemon.answer($0) })
        let file = MetricsFile(path: metrics, name: "d")
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await control.run() }
                group.addTask { try await MetricsService(daemon: daemon, file: file, interval: .seconds(3600)).run() }
                #expect(await Self.eventually { FileManager.default.fileExists(atPath: metrics) })
                #expect(try ControlClient.send("status", to: socketPath).contains("\"mode\":\"spool\""))
                try FileManager.default.removeItem(atPath: metrics)
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(!FileManager.default.fileExists(atPath: socketPath), "the socket file is gone")
        #expect(FileManager.default.fileExists(atPath: metrics), "a last metrics file at shutdown")
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<2000 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }
}
