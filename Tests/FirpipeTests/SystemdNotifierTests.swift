import FirTestSupport
import Foundation
import Testing

@testable import firpipe

/// `SystemdNotifier` against a real datagram socket standing in for systemd's.
@Suite struct SystemdNotifierTests {
    /// A datagram socket bound at `address`, as systemd binds /run/systemd/notify.
    struct Receiver {
        let socket: UnixSocket

        init(_ address: UnixSocketAddress) throws {
            socket = try UnixSocket(type: Int32(SOCK_DGRAM.rawValue))
            try socket.bind(to: address)
            // A lost datagram fails the test after a second instead of hanging it.
            try socket.setTimeouts(receive: .seconds(1), send: .seconds(1))
        }

        func next() throws -> String {
            String(decoding: try socket.receive(upTo: 4096), as: UTF8.self)
        }
    }

    @Test func sendsEachMessageAsOneDatagramToAPath() throws {
        let dir = try TemporaryDirectory(prefix: "firpipe-notify")
        defer { dir.remove() }
        let receiver = try Receiver(try UnixSocketAddress(path: dir.path("notify")))
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": dir.path("notify")])
        #expect(notifier.isEnabled)

        #expect(notifier.ready(status: "filtering 2 channels at 48000 Hz"))
        #expect(try receiver.next() == "READY=1\nSTATUS=filtering 2 channels at 48000 Hz")
        #expect(notifier.ready())
        #expect(try receiver.next() == "READY=1")
        #expect(notifier.status("two\nlines"))
        #expect(try receiver.next() == "STATUS=two lines")
        #expect(notifier.watchdog())
        #expect(try receiver.next() == "WATCHDOG=1")
        #expect(notifier.stopping())
        #expect(try receiver.next() == "STOPPING=1")
        #expect(notifier.notify([("EXTEND_TIMEOUT_USEC", "5000000"), ("STATUS", "draining")]))
        #expect(try receiver.next() == "EXTEND_TIMEOUT_USEC=5000000\nSTATUS=draining")
    }

    @Test func reloadingCarriesTheMonotonicClock() throws {
        let dir = try TemporaryDirectory(prefix: "firpipe-notify")
        defer { dir.remove() }
        let receiver = try Receiver(try UnixSocketAddress(path: dir.path("notify")))
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": dir.path("notify")])
        let before = SystemdNotifier.monotonicMicroseconds()
        #expect(notifier.reloading())
        let after = SystemdNotifier.monotonicMicroseconds()
        let lines = try receiver.next().split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == "RELOADING=1")
        let last = try #require(lines.last)
        #expect(last.hasPrefix("MONOTONIC_USEC="))
        let stamp = try #require(UInt64(last.dropFirst("MONOTONIC_USEC=".count)))
        #expect(stamp >= before && stamp <= after)
        // Really CLOCK_MONOTONIC (as systemd reads it): within a second of a fresh reading of it.
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        #expect(abs(Double(now.tv_sec) - Double(stamp) / 1e6) < 1)
    }

    @Test func reachesAnAbstractName() throws {
        let name = "@firpipe-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let address = try UnixSocketAddress(systemdNotation: name)
        #expect(address.isAbstract && address.pathBytes.first == 0 && address.pathBytes.count == name.utf8.count)
        let receiver = try Receiver(address)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": name])
        #expect(notifier.ready())
        #expect(try receiver.next() == "READY=1")
    }

    @Test func doesNothingWithoutASocket() throws {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isEnabled)
        #expect(!notifier.ready(status: "x"))
        #expect(!notifier.watchdog())
        #expect(notifier.watchdogInterval == nil)
        // A socket that nobody bound: sending fails, quietly.
        let dir = try TemporaryDirectory(prefix: "firpipe-notify")
        defer { dir.remove() }
        let orphan = SystemdNotifier(environment: ["NOTIFY_SOCKET": dir.path("nobody")])
        #expect(orphan.isEnabled)
        #expect(!orphan.ready())
        // An address no unix socket can have.
        #expect(!SystemdNotifier(environment: ["NOTIFY_SOCKET": String(repeating: "x", count: 200)]).isEnabled)
    }

    @Test func watchdogIntervalIsHalfOfWatchdogUsecForThisProcess() {
        let me = getpid()
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000"], pid: me) == .seconds(15))
        #expect(
            SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "3000", "WATCHDOG_PID": "\(me)"], pid: me)
                == .microseconds(1500))
        let someoneElse = ["WATCHDOG_USEC": "3000", "WATCHDOG_PID": "1"]
        #expect(SystemdNotifier.watchdogInterval(environment: someoneElse, pid: me) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "0"], pid: me) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "soon"], pid: me) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_PID": "\(me)"], pid: me) == nil)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "2000000"]).watchdogInterval == .seconds(1))
    }

    @Test func addressesRejectWhatSunPathCannotHold() {
        #expect(throws: DaemonError.self) { try UnixSocketAddress(path: "") }
        #expect(throws: DaemonError.self) { try UnixSocketAddress(path: "/tmp/" + String(repeating: "a", count: 103)) }
        #expect(throws: Never.self) { try UnixSocketAddress(path: "/" + String(repeating: "a", count: 106)) }
        let longName = "@" + String(repeating: "a", count: 108)
        #expect(throws: DaemonError.self) { try UnixSocketAddress(systemdNotation: longName) }
    }
}
