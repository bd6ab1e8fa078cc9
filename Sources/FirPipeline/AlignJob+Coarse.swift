import FirCore

extension AlignJob {
    /// Envelope points below this many samples each blur nothing worth saving.
    static let minimumStep = 8

    /// The coarse stage: the lag, to a multiple of `step`, at which B's energy envelope best matches A's.
    func coarseLag(
        lowest: Int, highest: Int, sources: (a: MonoSource, b: MonoSource)
    ) throws(JobError) -> (lag: Int, step: Int) {
        let longest = Swift.max(sources.a.frames, sources.b.frames)
        let step = Swift.max(Self.minimumStep, (longest + envelopeLimit - 1) / envelopeLimit)
        let a = try Self.envelope(sources.a, step: step), b = try Self.envelope(sources.b, step: step)
        // scipy's correlate(a, b, "full"): index k is envelope lag k − (b.count − 1).
        let z = SignalConvolution.apply(a, b, mode: .correlate, length: .full).map(Double.init)
        let first = -(b.count - 1)
        let lo = Int((Double(lowest) / Double(step)).rounded(.down)) - first
        let hi = Int((Double(highest) / Double(step)).rounded(.up)) - first + 1
        let allowed = Swift.max(0, lo)..<Swift.max(0, Swift.min(z.count, hi))
        guard let peak = LagPeak.find(in: z, firstLag: first, allowed: allowed) else { throw noMatch() }
        return (Int((peak.lag * Double(step)).rounded()), step)
    }

    /// The RMS of every `step` samples of `source`, less its mean (so the correlation follows how the
    /// level changes, not how loud the file is).
    static func envelope(_ source: MonoSource, step: Int) throws(JobError) -> [Float] {
        let points = (source.frames + step - 1) / step
        let chunkPoints = Swift.max(1, (1 << 16) / step)
        var chunk = [Float](repeating: 0, count: chunkPoints * step)
        var envelope = [Float](repeating: 0, count: points)
        var point = 0
        while point < points {
            let n = Swift.min(chunkPoints, points - point)
            try chunk.withUnsafeMutableBufferPointer { buffer throws(JobError) in
                _ = try source.read(from: point * step, count: n * step, into: buffer.baseAddress!)
            }
            for p in 0..<n {
                var energy = 0.0
                for i in (p * step)..<((p + 1) * step) { energy += Double(chunk[i] * chunk[i]) }
                envelope[point + p] = Float((energy / Double(step)).squareRoot())
            }
            point += n
        }
        let mean = envelope.reduce(0, +) / Float(Swift.max(1, points))
        return envelope.map { $0 - mean }
    }
}
