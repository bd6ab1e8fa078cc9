/// A 2-D array of floats, row-major: an image, or spectrogram-like data.
public struct Plane: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// `rows · columns` values, row after row.
    public var values: [Float]

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns, "values must fill the plane")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A plane of zeros.
    public init(rows: Int, columns: Int) {
        self.init(rows: rows, columns: columns, values: [Float](repeating: 0, count: rows * columns))
    }

    public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// The plane turned half a circle (both axes reversed): what correlation convolves with.
    public var rotated: Plane {
        Plane(rows: rows, columns: columns, values: values.reversed())
    }
}
