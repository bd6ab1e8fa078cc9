import FirAudio
internal import FoundationEssentials

/// A batch's job list from a file: CSV with a header row, or JSON Lines, one job a row: `input`,
/// `output`, and optionally `kernel`, `config` (a YAML config for that job) and `gain_db`. Relative paths
/// resolve against the manifest's directory. Blank lines and, in CSV, lines starting with `#` are skipped.
///
/// Value type; any thread.
public struct BatchManifest: Sendable {
    public struct Row: Sendable, Equatable {
        /// 1-based line of the manifest.
        public var line: Int
        public var input: String
        public var output: String
        public var kernel: String?
        public var config: String?
        public var gainDB: Double?
    }

    /// A wrong manifest: `path:line: what; what to do`, and whether the shape (columns, keys) or a value
    /// is wrong.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public enum Kind: Sendable { case missing, schema, value }
        public var kind: Kind
        public var description: String
    }

    public static let columns = ["input", "output", "kernel", "config", "gain_db"]

    public let path: String
    public let rows: [Row]

    /// Reads and checks the manifest at `path`: JSON Lines when it ends in `.jsonl`/`.ndjson` or its
    /// first line starts with `{`, else CSV.
    public init(path: String) throws(Failure) {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(kind: .missing, description: "\(path): manifest cannot be read; check the path")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure(kind: .value, description: "\(path): manifest is not UTF-8 text; save it as UTF-8")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        let lower = path.lowercased()
        let firstLine = lines.first { !$0.trimmingSpaces().isEmpty } ?? ""
        let json = lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson")
            || firstLine.trimmingSpaces().hasPrefix("{")
        var rows = json ? try Self.jsonRows(lines, path: path) : try Self.csvRows(lines, path: path)
        let base = PathName.directory(of: path)
        for i in rows.indices {
            rows[i].input = Self.resolve(rows[i].input, against: base)
            rows[i].output = Self.resolve(rows[i].output, against: base)
            rows[i].kernel = rows[i].kernel.map { Self.resolve($0, against: base) }
            rows[i].config = rows[i].config.map { Self.resolve($0, against: base) }
        }
        try Self.checkOutputs(rows, path: path)
        self.rows = rows
    }

    private static func resolve(_ file: String, against base: String) -> String {
        file.hasPrefix("/") || base.isEmpty ? file : base + "/" + file
    }

    /// Each output once, and never another row's input.
    private static func checkOutputs(_ rows: [Row], path: String) throws(Failure) {
        var outputs: [String: Int] = [:]
        var inputs: [String: Int] = [:]
        for row in rows {
            let output = PathName.standardized(row.output)
            if let earlier = outputs[output] {
                throw Failure(kind: .value, description: "\(path):\(row.line): output \(row.output) is also the "
                    + "output of line \(earlier); give each job its own output")
            }
            outputs[output] = row.line
            inputs[PathName.standardized(row.input)] = inputs[PathName.standardized(row.input)] ?? row.line
        }
        for row in rows {
            if let reader = inputs[PathName.standardized(row.output)] {
                throw Failure(kind: .value, description: "\(path):\(row.line): output \(row.output) is the input of "
                    + "line \(reader); write outputs elsewhere")
            }
        }
    }

    // MARK: JSON Lines

    private static func jsonRows(_ lines: [String], path: String) throws(Failure) -> [Row] {
        var rows: [Row] = []
        for (index, text) in lines.enumerated() where !text.trimmingSpaces().isEmpty {
            let line = index + 1
            func fail(_ kind: Failure.Kind, _ what: String) -> Failure {
                Failure(kind: kind, description: "\(path):\(line): \(what)")
            }
            guard let object = JSONValue.parse(text.utf8)?.object else {
                throw fail(.value, "not a JSON object; write one {\"input\": ..., \"output\": ...} object a line")
            }
            var fields: [String: String] = [:]
            var gain: Double?
            for (key, value) in object {
                guard columns.contains(key) else {
                    throw fail(.schema, "unknown key '\(key)'; the keys are \(columns.joined(separator: ", "))")
                }
                if key == "gain_db" {
                    guard let number = value.double, number.isFinite else {
                        throw fail(.value, "gain_db must be a number of dB")
                    }
                    gain = number
                } else {
                    guard let string = value.string, !string.isEmpty else {
                        throw fail(.value, "\(key) must be a non-empty string (a path)")
                    }
                    fields[key] = string
                }
            }
            rows.append(try row(fields, gain: gain, line: line, fail: fail))
        }
        return rows
    }

    // MARK: CSV

    private static func csvRows(_ lines: [String], path: String) throws(Failure) -> [Row] {
        var header: [String]?
        var rows: [Row] = []
        for (index, text) in lines.enumerated() {
            let line = index + 1
            func fail(_ kind: Failure.Kind, _ what: String) -> Failure {
                Failure(kind: kind, description: "\(path):\(line): \(what)")
            }
            if text.trimmingSpaces().isEmpty || text.hasPrefix("#") { continue }
            guard let cells = CSVLine.split(text) else {
                throw fail(.value, "unterminated quoted field; close it with \" (paths cannot span lines)")
            }
            guard let columnNames = header else {
                let names = cells.map { $0.trimmingSpaces().lowercased() }
                for name in names where !columns.contains(name) {
                    throw fail(.schema, "unknown column '\(name)'; the header names columns among "
                        + columns.joined(separator: ", "))
                }
                for name in ["input", "output"] where !names.contains(name) {
                    throw fail(.schema, "the header has no '\(name)' column; start the file with a header such as "
                        + "input,output,kernel")
                }
                header = names
                continue
            }
            guard cells.count == columnNames.count else {
                throw fail(.value, "\(cells.count) fields but the header has \(columnNames.count); "
                    + "quote fields that contain commas")
            }
            var fields: [String: String] = [:]
            var gain: Double?
            for (name, cell) in zip(columnNames, cells) where !cell.isEmpty {
                if name == "gain_db" {
                    guard let value = Double(cell.trimmingSpaces()), value.isFinite else {
                        throw fail(.value, "gain_db '\(cell)' is not a number of dB")
                    }
                    gain = value
                } else {
                    fields[name] = cell
                }
            }
            rows.append(try row(fields, gain: gain, line: line, fail: fail))
        }
        if header == nil { throw Failure(kind: .schema, description: "\(path):1: manifest is empty; "
            + "start it with a header such as input,output,kernel") }
        return rows
    }

    private static func row(
        _ fields: [String: String], gain: Double?, line: Int, fail: (Failure.Kind, String) -> Failure
    ) throws(Failure) -> Row {
        guard let input = fields["input"] else { throw fail(.value, "no input; every row names its input file") }
        guard let output = fields["output"] else { throw fail(.value, "no output; every row names its output file") }
        if let gain, abs(gain) > 200 { throw fail(.value, "gain_db \(gain) is out of range; use ±200 dB at most") }
        return Row(
            line: line, input: input, output: output, kernel: fields["kernel"], config: fields["config"], gainDB: gain)
    }
}

/// One CSV line split into fields, RFC 4180 quoting (`"a,b"`, `""` for a quote).
enum CSVLine {
    /// The fields, or nil when a quoted field is not closed on the line.
    static func split(_ line: String) -> [String]? {
        var fields: [String] = []
        var field = ""
        var quoted = false, wasQuoted = false
        var chars = line.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? chars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"" && field.isEmpty && !wasQuoted {
                quoted = true
                wasQuoted = true
            } else if c == "," {
                fields.append(field)
                field = ""
                wasQuoted = false
            } else {
                field.append(c)
            }
        }
        if quoted { return nil }
        fields.append(field)
        return fields
    }
}
