/// The maximum of the last `window` values pushed, in O(1) amortised per value: a monotonic deque
/// (Lemire's streaming max filter, 2006) in a fixed ring of `window` slots.
///
/// The deque holds the frames that can still become the maximum: each is larger than every frame after
/// it, so the front is the maximum. A new value first drops the front if it has left the window, then
/// every value at the back that it equals or exceeds (they can never be the maximum again). At most
/// `window` entries are ever held, so the ring never overflows and nothing is allocated after `init`.
///
/// A value type holding pointers: ``PeakLimiter`` owns the storage (it calls ``deallocate()`` in its
/// `deinit`) and copies this into a local for a block, so the indices stay in registers. Not
/// thread-safe; used by the limiter's caller only.
struct SlidingMaximum {
    /// Values and the frame index each was pushed at, in deque order starting at `head`.
    private let values: UnsafeMutablePointer<Float>
    private let positions: UnsafeMutablePointer<Int>
    /// The number of values the maximum is taken over (the newest included).
    let window: Int
    private var head = 0
    private var count = 0

    /// Allocates the ring for a window of `window` values (at least 1). Set-up thread.
    init(window: Int) {
        precondition(window >= 1, "a sliding maximum needs a window of at least one value")
        self.window = window
        values = .allocate(capacity: window)
        values.initialize(repeating: 0, count: window)
        positions = .allocate(capacity: window)
        positions.initialize(repeating: 0, count: window)
    }

    /// Frees the ring; called once by the owner.
    func deallocate() {
        values.deallocate()
        positions.deallocate()
    }

    /// Forgets every value pushed.
    mutating func reset() {
        head = 0
        count = 0
    }

    /// Pushes `value` as frame `position` (one more than the previous push's) and returns the maximum of
    /// the frames `position − window + 1 ... position` pushed so far. `value` must not be NaN: the
    /// deque's order relies on comparisons.
    @inline(__always)
    mutating func push(_ value: Float, at position: Int) -> Float {
        if count > 0 && positions[head] <= position &- window {
            head = head &+ 1 == window ? 0 : head &+ 1
            count &-= 1
        }
        while count > 0 {
            let back = slot(count &- 1)
            guard values[back] <= value else { break }
            count &-= 1
        }
        // Debug builds only: one past the window would overwrite the front.
        assert(count < window, "the deque outgrew its window")
        let tail = slot(count)
        values[tail] = value
        positions[tail] = position
        count &+= 1
        return values[head]
    }

    /// The ring index of the deque's `k`-th entry.
    @inline(__always)
    private func slot(_ k: Int) -> Int {
        let i = head &+ k
        return i >= window ? i &- window : i
    }
}
