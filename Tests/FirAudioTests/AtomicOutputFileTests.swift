import FirAudio
import Foundation
import Testing

/// ``AtomicOutputFile``: the output appears under its final name complete or not at all.
@Suite("AtomicOutputFile")
final class AtomicOutputFileTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    @Test("the temporary file is hidden, unique, beside the final path, and the final file is not created")
    func temporaryName() throws {
        let finalPath = directory.file("out.wav")
        let first = try AtomicOutputFile(finalPath: finalPath)
        let second = try AtomicOutputFile(finalPath: finalPath)
        #expect(first.finalPath == finalPath)
        #expect(first.temporaryPath != second.temporaryPath)
        for output in [first, second] {
            #expect(output.temporaryPath.hasPrefix(directory.file(".out.wav.firpipe-\(getpid())-")))
            #expect(output.temporaryPath.hasSuffix(".tmp"))
        }
        #expect(!FileManager.default.fileExists(atPath: finalPath))
    }

    @Test("its temporary names are recognised, and names of other shapes are not")
    func recognisesItsTemporaryNames() throws {
        let output = try AtomicOutputFile(finalPath: directory.file("a b.wav"))
        let name = String(output.temporaryPath.split(separator: "/").last!)
        #expect(AtomicOutputFile.isTemporaryName(name))
        #expect(AtomicOutputFile.isTemporaryName(".x.wav.firpipe-1-2-ff.tmp"))
        for other in ["a b.wav", ".x.wav.tmp", "x.wav.firpipe-1-2-ff.tmp", ".x.firpipe-notes.tmp", ".x.firpipe-1-2-zz.tmp",
                      ".x.firpipe-1--ff.tmp", ".x.firpipe-1-2-ff.tmp.1"] {
            #expect(!AtomicOutputFile.isTemporaryName(other), "\(other)")
        }
    }

    @Test("commit renames the finished temporary file into place and leaves nothing else")
    func commit() throws {
        let finalPath = directory.file("out.flac")
        let output = try AtomicOutputFile(finalPath: finalPath)
        let signal = TestAudio.interleaved(frames: 2000, channels: 2)
        try TestAudio.write(signal, to: output.temporaryPath, format: AudioFormat(container: .flac, sampleFormat: .pcm24),
                            channels: 2)
        #expect(!FileManager.default.fileExists(atPath: finalPath))
        try output.commit()
        try output.commit()
        #expect(try directory.entries() == ["out.flac"])
        #expect(try AudioFileReader(path: finalPath).info.frames == 2000)
    }

    @Test("commit replaces an existing final file")
    func replaces() throws {
        let finalPath = try directory.write("out.txt", "old")
        let output = try AtomicOutputFile(finalPath: finalPath)
        try directory.write((output.temporaryPath as NSString).lastPathComponent, "new")
        try output.commit()
        #expect(try String(contentsOfFile: finalPath, encoding: .utf8) == "new")
        #expect(try directory.entries() == ["out.txt"])
    }

    @Test("discard removes the temporary file, is idempotent, and leaves an existing final file alone")
    func discard() throws {
        let finalPath = try directory.write("keep.wav", "previous run")
        let output = try AtomicOutputFile(finalPath: finalPath)
        try TestAudio.writeWAV(output.temporaryPath, frames: 100)
        output.discard()
        output.discard()
        #expect(try directory.entries() == ["keep.wav"])
        #expect(try String(contentsOfFile: finalPath, encoding: .utf8) == "previous run")
    }

    @Test("dropping it without commit removes the temporary file")
    func deinitDiscards() throws {
        var temporary = ""
        do {
            let output = try AtomicOutputFile(finalPath: directory.file("dropped.wav"))
            temporary = output.temporaryPath
            try TestAudio.writeWAV(temporary, frames: 100)
            #expect(FileManager.default.fileExists(atPath: temporary))
        }
        #expect(!temporary.isEmpty)
        #expect(try directory.entries() == [])
    }

    @Test("a directory that does not exist is .cannotCreate and says so")
    func missingDirectory() {
        let finalPath = directory.file("nowhere/out.wav")
        let error = #expect(throws: AudioError.self) { try AtomicOutputFile(finalPath: finalPath) }
        #expect(error?.kind == .cannotCreate)
        #expect(error?.description == "\(finalPath): directory \(directory.path)/nowhere does not exist; create it or choose another output path")
    }

    @Test("a directory without write permission is .cannotCreate", .enabled(if: getuid() != 0, "root can write anywhere"))
    func readOnlyDirectory() throws {
        let sub = directory.file("ro")
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
        chmod(sub, 0o555)
        defer { chmod(sub, 0o755) }
        let error = #expect(throws: AudioError.self) { try AtomicOutputFile(finalPath: sub + "/out.wav") }
        #expect(error?.kind == .cannotCreate)
        #expect(error?.message.hasPrefix("directory \(sub) is not writable") == true)
    }

    @Test("a final path that is a directory, or a file used as a directory, is .cannotCreate")
    func notAFile() throws {
        try FileManager.default.createDirectory(atPath: directory.file("sub"), withIntermediateDirectories: false)
        let plain = try directory.write("plain", "x")
        for finalPath in [directory.file("sub"), directory.path + "/", plain + "/out.wav"] {
            let error = #expect(throws: AudioError.self) { try AtomicOutputFile(finalPath: finalPath) }
            #expect(error?.kind == .cannotCreate, "\(finalPath)")
        }
        #expect(try directory.entries() == ["plain", "sub"])
    }

    @Test("a long name is shortened in the temporary name so it stays within NAME_MAX")
    func longName() throws {
        let name = String(repeating: "é", count: 120) + ".wav"  // 244 bytes: legal, but no room for a suffix
        let output = try AtomicOutputFile(finalPath: directory.file(name))
        try TestAudio.writeWAV(output.temporaryPath, frames: 10)
        try output.commit()
        #expect(try directory.entries() == [name])
    }
}
