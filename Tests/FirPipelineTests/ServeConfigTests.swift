import FirAudio
import FirCore
import FirPipeline
import Foundation
import Testing

/// The `serve` section: what a good one gives, and each bad one rejected at its line and column.
@Suite struct ServeConfigTests {
    @Test func streamSectionWithDefaults() throws {
        let sandbox = try ConfigSandbox(files: ["kernels/room.wav"])
        let path = try sandbox.write(
            """
            kernel: kernels/room.wav
            gain_db: -3
            serve:
              stream: {format: s24le, channels: 2, rate: 44100}
            """, to: "room.yaml")
        let config = try ServeConfig.load(path: path)
        #expect(config.settings.work == .stream(StreamSettings(format: .s24le, channels: 2, sampleRate: 44100)))
        #expect(config.blockSize == ServeSettings.defaultBlockSize)
        #expect(config.settings.crossfadeMilliseconds == 50)
        #expect(config.settings.shutdownTimeoutSeconds == 5)
        #expect(config.settings.controlSocket == nil)
        #expect(config.settings.metricsFile == nil)
        #expect(config.kernels == .shared(path: sandbox.path("kernels/room.wav")))
        #expect(config.gainDB == -3)
    }

    @Test func everyServeKeyAndPathsRelativeToTheFile() throws {
        let sandbox = try ConfigSandbox(files: ["a.wav"])
        let path = try sandbox.write(
            """
            channels:
              - kernel: ../a.wav
            block_size: 1024
            serve:
              spool:
                inbox: in
                outbox: /srv/out
                failed: ../failed
                settle_seconds: 0.5
                max_jobs: 3
              crossfade_ms: 20
              shutdown_timeout_s: 2.5
              control_socket: run/room.sock
              metrics_file: room.prom
              metrics_interval_s: 1
            """, to: "etc/room.yaml")
        let config = try ServeConfig.load(path: path)
        #expect(config.settings.work == .spool(SpoolSettings(
            inbox: sandbox.path("etc/in"), outbox: "/srv/out", failed: sandbox.path("failed"),
            settleSeconds: 0.5, maxJobs: 3)))
        #expect(config.settings.crossfadeMilliseconds == 20)
        #expect(config.settings.shutdownTimeoutSeconds == 2.5)
        #expect(config.settings.controlSocket == sandbox.path("etc/run/room.sock"))
        #expect(config.settings.metricsFile == sandbox.path("etc/room.prom"))
        #expect(config.settings.metricsIntervalSeconds == 1)
        #expect(config.blockSize == 1024)
        let spec = config.spoolSpec(input: "/in/x.wav", output: "/out/x.wav")
        #expect(spec.kernels == .perChannel([KernelAssignment(path: sandbox.path("a.wav"))]))
        #expect(spec.blockSize == 1024)
        #expect(spec.input == "/in/x.wav")
    }

    @Test func streamPipesStayDashOrBecomeAbsolute() throws {
        let sandbox = try ConfigSandbox(files: ["k.txt", "fifo/in"])
        let path = try sandbox.write(
            "kernel: k.txt\nserve:\n  stream: {input: fifo/in, output: '-', format: f32le, channels: 1, rate: 48000}\n",
            to: "c.yaml")
        let config = try ServeConfig.load(path: path)
        guard case .stream(let stream) = config.settings.work else {
            Issue.record("expected a stream")
            return
        }
        #expect(stream.input == sandbox.path("fifo/in"))
        #expect(stream.output == "-")
    }

    static let bad: [BadConfig] = [
        BadConfig("serve text", "serve: yes\n", 1, 8, .wrongType, "serve must be a mapping"),
        BadConfig("serve empty", "serve: {}\n", 1, 8, .missingValue, "serve needs 'stream'"),
        BadConfig("both", "serve:\n  stream: {format: s16le, channels: 2, rate: 48000}\n  spool: {inbox: a}\n", 3, 3,
                  .conflict, "serve takes one of 'stream' or 'spool', not both (the other is at line 2)"),
        BadConfig("unknown serve key", "serve:\n  crossfade: 20\n", 2, 3, .unknownKey,
                  "unknown key 'crossfade' in serve (did you mean 'crossfade_ms'?)"),
        BadConfig("stream without rate", "serve:\n  stream:\n    format: s16le\n    channels: 2\n", 3, 5,
                  .missingValue, "serve.stream needs 'rate'"),
        BadConfig("stream format", "serve:\n  stream: {format: s16, channels: 2, rate: 48000}\n", 2, 20,
                  .invalidValue, "serve.stream.format must be one of s16le, s24le, s32le, f32le; found 's16'"),
        BadConfig("stream channels zero", "serve:\n  stream: {format: s16le, channels: 0, rate: 48000}\n", 2, 37,
                  .invalidValue, "serve.stream.channels must be between 1 and 64, found 0"),
        BadConfig("stream unknown key", "serve:\n  stream: {format: s16le, chans: 2}\n", 2, 27, .unknownKey,
                  "unknown key 'chans' in serve.stream"),
        BadConfig("spool without failed", "serve:\n  spool:\n    inbox: in\n    outbox: out\n", 3, 5,
                  .missingValue, "serve.spool needs 'failed'"),
        BadConfig("spool jobs", "serve:\n  spool: {inbox: a, outbox: b, failed: c, max_jobs: 0}\n", 2, 53,
                  .invalidValue, "serve.spool.max_jobs must be between 1 and 64, found 0"),
        BadConfig("settle negative", "serve:\n  spool: {inbox: a, outbox: b, failed: c, settle_seconds: -1}\n", 2, 59,
                  .invalidValue, "serve.spool.settle_seconds must be between 0 and 86400, found -1"),
        BadConfig("crossfade text", "serve:\n  crossfade_ms: short\n", 2, 17, .wrongType,
                  "serve.crossfade_ms must be a number, found 'short'"),
        BadConfig("timeout zero", "serve:\n  shutdown_timeout_s: 0\n", 2, 23, .invalidValue,
                  "serve.shutdown_timeout_s must be between 0.1 and 3600, found 0"),
    ]

    @Test(arguments: bad) func rejects(_ bad: BadConfig) {
        bad.expectRejected()
    }

    @Test func daemonChecksAfterParsing() throws {
        let sandbox = try ConfigSandbox(files: ["k.txt"])
        let noServe = try sandbox.write("kernel: k.txt\n", to: "a.yaml")
        #expect(throws: ConfigError.self) { try ServeConfig.load(path: noServe) }

        let small = try sandbox.write(
            "kernel: k.txt\nblock_size: 16\nserve:\n  stream: {format: s16le, channels: 1, rate: 8000}\n", to: "b.yaml")
        let error = #expect(throws: ConfigError.self) { try ServeConfig.load(path: small) }
        #expect(error?.description.hasPrefix("\(small):2:13: block_size must be between 32 and 65536") == true,
                "\(String(describing: error))")

        let missingKernel = try sandbox.write(
            "kernel: gone.wav\nserve:\n  stream: {format: s16le, channels: 1, rate: 8000}\n", to: "c.yaml")
        let missing = #expect(throws: ConfigError.self) { try ServeConfig.load(path: missingKernel) }
        #expect(missing?.code == .missingFile)
        #expect(missing?.location?.line == 1)

        let noKernel = try sandbox.write("serve:\n  stream: {format: s16le, channels: 1, rate: 8000}\n", to: "d.yaml")
        #expect(throws: ConfigError.self) { try ServeConfig.load(path: noKernel) }
    }

    @Test func reloadMayChangeFiltersButNotTheStream() throws {
        let sandbox = try ConfigSandbox(files: ["k.txt", "j.txt"])
        func load(_ text: String) throws -> ServeConfig {
            try ServeConfig.load(path: sandbox.write(text, to: "r.yaml"))
        }
        let stream = "serve:\n  stream: {format: s16le, channels: 1, rate: 8000}\n"
        let old = try load("kernel: k.txt\n" + stream)
        #expect(old.restartNeeded(for: try load("kernel: j.txt\ngain_db: -6\n" + stream)) == nil)
        #expect(old.restartNeeded(for: try load("kernel: k.txt\nblock_size: 512\n" + stream)) != nil)
        let other = "serve:\n  stream: {format: s16le, channels: 1, rate: 16000}\n"
        let rate = try #require(old.restartNeeded(for: try load("kernel: k.txt\n" + other)))
        #expect(rate.message.hasPrefix("serve.stream.rate changed"))
        // At the new value (line 3, column 46), not at 1:1 as before.
        #expect(rate.location?.line == 3 && rate.location?.column == 46, "\(rate)")
        #expect(rate.description.hasSuffix("; the running config stays in force"))
    }

    @Test func reloadRulesOfTheDaemonKeysAndTheSpool() throws {
        let sandbox = try ConfigSandbox(files: ["k.txt"])
        func load(_ serve: String) throws -> ServeConfig {
            try ServeConfig.load(path: sandbox.write("kernel: k.txt\nserve:\n" + serve, to: "r.yaml"))
        }
        let spool = "  spool: {inbox: in, outbox: out, failed: failed}\n"
        let old = try load(spool)
        #expect(old.restartNeeded(for: try load(spool + "  crossfade_ms: 10\n")) == nil, "crossfade_ms is live")
        let timeout = try #require(old.restartNeeded(for: try load(spool + "  shutdown_timeout_s: 9\n")))
        #expect(timeout.message.contains("shutdown_timeout_s"))
        #expect(timeout.location?.line == 4 && timeout.location?.column == 23, "at the value: \(timeout)")
        #expect(old.restartNeeded(for: try load(spool + "  metrics_interval_s: 3\n"))?.message.contains("metrics_interval_s") == true)
        #expect(old.restartNeeded(for: try load(spool + "  control_socket: c.sock\n"))?.message.contains("control_socket") == true)
        // The spool takes its limits live (Spool.update), so the reload may say it did.
        let limits = "  spool: {inbox: in, outbox: out, failed: failed, settle_seconds: 5, max_jobs: 3}\n"
        let changed = try load(limits)
        #expect(old.restartNeeded(for: changed) == nil)
        #expect(changed.spoolLimits == SpoolLimits(SpoolSettings(inbox: "", outbox: "", failed: "", settleSeconds: 5, maxJobs: 3)))
        let moved = try #require(old.restartNeeded(for: try load("  spool: {inbox: in2, outbox: out, failed: failed}\n")))
        #expect(moved.message.hasPrefix("serve.spool.inbox changed; restart the service to watch other directories"))
        #expect(moved.location?.line == 3 && moved.location?.column == 18, "\(moved)")
    }
}
