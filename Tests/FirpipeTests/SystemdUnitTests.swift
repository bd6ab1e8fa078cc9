import FirTestSupport
import Foundation
import Testing

/// The systemd-analyze binary, when installed.
private let systemdAnalyze: String? = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

/// The unit files in systemd/: systemd's own checker accepts them, and its security analysis rates their
/// sandbox at an exposure of 2.0 or lower. `make test` installs systemd when systemd-analyze is missing;
/// without it these tests are skipped.
@Suite(.enabled(if: systemdAnalyze != nil, "systemd-analyze is not installed"))
struct SystemdUnitTests {
    /// The checkout's systemd/ directory, found from this file's place in it.
    static let unitDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("systemd")

    /// `firpipe.service` as installed, instances of the templates as `systemctl` would start them, and
    /// the device variant with the JACK drop-in (the `+jack` suffix; staged beside it as systemd reads
    /// drop-ins).
    static let units = [
        ("firpipe.service", "firpipe.service"), ("firpipe@.service", "firpipe@room.service"),
        ("firpipe-device@.service", "firpipe-device@room.service"),
        ("firpipe-device@.service+jack", "firpipe-device@room.service"),
    ]
    static let jackDropIn = "firpipe-device@.service.d/jack.conf"

    /// Copies `unit` into a fresh directory with ExecStart's /usr/local/bin/firpipe (which `verify` checks
    /// exists, and which tests must not install) pointed at the freshly built binary; `NAME+jack` copies
    /// the JACK drop-in too.
    func staged(_ name: String) throws -> TemporaryDirectory {
        let unit = name.replacingOccurrences(of: "+jack", with: "")
        let dir = try TemporaryDirectory(prefix: "fp-units")
        let text = try String(contentsOf: Self.unitDirectory.appendingPathComponent(unit), encoding: .utf8)
        #expect(text.contains("ExecStart=/usr/local/bin/firpipe serve --config /etc/firpipe/"))
        try text.replacingOccurrences(of: "/usr/local/bin/firpipe", with: FirpipeBinary.url.path)
            .write(toFile: dir.path(unit), atomically: true, encoding: .utf8)
        if name.hasSuffix("+jack") {
            try FileManager.default.createDirectory(atPath: dir.path(unit + ".d"), withIntermediateDirectories: false)
            try FileManager.default.copyItem(
                atPath: Self.unitDirectory.appendingPathComponent(Self.jackDropIn).path, toPath: dir.path(Self.jackDropIn))
        }
        return dir
    }

    func analyze(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(
            arguments, executable: try #require(systemdAnalyze), stdout: .capture, stderr: .stdout)
        guard case .exited(let status) = child.wait(timeout: 120) else { return (-1, child.stdout) }
        return (status, child.stdout)
    }

    @Test(arguments: units)
    func verifyAcceptsTheUnit(file: String, instance: String) throws {
        let dir = try staged(file)
        defer { dir.remove() }
        let (status, output) = try analyze(["verify", dir.path(instance)])
        #expect(status == 0, "\(output)")
        // verify exits 0 on unknown keys and bad values too, so any word about our file is a failure.
        #expect(!output.contains(dir.url.path), "\(output)")
        #expect(!output.contains("firpipe"), "\(output)")
    }

    @Test(arguments: units)
    func sandboxExposureIsAtMostTwo(file: String, instance: String) throws {
        let dir = try staged(file)
        defer { dir.remove() }
        // --threshold is exposure × 10: the command fails above 2.0.
        let (status, output) = try analyze(["security", "--offline=yes", "--threshold=20", dir.path(instance)])
        #expect(status == 0, "\(output)")
        let line = try #require(output.split(separator: "\n").first { $0.contains("Overall exposure level for") })
        let figure = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
        let exposure = try #require(figure, "\(line)")
        #expect(exposure <= 2.0, "\(line)")
        if file.hasSuffix("+jack") {
            // The drop-in was read: its realtime relaxation is in the analysis.
            #expect(output.contains("Service may acquire realtime scheduling"), "\(output)")
        }
        print("\(file): \(line.trimmingCharacters(in: .whitespaces))")
    }

    /// The instances share /run/firpipe, so a stopped one must not take the directory along, and the
    /// socket path rule (`$RUNTIME_DIRECTORY/NAME.sock`) must agree with the units.
    @Test(arguments: units)
    func unitsAgreeWithTheSocketRule(file: String, instance: String) throws {
        let unit = file.replacingOccurrences(of: "+jack", with: "")
        let text = try String(contentsOf: Self.unitDirectory.appendingPathComponent(unit), encoding: .utf8)
        let lines = Set(text.split(separator: "\n").map(String.init))
        for expected in [
            "Type=notify", "NotifyAccess=main", "ExecReload=/bin/kill -HUP $MAINPID", "RuntimeDirectory=firpipe",
            "RuntimeDirectoryPreserve=yes", "DynamicUser=yes", "User=firpipe",
        ] {
            #expect(lines.contains(expected), "\(file) lacks \(expected)")
        }
    }
}
