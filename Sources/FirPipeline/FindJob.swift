import Dispatch
import FirCore
internal import FoundationEssentials

/// `firpipe find`: every place a short template occurs in a recording, by normalized cross-correlation
/// (``TemplateMatcher``).
///
/// The recording streams through in rounds: each round reads `threads` stretches of ``stretch`` window
/// positions (plus the template's length of overlap) and scores them on all threads at once, one
/// ``TemplateMatcher/Worker`` each. Memory is about `threads · (stretch + template)` samples whatever
/// the recording's length; only the candidates (one per run above the threshold) are kept, and
/// non-maximum suppression runs on them at the end.
public struct FindJob: Sendable {
    public struct Request: Sendable {
        public var template: String
        public var recording: String
        /// 0-based channel read from both files; nil mixes each down.
        public var channel: Int?
        public var threshold: Float
        /// Worker threads; nil for one per core.
        public var threads: Int?

        public init(template: String, recording: String, channel: Int? = nil, threshold: Float = 0.7, threads: Int? = nil) {
            self.template = template
            self.recording = recording
            self.channel = channel
            self.threshold = threshold
            self.threads = threads
        }
    }

    public struct Result: Sendable {
        /// In order of start; each at least a template's length from the next.
        public var matches: [Match]
        public var templateFrames: Int
        public var recordingFrames: Int
        public var sampleRate: Int
    }

    /// Window positions per stretch.
    public static let stretch = 1 << 18
    /// Longest template held in memory: 2^24 samples (64 MiB).
    public static let longestTemplate = 1 << 24

    public let request: Request

    public init(_ request: Request) { self.request = request }

    /// Scores the whole recording. Caller's thread, plus the workers during each round.
    /// - Throws: ``JobError`` for unreadable inputs, different rates, an unusable template.
    public func run() throws(JobError) -> Result {
        let templateSource = try MonoSource(path: request.template, channel: request.channel)
        let recording = try MonoSource(path: request.recording, channel: request.channel)
        let m = templateSource.frames, n = recording.frames, rate = recording.info.sampleRate
        guard templateSource.info.sampleRate == rate else {
            throw JobError(.badData, "\(request.template): sample rate \(templateSource.info.sampleRate) Hz differs "
                + "from \(request.recording)'s \(rate) Hz; resample the template first")
        }
        guard m <= Self.longestTemplate else {
            throw JobError(.usage, "\(request.template): \(m) frames is longer than a template can be "
                + "(\(Self.longestTemplate)); cut it to the sound you are looking for")
        }
        var template = [Float](repeating: 0, count: m)
        try template.withUnsafeMutableBufferPointer { buffer throws(JobError) in
            _ = try templateSource.read(from: 0, count: m, into: buffer.baseAddress!)
        }
        guard TemplateMatcher.isMatchable(template) else {
            throw JobError(.badData, "\(request.template): is silent or constant (\(m) frames); "
                + "a template needs some sound to match")
        }
        guard m <= n else {
            throw JobError(.usage, "\(request.template): is longer (\(m) frames) than \(request.recording) "
                + "(\(n)); give the template first, then the recording")
        }
        let threads = request.threads ?? ProcessInfo.processInfo.activeProcessorCount
        let matcher: TemplateMatcher
        var workers: [TemplateMatcher.Worker] = []
        do {
            matcher = try TemplateMatcher(template: template, stretch: Self.stretch)
            for _ in 0..<threads { workers.append(try matcher.makeWorker()) }
        } catch {
            throw JobError(error, path: request.recording, while: "preparing the template")
        }
        let candidates = try scan(recording, matcher: matcher, workers: workers)
        return Result(
            matches: MatchPicker.suppress(candidates, distance: m), templateFrames: m, recordingFrames: n,
            sampleRate: rate)
    }

    /// Every candidate of the recording, round by round.
    private func scan(
        _ recording: MonoSource, matcher: TemplateMatcher, workers: [TemplateMatcher.Worker]
    ) throws(JobError) -> [Match] {
        let m = matcher.length, positions = recording.frames - m + 1, stretch = Self.stretch
        let threads = workers.count, threshold = request.threshold
        let round = FindRound(samples: threads * stretch + m - 1, scores: threads * stretch, parts: threads)
        var found: [Match] = []
        var first = 0
        while first < positions {
            try recording.read(from: first, count: round.sampleCount, into: round.samples)
            let here = Swift.min(threads * stretch, positions - first)
            let parts = (here + stretch - 1) / stretch, base = first
            // Each iteration owns its worker, its stretch of scores and its slot of candidates.
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let count = Swift.min(stretch, here - p * stretch), scores = round.scores + p * stretch
                matcher.scores(round.samples + p * stretch, count: count, into: scores, worker: workers[p])
                round.candidates[p] = MatchPicker.candidates(
                    scores, count: count, offset: base + p * stretch, threshold: threshold)
            }
            found += round.candidates.prefix(parts).flatMap { $0 }
            first += here
        }
        return found
    }
}

/// A round's memory: the samples read, the scores, and one slot of candidates per parallel iteration
/// (memory of its own, not an array, which every write would access whole). `@unchecked Sendable`: the
/// samples are written before `concurrentPerform` and only read during it; each iteration writes only its
/// own stretch of scores and its own slot, which are read after `concurrentPerform` returns.
private final class FindRound: @unchecked Sendable {
    let samples: UnsafeMutablePointer<Float>
    let sampleCount: Int
    let scores: UnsafeMutablePointer<Float>
    let candidates: UnsafeMutableBufferPointer<[Match]>

    init(samples: Int, scores: Int, parts: Int) {
        self.samples = .allocate(capacity: samples)
        sampleCount = samples
        self.scores = .allocate(capacity: scores)
        candidates = .allocate(capacity: parts)
        candidates.initialize(repeating: [])
    }

    deinit {
        samples.deallocate()
        scores.deallocate()
        candidates.deinitialize()
        candidates.deallocate()
    }
}
