import Testing

@testable import FirPipeline

/// The journal's key text is the same for equal specs in any process: dictionaries and sets are
/// written sorted, not in their hash order (which Swift seeds per process, and which differs within one
/// process between equal dictionaries of different histories, as here).
@Suite struct CanonicalDescriptionTests {
    struct Holder: Equatable {
        var name: String
        var table: [String: Int]
        var tags: Set<String>
        var inner: [String: [String: Double]]
    }

    @Test func equalValuesOfDifferentHistoriesReadTheSame() throws {
        let keys = (0..<40).map { "filter-\($0)" }
        let small = Dictionary(uniqueKeysWithValues: keys.map { ($0, $0.count) })
        var grown = Dictionary(uniqueKeysWithValues: (0..<2000).map { ("x\($0)", 0) })
        for k in keys { grown[k] = k.count }
        for i in 0..<2000 { grown["x\(i)"] = nil }
        try #require(small == grown)
        // The premise: equal, yet listed in another order, which String(describing:) follows.
        try #require(Array(small.keys) != Array(grown.keys), "both dictionaries iterate alike; pick other sizes")
        let a = Holder(name: "a", table: small, tags: Set(keys), inner: ["x": ["b": 1, "a": 2]])
        let b = Holder(name: "a", table: grown, tags: Set(keys.reversed()), inner: ["x": ["a": 2, "b": 1]])
        #expect(CanonicalDescription.of(a) == CanonicalDescription.of(b))
        // And unequal values read differently: a value, a key, a name.
        var c = b
        c.table["filter-3"] = 99
        #expect(CanonicalDescription.of(c) != CanonicalDescription.of(a))
        c = b
        c.table["other"] = c.table.removeValue(forKey: "filter-3")
        #expect(CanonicalDescription.of(c) != CanonicalDescription.of(a))
        c = b
        c.name = "b"
        #expect(CanonicalDescription.of(c) != CanonicalDescription.of(a))
        // Strings are quoted, so a value cannot pass for a field boundary.
        #expect(CanonicalDescription.of(Holder(name: "a, table: [:]", table: [:], tags: [], inner: [:]))
            != CanonicalDescription.of(Holder(name: "a", table: [:], tags: [], inner: [:])))
    }
}
