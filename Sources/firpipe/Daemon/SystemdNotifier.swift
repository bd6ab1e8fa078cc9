import Glibc
import FoundationEssentials

/// Tells systemd how the service is doing, as sd_notify(3) does: `KEY=VALUE` lines in one datagram to the
/// AF_UNIX socket named by `NOTIFY_SOCKET`. Without that variable (not started by systemd, or a unit
/// that is not `Type=notify`) every call does nothing and returns false.
///
/// Sending is best effort by design: a lost notification must never stop the audio, so failures return
/// false and are not thrown or logged; systemd's own timeouts report a daemon that never said READY=1.
///
/// Threads: any, concurrently. All state is fixed in `init`; each message is one datagram, which the
/// kernel delivers whole or not at all, so messages from different threads never interleave.
final class SystemdNotifier: Sendable {
    /// Where the notifications go; nil when `NOTIFY_SOCKET` is unset or unusable.
    let address: UnixSocketAddress?
    /// How often to call ``watchdog()``: half of `WATCHDOG_USEC`, as sd_watchdog_enabled(3) advises,
    /// when the watchdog is on and meant for this process; nil otherwise.
    let watchdogInterval: Duration?
    /// One socket for the life of the notifier rather than one per message: the watchdog pings often.
    private let socket: UnixSocket?

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`.
    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let address = environment["NOTIFY_SOCKET"].flatMap { try? UnixSocketAddress(systemdNotation: $0) }
        self.address = address
        self.socket = address == nil ? nil : try? UnixSocket(type: Int32(SOCK_DGRAM.rawValue))
        self.watchdogInterval = Self.watchdogInterval(environment: environment, pid: getpid())
    }

    /// Whether notifications have somewhere to go.
    var isEnabled: Bool { socket != nil }

    /// Sends `fields` as `KEY=VALUE` lines in one datagram. Returns true when the datagram was sent.
    ///
    /// Keys are systemd's (`READY`, `STATUS`, …) and must not hold "=" or a newline. A newline in a value
    /// would start a new field, so values have theirs replaced by spaces.
    @discardableResult
    func notify(_ fields: [(String, String)]) -> Bool {
        guard let socket, let address, !fields.isEmpty else { return false }
        let lines = fields.map { key, value in
            precondition(!key.isEmpty && !key.contains("=" as Character) && !key.contains("\n" as Character), "bad sd_notify key \(key)")
            return key + "=" + value.replacing("\n", with: " ")
        }
        return socket.sendDatagram(Array(lines.joined(separator: "\n").utf8), to: address)
    }

    /// Start-up is complete (`READY=1`), with an optional status line for `systemctl status`.
    @discardableResult
    func ready(status: String? = nil) -> Bool {
        notify([("READY", "1")] + (status.map { [("STATUS", $0)] } ?? []))
    }

    /// A free-form status line for `systemctl status`.
    @discardableResult
    func status(_ text: String) -> Bool {
        notify([("STATUS", text)])
    }

    /// A reload has begun; send ``ready(status:)`` when it is done. systemd (since 253) wants the
    /// monotonic time with it, so that it can tell this reload from an earlier one.
    @discardableResult
    func reloading() -> Bool {
        notify([("RELOADING", "1"), ("MONOTONIC_USEC", String(Self.monotonicMicroseconds()))])
    }

    /// Shutdown has begun.
    @discardableResult
    func stopping() -> Bool {
        notify([("STOPPING", "1")])
    }

    /// The watchdog keep-alive; call every ``watchdogInterval`` from the thread whose progress it vouches for.
    @discardableResult
    func watchdog() -> Bool {
        notify([("WATCHDOG", "1")])
    }

    /// CLOCK_MONOTONIC in microseconds, the clock systemd compares MONOTONIC_USEC with.
    static func monotonicMicroseconds() -> UInt64 {
        clockNanoseconds(CLOCK_MONOTONIC) / 1_000
    }

    /// Half of `WATCHDOG_USEC` when it is a positive number and `WATCHDOG_PID` is unset or `pid`.
    static func watchdogInterval(environment: [String: String], pid: pid_t) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], pid_t(owner) != pid { return nil }
        return .microseconds(usec / 2)
    }
}
