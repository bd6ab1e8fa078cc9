/// Normalized cross-correlation of a template against stretches of a signal: for each window of the
/// template's length, the correlation coefficient between window and template, in [−1, 1], so a loud
/// and a quiet occurrence score alike.
///
/// The template is made zero-mean and unit-norm and correlated through the partitioned engine
/// (``PartitionedKernel`` in `.correlate` mode, transformed once and shared); each window's mean and
/// energy come from running sums, so the score is `Σ x·t̂ / √(Σx² − (Σx)²/M)`. Windows quieter than
/// ``silence`` (RMS) score 0: a correlation with nothing is not a match.
///
/// Thread use: `init` anywhere; ``scores(_:count:into:worker:)`` from many threads at once, each with a
/// ``Worker`` of its own (the kernel spectra are immutable, so `@unchecked Sendable` is safe).
public final class TemplateMatcher: @unchecked Sendable {
    /// Template length in samples.
    public let length: Int
    /// Window RMS below which the score is 0 (−100 dBFS).
    public static let silence = 1e-5
    private let kernel: PartitionedKernel

    /// One thread's convolver state and scratch.
    public final class Worker: @unchecked Sendable {
        fileprivate let convolver: MixingConvolver
        fileprivate let input: AlignedFloats
        fileprivate let output: AlignedFloats

        fileprivate init(kernel: PartitionedKernel) throws(ResourceError) {
            convolver = try MixingConvolver(kernel: kernel)
            input = try AlignedFloats(count: kernel.blockSize)
            output = try AlignedFloats(count: kernel.blockSize)
        }
    }

    /// Prepares `template` (at least 2 samples, not constant: see ``isMatchable(_:)``) for windows
    /// scored in stretches of about `stretch` positions.
    /// - Throws: ``ResourceError`` when memory is refused.
    public init(template: [Float], stretch: Int, costModel: CostModel = .default) throws(ResourceError) {
        precondition(Self.isMatchable(template), "a template needs at least two samples and some variation")
        let m = template.count
        let mean = template.reduce(0.0) { $0 + Double($1) } / Double(m)
        let centred = template.map { Double($0) - mean }
        let norm = centred.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        let unit = centred.map { Float($0 / norm) }
        let plan = costModel.bestPlan(taps: m, outputLength: stretch + m - 1)
        length = m
        kernel = try PartitionedKernel(kernel: unit, blockSize: plan.blockSize, fftSize: plan.fftSize, mode: .correlate)
    }

    /// Whether `template` can be matched: two samples or more, not all the same.
    public static func isMatchable(_ template: [Float]) -> Bool {
        guard template.count >= 2, let first = template.first else { return false }
        return template.contains { $0 != first }
    }

    /// A worker for one thread.
    public func makeWorker() throws(ResourceError) -> Worker { try Worker(kernel: kernel) }

    /// Scores the `count` windows starting at `x[0]`, `x[1]`, …: `x` must hold `count + length − 1`
    /// samples. Writes `count` scores to `out`. Caller's thread, with its own `worker`.
    public func scores(
        _ x: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<Float>, worker: Worker
    ) {
        let m = length, b = kernel.blockSize, total = count + m - 1
        worker.convolver.reset()
        // scipy's correlate "full": output k is the window starting at k − (m − 1).
        var position = 0
        while position < total {
            worker.input.zero()
            let available = Swift.max(0, Swift.min(b, total - position))
            if available > 0 { worker.input.pointer.update(from: x + position, count: available) }
            worker.convolver.process(block: position / b, worker.input.pointer, into: worker.output.pointer)
            for i in 0..<b {
                let t = position + i - (m - 1)
                if t >= 0 && t < count { out[t] = worker.output.pointer[i] }
            }
            position += b
        }
        // Running sums over each window, in float64 from the stretch's start (no drift across stretches).
        var sum = 0.0, squares = 0.0
        for i in 0..<(m - 1) {
            sum += Double(x[i])
            squares += Double(x[i]) * Double(x[i])
        }
        let floor = Self.silence * Self.silence * Double(m)
        for t in 0..<count {
            let entering = Double(x[t + m - 1])
            sum += entering
            squares += entering * entering
            let energy = squares - sum * sum / Double(m)
            out[t] = energy > floor ? Swift.min(1, Swift.max(-1, Float(Double(out[t]) / energy.squareRoot()))) : 0
            let leaving = Double(x[t])
            sum -= leaving
            squares -= leaving * leaving
        }
    }
}
