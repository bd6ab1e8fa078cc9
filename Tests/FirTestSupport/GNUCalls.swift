import Foundation

/// glibc's GNU extensions the child-process helper needs, which Swift's Glibc module does not import
/// (its headers are read without _GNU_SOURCE): looked up once by name. glibc 2.34 or later has them all.
enum GNUCalls {
    typealias Actions = UnsafeMutablePointer<posix_spawn_file_actions_t>

    /// pipe2(2): a pipe made close-on-exec at once, so no spawn on another thread inherits it.
    static let pipe2 = symbol("pipe2", as: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
    /// memfd_create(2): an anonymous in-memory file.
    static let memfdCreate = symbol("memfd_create", as: (@convention(c) (UnsafePointer<CChar>, UInt32) -> Int32).self)
    /// MFD_CLOEXEC from <sys/mman.h>.
    static let memfdCloseOnExec: UInt32 = 1
    static let addChdir = symbol(
        "posix_spawn_file_actions_addchdir_np", as: (@convention(c) (Actions, UnsafePointer<CChar>) -> Int32).self)
    static let addCloseFrom = symbol(
        "posix_spawn_file_actions_addclosefrom_np", as: (@convention(c) (Actions, Int32) -> Int32).self)

    private static func symbol<F>(_ name: String, as type: F.Type) -> F {
        guard let pointer = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else {
            preconditionFailure("glibc has no \(name); the tests need glibc 2.34 or later")
        }
        return unsafeBitCast(pointer, to: type)
    }
}
