internal import CFFTW
internal import Dispatch
import Synchronization
import FoundationEssentials

/// The one place that creates and destroys FFTW plans and touches FFTW's wisdom.
///
/// FFTW's planner is not thread-safe, so every plan is made and destroyed, and wisdom imported or
/// exported, under one lock. Plans are cached by size: asking twice for a size returns the same
/// ``RealFFT``.
///
/// Planning policy: a size FFTW has wisdom for gets its measured plan at once; any other size is measured
/// (FFTW_MEASURE under a time limit) when it is at most ``Policy/measureLimit`` points and the planning
/// budget is not spent, and estimated (FFTW_ESTIMATE: 2 ms a direction at 65,536 points) otherwise. So a
/// first run on a fresh machine plans within its budget, and wisdom saved afterwards makes the next run
/// fast from the start.
public final class FFTPlanner: @unchecked Sendable {
    /// How plans are made for sizes without wisdom.
    public struct Policy: Sendable, Equatable {
        /// Largest transform measured without wisdom; larger ones are estimated.
        public var measureLimit: Int
        /// Seconds of measuring allowed in this process, all sizes together.
        public var budget: Double

        public init(measureLimit: Int, budget: Double) {
            self.measureLimit = measureLimit
            self.budget = budget
        }

        /// Never measure: FFTW_ESTIMATE for everything without wisdom (tests, quick tools).
        public static let estimateOnly = Policy(measureLimit: 0, budget: 0)
        /// A batch run: measure up to 2^18 points, at most 4 s in all. A measure FFTW's time limit cuts
        /// short leaves the ESTIMATE plan (FFTW keeps its first pass's) and wisdom no later run can plan
        /// from alone, so every later run plans that size again (4 ms a pair at 65,536 points) and runs
        /// the slower plan (1.9 times the FFT time there). So the budget lets the sizes short jobs take
        /// finish once: measuring a 65,536-point pair in full takes 1.5 s here, 131,072 2.9 s (0.6 s,
        /// the budget before, finished 8,192 at most).
        public static let batch = Policy(measureLimit: 1 << 18, budget: 4)
        /// `firpipe wisdom`'s calibration, after the sizes asked for are measured and saved: the other
        /// sizes it times are measured briefly (0.6 s in all, so the smallest ones finish) or estimated.
        /// Measuring them in full, as a run may, would add seconds to a `--sizes` of one or two for
        /// plans it then drops.
        public static let calibration = Policy(measureLimit: 1 << 18, budget: 0.6)
        /// Ahead-of-time measuring (`firpipe wisdom`): any size, no practical limit.
        public static let thorough = Policy(measureLimit: 1 << 26, budget: 3600)
    }

    /// The process-wide planner. Unsafe-sendable: its plans and measuring budget are guarded by `lock`;
    /// `cache`, `unplanned`, `policy` and `importsBegun` are Mutexes of their own.
    public static let shared = FFTPlanner()

    /// Guards every plan made or destroyed, 1-D here and 2-D in `FFTPlanner+2D.swift`, and wisdom.
    let lock = Mutex<Void>(())
    /// Imports running on another thread (``importWisdomInBackground(fromFile:)``); planning and
    /// exporting wait for them, so no plan is made before its wisdom is in.
    private let pendingImports = DispatchGroup()
    /// The plans made so far, by size, kept for good. Written with `lock` held (so a size is planned
    /// once); read without it, so a job asking for a size already planned never waits while another
    /// thread measures a new one under `lock` (up to the budget: seconds).
    private let cache = Mutex<[Int: RealFFT]>([:])
    /// The sizes ``hasMeasuredPlan(size:)`` has answered "no" for (its "yes" is the plan in `cache`),
    /// under a lock of their own: asking again (a job asks once while it plans ahead and once more when
    /// it sets up) then neither waits for a plan another thread is making under `lock` (1.2 ms for
    /// 65,536 points from wisdom) nor asks FFTW again. Forgotten when wisdom is imported. Written only
    /// with `lock` held; read without it.
    private let unplanned = Mutex<Set<Int>>([])
    /// 2-D plans by (rows, columns); guarded by `lock`.
    var cache2D: [Size2D: RealFFT2D] = [:]
    /// Under a lock of its own, so setting it never waits for an import or a plan under `lock`.
    private let policy = Mutex(Policy.estimateOnly)
    /// Files whose import has begun in this process (``importWisdomInBackground(fromFile:)``).
    private let importsBegun = Mutex<Set<String>>([])
    private var spentMeasuring = 0.0
    private var learned = false

    private init() {}

    /// Sets the policy for plans made from now on. Any thread.
    public func setPolicy(_ policy: Policy) {
        self.policy.withLock { $0 = policy }
    }

    /// True when plans were measured since the last import or export: wisdom worth saving.
    public var hasNewWisdom: Bool { lock.withLock { _ in learned } }

    /// FFTW's wisdom now, as a set of lines (FFTW writes them in hash order, which changes from run to
    /// run). Any thread.
    public func wisdomLines() -> Set<Substring> {
        pendingImports.wait()
        return lock.withLock { _ in
            guard let text = fftwf_export_wisdom_to_string() else { return [] }
            defer { free(text) }
            return Set(String(cString: text).split(separator: "\n"))
        }
    }

    /// Adds the wisdom in `path` to FFTW's; false when the file is missing or not FFTW wisdom.
    /// Call before planning. Any thread.
    @discardableResult
    public func importWisdom(fromFile path: String) -> Bool {
        pendingImports.wait()
        guard AlignedFloats.hasRoom(bytes: Self.wisdomRoom) else { return false }
        return lock.withLock { _ in
            defer { forgetUnplanned() }
            return fftwf_import_wisdom_from_filename(path) != 0
        }
    }

    /// Imports the wisdom in `path` on another thread, so start-up goes on meanwhile: setting up FFTW's
    /// planner and reading a cache of a dozen sizes took 1.2 ms of a 17 ms start-up, all of it before
    /// the input was even opened. Plans made and wisdom exported after this call wait for the import.
    /// A file whose import has begun already is not imported again (the shell starts the import before
    /// the command line is parsed, and the command asks for it once more): wisdom only grows, and the
    /// same lines add nothing. So a file rewritten later in the process, or one skipped for want of
    /// memory, is not read again by this call (``importWisdom(fromFile:)`` always reads). Any thread.
    public func importWisdomInBackground(fromFile path: String) {
        // Entered under the same lock: a second caller told "begun" then waits for this import.
        let begun = importsBegun.withLock { started in
            guard started.insert(path).inserted else { return false }
            pendingImports.enter()
            return true
        }
        guard begun else { return }
        let load: @Sendable () -> Void = { [self] in
            // FFTW aborts the process when its own allocation fails: without room, no wisdom (slower
            // plans, or the run's own out-of-memory error later), never an abort.
            if AlignedFloats.hasRoom(bytes: Self.wisdomRoom) {
                lock.withLock { _ in
                    _ = fftwf_import_wisdom_from_filename(path)
                    forgetUnplanned()
                }
            }
            pendingImports.leave()
        }
        // Not on Dispatch, which retries a refused thread forever; without a thread, here and now.
        do throws(ResourceError) { try NamedThread.start("firpipe-wisdom", load) } catch { load() }
    }

    /// New wisdom may answer any "no" given so far. Called with `lock` held, right after an import, so
    /// no answer from before the import is stored after it.
    private func forgetUnplanned() {
        unplanned.withLock { $0.removeAll() }
    }

    /// Address space FFTW may need for reading or writing wisdom.
    static let wisdomRoom = 8 << 20

    /// Address space FFTW may need to plan a pair of `size` points, beyond the arrays given it: a few
    /// transform-sized buffers and twiddle tables, and its solver tables the first time.
    public static func planningRoom(size: Int) -> Int { 32 * size + (8 << 20) }

    /// Writes all of FFTW's wisdom to `path`; false when the file cannot be written. Any thread.
    @discardableResult
    public func exportWisdom(toFile path: String) -> Bool {
        pendingImports.wait()
        guard AlignedFloats.hasRoom(bytes: Self.wisdomRoom) else { return false }
        return lock.withLock { _ in
            let ok = fftwf_export_wisdom_to_filename(path) != 0
            if ok { learned = false }
            return ok
        }
    }

    /// Returns the plans for a transform of `size` real samples (even, at least 2), making them if needed.
    /// Any thread: a size planned already comes at once; a new one waits while another thread plans.
    /// - Throws: ``ResourceError`` when the memory for the planner's arrays is refused.
    public func fft(size: Int) throws(ResourceError) -> RealFFT {
        precondition(size >= 2 && size % 2 == 0, "FFT size must be even and at least 2")
        if let fft = cache.withLock({ $0[size] }) { return fft }
        pendingImports.wait()
        return try lock.withLock { _ throws(ResourceError) in
            if let fft = cache.withLock({ $0[size] }) { return fft }
            // Not nil: without wisdom the plans are measured or estimated.
            let fft = try makePlans(size: size, wisdomOnly: false)!
            cache.withLock { $0[size] = fft }
            return fft
        }
    }

    /// Whether a transform of `size` points is planned already or has measured wisdom (its plan is then
    /// made, cheaply, and kept). Any thread.
    public func hasMeasuredPlan(size: Int) -> Bool {
        precondition(size >= 2 && size % 2 == 0, "FFT size must be even and at least 2")
        pendingImports.wait()
        if cache.withLock({ $0[size] != nil }) { return true }
        if unplanned.withLock({ $0.contains(size) }) { return false }
        return lock.withLock { _ in
            // Decided under `lock`, as plans and imports change what the answer is.
            if cache.withLock({ $0[size] != nil }) { return true }
            if let fft = try? makePlans(size: size, wisdomOnly: true) {
                cache.withLock { $0[size] = fft }
                return true
            }
            unplanned.withLock { _ = $0.insert(size) }
            return false
        }
    }

    /// The plans from wisdom, or else (unless `wisdomOnly`, then nil) measured within the policy or
    /// estimated. Called with `lock` held.
    private func makePlans(size: Int, wisdomOnly: Bool) throws(ResourceError) -> RealFFT? {
        let real = try AlignedFloats(scratchCount: size)
        let complex = try AlignedFloats(scratchCount: 2 * (size / 2 + 1))
        // FFTW aborts the process when its own allocation fails: refuse here instead, as an error.
        let room = Self.planningRoom(size: size)
        guard AlignedFloats.hasRoom(bytes: room) else { throw ResourceError(.memory(bytes: room)) }
        let measure = UInt32(FFTW_MEASURE), estimate = UInt32(FFTW_ESTIMATE)
        if let pair = plan(size, real, complex, flags: measure | UInt32(FFTW_WISDOM_ONLY)) {
            return RealFFT(size: size, forward: pair.0, backward: pair.1)
        }
        if wisdomOnly { return nil }
        let policy = self.policy.withLock { $0 }
        let left = policy.budget - spentMeasuring
        if size <= policy.measureLimit && left > 0 {
            // The time limit is per planner call; two calls make the pair.
            fftwf_set_timelimit(left / 2)
            let start = Date()
            let pair = plan(size, real, complex, flags: measure)
            spentMeasuring += Date().timeIntervalSince(start)
            fftwf_set_timelimit(FFTW_NO_TIMELIMIT)
            if let pair {
                learned = true
                return RealFFT(size: size, forward: pair.0, backward: pair.1)
            }
        }
        guard let pair = plan(size, real, complex, flags: estimate) else {
            fatalError("FFTW could not plan a transform of size \(size)")
        }
        return RealFFT(size: size, forward: pair.0, backward: pair.1)
    }

    /// Both plans of one size, or nil if either could not be made (as with FFTW_WISDOM_ONLY and no
    /// wisdom). Called with `lock` held.
    private func plan(
        _ size: Int, _ real: borrowing AlignedFloats, _ complex: borrowing AlignedFloats, flags: UInt32
    ) -> (fftwf_plan, fftwf_plan)? {
        let n = Int32(size)
        return complex.pointer.withMemoryRebound(to: fftwf_complex.self, capacity: size / 2 + 1) { c in
            // The forward input may be destroyed: every caller rebuilds its frame before each transform,
            // and FFTW then skips a copy on large sizes.
            let forward = fftwf_plan_dft_r2c_1d(n, real.pointer, c, flags | UInt32(FFTW_DESTROY_INPUT))
            let backward = fftwf_plan_dft_c2r_1d(n, c, real.pointer, flags)
            guard let forward, let backward else {
                if let forward { fftwf_destroy_plan(forward) }
                if let backward { fftwf_destroy_plan(backward) }
                return nil
            }
            return (forward, backward)
        }
    }

    /// Destroys a plan pair; called from `RealFFT.deinit`, which only runs for plans outside the cache.
    func destroy(_ forward: fftwf_plan, _ backward: fftwf_plan) {
        lock.withLock { _ in
            fftwf_destroy_plan(forward)
            fftwf_destroy_plan(backward)
        }
    }
}
