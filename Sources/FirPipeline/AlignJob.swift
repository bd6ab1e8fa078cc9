import FirAudio
import FirCore

/// `firpipe align`: the offset of recording B against recording A, by cross-correlation.
///
/// Memory stays bounded however long the files are, in two stages:
/// 1. Coarse, when the lags to search span more than ``exactReach`` samples either way: each file is
///    reduced to an energy envelope (the RMS of every `step` samples, `step` chosen so the envelope has at
///    most ``envelopePoints`` points) and the envelopes are cross-correlated whole by the partitioned
///    engine. That places B to within a few steps.
/// 2. Exact: the full-rate cross-correlation over a window of lags around that place (or the whole
///    `--max-lag` window when it is small enough), accumulated block by block in ``LagWindowCorrelator``
///    while both files stream past, then refined between samples by a parabola.
/// So memory is a few times `envelopePoints` plus a few times the exact stage's transform (at most
/// `2·exactReach` plus a block), never the files.
///
/// Runs on the caller's thread.
public struct AlignJob: Sendable {
    /// What to align.
    public struct Request: Sendable {
        public var a: String
        public var b: String
        /// The channel read from both files (0-based); nil mixes each down to mono.
        public var channel: Int?
        public var method: CorrelationMethod
        /// Largest offset to consider, in seconds either way; nil for any offset the lengths allow.
        public var maxLag: Double?

        public init(a: String, b: String, channel: Int? = nil, method: CorrelationMethod = .phat, maxLag: Double? = nil) {
            self.a = a
            self.b = b
            self.channel = channel
            self.method = method
            self.maxLag = maxLag
        }
    }

    /// The answer.
    public struct Result: Sendable, Equatable {
        /// Where B's first sample falls on A's timeline, in samples (fractional): `b[n] ≈ a[n + lag]`.
        /// Positive when B starts after A.
        public var lag: Double
        /// The whole-sample lag of the correlation's peak.
        public var integerLag: Int
        public var sampleRate: Int
        /// Peak over the highest other peak (see ``LagPeak/confidence``).
        public var confidence: Double
        public var method: CorrelationMethod
        /// Samples per envelope point of the coarse stage; nil when the exact stage covered every lag.
        public var coarseStep: Int?
        /// The exact stage's window: lags `centre ± reach`.
        public var centre: Int
        public var reach: Int
        public var framesA: Int
        public var framesB: Int

        /// ``lag`` in seconds.
        public var seconds: Double { lag / Double(sampleRate) }
    }

    /// Largest exact-stage reach: ±2^19 lags (±11 s at 48 kHz, ±65 s at 8 kHz) in transforms of 2^21.
    public static let exactReach = 1 << 19
    /// Largest coarse envelope, per file.
    public static let envelopePoints = 1 << 20

    public let request: Request
    /// ``envelopePoints`` unless a test asks for a shorter envelope.
    let envelopeLimit: Int

    public init(_ request: Request) {
        self.init(request, envelopeLimit: Self.envelopePoints)
    }

    init(_ request: Request, envelopeLimit: Int) {
        self.request = request
        self.envelopeLimit = envelopeLimit
    }

    /// Reads both files (twice when the coarse stage runs) and returns the offset.
    /// - Throws: ``JobError``: an unreadable or empty input, different sample rates, no shared sound.
    public func run() throws(JobError) -> Result {
        let probeA = try MonoSource(path: request.a, channel: request.channel)
        let probeB = try MonoSource(path: request.b, channel: request.channel)
        let rate = probeA.info.sampleRate, nA = probeA.frames, nB = probeB.frames
        guard probeB.info.sampleRate == rate else {
            throw JobError(.badData, "\(request.b): sample rate \(probeB.info.sampleRate) Hz differs from "
                + "\(request.a)'s \(rate) Hz; resample one of them first (e.g. sox B.wav -r \(rate) B2.wav)")
        }
        for source in [probeA, probeB] where source.frames == 0 {
            throw JobError(.badData, "\(source.path): holds no audio; give a recording")
        }
        // Lags the overlap allows, cut to --max-lag.
        var lowest = -(nB - 1), highest = nA - 1
        var maxLagSamples: Int?
        if let maxLag = request.maxLag {
            let limit = Int((maxLag * Double(rate)).rounded(.up))
            maxLagSamples = limit
            lowest = Swift.max(lowest, -limit)
            highest = Swift.min(highest, limit)
        }
        var centre = 0, reach = maxLagSamples ?? Int.max, step: Int?
        if reach > Self.exactReach {
            let coarse = try coarseLag(lowest: lowest, highest: highest, sources: (probeA, probeB))
            centre = coarse.lag
            step = coarse.step
            // A few steps for the envelope's blur, and a quarter second for how far a reverberant tail
            // drags an envelope's peak.
            reach = Swift.min(Self.exactReach, 4 * coarse.step + rate / 4)
        }
        let peak = try exactPeak(
            centre: centre, reach: reach, lowest: lowest, highest: highest,
            sources: step == nil ? (probeA, probeB) : (try reopen(probeA), try reopen(probeB)))
        return Result(
            lag: peak.lag, integerLag: peak.integerLag, sampleRate: rate, confidence: peak.confidence,
            method: request.method, coarseStep: step, centre: centre, reach: reach, framesA: nA, framesB: nB)
    }

    private func reopen(_ source: MonoSource) throws(JobError) -> MonoSource {
        try MonoSource(path: source.path, channel: source.channel)
    }

    /// The exact stage: the correlation at lags `centre ± reach` within `[lowest, highest]`, streamed.
    private func exactPeak(
        centre: Int, reach: Int, lowest: Int, highest: Int, sources: (a: MonoSource, b: MonoSource)
    ) throws(JobError) -> LagPeak {
        let correlator: LagWindowCorrelator
        do {
            correlator = try LagWindowCorrelator(centre: centre, reach: reach)
        } catch {
            throw JobError(error, path: request.b, while: "correlating")
        }
        let n = correlator.blockSize, span = correlator.span
        var bBlock = [Float](repeating: 0, count: n), aSpan = [Float](repeating: 0, count: span)
        var start = 0
        while start < sources.b.frames {
            let got = try bBlock.withUnsafeMutableBufferPointer { buffer throws(JobError) in
                try sources.b.read(from: start, count: n, into: buffer.baseAddress!)
            }
            if got == 0 { break }
            let aStart = start + centre - reach
            if aStart >= sources.a.frames { break }
            try aSpan.withUnsafeMutableBufferPointer { buffer throws(JobError) in
                _ = try sources.a.read(from: aStart, count: span, into: buffer.baseAddress!)
            }
            correlator.add(b: bBlock, a: aSpan)
            start += n
        }
        let values = correlator.correlation(method: request.method)
        let first = centre - reach
        let allowed = Swift.max(0, lowest - first)..<Swift.max(0, Swift.min(values.count, highest - first + 1))
        guard let peak = LagPeak.find(in: values, firstLag: first, allowed: allowed) else {
            throw noMatch()
        }
        return peak
    }

    func noMatch() -> JobError {
        let window = request.maxLag.map { " within ±\($0) s" } ?? ""
        return JobError(.badData, "\(request.b): shares no sound with \(request.a) at any offset\(window); "
            + "check the files are takes of the same event (or widen --max-lag)")
    }
}
