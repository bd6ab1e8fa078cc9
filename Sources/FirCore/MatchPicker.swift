/// One place where a template matches: the first sample of the window and its score.
public struct Match: Sendable, Equatable {
    public var start: Int
    public var score: Float

    public init(start: Int, score: Float) {
        self.start = start
        self.score = score
    }
}

/// Turns scores into matches: peaks at or above a threshold, each occurrence reported once.
public enum MatchPicker {
    /// The best position of every run of scores at or above `threshold` (positions `offset + i`).
    public static func candidates(
        _ scores: UnsafePointer<Float>, count: Int, offset: Int, threshold: Float
    ) -> [Match] {
        var found: [Match] = []
        var best: Match?
        for i in 0..<count {
            let s = scores[i]
            if s >= threshold {
                if best == nil || s > best!.score { best = Match(start: offset + i, score: s) }
            } else if let run = best {
                found.append(run)
                best = nil
            }
        }
        if let best { found.append(best) }
        return found
    }

    /// Non-maximum suppression: the candidates best first, each kept unless one already kept starts
    /// less than `distance` samples away (its window would overlap). Returned in order of start.
    public static func suppress(_ candidates: [Match], distance: Int) -> [Match] {
        var kept: [Match] = []  // sorted by start
        for candidate in candidates.sorted(by: { ($0.score, -$0.start) > ($1.score, -$1.start) }) {
            // The kept neighbours on either side of the candidate's start are the only ones that can clash.
            var lo = 0, hi = kept.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if kept[mid].start < candidate.start { lo = mid + 1 } else { hi = mid }
            }
            let clashes = (lo < kept.count && kept[lo].start - candidate.start < distance)
                || (lo > 0 && candidate.start - kept[lo - 1].start < distance)
            if !clashes { kept.insert(candidate, at: lo) }
        }
        return kept
    }
}
