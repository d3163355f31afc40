import Layers
import Tensors

/// Which training images each batch holds: every image once per epoch, in an order shuffled
/// (Fisher–Yates) at the start of each epoch, plus each image's augmentation choices; all drawn
/// from the trainer's data generator.
///
/// The trainer's checkpoint records only that generator, not where in the epoch we are. So the
/// sampler remembers the generator state its last batch left; when a batch is asked for with
/// another state (a resumed run), it replays its draws from the run's first state until it
/// reaches that state. Replaying is cheap (indices and random numbers, no images), and the
/// resumed run then takes exactly the batches an uninterrupted one would have.
struct EpochSampler {
    let count: Int
    let augmentation: ImageAugmentation
    /// The data generator's state before a run's first batch (`TrainingSettings.dataGenerator`).
    let origin: [UInt64]
    private var order: [Int32] = []
    private var position = 0
    private var expected: [UInt64]

    init(count: Int, augmentation: ImageAugmentation, origin: RandomGenerator) {
        precondition(count > 0, "no images to sample")
        self.count = count
        self.augmentation = augmentation
        self.origin = origin.state
        expected = origin.state
    }

    /// The next `n` images of the epoch order (wrapping into a new epoch) and their augmentation.
    mutating func next(_ n: Int, generator: inout RandomGenerator) -> [(index: Int, draw: ImageAugmentation.Draw)] {
        if generator.state != expected { resynchronize(to: generator.state, batch: n) }
        var out: [(index: Int, draw: ImageAugmentation.Draw)] = []
        out.reserveCapacity(n)
        draw(n, generator: &generator) { out.append(($0, $1)) }
        expected = generator.state
        return out
    }

    private mutating func draw(_ n: Int, generator: inout RandomGenerator, _ body: (Int, ImageAugmentation.Draw) -> Void) {
        for _ in 0..<n {
            if position == order.count { shuffle(&generator) }
            let index = Int(order[position])
            position += 1
            body(index, augmentation.draw(&generator))
        }
    }

    private mutating func shuffle(_ generator: inout RandomGenerator) {
        order = (0..<Int32(count)).map { $0 }
        for i in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
        }
        position = 0
    }

    /// Replays batches of `batch` images from `origin` until the generator is in `state`. A
    /// state never reached (another seed or batch size) starts a fresh epoch from it instead.
    private mutating func resynchronize(to state: [UInt64], batch: Int) {
        order = []
        position = 0
        var g = RandomGenerator(state: origin)
        // Bounded: 10⁸ images is far beyond any run on this machine.
        var images = 0
        while g.state != state && images < 100_000_000 {
            draw(batch, generator: &g) { _, _ in }
            images += batch
        }
        if g.state != state {
            order = []
            position = 0
        }
    }
}
