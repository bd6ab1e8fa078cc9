import FirCore
import FirTestSupport
import Testing

@Test func smoke() {
    let x = Signals.noise(count: 1000, seed: 1), h = Signals.decayingNoise(count: 300, seed: 2)
    for b in [1, 7, 64, 256, 1024] {
        let y = SignalConvolution.apply(x, h, blockSize: b)
        let r = DirectConvolution.full(x.doubles, h.doubles)
        let e = Tolerance.maxErrorDB(y, reference: r)
        print("b", b, e)
        #expect(e < -120)
    }
}
