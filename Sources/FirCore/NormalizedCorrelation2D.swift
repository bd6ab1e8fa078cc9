/// Template matching in 2-D: the correlation coefficient between a template and every same-sized
/// window of an image, in [−1, 1], so a dim and a bright copy score alike.
///
/// As in 1-D (``TemplateMatcher``): the template made zero-mean and unit-norm and correlated with the
/// image ("valid" windows, through ``Convolution2D``), each window's mean and energy from float64
/// summed-area tables; windows quieter than ``TemplateMatcher/silence`` score 0. Caller's thread.
public enum NormalizedCorrelation2D {
    /// One place where the template matches: its top-left corner and the score.
    public struct Match: Sendable, Equatable {
        public var row: Int
        public var column: Int
        public var score: Float

        public init(row: Int, column: Int, score: Float) {
            self.row = row
            self.column = column
            self.score = score
        }
    }

    /// Whether `template` can be matched: two values or more, not all the same.
    public static func isMatchable(_ template: Plane) -> Bool { TemplateMatcher.isMatchable(template.values) }

    /// Scores of every window: `(image.rows − t.rows + 1) × (image.columns − t.columns + 1)`, entry
    /// `(r, c)` for the window whose top-left corner is there. The template must fit in the image.
    /// - Throws: ``ResourceError`` when memory for the transforms is refused.
    public static func scores(image: Plane, template t: Plane, method: Convolution2D.Method = .automatic) throws(ResourceError) -> Plane {
        precondition(t.rows <= image.rows && t.columns <= image.columns, "the template must fit in the image")
        precondition(isMatchable(t), "a template needs some variation")
        let n = Double(t.values.count)
        let mean = t.values.reduce(0.0) { $0 + Double($1) } / n
        let norm = t.values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) }.squareRoot()
        let unit = Plane(rows: t.rows, columns: t.columns, values: t.values.map { Float((Double($0) - mean) / norm) })
        var out = try Convolution2D.apply(image, unit, mode: .correlate, length: .valid, method: method)
        // Summed-area tables with a zero row and column in front: S[r][c] sums image[<r][<c].
        let w = image.columns + 1
        var sums = [Double](repeating: 0, count: (image.rows + 1) * w), squares = sums
        for r in 0..<image.rows {
            var row = 0.0, rowSquares = 0.0
            for c in 0..<image.columns {
                let v = Double(image[r, c])
                row += v
                rowSquares += v * v
                sums[(r + 1) * w + c + 1] = sums[r * w + c + 1] + row
                squares[(r + 1) * w + c + 1] = squares[r * w + c + 1] + rowSquares
            }
        }
        func box(_ s: [Double], _ r: Int, _ c: Int) -> Double {
            s[(r + t.rows) * w + c + t.columns] - s[r * w + c + t.columns] - s[(r + t.rows) * w + c] + s[r * w + c]
        }
        let floor = TemplateMatcher.silence * TemplateMatcher.silence * n
        for r in 0..<out.rows {
            for c in 0..<out.columns {
                let sum = box(sums, r, c), energy = box(squares, r, c) - sum * sum / n
                out[r, c] = energy > floor ? Swift.min(1, Swift.max(-1, Float(Double(out[r, c]) / energy.squareRoot()))) : 0
            }
        }
        return out
    }

    /// The best `count` windows scoring at least `threshold`, best first, none overlapping a better one
    /// by a template's size (`rows × columns`) or more in both directions.
    public static func best(_ scores: Plane, count: Int, threshold: Float, rows: Int, columns: Int) -> [Match] {
        var above: [Match] = []
        for r in 0..<scores.rows {
            for c in 0..<scores.columns where scores[r, c] >= threshold {
                above.append(Match(row: r, column: c, score: scores[r, c]))
            }
        }
        above.sort { ($0.score, -$0.row, -$0.column) > ($1.score, -$1.row, -$1.column) }
        var kept: [Match] = []
        for candidate in above where kept.count < count {
            let clashes = kept.contains { abs($0.row - candidate.row) < rows && abs($0.column - candidate.column) < columns }
            if !clashes { kept.append(candidate) }
        }
        return kept
    }
}
