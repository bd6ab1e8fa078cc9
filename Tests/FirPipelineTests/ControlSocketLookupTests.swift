import FirPipeline
import FirTestSupport
import Foundation
import Testing

/// `serve.control_socket` found in config files that are broken elsewhere, for `firpipe reload`.
@Suite struct ControlSocketLookupTests {
    func lookUp(_ text: String) throws -> String? {
        let dir = try TemporaryDirectory(prefix: "fp-lookup")
        defer { dir.remove() }
        let path = dir.path("conf/room.yaml")
        try FileManager.default.createDirectory(atPath: dir.path("conf"), withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return ConfigFile.controlSocketLeniently(path: path).map { $0.replacingOccurrences(of: dir.path("conf"), with: "DIR") }
    }

    @Test func foundInGoodAndBrokenFiles() throws {
        let serve = "serve:\n  stream: {format: s16le, channels: 2, rate: 48000}\n  control_socket: run/room.sock\n"
        #expect(try lookUp("kernel: k.wav\n" + serve) == "DIR/run/room.sock", "relative to the file, as the daemon has it")
        #expect(try lookUp("kernel: k.wav\nbogus: 1\n" + serve) == "DIR/run/room.sock", "an unknown key")
        #expect(try lookUp("kernel: k.wav\ngain_db: loud\n" + serve) == "DIR/run/room.sock", "a bad value")
        #expect(try lookUp("kernel: [k.wav\n" + serve) == "DIR/run/room.sock", "YAML that does not parse")
        #expect(try lookUp("serve: {spool: {}, control_socket: '/run/x.sock'}\nkernel: 3: 4\n") == nil,
                "a flow mapping in a file that does not parse is beyond the plain-text reading")
        #expect(try lookUp("serve: {spool: {}, control_socket: '/run/x.sock'}\nbogus: 1\n") == "/run/x.sock")
        #expect(try lookUp("serve:\n  control_socket: \"/run/q.sock\"  # quoted\n}{\n") == "/run/q.sock")
        #expect(try lookUp("kernel: k.wav\ncontrol_socket: /run/top.sock\n") == nil, "only under serve")
        #expect(try lookUp("kernel: k.wav\n") == nil)
    }
}
