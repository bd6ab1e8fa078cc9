import FirAudio
import FirTestSupport
import Foundation
import Testing

/// `DurableFile`: the small files firpipe keeps for itself are replaced whole or not at all.
@Suite struct DurableFileTests {
    @Test func replacesWholeOrLeavesTheOldFile() throws {
        let dir = try TemporaryDirectory(prefix: "fp-durable")
        defer { dir.remove() }
        let path = dir.path("cache/firpipe/cost-model.json")
        #expect(DurableFile.replace(path) { FileManager.default.createFile(atPath: $0, contents: Data("one".utf8)) })
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one", "the missing directories are made")
        // A writer that fails half-way: the old file stays, and no temporary file is left beside it.
        #expect(!DurableFile.replace(path) { FileManager.default.createFile(atPath: $0, contents: Data("tw".utf8)) && false })
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("cache/firpipe")) == ["cost-model.json"])
        // A writer that says it wrote but made no file: nothing to flush or rename.
        #expect(!DurableFile.replace(path) { _ in true })
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one")
    }

    @Test func directoryFlushReportsAMissingDirectory() throws {
        struct Failure: Error { let code: Int32 }
        let error = try #require(throws: Failure.self) {
            try DurableFile.syncDirectory("/nonexistent-\(getpid())") { Failure(code: $0) }
        }
        #expect(error.code == ENOENT)
    }
}
