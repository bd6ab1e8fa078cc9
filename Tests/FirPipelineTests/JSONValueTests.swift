@testable import FirPipeline
import Foundation
import Testing

/// ``JSONValue`` stands where classic Foundation's JSONSerialization took `[String: Any]`; the tests may
/// link classic Foundation, so they check the text against it.
@Suite("JSONValue")
struct JSONValueTests {
    @Test("written with sorted keys and slashes as they are, read back equal, the same JSON as JSONSerialization")
    func roundTrip() throws {
        let value: JSONValue = .object([
            "path": "/a/b.wav", "frames": 48_000, "seconds": 0.125, "error": nil, "ok": true,
            "list": [1, 2.5, "x", false], "nested": .object(["z": 1, "a": "é"]),
        ])
        let text = value.text()
        #expect(text.hasPrefix("{\"error\":null,\"frames\":48000,\"list\":[1,2.5,\"x\",false]"), "\(text)")
        #expect(text.contains("\"path\":\"/a/b.wav\""))
        #expect(JSONValue.parse(text.utf8) == value)
        let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary
        let ours = try JSONSerialization.jsonObject(with: Data(value.text(pretty: true).utf8)) as? NSDictionary
        #expect(theirs != nil && theirs == ours, "pretty and compact texts hold the same JSON")
    }

    @Test("a boolean is not a number, an integral double is an int, and non-finite figures are written as null")
    func kinds() {
        #expect(JSONValue.parse("true".utf8) == .bool(true))
        #expect(JSONValue.parse("true".utf8)?.double == nil)
        #expect(JSONValue.parse("1".utf8)?.double == 1)
        #expect(JSONValue.parse("-2.5e3".utf8)?.double == -2500)
        #expect(JSONValue.parse("0.5".utf8) == .double(0.5))
        #expect(JSONValue.parse("2.0".utf8)?.int == 2)
        #expect(JSONValue.array([.double(.nan), .double(.infinity)]).text() == "[null,null]")
        #expect(JSONValue.parse("{\"a\":".utf8) == nil)
        #expect(JSONValue.parse("nul".utf8) == nil)
    }
}
