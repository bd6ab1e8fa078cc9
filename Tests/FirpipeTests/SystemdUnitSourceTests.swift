import FirTestSupport
import Foundation
import Testing

/// The plain unit and the sound-card variant are made from the template (`make units`,
/// systemd/plain.sed and device.sed), so the sandbox is written once: the committed units must be
/// exactly what the scripts make.
@Suite struct SystemdUnitSourceTests {
    /// Runs `script` over the template and returns its output, expecting it to equal `unit` as committed.
    func generated(by script: String, equals unit: String) throws -> String {
        let dir = SystemdUnitTests.unitDirectory
        let sed = try FirpipeBinary.run(
            ["-f", dir.appendingPathComponent(script).path, dir.appendingPathComponent("firpipe@.service").path],
            executable: "/bin/sed")
        #expect(sed.status == 0, "\(sed.stderr)")
        let committed = try String(contentsOf: dir.appendingPathComponent(unit), encoding: .utf8)
        #expect(sed.stdout == committed, "run `make units` after editing systemd/firpipe@.service or \(script)")
        return sed.stdout
    }

    @Test func plainUnitIsTheTemplateThroughTheScript() throws {
        let text = try generated(by: "plain.sed", equals: "firpipe.service")
        #expect(!text.contains("%i") && text.contains("ExecStart=/usr/local/bin/firpipe serve --config /etc/firpipe/firpipe.yaml"))
    }

    /// The device variant differs from the template in the relaxations its comments mark "Devices:"
    /// (and its description) and in nothing else.
    @Test func deviceUnitRelaxesOnlyWhatACardNeeds() throws {
        let text = try generated(by: "device.sed", equals: "firpipe-device@.service")
        let template = try String(
            contentsOf: SystemdUnitTests.unitDirectory.appendingPathComponent("firpipe@.service"), encoding: .utf8)
        func settings(_ text: String) -> Set<String> {
            Set(text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && $0.contains("=") })
        }
        #expect(settings(template).subtracting(settings(text)) == [
            "PrivateDevices=yes", "PrivateUsers=yes", "After=local-fs.target", "Description=firpipe FIR filter daemon (%i)",
        ])
        #expect(settings(text).subtracting(settings(template)) == [
            "PrivateDevices=no", "PrivateUsers=no", "SupplementaryGroups=audio", "DeviceAllow=char-alsa rw",
            "After=local-fs.target sound.target", "Description=firpipe FIR filter daemon on sound devices (%i)",
        ])
    }
}
