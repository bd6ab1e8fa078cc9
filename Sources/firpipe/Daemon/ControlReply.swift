import FoundationEssentials

/// The reply to a control command that acts (`reload`), and to a command the socket cannot take:
/// `{"ok":true,…}` or `{"ok":false,"error":"…"}`. `status` replies with a ``DaemonStatus`` instead.
struct ControlReply: Codable, Sendable, Equatable {
    var ok: Bool
    /// What went wrong, for a person: for a bad config, `FILE:LINE:COL: …` as `firpipe check` prints it.
    var error: String?
    /// What happened, when it went well (e.g. "reloaded; 2 kernels changed").
    var message: String?
    /// The config now in use, after a reload.
    var config: DaemonStatus.Config?

    static func success(_ message: String? = nil, config: DaemonStatus.Config? = nil) -> ControlReply {
        ControlReply(ok: true, error: nil, message: message, config: config)
    }

    static func failure(_ error: String) -> ControlReply {
        ControlReply(ok: false, error: error, message: nil, config: nil)
    }

    /// One line of JSON, keys sorted.
    var json: String { ControlJSON.encode(self) }

    /// The reply in `text`, or nil when it is not a reply of this shape (a status, or not JSON).
    init?(json text: String) {
        guard let value = try? JSONDecoder().decode(ControlReply.self, from: Data(text.utf8)) else { return nil }
        self = value
    }

    init(ok: Bool, error: String?, message: String?, config: DaemonStatus.Config?) {
        self.ok = ok
        self.error = error
        self.message = message
        self.config = config
    }
}

/// The one JSON style of the control socket: one line, sorted keys, slashes left alone so paths read as
/// paths. Any thread.
enum ControlJSON {
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of strings and numbers cannot fail but for non-finite doubles, which
        // the status sanitises; an error object keeps the reply JSON even then.
        guard let data = try? encoder.encode(value) else { return #"{"error":"reply not encodable","ok":false}"# }
        return String(decoding: data, as: UTF8.self)
    }
}
