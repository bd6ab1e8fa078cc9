import FirAudio
import FirCore
import FirPipeline

/// The test oracle for graphs: evaluates a ``GraphSpec`` step by step in float64, as the config reads,
/// with direct convolution: every mixer a weighted sum of whole signals, every filter applied to the
/// whole signal of its channel. Nothing here shares code with the compiler or the engine beyond the
/// kernel loader and the fractional-delay formula.
enum GraphReference {
    /// The outputs for `input` (planar channels), each padded with zeros to `length` samples.
    static func evaluate(_ graph: GraphSpec, input: [[Float]], sampleRate: Int, length: Int) throws -> [[Double]] {
        var channels = input.map { $0.map(Double.init) }
        for step in graph.pipeline {
            switch step {
            case .mixer(let name):
                let mixer = graph.mixers[name]!
                precondition(mixer.inputs == channels.count, "the reference evaluates valid graphs only")
                channels = mixer.sources.map { sources in
                    var sum: [Double] = [0]
                    for source in sources {
                        let g = source.mute ? 0 : (source.invert ? -1 : 1) * GraphMath.linear(dB: source.gainDB)
                        sum = add(sum, channels[source.channel].map { $0 * g })
                    }
                    return sum
                }
            case .filters(let names, let listed):
                for c in listed ?? Array(channels.indices) {
                    for name in names {
                        channels[c] = try apply(graph.filters[name]!, to: channels[c], sampleRate: sampleRate)
                    }
                }
            }
        }
        return channels.map { signal in
            precondition(signal.count <= length || signal[length...].allSatisfy { $0 == 0 })
            return Array((signal + [Double](repeating: 0, count: Swift.max(0, length - signal.count))).prefix(length))
        }
    }

    static func apply(_ filter: FilterDefinition, to x: [Double], sampleRate: Int) throws -> [Double] {
        switch filter {
        case .gain(let gain):
            let g = gain.mute ? 0 : (gain.invert ? -1 : 1) * GraphMath.linear(dB: gain.gainDB)
            return x.map { $0 * g }
        case .delay(let delay):
            let d = delay.unit == .samples ? delay.amount : delay.amount * Double(sampleRate) / 1000
            if d == d.rounded() { return [Double](repeating: 0, count: Int(d)) + x }
            let (offset, taps) = FractionalDelay.taps(delay: d)
            return [Double](repeating: 0, count: offset) + DirectConvolution.full(x, taps)
        case .convolution(let conv):
            var h = try KernelLoader.load(path: conv.path).channels[conv.channel].map(Double.init)
            let norm: Double
            switch conv.normalize {
            case .none: norm = 1
            case .peak: norm = h.map(abs).max()!
            case .energy: norm = h.map { $0 * $0 }.reduce(0, +).squareRoot()
            case .dc: norm = h.reduce(0, +)
            }
            let g = GraphMath.linear(dB: conv.gainDB) / norm
            h = h.map { $0 * g }
            return DirectConvolution.full(x, h)
        }
    }

    private static func add(_ a: [Double], _ b: [Double]) -> [Double] {
        var sum = [Double](repeating: 0, count: Swift.max(a.count, b.count))
        for i in a.indices { sum[i] += a[i] }
        for i in b.indices { sum[i] += b[i] }
        return sum
    }
}
