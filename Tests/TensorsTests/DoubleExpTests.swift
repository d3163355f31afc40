import Foundation
import Tensors
import Testing

/// The 8-lane double e^x stays within 1 ulp of Foundation's `exp`, and lanes outside its range
/// (overflow, underflow, −∞, NaN) get `exp`'s own results.
@Suite struct DoubleExpTests {
    /// How many doubles lie between a and b (0: equal).
    static func ulps(_ a: Double, _ b: Double) -> Int64 {
        abs(Int64(bitPattern: a.bitPattern) - Int64(bitPattern: b.bitPattern))
    }

    @Test func withinOneUlpOfExp() {
        var g = RandomGenerator(seed: 21)
        var worst: Int64 = 0, differing = 0, total = 0
        for block in 0..<20_000 {
            // Log-softmax's range (x − max ≤ 0, mostly within −40) and the whole vector range.
            let width = block % 2 == 0 ? 40.0 : 1_417.0, low = block % 2 == 0 ? -40.0 : -708.0
            var x = DoubleVec()
            for i in 0..<8 { x[i] = low + width * Double(g.next() >> 11) / Double(1 << 53) }
            let y = vexp(x)
            for i in 0..<8 {
                let d = Self.ulps(y[i], exp(x[i]))
                worst = max(worst, d)
                if d > 0 { differing += 1 }
                total += 1
            }
        }
        #expect(worst <= 1, "worst \(worst) ulp")
        #expect(Double(differing) / Double(total) < 0.1, "\(differing) of \(total) differ by an ulp")
        let y = vexp(DoubleVec(0, 1, -1, 10 * log(2.0), -700, 700, 1e-300, -1e-300))
        #expect(y[0] == 1 && y[6] == 1 && y[7] == 1)
        for (i, x) in [0, 1, -1, 10 * log(2.0), -700, 700].enumerated() { #expect(Self.ulps(y[i], exp(x)) <= 1, "e^\(x)") }
    }

    @Test func lanesOutsideTheRangeAreExpsOwn() {
        let x = DoubleVec(-.infinity, .nan, 710, -745, -800, 0, -1, .infinity)
        let y = vexp(x)
        #expect(y[0] == 0 && y[1].isNaN && y[2] == exp(710.0) && y[3] == exp(-745.0) && y[4] == 0)
        #expect(y[5] == 1 && y[6] == exp(-1.0) && y[7] == .infinity)
    }
}
