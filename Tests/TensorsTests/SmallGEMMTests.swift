@testable import Tensors
import Testing

/// The attention products against a Double reference, with the tiles of both register files (16
/// vector registers as on AVX2, 32 as on AVX-512) whatever the machine, so the shape a build does
/// not use is checked too; both must give the same floats.
@Suite struct SmallGEMMTests {
    struct Case: CustomStringConvertible {
        var m: Int, n: Int, k: Int, alpha: Float, beta: Float, transposedA: Bool, triangle: Triangle
        var description: String { "\(m)×\(n)×\(k) α \(alpha) β \(beta) Aᵀ \(transposedA) \(triangle)" }
    }

    static var cases: [Case] {
        var cases: [Case] = []
        let shapes = [(1, 1, 1), (5, 15, 9), (6, 16, 64), (7, 17, 33), (13, 33, 16), (17, 48, 70), (40, 70, 24), (64, 64, 32)]
        for (index, (m, n, k)) in shapes.enumerated() {
            for triangle in [Triangle.none, .columnsUpTo(index % 3), .depthUpTo(index % 2), .depthFrom(1 + index % 2)] {
                let transposed = index % 2 == 1
                cases.append(Case(m: m, n: n, k: k, alpha: index % 3 == 0 ? 1 : 0.125, beta: index % 2 == 0 ? 0 : 1,
                                  transposedA: transposed, triangle: triangle))
            }
        }
        return cases
    }

    /// C after smallGEMM with the given register file, starting from `c0`.
    static func run(_ t: Case, _ a: [Float], _ b: [Float], _ c0: [Float], registers: Int) -> [Float] {
        var c = c0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    smallGEMM(m: t.m, n: t.n, k: t.k, alpha: t.alpha, pa.baseAddress!,
                              aRow: t.transposedA ? 1 : t.k, aCol: t.transposedA ? t.m : 1,
                              pb.baseAddress!, ldb: t.n, beta: t.beta, pc.baseAddress!, ldc: t.n,
                              triangle: t.triangle, registers: registers)
                }
            }
        }
        return c
    }

    @Test(arguments: cases) func matchesADoubleReferenceWithEitherRegisterFile(_ t: Case) {
        var g = RandomGenerator(seed: UInt64(t.m * 10_000 + t.n * 100 + t.k))
        func uniform() -> Float { Float(g.next() >> 40) / Float(1 << 24) * 2 - 1 }
        // A(i, p), zero where the triangle says the caller's A is zero.
        var aLogical = [[Float]](repeating: [Float](repeating: 0, count: t.k), count: t.m)
        for i in 0..<t.m {
            for p in 0..<t.k {
                switch t.triangle {
                case .depthUpTo(let o) where p > i + o: continue
                case .depthFrom(let o) where p < i - o: continue
                default: aLogical[i][p] = uniform()
                }
            }
        }
        var a = [Float](repeating: 0, count: t.m * t.k)
        for i in 0..<t.m { for p in 0..<t.k { a[t.transposedA ? p * t.m + i : i * t.k + p] = aLogical[i][p] } }
        let b = (0..<(t.k * t.n)).map { _ in uniform() }
        let sentinel: Float = 1234.5
        let c0 = (0..<(t.m * t.n)).map { _ in t.beta == 0 ? sentinel : uniform() }

        let narrow = Self.run(t, a, b, c0, registers: 16)
        let wide = Self.run(t, a, b, c0, registers: 32)
        for i in 0..<t.m {
            for j in 0..<t.n {
                let at = i * t.n + j
                if case .columnsUpTo(let o) = t.triangle, j > i + o {
                    // Beyond the diagonal's last vector (tiles of up to 4 rows) C is left as it was.
                    if j >= (i + 4 + o + 15) & ~15 {
                        #expect(narrow[at] == c0[at] && wide[at] == c0[at], "\(t): C(\(i), \(j)) was written")
                    }
                    continue
                }
                var sum = 0.0, magnitude = 0.0
                for p in 0..<t.k {
                    let term = Double(aLogical[i][p]) * Double(b[p * t.n + j])
                    sum += term
                    magnitude += abs(term)
                }
                let expected = Double(t.alpha) * sum + (t.beta == 0 ? 0 : Double(c0[at]))
                let tolerance = 1e-6 * (magnitude + abs(Double(c0[at]))) + 1e-7
                #expect(abs(Double(narrow[at]) - expected) <= tolerance, "\(t): C(\(i), \(j)) \(narrow[at]) vs \(expected)")
                #expect(narrow[at] == wide[at], "\(t): C(\(i), \(j)) 16 registers \(narrow[at]), 32 registers \(wide[at])")
            }
        }
    }
}
