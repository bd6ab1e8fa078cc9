import FirCore
import FirAudio
internal import FoundationEssentials

/// A measured ``CostModel`` kept beside the FFTW wisdom, so every run plans with this machine's figures.
public struct CostModelStore: Sendable {
    public let path: String
    /// Plans fixed (``WisdomStore/fixedPlans``): the built-in model, never a measured one.
    private let fixed: Bool

    public init(wisdom: WisdomStore) {
        path = PathName.openableDirectory(of: wisdom.path) + "/cost-model.json"
        fixed = wisdom.fixedPlans
    }

    /// The saved model, or nil when there is none, it does not parse or the plans are fixed.
    public func load() -> CostModel? {
        guard !fixed, let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(CostModel.self, from: data)
    }

    /// Saves `model` durably (``DurableFile/replace(_:write:)``). Returns whether it saved.
    @discardableResult
    public func save(_ model: CostModel) -> Bool {
        guard let data = try? JSONEncoder().encode(model) else { return false }
        return DurableFile.replace(path) { FileManager.default.createFile(atPath: $0, contents: data) }
    }

    /// A model as Swift source, ready to paste as `CostModel.default`.
    public static func describe(_ m: CostModel) -> String {
        let pairs = m.fftPairSeconds.enumerated().map { i, s in
            "2^\(CostModel.minLog2 + i): \(String(cFormat: "%.3g", s))"
        }
        return "fft pair seconds: " + pairs.joined(separator: ", ")
            + String(cFormat: "\nmultiply-add per bin: cached %.3g s, streaming %.3g s", m.macCached, m.macStreaming)
    }
}
