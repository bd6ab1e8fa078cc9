/// Finds the allowed name a mistyped one was probably meant to be, for "did you mean …?" hints.
enum NearMiss {
    /// The candidate closest to `name`, if it is close enough to be a plausible typo.
    ///
    /// Names are compared without case, `_` and `-`, so `blockSize`, `block-size` and `blocksize` all
    /// match `block_size`; beyond that, up to a third of the candidate's letters (at least two) may differ.
    static func closest(to name: String, among candidates: [String]) -> String? {
        let wanted = normalized(name)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let other = normalized(candidate)
            let distance = editDistance(Array(wanted), Array(other))
            let limit = max(2, other.count / 3)
            guard distance <= limit else { continue }
            if best == nil || distance < best?.distance ?? .max {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// `" (did you mean 'x'?)"` for a near miss, or an empty string, to append to a message.
    static func hint(for name: String, among candidates: [String]) -> String {
        guard let match = closest(to: name, among: candidates) else { return "" }
        return " (did you mean '\(match)'?)"
    }

    private static func normalized(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    /// Levenshtein distance with one row of memory; names here are a few characters long.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
