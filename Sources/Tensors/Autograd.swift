/// How a tensor was made: its inputs, and a function from the output's gradient to the inputs'.
final class Node {
    let inputs: [Tensor]
    /// (gradient of the output, the output) → one gradient per input. The output is passed in,
    /// not captured, so a tensor and its node never form a reference cycle.
    let backward: (Tensor, Tensor) -> [Tensor?]
    init(inputs: [Tensor], backward: @escaping (Tensor, Tensor) -> [Tensor?]) {
        self.inputs = inputs
        self.backward = backward
    }
}

import Foundation

/// Whether operations are recorded (see `withoutGradients`). Per thread, as in PyTorch: one thread's
/// inference must not switch off recording in another thread's training step (Swift Testing, for
/// one, runs tests on many threads at once). Every thread starts with recording on.
public enum GradMode {
    public static var isEnabled: Bool {
        get { pthread_getspecific(disabledKey) == nil }
        set { pthread_setspecific(disabledKey, newValue ? nil : UnsafeRawPointer(bitPattern: 1)) }
    }

    /// Non-nil on the threads where recording is off.
    private static let disabledKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
        return key
    }()
}

/// Runs `body` without recording operations: inference uses no memory for backward passes.
@discardableResult
public func withoutGradients<T>(_ body: () throws -> T) rethrows -> T {
    let was = GradMode.isEnabled
    GradMode.isEnabled = false
    defer { GradMode.isEnabled = was }
    return try body()
}

extension Tensor {
    /// Marks `self` as computed from `inputs` when any of them carries gradients.
    /// The backward closure receives the gradient of `self` and returns one gradient (or nil) per input.
    @inline(__always)
    @discardableResult
    func recorded(from inputs: [Tensor], _ backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        recordedWithOutput(from: inputs) { g, _ in backward(g) }
    }

    /// As `recorded`, for a backward that needs the forward's output (it must not capture it).
    @inline(__always)
    @discardableResult
    func recordedWithOutput(from inputs: [Tensor], _ backward: @escaping (Tensor, Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        node = Node(inputs: inputs, backward: backward)
        return self
    }

    /// Back-propagates from this tensor (a scalar loss unless `gradient` is given), adding into
    /// the `grad` of every leaf that requires gradients. Intermediate gradients are freed as soon
    /// as they have been used. `leafDone` hears of each leaf once its gradient is complete (every
    /// use of it has been differentiated), while the pass goes on: data-parallel training starts
    /// summing those gradients across processes then.
    public func backward(_ gradient: Tensor? = nil, leafDone: ((Tensor) -> Void)? = nil) {
        precondition(gradient != nil || count == 1, "backward() without a gradient needs a scalar, not \(shape)")
        let seed = gradient ?? Tensor(repeating: 1, shape: shape)
        // Topological order by iterative depth-first search.
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (t, i) = stack.popLast() {
            if let node = t.node, i < node.inputs.count {
                stack.append((t, i + 1))
                let next = node.inputs[i]
                if next.requiresGrad, visited.insert(ObjectIdentifier(next)).inserted {
                    stack.append((next, 0))
                }
            } else {
                order.append(t)
            }
        }
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        for t in order.reversed() {
            guard var g = grads.removeValue(forKey: ObjectIdentifier(t)) else { continue }
            guard let node = t.node else {
                if let existing = t.grad {
                    existing.addInPlace(g)
                } else if isKnownUniquelyReferenced(&g), isKnownUniquelyReferenced(&g.storage), g.storage !== t.storage {
                    t.grad = Tensor(storage: g.storage, shape: t.shape)  // nobody else sees it: keep it
                } else {
                    t.grad = Tensor(storage: g.copy().storage, shape: t.shape)
                }
                leafDone?(t)
                continue
            }
            let inputGrads = node.backward(g, t)
            t.node = nil  // the graph is used once: free its activations now (as PyTorch without retain_graph)
            for (input, ig) in zip(node.inputs, inputGrads) {
                guard let ig, input.requiresGrad else { continue }
                precondition(ig.count == input.count, "gradient \(ig.shape) for input \(input.shape)")
                let key = ObjectIdentifier(input)
                if var prior = grads.removeValue(forKey: key) {
                    // Into the earlier gradient's buffer when nothing else can see it.
                    if isKnownUniquelyReferenced(&prior), isKnownUniquelyReferenced(&prior.storage), prior.storage !== ig.storage {
                        prior.addInPlace(ig)
                        grads[key] = prior
                    } else {
                        grads[key] = prior.adding(ig)
                    }
                } else {
                    grads[key] = ig
                }
            }
        }
    }

    /// Forgets the accumulated gradient.
    public func zeroGrad() { grad = nil }
}
