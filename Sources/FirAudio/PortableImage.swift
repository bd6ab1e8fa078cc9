internal import Glibc

/// A grey image in one of the netpbm formats `find2d` reads and writes: binary PGM (`P5`, 8 or 16 bits,
/// scaled to 0…1) and PFM (`Pf` grey, or `PF` colour averaged to grey; floats as stored). A few lines
/// of code instead of an image library. Values row-major, top row first.
public struct PortableImage: Sendable, Equatable {
    public var rows: Int
    public var columns: Int
    public var values: [Float]

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "values must fill the image")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Largest file read: 1 GiB.
    static let limit = 1 << 30

    /// Reads `path`.
    /// - Throws: ``AudioError`` `.missing`/`.unreadable` as for any input, `.badData` for anything but a
    ///   well-formed binary PGM or PFM.
    public init(path: String) throws(AudioError) {
        let bytes = try FileSystem.readWholeFile(path, limit: Self.limit, tooLarge: "too large for an image")
        func bad(_ what: String) -> AudioError {
            AudioError(.badData, path: path, message: "\(what); give a binary PGM (P5) or PFM (Pf, PF) image, "
                + "e.g. convert it with: convert IN.png -depth 8 OUT.pgm")
        }
        var at = 0
        /// The next whitespace-separated header token; PGM comments (`#` to the end of the line) skipped.
        func token() -> String? {
            while at < bytes.count {
                if bytes[at] == UInt8(ascii: "#") {
                    while at < bytes.count && bytes[at] != 10 { at += 1 }
                } else if [9, 10, 13, 32].contains(bytes[at]) {
                    at += 1
                } else {
                    break
                }
            }
            let start = at
            while at < bytes.count && ![9, 10, 13, 32].contains(bytes[at]) { at += 1 }
            return at > start ? String(decoding: bytes[start..<at], as: UTF8.self) : nil
        }
        let magic = token()
        guard let magic, ["P5", "Pf", "PF"].contains(magic) else { throw bad("is not a binary PGM or PFM image") }
        guard let w = token().flatMap({ Int($0) }), let h = token().flatMap({ Int($0) }), w > 0, h > 0,
              w <= 1 << 20, h <= 1 << 20, let third = token().flatMap({ Double($0) })
        else { throw bad("has a damaged header") }
        at += 1  // the single whitespace byte before the data
        let n = w * h
        if magic == "P5" {
            guard third >= 1 && third <= 65535 && third == third.rounded() else { throw bad("has a maximum value of \(third)") }
            let wide = third > 255, size = wide ? 2 : 1
            guard bytes.count - at >= n * size else { throw bad("ends before its \(w) × \(h) pixels (truncated)") }
            let top = Float(third)
            let values = (0..<n).map { i -> Float in
                let v = wide ? Int(bytes[at + 2 * i]) << 8 | Int(bytes[at + 2 * i + 1]) : Int(bytes[at + i])
                return Float(v) / top
            }
            self.init(rows: h, columns: w, values: values)
            return
        }
        guard third != 0 && third.isFinite else { throw bad("has a scale of \(third)") }
        let planes = magic == "PF" ? 3 : 1
        guard bytes.count - at >= 4 * n * planes else { throw bad("ends before its \(w) × \(h) pixels (truncated)") }
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n {
            var sum: Float = 0
            for p in 0..<planes {
                let o = at + 4 * (i * planes + p)
                let raw = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
                sum += Float(bitPattern: third < 0 ? raw : raw.byteSwapped)
            }
            // PFM stores the bottom row first.
            let row = h - 1 - i / w, column = i % w
            values[row * w + column] = sum / Float(planes)
        }
        guard values.allSatisfy(\.isFinite) else { throw bad("holds NaN or infinite pixels") }
        self.init(rows: h, columns: w, values: values)
    }

    /// The image as a grey PFM file (little-endian floats, bottom row first).
    public var pfm: [UInt8] {
        var bytes = Array("Pf\n\(columns) \(rows)\n-1.0\n".utf8)
        bytes.reserveCapacity(bytes.count + 4 * values.count)
        for row in (0..<rows).reversed() {
            for column in 0..<columns {
                let bits = values[row * columns + column].bitPattern
                for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * k))) }
            }
        }
        return bytes
    }

    /// The image as an 8-bit PGM, values clamped to 0…1.
    public var pgm: [UInt8] {
        Array("P5\n\(columns) \(rows)\n255\n".utf8)
            + values.map { UInt8((Swift.min(1, Swift.max(0, $0)) * 255).rounded()) }
    }

    /// Writes `bytes` to `path` through the atomic output path: the file appears whole or not at all.
    /// - Throws: ``AudioError`` `.cannotCreate` or `.ioError`.
    public static func write(_ bytes: [UInt8], to path: String) throws(AudioError) {
        let output = try AtomicOutputFile(finalPath: path)
        do throws(AudioError) {
            let fd = try output.duplicateDescriptor()
            var written = 0
            do throws(AudioError) {
                while written < bytes.count {
                    let n = try systemCall({ FileSystem.ioFailure(path, "could not be written", $0) }) {
                        bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
                    }
                    written += n
                }
                try FileSystem.sync(fd, path: path)
            } catch {
                close(fd)
                throw error
            }
            try FileSystem.closeWritten(fd, path: path)
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
    }
}
