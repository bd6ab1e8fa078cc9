import Foundation
import Testing

/// The plain unit is made from the template (`make units`, systemd/plain.sed), so the sandbox is
/// written once: the committed firpipe.service must be exactly what the script makes.
@Suite struct SystemdUnitSourceTests {
    @Test func plainUnitIsTheTemplateThroughTheScript() throws {
        let dir = SystemdUnitTests.unitDirectory
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sed")
        process.arguments = ["-f", dir.appendingPathComponent("plain.sed").path, dir.appendingPathComponent("firpipe@.service").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let made = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let committed = try String(contentsOf: dir.appendingPathComponent("firpipe.service"), encoding: .utf8)
        #expect(made == committed, "run `make units` after editing systemd/firpipe@.service")
        #expect(!made.contains("%i") && made.contains("ExecStart=/usr/local/bin/firpipe serve --config /etc/firpipe/firpipe.yaml"))
    }
}
