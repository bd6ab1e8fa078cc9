import ArgumentParser
import FirCore
import FirPipeline
import FoundationEssentials

/// `firpipe bench`: engine throughput on generated data, and its lower bound on this machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the convolution engine alone (no file I/O) against its FFT-and-multiply lower bound.")

    @Option(help: "Kernel length in taps.") var taps = 65_536
    @Option(help: "Channels.") var channels = 2
    @Option(help: "Seconds of 48 kHz audio.") var seconds = 60.0
    @Option(help: "Worker threads (default: one per core).") var threads: Int?
    @Option(name: .customLong("block-size"), help: "Uniform partitions of this size (default: the cost model's plan).") var blockSize: Int?
    @Flag(help: "Measure this machine's FFT and multiply-add costs and print them as a cost model.")
    var calibrate = false

    func validate() throws {
        guard (1...(1 << 24)).contains(taps) else { throw ValidationError("--taps must be 1 to 16777216") }
        guard (1...64).contains(channels) else { throw ValidationError("--channels must be 1 to 64") }
        guard seconds > 0 && seconds <= 3600 else { throw ValidationError("--seconds must be in (0, 3600]") }
    }

    func run() throws {
        let store = WisdomStore()
        store.usePolicy(.batch)
        store.load()
        defer { store.saveIfChanged() }
        let model = CostModelStore(wisdom: store).load() ?? .default
        if calibrate {
            let measured = try resources(while: "calibrating") { () throws(ResourceError) in
                try CostModelCalibration.measure()
            }
            print(CostModelStore.describe(measured))
            return
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        for t in Set([1, threads ?? cores]).sorted() {
            let r = try resources(while: "benchmarking \(taps) taps") { () throws(ResourceError) in
                try EngineBenchmark(
                    taps: taps, channels: channels, seconds: seconds, threads: t, blockSize: blockSize, costModel: model
                ).run()
            }
            let together = r.workers == 1 ? "on one worker" : "on the same \(r.workers) workers at once"
            print(String(
                cFormat: "threads %d: %d taps, %d ch, block %d × %d partitions, transform %d: %.3f s engine, "
                    + "%.1f M ch-samples/s, "
                    + "realtime ×%.0f; ",
                t, taps, channels, r.blockSize, r.partitions, r.fftSize, r.engineSeconds,
                r.channelSamplesPerSecond / 1e6,
                r.realtimeFactor)
                + String(cFormat: "lower bound %.3f s (the FFTs and multiply-adds alone, ", r.lowerBoundSeconds)
                + together
                + String(
                    cFormat: "; on one core alone FFT %.3f + multiply-add %.3f); engine/bound %.2f (best of %d each)",
                    r.fftSeconds, r.macSeconds, r.overhead, EngineBenchmark.rounds))
        }
    }
}
