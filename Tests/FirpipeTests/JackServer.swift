import FirTestSupport
import Foundation

/// A JACK server of the tests' own on the dummy driver (no sound hardware): `jackd -d dummy`, under a
/// private server name (JACK_DEFAULT_SERVER) so it never meets another JACK server on the machine, and
/// with JACK_NO_AUDIO_RESERVATION=1 (no D-Bus device reservation). Killed when the test lets it go.
final class JackServer: @unchecked Sendable {
    let name: String
    let rate: Int
    let period: Int
    private var process: ChildProcess?

    init(rate: Int = 48000, period: Int = 256) throws {
        name = "fptest-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        self.rate = rate
        self.period = period
        try start()
    }

    deinit { kill(SIGTERM) }

    /// What a client of this server needs in its environment.
    var environment: [String: String] { ["JACK_DEFAULT_SERVER": name, "JACK_NO_AUDIO_RESERVATION": "1"] }

    /// Starts the server and returns once clients can connect (jack_wait, within 10 s).
    func start() throws {
        process = try ChildProcess(
            ["-d", "dummy", "-r", String(rate), "-p", String(period)], executable: "/usr/bin/jackd",
            environment: environment)
        let ready = try FirpipeBinary.run(
            ["-s", name, "-w", "-t", "10"], environment: environment, executable: "/usr/bin/jack_wait", timeout: 20)
        guard ready.status == 0 else {
            throw JackTestFailure(what: "jackd did not come up: \(ready.stdout) \(ready.stderr)")
        }
    }

    /// Changes the running server's period (`jack_bufsize`), as a user retuning latency would.
    func setPeriod(_ frames: Int) throws {
        let r = try FirpipeBinary.run(
            [String(frames)], environment: environment, executable: "/usr/bin/jack_bufsize", timeout: 20)
        guard r.status == 0 else { throw JackTestFailure(what: "jack_bufsize \(frames) failed: \(r.stderr)") }
    }

    /// Stops the server with `signal` (SIGKILL: the server dies under its clients) and reaps it.
    func kill(_ signal: Int32) {
        guard let process else { return }
        process.send(signal)
        _ = process.wait(timeout: 10)
        self.process = nil
    }

    /// Runs Tests/Jack/play_record.py against client `target`: plays `signal` (one array per channel)
    /// into its inputs and records `record` frames of its `outputs` outputs, frame-aligned. Returns the
    /// recording, the capture latency JACK reports at `target:out_1` and the xruns the player saw.
    func playAndRecord(
        _ signal: [[Float]], target: String, outputs: Int, record: Int, in dir: TemporaryDirectory
    ) throws -> (recording: [[Float]], latency: [Int], xruns: Int) {
        let input = dir.path("play.f32"), output = dir.path("rec.f32")
        var bytes = Data()
        for channel in signal { channel.withUnsafeBufferPointer { bytes.append(Data(buffer: $0)) } }
        try bytes.write(to: URL(fileURLWithPath: input))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Jack/play_record.py").path
        let run = try FirpipeBinary.run(
            [script, "--target", target, "--input", input, "--inputs", String(signal.count), "--outputs",
             String(outputs), "--frames", String(signal[0].count), "--record", String(record), "--out", output],
            environment: environment, executable: "/usr/bin/python3", timeout: 120)
        guard run.status == 0 else {
            throw JackTestFailure(what: "play_record.py failed: \(run.stderr)")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: output))
        let floats = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let recording = (0..<outputs).map { Array(floats[$0 * record..<($0 + 1) * record]) }
        struct Report: Decodable { var latency: [Int]; var xruns: Int }
        let line = run.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let report = try JSONDecoder().decode(Report.self, from: Data(line.utf8))
        return (recording, report.latency, report.xruns)
    }
}

/// A JACK test's helper failed (the server did not start, the test client did not finish).
struct JackTestFailure: Error, CustomStringConvertible {
    var what: String
    var description: String { what }
}
