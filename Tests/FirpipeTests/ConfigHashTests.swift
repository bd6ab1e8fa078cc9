import FirTestSupport
import Foundation
import Testing

@testable import firpipe

/// `ConfigHash.sha256` against the FIPS 180-4 examples and `sha256sum`.
@Suite struct ConfigHashTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        // 55, 56 and 64 bytes: the padding's edge cases (length fits, spills into a second block, whole block).
        (String(repeating: "a", count: 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (String(repeating: "a", count: 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (String(repeating: "a", count: 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
    ])
    func standardVectors(message: String, digest: String) {
        #expect(ConfigHash.sha256(of: Data(message.utf8)) == digest)
    }

    @Test func oneMillionAs() {
        let message = Data(repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(ConfigHash.sha256(of: message) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func matchesSha256sum() throws {
        let dir = try TemporaryDirectory(prefix: "fp-hash")
        defer { dir.remove() }
        let path = dir.path("room.yaml")
        var bytes = Array("input: in.wav\nkernel: room.wav\n".utf8)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 { bytes.append(UInt8.random(in: 0...255, using: &generator)) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let tool = try FirpipeBinary.run([path], executable: "/usr/bin/sha256sum")
        #expect(tool.status == 0)
        let expected = try #require(tool.stdout.split(separator: " ").first.map(String.init))
        #expect(ConfigHash.sha256(ofFile: path) == expected)
        #expect(ConfigHash.sha256(ofFile: dir.path("missing.yaml")) == nil)
    }
}
