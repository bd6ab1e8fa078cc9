/// A value's text, its stored properties nested, with a dictionary's or set's entries sorted: the same
/// text for equal values in any process. `String(describing:)` prints them in hash order, which Swift
/// seeds per process, so a graph spec (filters and mixers by name) got another journal key on every
/// run and `batch` redid every job of a graph config.
enum CanonicalDescription {
    static func of(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .dictionary?:
            let entries = mirror.children.map { entry -> String in
                let pair = Mirror(reflecting: entry.value).children.map(\.value)
                return pair.count == 2 ? "\(of(pair[0])): \(of(pair[1]))" : of(entry.value)
            }
            return "[" + entries.sorted().joined(separator: ", ") + "]"
        case .set?:
            return "Set[" + mirror.children.map { of($0.value) }.sorted().joined(separator: ", ") + "]"
        default:
            // A leaf (number, string, enum case without payload, nil): as Swift writes it in code.
            guard !mirror.children.isEmpty else { return String(reflecting: value) }
            let fields = mirror.children.map { child in (child.label.map { "\($0): " } ?? "") + of(child.value) }
            return "\(type(of: value))(" + fields.joined(separator: ", ") + ")"
        }
    }
}
