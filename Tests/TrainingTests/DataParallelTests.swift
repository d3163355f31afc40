import Foundation
import Tasks
import Tensors
import TestSupport
import Testing
@testable import Training

/// Data-parallel training with ranks as threads (`LocalProcessGroup`); the same code runs over
/// Open MPI in `mpirun` jobs (ZooCLITests' `DataParallelCLITests`).
@Suite struct DataParallelTests {
    /// Parameters of odd sizes, in buckets of 10 values: some share a bucket, one is larger than
    /// a bucket, and every rank reports its gradients in its own order, one rank lacking one.
    @Test func bucketedSumsEqualTheSerialSum() throws {
        let sizes = [1, 7, 13, 100, 3, 64, 5, 2]
        let ranks = 3
        func gradient(rank: Int, parameter: Int) -> [Float]? {
            if rank == 1 && parameter == 4 { return nil }  // no gradient on this rank: counts as zero
            var g = RandomGenerator(seed: UInt64(rank * 100 + parameter))
            return (0..<sizes[parameter]).map { _ in g.nextNormal() }
        }
        var expected = sizes.map { [Float](repeating: 0, count: $0) }
        for r in 0..<ranks {
            for p in sizes.indices {
                guard let g = gradient(rank: r, parameter: p) else { continue }
                for i in g.indices { expected[p][i] += g[i] }
            }
        }
        let results = try LocalProcessGroup.run(LocalProcessGroup.world(size: ranks)) { group -> ([[Float]], [[Int]], [Int]) in
            let parameters = sizes.map { Tensor(repeating: 0, shape: [$0]) }
            for (p, t) in parameters.enumerated() { t.grad = gradient(rank: group.rank, parameter: p).map { Tensor($0, shape: [$0.count]) } }
            let reducer = GradientReducer(parameters: parameters, group: group, bucketBytes: 10 * 4)
            var order = Array(parameters.indices.reversed())
            if group.rank == 1 { order.reverse() }
            if group.rank == 2 { order = [3, 0, 7, 5, 1, 6, 2, 4] }
            for p in order where parameters[p].grad != nil { try reducer.gradientDone(parameters[p]) }
            try reducer.finish()
            return (parameters.map { $0.grad!.scalars }, reducer.buckets, group.starts)
        }
        for (rank, (sums, buckets, starts)) in results.enumerated() {
            #expect(sums == expected, "rank \(rank)")
            // Every parameter once, last first, each bucket within 10 values unless one parameter alone is more.
            #expect(buckets.flatMap { $0 } == Array(sizes.indices.reversed()))
            for b in buckets { #expect(b.count == 1 || b.map { sizes[$0] }.reduce(0, +) <= 10, "bucket \(b)") }
            #expect(starts == buckets.map { $0.map { sizes[$0] }.reduce(0, +) }, "the buckets start in order on every rank")
        }
    }

    /// A bucket starts as soon as its gradients are complete, before the backward pass ends; a
    /// bucket after one that waits does not start before it.
    @Test func bucketsStartDuringTheBackwardPassInOrder() throws {
        let group = LocalProcessGroup.world(size: 1)[0]
        let parameters = [4, 4, 4].map { Tensor(repeating: 1, shape: [$0]) }
        for p in parameters { p.grad = Tensor(repeating: 2, shape: p.shape) }
        let reducer = GradientReducer(parameters: parameters, group: group, bucketBytes: 4 * 4)
        #expect(reducer.buckets == [[2], [1], [0]])
        try reducer.gradientDone(parameters[2])
        #expect(group.starts.count == 1)
        try reducer.gradientDone(parameters[0])  // bucket 2 is complete, but bucket 1 is not yet
        #expect(group.starts.count == 1)
        try reducer.gradientDone(parameters[1])
        #expect(group.starts.count == 3)
        try reducer.finish()
        #expect(parameters.allSatisfy { $0.grad!.scalars == [2, 2, 2, 2] })
    }

    /// The key projection's bias gets a gradient that is zero up to rounding (attention is blind
    /// to it), and Adam turns that noise into steps of a full learning rate: it is left out.
    static func maxWeightDifference(_ a: Trainer<LanguageModelTask>, _ b: Trainer<LanguageModelTask>) -> Float {
        var worst: Float = 0
        for (x, y) in zip(a.task.model.namedParameters, b.task.model.namedParameters) {
            var u = x.tensor.scalars, v = y.tensor.scalars
            if x.name.hasSuffix("in_proj_bias") {
                let d = u.count / 3
                u.removeSubrange(d..<(2 * d))
                v.removeSubrange(d..<(2 * d))
            }
            let scale = max(u.map(abs).max() ?? 0, 1e-3)
            worst = max(worst, zip(u, v).map { abs($0 - $1) / scale }.max() ?? 0)
        }
        return worst
    }

    /// Two ranks, each on its half of every batch, with gradient accumulation and clipping, train
    /// as one process on the whole batch: the same losses and weights up to the order of the
    /// sums; rank 0 alone writes, and its checkpoint resumes on one rank the same curve.
    @Test func twoRanksTrainAsOneAndResumeOnAnyCount() throws {
        let alone = try TrainingFixtures.temporaryDirectory("dp-alone"), shared = try TrainingFixtures.temporaryDirectory("dp-two")
        defer { try? FileManager.default.removeItem(at: alone); try? FileManager.default.removeItem(at: shared) }
        let single = try TrainingLoopTests.makeTrainer(directory: alone, steps: 6, accumulation: 2, dropout: 0)
        let reference = try single.run()

        let pair = try LocalProcessGroup.run(LocalProcessGroup.world(size: 2)) { group in
            let trainer = try TrainingLoopTests.makeTrainer(directory: shared, steps: 6, accumulation: 2, dropout: 0, group: group)
            return (trainer, try trainer.run())
        }
        for (rank, (trainer, summary)) in pair.enumerated() {
            #expect(summary.ranks == 2 && summary.losses.count == 6)
            for (a, b) in zip(summary.losses, reference.losses) { #expect(abs(a - b) <= 1e-5 * abs(b), "rank \(rank): \(a) vs \(b)") }
            #expect(Self.maxWeightDifference(trainer, single) <= 1e-4, "rank \(rank)")
        }
        #expect(TrainingLoopTests.weights(pair[0].0) == TrainingLoopTests.weights(pair[1].0), "the ranks' weights are the same bits")
        #expect(pair[0].1.validation["val_loss"] != nil && pair[1].1.validation.isEmpty, "rank 0 alone evaluates")
        let log = try String(contentsOf: shared.appendingPathComponent(TrainingLog.fileName), encoding: .utf8)
        #expect(log.split(separator: "\n").count == 6, "one log line a step, from rank 0 alone")

        // Written by two ranks after 3 steps, resumed by one.
        let split = try TrainingFixtures.temporaryDirectory("dp-split")
        defer { try? FileManager.default.removeItem(at: split) }
        let first = try LocalProcessGroup.run(LocalProcessGroup.world(size: 2)) { group in
            try TrainingLoopTests.makeTrainer(directory: split, steps: 6, accumulation: 2, dropout: 0, group: group).run(stopAfter: 3)
        }
        let resumed = try TrainingLoopTests.makeTrainer(directory: split, steps: 6, accumulation: 2, dropout: 0)
        let rest = try resumed.run(resume: true)
        for (a, b) in zip(first[0].losses + rest.losses, reference.losses) { #expect(abs(a - b) <= 1e-5 * abs(b), "\(a) vs \(b)") }
        #expect(Self.maxWeightDifference(resumed, single) <= 1e-4)
    }

    @Test func slicesCoverTheBatchOnce() {
        for count in [0, 1, 5, 12] {
            for parts in 1...5 {
                let slices = (0..<parts).map { DataParallel.slice(count, part: $0, of: parts) }
                #expect(slices.flatMap { Array($0) } == Array(0..<count))
                #expect(slices.map(\.count).max()! - slices.map(\.count).min()! <= 1)
            }
        }
    }

    /// What a process started by a launcher but unable to join says.
    @Test func launchersThatCannotBeJoinedAreOneLine() {
        #expect(throws: DataParallelError.self) {
            try DataParallel.join(environment: ["PMI_SIZE": "4"])
        }
        let message = TrainingFixtures.errorMessage { try DataParallel.join(environment: ["PMI_SIZE": "4"]) }
        #expect(message.contains("other than Open MPI's mpirun") && !message.contains("\n"))
        // One rank alone is a plain process.
        #expect(throws: Never.self) { try DataParallel.join(environment: ["OMPI_COMM_WORLD_SIZE": "1"]) }
        #expect(DataParallel.world.size == 1)
    }
}
