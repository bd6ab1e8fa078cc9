import FirAudio
import FirCore

/// Compiles a ``GraphSpec`` into a ``FilterMatrix`` for audio of a given channel count and rate: walks
/// the pipeline keeping, for every channel, the sum of paths from the input that reach it, then turns
/// each (output, input) pair's paths into one FIR filter.
///
/// A path is a gain, an integer delay and the convolution kernels met along the way. A path through one
/// kernel keeps that kernel's own float taps (and gain) untouched, so the common graphs filter exactly
/// as the per-channel job does; kernels in series are combined once by float64 direct convolution, and
/// several paths between the same two channels are summed in float64 (convolution is distributive).
///
/// Errors are ``JobError``s of kind `.config` whose `configKey` points at the step or filter at fault.
/// Runs on the caller's thread (the job's set-up or the daemon's reload).
struct GraphCompiler {
    let graph: GraphSpec
    let channels: Int
    let sampleRate: Int
    let inputPath: String
    var kernels: KernelCache

    /// One path from an input channel.
    private struct Path {
        var input: Int
        var gain: Double
        var delay: Int
        /// Kernel ids in the order met (convolution commutes, but a stable order names a stable source).
        var kernels: [String]

        var key: String { "d\(delay)|" + kernels.joined(separator: "*") }
    }

    /// Float64 taps by kernel id: a file channel after normalization, or a fractional delay.
    private var taps: [String: [Double]] = [:]

    init(graph: GraphSpec, channels: Int, sampleRate: Int, inputPath: String, kernels: KernelCache) {
        self.graph = graph
        self.channels = channels
        self.sampleRate = sampleRate
        self.inputPath = inputPath
        self.kernels = kernels
    }

    mutating func compile() throws(JobError) -> FilterMatrix {
        var state: [[Path]] = (0..<channels).map { [Path(input: $0, gain: 1, delay: 0, kernels: [])] }
        for (index, step) in graph.pipeline.enumerated() {
            switch step {
            case .mixer(let name):
                guard let mixer = graph.mixers[name] else { preconditionFailure("names are checked when read") }
                guard mixer.inputs == state.count else {
                    throw JobError(
                        .config,
                        "mixer '\(name)' takes \(mixer.inputs) channel\(mixer.inputs == 1 ? "" : "s") but "
                            + "\(state.count) reach it at pipeline step \(index) (\(inputPath) has \(channels)); "
                            + "set its channels 'in' to \(state.count) or change the steps before it",
                        configKey: "pipeline.\(index).name")
                }
                state = mixer.sources.map { sources in
                    sources.flatMap { source in
                        state[source.channel].map { path in
                            var path = path
                            path.gain *= source.linear
                            return path
                        }
                    }
                }
            case .filters(let names, let listed):
                for (i, c) in (listed ?? Array(0..<state.count)).enumerated() where c >= state.count {
                    throw JobError(
                        .config,
                        "channel \(c) does not exist at pipeline step \(index): \(state.count) channel"
                            + "\(state.count == 1 ? "" : "s") reach it (numbered from 0)",
                        configKey: "pipeline.\(index).channels.\(i)")
                }
                for name in names {
                    guard let filter = graph.filters[name] else { preconditionFailure("names are checked when read") }
                    for c in listed ?? Array(0..<state.count) {
                        state[c] = try apply(filter, named: name, to: state[c])
                    }
                }
            }
        }
        var entries: [FilterMatrix.Entry] = []
        for (output, paths) in state.enumerated() {
            for input in 0..<channels {
                if let filter = materialize(paths.filter { $0.input == input }) {
                    entries.append(FilterMatrix.Entry(output: output, input: input, filter: filter))
                }
            }
        }
        return FilterMatrix(inputs: channels, outputs: state.count, entries: entries)
    }

    private mutating func apply(_ filter: FilterDefinition, named name: String, to paths: [Path]) throws(JobError) -> [Path] {
        switch filter {
        case .gain(let gain):
            return paths.map { var p = $0; p.gain *= gain.linear; return p }
        case .convolution(let conv):
            let id = try kernelID(conv, named: name)
            let gain = GraphMath.linear(dB: conv.gainDB)
            return paths.map { var p = $0; p.gain *= gain; p.kernels.append(id); return p }
        case .delay(let delay):
            let samples = delay.samples(at: sampleRate)
            if samples == samples.rounded() {
                return paths.map { var p = $0; p.delay += Int(samples); return p }
            }
            guard delay.subsample else {
                throw JobError(
                    .config,
                    "filter '\(name)': \(delay.amount) \(delay.unit.rawValue) is \(samples) samples at \(sampleRate) Hz, "
                        + "not a whole number; give whole samples ('unit: samples') or add 'subsample: true' to "
                        + "interpolate", configKey: "filters.\(name).delay")
            }
            let (offset, interpolator) = FractionalDelay.taps(delay: samples)
            let id = "frac(\(samples))"
            taps[id] = interpolator
            return paths.map { var p = $0; p.delay += offset; p.kernels.append(id); return p }
        }
    }

    /// Loads (once) the kernel channel a convolution filter names, checks it and normalizes it.
    private mutating func kernelID(_ conv: ConvolutionFilter, named name: String) throws(JobError) -> String {
        let id = "\(conv.path)#\(conv.channel)/\(conv.normalize.rawValue)\(conv.resample ? "/rs\(sampleRate)" : "")"
        if taps[id] != nil { return id }
        let keyPath = "filters.\(name)"
        let kernel = try kernels.load(
            conv.path, key: keyPath + ".kernel", inputPath: inputPath, sampleRate: sampleRate, resample: conv.resample)
        let k = kernel.channels.count
        guard conv.channel < k else {
            throw JobError(
                .config,
                "\(conv.path): filter '\(name)' asks for kernel channel \(conv.channel), but the kernel has \(k) "
                    + "channel\(k == 1 ? "" : "s") (numbered from 0); pick a channel below \(k)",
                configKey: keyPath + ".channel")
        }
        var values = kernel.channels[conv.channel].map(Double.init)
        let scale: Double
        switch conv.normalize {
        case .none: scale = 1
        case .peak: scale = values.map(abs).max() ?? 0
        case .energy: scale = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        case .dc: scale = values.reduce(0, +)
        }
        guard scale != 0, scale.isFinite else {
            throw JobError(
                .config,
                "\(conv.path): kernel channel \(conv.channel) cannot be normalized by \(conv.normalize.rawValue): "
                    + "its \(conv.normalize == .dc ? "taps sum" : "taps are all") zero; use another normalize",
                configKey: keyPath + ".normalize")
        }
        if scale != 1 { values = values.map { $0 / scale } }
        taps[id] = values
        return id
    }

    /// One filter for the paths between one input and one output, or nil when they cancel or there are
    /// none. A single path through at most one kernel keeps the kernel's float taps and its gain apart.
    private func materialize(_ paths: [Path]) -> ChannelFilter? {
        var merged: [String: Path] = [:]
        var order: [String] = []
        for path in paths {
            if merged[path.key] == nil {
                merged[path.key] = path
                order.append(path.key)
            } else {
                merged[path.key]?.gain += path.gain
            }
        }
        let live = order.compactMap { merged[$0] }.filter { $0.gain != 0 }
        guard !live.isEmpty else { return nil }
        if live.count == 1 {
            let path = live[0]
            var floats = [Float](repeating: 0, count: path.delay)
            floats += composite(path.kernels).map(Float.init)
            return ChannelFilter(source: path.key, taps: floats, gain: Float(path.gain))
        }
        var sum: [Double] = []
        for path in live {
            let h = composite(path.kernels)
            let end = path.delay + h.count
            if sum.count < end { sum += [Double](repeating: 0, count: end - sum.count) }
            for j in 0..<h.count { sum[path.delay + j] += path.gain * h[j] }
        }
        let source = live.map { "\($0.gain)·\($0.key)" }.joined(separator: "+")
        return ChannelFilter(source: source, taps: sum.map(Float.init), gain: 1)
    }

    /// The kernels of a path convolved together in float64; a path with none is the unit impulse.
    private func composite(_ ids: [String]) -> [Double] {
        var result: [Double] = [1]
        for id in ids {
            guard let h = taps[id] else { preconditionFailure("every kernel id was loaded") }
            result = result == [1] ? h : DirectConvolution.full(result, h)
        }
        return result
    }
}
