/// Reading single values: each checks the YAML type first, then the range, and reports at the value.
extension ConfigReader {
    /// A file path: any non-empty scalar, taken as text (so `take.2024` or `123` are paths too).
    func path(_ node: YAMLNode, _ keyPath: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node, !node.isNull else {
            throw ConfigError(
                .wrongType, at: location(of: node), "\(keyPath) must be a file path, found \(node.foundDescription)")
        }
        guard !scalar.string.isEmpty else {
            throw ConfigError(.invalidValue, at: location(of: node), "\(keyPath) must be a file path, found ''")
        }
        return scalar.string
    }

    /// A decimal integer written without quotes, within `range`.
    func integer(_ node: YAMLNode, _ keyPath: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        // Decimal only: YAML 1.1 would read `010` as octal 8, which no one means by a block size.
        guard let text = plainText(of: node), let value = Int(text.filter { $0 != "_" }) else {
            throw ConfigError(
                .wrongType, at: location(of: node), "\(keyPath) must be an integer, found \(node.foundDescription)")
        }
        guard range.contains(value) else {
            let bounds = range.upperBound == .max
                ? "\(range.lowerBound) or more"
                : "between \(range.lowerBound) and \(range.upperBound)"
            throw ConfigError(.invalidValue, at: location(of: node), "\(keyPath) must be \(bounds), found \(value)")
        }
        return value
    }

    /// A finite gain in dB within ±`ConfigValues.gainLimitDB`.
    func gain(_ node: YAMLNode, _ keyPath: String) throws(ConfigError) -> Double {
        guard let text = plainText(of: node), let value = number(text) else {
            throw ConfigError(
                .wrongType, at: location(of: node),
                "\(keyPath) must be a number of dB, found \(node.foundDescription)")
        }
        guard value.isFinite else {
            throw ConfigError(
                .invalidValue, at: location(of: node), "\(keyPath) must be a finite number of dB, found \(text)")
        }
        let limit = ConfigValues.gainLimitDB
        guard abs(value) <= limit else {
            throw ConfigError(
                .invalidValue, at: location(of: node),
                "\(keyPath) must be between -\(Int(limit)) and \(Int(limit)) dB, found \(text)")
        }
        return value
    }

    /// A finite number within `range` (seconds, milliseconds).
    func decimal(_ node: YAMLNode, _ keyPath: String, in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard let text = plainText(of: node), let value = number(text) else {
            throw ConfigError(
                .wrongType, at: location(of: node), "\(keyPath) must be a number, found \(node.foundDescription)")
        }
        guard value.isFinite, range.contains(value) else {
            throw ConfigError(
                .invalidValue, at: location(of: node),
                "\(keyPath) must be between \(range.lowerBound.formatted) and \(range.upperBound.formatted), found \(text)")
        }
        return value
    }

    /// One of an enumeration's raw values, e.g. `convolve` for `ConvolutionMode`.
    func choice<Value: RawRepresentable<String> & CaseIterable>(
        _ node: YAMLNode, _ keyPath: String
    ) throws(ConfigError) -> Value {
        let names = Value.allCases.map(\.rawValue)
        let expected = "\(keyPath) must be one of \(names.joined(separator: ", "))"
        guard case .scalar(let scalar) = node, !node.isNull else {
            throw ConfigError(.wrongType, at: location(of: node), "\(expected); found \(node.foundDescription)")
        }
        guard let value = Value(rawValue: scalar.string) else {
            let hint = NearMiss.hint(for: scalar.string, among: names)
            throw ConfigError(.invalidValue, at: location(of: node), "\(expected); found '\(scalar.string)'\(hint)")
        }
        return value
    }

    /// `true` or `false`, unquoted (YAML 1.1's `yes`/`no`/`on`/`off` are refused: they surprise).
    func boolean(_ node: YAMLNode, _ keyPath: String) throws(ConfigError) -> Bool {
        switch plainText(of: node) {
        case "true": return true
        case "false": return false
        default:
            throw ConfigError(
                .wrongType, at: location(of: node), "\(keyPath) must be true or false, found \(node.foundDescription)")
        }
    }

    /// A nested mapping's entries, or an error naming what was expected.
    func mapping(_ node: YAMLNode, _ keyPath: String, example: String) throws(ConfigError) -> YAMLNode.Mapping {
        guard case .mapping(let mapping) = node else {
            throw ConfigError(
                .wrongType, at: location(of: node),
                "\(keyPath) must be a mapping such as '\(example)', found \(node.foundDescription)")
        }
        return mapping
    }

    /// A list's items, or an error naming what was expected.
    func sequence(_ node: YAMLNode, _ keyPath: String, example: String) throws(ConfigError) -> YAMLNode.Sequence {
        guard case .sequence(let sequence) = node else {
            throw ConfigError(
                .wrongType, at: location(of: node),
                "\(keyPath) must be a list such as '\(example)', found \(node.foundDescription)")
        }
        return sequence
    }

    /// The text of an unquoted, non-null scalar: the only kind YAML reads as a number.
    private func plainText(of node: YAMLNode) -> String? {
        guard case .scalar(let scalar) = node, !node.isNull,
              scalar.style == .plain
        else { return nil }
        return scalar.string
    }

    /// A YAML number, including YAML's spellings of infinity and NaN so they can be rejected by name.
    private func number(_ text: String) -> Double? {
        switch text.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default: return Double(text.filter { $0 != "_" })
        }
    }

    /// Where `node` is; for a node an alias copied, the alias, with the anchor it copies.
    func location(of node: YAMLNode) -> SourceLocation {
        var location = SourceLocation(file: file, mark: node.mark)
        location.anchor = aliases[AliasPlace(location)]
        return location
    }
}

extension Double {
    /// `2` rather than `2.0` for whole numbers, in messages.
    fileprivate var formatted: String {
        self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}
