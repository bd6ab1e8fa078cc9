import FirAudio
import FirTestSupport
import Foundation
import Testing

/// ``AtomicOutputFile``: the output appears under its final name complete or not at all, and what a
/// killed run leaves in the directory, the next run removes.
@Suite("AtomicOutputFile")
final class AtomicOutputFileTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    /// Writes `text` into the temporary file through a descriptor of the writer's kind.
    private func put(_ text: String, in output: AtomicOutputFile) throws {
        let fd = try output.duplicateDescriptor()
        defer { close(fd) }
        let bytes = Array(text.utf8)
        #expect(write(fd, bytes, bytes.count) == bytes.count)
    }

    /// The pid of a process that has exited (a child that is reaped), for names a dead run would leave.
    private static func deadPid() throws -> Int32 {
        let child = try ChildProcess([], executable: "/bin/true")
        child.wait(timeout: 60)
        return child.pid
    }

    @Test("the named kind is hidden, unique, beside the final path, and the final file is not created")
    func temporaryName() throws {
        let finalPath = directory.path("out.wav")
        let first = try AtomicOutputFile(finalPath: finalPath, naming: .named)
        let second = try AtomicOutputFile(finalPath: finalPath, naming: .named)
        #expect(first.finalPath == finalPath)
        #expect(first.temporaryPath != second.temporaryPath)
        for output in [first, second] {
            #expect(!output.isUnnamed)
            #expect(output.temporaryPath.hasPrefix(directory.path(".out.wav.firpipe-\(getpid())-")))
            #expect(output.temporaryPath.hasSuffix(".tmp"))
        }
        #expect(!FileManager.default.fileExists(atPath: finalPath))
    }

    /// Where the file system has O_TMPFILE (ext4, tmpfs: the test machines), nothing at all appears in
    /// the directory before commit, so a kill -9 cannot leave anything there.
    @Test("the automatic kind is unnamed: the directory stays empty until commit")
    func unnamedUntilCommit() throws {
        let finalPath = directory.path("out.txt")
        let output = try AtomicOutputFile(finalPath: finalPath)
        try #require(output.isUnnamed, "O_TMPFILE refused in \(directory.path)")
        try put("whole", in: output)
        #expect(directory.listing() == [])
        try output.commit()
        #expect(directory.listing() == ["out.txt"])
        #expect(try String(contentsOfFile: finalPath, encoding: .utf8) == "whole")
    }

    @Test("its temporary names are recognised, and names of other shapes are not")
    func recognisesItsTemporaryNames() throws {
        let output = try AtomicOutputFile(finalPath: directory.path("a b.wav"), naming: .named)
        let name = String(output.temporaryPath.split(separator: "/").last!)
        #expect(AtomicOutputFile.isTemporaryName(name))
        #expect(AtomicOutputFile.isTemporaryName(".x.wav.firpipe-1-2-ff.tmp"))
        for other in ["a b.wav", ".x.wav.tmp", "x.wav.firpipe-1-2-ff.tmp", ".x.firpipe-notes.tmp", ".x.firpipe-1-2-zz.tmp",
                      ".x.firpipe-1--ff.tmp", ".x.firpipe-1-2-ff.tmp.1"] {
            #expect(!AtomicOutputFile.isTemporaryName(other), "\(other)")
        }
    }

    @Test("commit puts the finished file in place and leaves nothing else", arguments: [AtomicOutputFile.Naming.automatic, .named])
    func commit(naming: AtomicOutputFile.Naming) throws {
        let finalPath = directory.path("out.flac")
        let output = try AtomicOutputFile(finalPath: finalPath, naming: naming)
        let signal = TestAudio.interleaved(frames: 2000, channels: 2)
        let writer = try AudioFileWriter(
            output: output, format: AudioFormat(container: .flac, sampleFormat: .pcm24), channels: 2, sampleRate: 44_100)
        try signal.withUnsafeBufferPointer { try writer.write(from: $0.baseAddress!, frames: 2000) }
        try writer.finish()
        #expect(!FileManager.default.fileExists(atPath: finalPath))
        try output.commit()
        try output.commit()
        #expect(directory.listing() == ["out.flac"])
        #expect(try AudioFileReader(path: finalPath).info.frames == 2000)
    }

    @Test("commit replaces an existing final file", arguments: [AtomicOutputFile.Naming.automatic, .named])
    func replaces(naming: AtomicOutputFile.Naming) throws {
        let finalPath = try directory.write("out.txt", "old")
        let output = try AtomicOutputFile(finalPath: finalPath, naming: naming)
        try put("new", in: output)
        try output.commit()
        #expect(try String(contentsOfFile: finalPath, encoding: .utf8) == "new")
        #expect(directory.listing() == ["out.txt"])
    }

    /// Users get the mode open(2) with O_CREAT gives (0666 less the umask), whichever kind was used.
    @Test("the output's mode is 0666 less the umask", arguments: [AtomicOutputFile.Naming.automatic, .named])
    func mode(naming: AtomicOutputFile.Naming) throws {
        let mask = umask(0o022)
        umask(mask)
        let finalPath = directory.path("out.txt")
        let output = try AtomicOutputFile(finalPath: finalPath, naming: naming)
        try put("x", in: output)
        try output.commit()
        var status = stat()
        #expect(stat(finalPath, &status) == 0)
        #expect(status.st_mode & 0o7777 == 0o666 & ~mask)
    }

    @Test("discard removes the temporary file, is idempotent, and leaves an existing final file alone",
          arguments: [AtomicOutputFile.Naming.automatic, .named])
    func discard(naming: AtomicOutputFile.Naming) throws {
        let finalPath = try directory.write("keep.wav", "previous run")
        let output = try AtomicOutputFile(finalPath: finalPath, naming: naming)
        try put("unwanted", in: output)
        output.discard()
        output.discard()
        #expect(directory.listing() == ["keep.wav"])
        #expect(try String(contentsOfFile: finalPath, encoding: .utf8) == "previous run")
    }

    @Test("dropping it without commit removes the temporary file", arguments: [AtomicOutputFile.Naming.automatic, .named])
    func deinitDiscards(naming: AtomicOutputFile.Naming) throws {
        do {
            let output = try AtomicOutputFile(finalPath: directory.path("dropped.wav"), naming: naming)
            try put("unwanted", in: output)
            #expect(FileManager.default.fileExists(atPath: output.temporaryPath))
        }
        #expect(directory.listing() == [])
    }

    /// What a run killed mid-write (named kind) or between link and rename (unnamed kind) leaves: a
    /// hidden file under a dead pid, unlocked. The next output in that directory removes it, whatever
    /// final name it had.
    @Test("a new output removes the temporary files of dead runs")
    func removesLeftoversOfDeadRuns() throws {
        let dead = try Self.deadPid()
        let left = [".out.wav.firpipe-\(dead)-1-ab12.tmp", ".other.flac.firpipe-\(dead)-7-ff.tmp"]
        for name in left { try directory.write(name, "half a file") }
        try directory.write("notes.txt", "mine")
        try directory.write(".x.firpipe-notes.tmp", "not of our naming")
        let output = try AtomicOutputFile(finalPath: directory.path("out.wav"))
        #expect(directory.listing() == [".x.firpipe-notes.tmp", "notes.txt"])
        output.discard()
    }

    /// A batch writes thousands of outputs to one directory: scanning it at each would read N²/2 entries.
    /// Within `rescanInterval` of a scan, the next output does not scan again; the next scan removes what
    /// was left meanwhile.
    @Test("a directory is scanned for leftovers at most once per interval")
    func scansOncePerInterval() throws {
        let dead = try Self.deadPid()
        let first = try AtomicOutputFile(finalPath: directory.path("a.wav"))
        first.discard()
        let left = ".b.wav.firpipe-\(dead)-1-ab.tmp"
        try directory.write(left, "killed meanwhile")
        let second = try AtomicOutputFile(finalPath: directory.path("c.wav"))
        second.discard()
        #expect(directory.listing() == [left], "the second output, within the interval, did not rescan")
        #expect(AtomicOutputFile.removeLeftovers(in: directory.path) == 1)
        #expect(directory.listing() == [])
    }

    /// The two tests that make the removal safe: a file whose lock is held (its run is alive, seen from
    /// another pid namespace or host) stays though its pid is gone, and a file of a live process stays
    /// though it is not locked (a run between creating its file and locking it, or an older firpipe).
    @Test("a locked file, or one of a live process, is not a leftover")
    func keepsFilesInUse() throws {
        let dead = try Self.deadPid()
        let locked = try directory.write(".a.wav.firpipe-\(dead)-1-1.tmp", "in use elsewhere")
        let fd = open(locked, O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX) == 0)
        let live = ".b.wav.firpipe-\(getppid())-1-2.tmp"
        try directory.write(live, "live parent's")
        let own = ".c.wav.firpipe-\(getpid())-1-3.tmp"
        try directory.write(own, "this process's")
        #expect(AtomicOutputFile.removeLeftovers(in: directory.path) == 0)
        #expect(directory.listing() == [".a.wav.firpipe-\(dead)-1-1.tmp", live, own].sorted())
    }

    @Test("a directory that does not exist is .cannotCreate and says so")
    func missingDirectory() {
        let finalPath = directory.path("nowhere/out.wav")
        let error = #expect(throws: AudioError.self) { try AtomicOutputFile(finalPath: finalPath) }
        #expect(error?.kind == .cannotCreate)
        #expect(error?.description == "\(finalPath): directory \(directory.path)/nowhere does not exist; create it or choose another output path")
    }

    @Test("a directory without write permission is .cannotCreate")
    func readOnlyDirectory() throws {
        // Root writes through permission bits: as root, the test runs again as nobody.
        if let failure = try AsNobody.rerunTest("AtomicOutputFileTests/readOnlyDirectory") {
            #expect(failure.isEmpty, "\(failure)")
            return
        }
        let sub = directory.path("ro")
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
        chmod(sub, 0o555)
        defer { chmod(sub, 0o755) }
        let error = #expect(throws: AudioError.self) { try AtomicOutputFile(finalPath: sub + "/out.wav") }
        #expect(error?.kind == .cannotCreate)
        #expect(error?.message.hasPrefix("directory \(sub) is not writable") == true)
    }

    @Test("a final path that is a directory, or a file used as a directory, is .cannotCreate")
    func notAFile() throws {
        try FileManager.default.createDirectory(atPath: directory.path("sub"), withIntermediateDirectories: false)
        let plain = try directory.write("plain", "x")
        for finalPath in [directory.path("sub"), directory.path + "/", plain + "/out.wav"] {
            let error = #expect(throws: AudioError.self) { try AtomicOutputFile(finalPath: finalPath) }
            #expect(error?.kind == .cannotCreate, "\(finalPath)")
        }
        #expect(directory.listing() == ["plain", "sub"])
    }

    @Test("a long name is shortened in the temporary name so it stays within NAME_MAX",
          arguments: [AtomicOutputFile.Naming.automatic, .named])
    func longName(naming: AtomicOutputFile.Naming) throws {
        let name = String(repeating: "é", count: 120) + ".wav"  // 244 bytes: legal, but no room for a suffix
        let output = try AtomicOutputFile(finalPath: directory.path(name), naming: naming)
        try put("x", in: output)
        try output.commit()
        #expect(directory.listing() == [name])
    }
}
