import ArgumentParser
import FirCore
import FirPipeline
import FoundationEssentials

/// `firpipe wisdom`: measure FFT plans (and this machine's cost model) ahead of time, for a service or
/// a benchmark, so no later run spends time planning.
struct WisdomCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wisdom",
        abstract: "Measure FFTW plans and this machine's cost model ahead of time and save them.",
        discussion: """
            Saved under $XDG_CACHE_HOME/firpipe (or ~/.cache/firpipe). Measuring the largest sizes takes \
            tens of seconds each; runs without wisdom measure new sizes within a 4 s budget instead (a 65,536-point transform takes about 1.5 s once).
            """)

    @Option(
        parsing: .upToNextOption,
        help: "Transform sizes to measure (points: powers of two, or 5 or 15 times one, as a short file's one-block plan takes); default 256 to 524288 (about 40 s).")
    var sizes: [Int] = []

    @Option(help: "Wisdom file (default: the per-user cache).") var file: String?

    func validate() throws {
        for s in sizes where s < 2 || CostModel.oneBlockSize(atLeast: s) != s || s > (1 << 24) {
            throw ValidationError("--sizes \(s): give powers of two, or 5 or 15 times one, from 2 to 16777216")
        }
    }

    func run() throws {
        let store = file.map { WisdomStore(path: $0) } ?? WisdomStore()
        if WisdomStore().fixedPlans {
            throw fail(
                "\(WisdomStore.planningVariable)=\(WisdomStore.fixedPlanning) is set, so no run would use measured plans; "
                    + "unset it to measure and save them", code: SysExits.usage)
        }
        store.load()
        FFTPlanner.shared.setPolicy(.thorough)
        let wanted = sizes.isEmpty ? (8...19).map { 1 << $0 } : sizes
        for size in wanted {
            let start = Date()
            _ = try resources(while: "planning \(size) points") { () throws(ResourceError) in
                try FFTPlanner.shared.fft(size: size)
            }
            printError(String(cFormat: "firpipe: planned %d points in %.1f s", size, Date().timeIntervalSince(start)))
        }
        guard store.save() else {
            throw fail("\(store.path): cannot write the wisdom file; check the directory is writable", code: SysExits.cannotCreate)
        }
        // Calibrate with the plans measured here where there are any (Policy.calibration says why not
        // more).
        FFTPlanner.shared.setPolicy(.calibration)
        let model = try resources(while: "calibrating") { () throws(ResourceError) in
            try CostModelCalibration.measure()
        }
        CostModelStore(wisdom: store).save(model)
        print("saved \(store.path)")
        print(CostModelStore.describe(model))
    }
}
