import FirTestSupport
import Foundation
import Testing

/// The plain unit is made from the template (`make units`, systemd/plain.sed), so the sandbox is
/// written once: the committed firpipe.service must be exactly what the script makes.
@Suite struct SystemdUnitSourceTests {
    @Test func plainUnitIsTheTemplateThroughTheScript() throws {
        let dir = SystemdUnitTests.unitDirectory
        let sed = try FirpipeBinary.run(
            ["-f", dir.appendingPathComponent("plain.sed").path, dir.appendingPathComponent("firpipe@.service").path],
            executable: "/bin/sed")
        #expect(sed.status == 0, "\(sed.stderr)")
        let committed = try String(contentsOf: dir.appendingPathComponent("firpipe.service"), encoding: .utf8)
        #expect(sed.stdout == committed, "run `make units` after editing systemd/firpipe@.service")
        #expect(!sed.stdout.contains("%i") && sed.stdout.contains("ExecStart=/usr/local/bin/firpipe serve --config /etc/firpipe/firpipe.yaml"))
    }
}
