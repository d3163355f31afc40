import Foundation
import Testing
import Tensors

extension TensorSuite {
    @Suite struct CrossEntropy {
        /// torch.nn.functional.cross_entropy(label_smoothing: ε, ignore_index:) in Double:
        /// loss_i = (1−ε)·(−log p_{y_i}) + ε/V · Σ_c (−log p_c), averaged over the rows not ignored.
        func reference(_ logits: Tensor, _ targets: [Int32], smoothing eps: Double = 0, ignoreIndex: Int32 = -100) -> Double {
            let v = logits.shape.last!
            let logp = referenceSoftmax(logits.scalars, n: v, log: true)
            var total = 0.0, count = 0
            for (r, t) in targets.enumerated() where t != ignoreIndex {
                let row = logp[(r * v)..<(r * v + v)]
                let nll = -row[r * v + Int(t)]
                let smooth = -row.reduce(0, +) / Double(v)
                total += (1 - eps) * nll + eps * smooth
                count += 1
            }
            return count == 0 ? 0 : total / Double(count)
        }

        func check(_ logits: Tensor, _ targets: [Int32], smoothing: Float = 0, ignoreIndex: Int32 = -100, _ what: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
            let loss = logits.crossEntropy(targets: targets, labelSmoothing: smoothing, ignoreIndex: ignoreIndex)
            #expect(loss.shape == [], sourceLocation: sourceLocation)
            let expected = reference(logits, targets, smoothing: Double(smoothing), ignoreIndex: ignoreIndex)
            #expect(Swift.abs(Double(loss.item) - expected) <= 1e-5 * Swift.max(1, Swift.abs(expected)),
                    "\(what): loss \(loss.item), expected \(expected)", sourceLocation: sourceLocation)
            expectGradientsMatch([logits], what, sourceLocation: sourceLocation) {
                $0[0].crossEntropy(targets: targets, labelSmoothing: smoothing, ignoreIndex: ignoreIndex)
            }
        }

        @Test(arguments: [5, 20])
        func plain(v: Int) {
            let logits = normal([4, v], seed: 1, std: 2)
            let targets: [Int32] = [0, 3, Int32(v - 1), 2]
            check(logits, targets, "cross entropy V=\(v)")
        }

        @Test(arguments: [5, 20])
        func labelSmoothing(v: Int) {
            let logits = normal([4, v], seed: 2, std: 2)
            check(logits, [1, 0, 4, Int32(v - 1)], smoothing: 0.1, "label smoothing 0.1 V=\(v)")
        }

        @Test func ignoredRows() {
            let logits = normal([5, 6], seed: 3, std: 2)
            let targets: [Int32] = [2, -100, 5, -100, 0]
            check(logits, targets, "ignore index")
            check(logits, targets, smoothing: 0.1, "ignore index with label smoothing")
            // The mean is over the rows that count, and ignored rows get no gradient.
            logits.grad = nil
            logits.crossEntropy(targets: targets).backward()
            for r in [1, 3] { #expect(logits.grad!.scalars[(r * 6)..<(r * 6 + 6)].allSatisfy { $0 == 0 }) }
            // A custom ignore index (a padding id).
            check(logits, [2, 1, 5, 1, 0], ignoreIndex: 1, "ignore index 1")
        }

        @Test func everyRowIgnored() {
            let logits = normal([2, 4], seed: 4)
            logits.requiresGrad = true
            let loss = logits.crossEntropy(targets: [-100, -100])
            #expect(loss.item == 0)
            loss.backward()
            #expect(logits.grad!.scalars.allSatisfy { $0 == 0 })
        }

        /// Logits of rank 3 ([B, T, V]) with targets [B·T], as a language model passes them.
        @Test func rank3Logits() {
            let logits = normal([2, 3, 7], seed: 5, std: 2)
            check(logits, [0, 6, 3, 3, 1, 5], smoothing: 0.1, "rank-3 logits")
        }

        /// Equal to the mean of −logSoftmax at the targets, composed from primitive ops.
        @Test func matchesComposedOps() {
            let logits = normal([3, 5], seed: 6, std: 2)
            let targets: [Int32] = [4, 0, 2]
            let fused = logits.crossEntropy(targets: targets).item
            let logp = logits.logSoftmax().scalars
            let composed = -(0..<3).map { logp[$0 * 5 + Int(targets[$0])] }.reduce(0, +) / 3
            #expect(Swift.abs(fused - composed) < 1e-6)
        }

        /// Large logits stay finite.
        @Test func stableForLargeLogits() {
            let logits = Tensor([1000, 0, -1000, 500, 499, 0], shape: [2, 3])
            let loss = logits.crossEntropy(targets: [1, 1], labelSmoothing: 0.1)
            let expected = reference(logits, [1, 1], smoothing: 0.1)
            #expect(Swift.abs(Double(loss.item) - expected) <= 1e-6 * expected)
        }
    }
}
