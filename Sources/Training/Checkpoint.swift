import Foundation
import Layers
import Tensors

/// The whole training state, enough to continue bit-for-bit: model weights, each optimizer's
/// moments and step count, the step, every random generator's state (data order and dropout)
/// and the wall time so far. One safetensors file (`checkpoint.safetensors`) that Python's
/// `safetensors` also reads:
///
///     model.<parameter>                 the weights
///     optimizer.<i>.m.<parameter>       Adam's first moments (optimizer group i)
///     optimizer.<i>.v.<parameter>       Adam's second moments
///     __metadata__                      format, step, total_steps, tokens, elapsed_s, resumed_at,
///                                       data_rng, model_rng, optimizer.<i>.kind/step, task.<key>
///
/// `SafetensorsFile.write` writes to a temporary file and renames it over the old one, so a
/// crash while saving leaves the previous checkpoint whole.
public struct Checkpoint {
    public static let fileName = "checkpoint.safetensors"
    public static let format = "transformer-zoo-checkpoint/1"

    /// Optimizer steps taken.
    public var step: Int
    /// The run's planned length (a resumed run warns when it differs).
    public var totalSteps: Int
    /// Training tokens seen.
    public var tokens: Int
    public var elapsedSeconds: Double
    /// The steps at which the run was resumed so far, oldest first (empty for one sitting).
    public var resumedAt: [Int] = []
    /// The state of the generator that draws batches: the data position.
    public var dataRandomState: [UInt64]
    /// The states of the model's own generators (dropout), in `TrainingTask.randomSources` order.
    public var modelRandomStates: [[UInt64]]
    /// The task's own resumable state, if it has any besides the generators.
    public var taskState: [String: String] = [:]
    /// Weights by parameter name.
    public var weights: [String: Tensor]
    public var optimizers: [OptimizerState]

    /// One optimizer's state: Adam's moments by parameter name and its step count; SGD without
    /// momentum has none.
    public struct OptimizerState {
        public var kind: String
        public var step: Int
        public var m: [String: Tensor]
        public var v: [String: Tensor]
    }

    /// The current state of `model` and `optimizers` (sharing their tensors: write it before training on).
    public init(model: any Module, optimizers: [any Optimizer], step: Int, totalSteps: Int, tokens: Int,
                elapsedSeconds: Double, dataRandom: RandomGenerator, modelRandom: [RandomSource]) throws {
        self.step = step
        self.totalSteps = totalSteps
        self.tokens = tokens
        self.elapsedSeconds = elapsedSeconds
        dataRandomState = dataRandom.state
        modelRandomStates = modelRandom.map(\.generator.state)
        let named = model.namedTensors
        weights = Dictionary(uniqueKeysWithValues: named.map { ($0.name, $0.tensor) })
        let names = Dictionary(uniqueKeysWithValues: named.map { (ObjectIdentifier($0.tensor), $0.name) })
        self.optimizers = try optimizers.map { try Self.state(of: $0, names: names) }
    }

    private static func state(of optimizer: any Optimizer, names: [ObjectIdentifier: String]) throws -> OptimizerState {
        if let adam = optimizer as? Adam {
            var m: [String: Tensor] = [:], v: [String: Tensor] = [:]
            for (i, p) in adam.parameters.enumerated() {
                guard let name = names[ObjectIdentifier(p)] else {
                    throw TrainingError.unsupportedOptimizer("it updates a tensor that is not one of the model's parameters")
                }
                m[name] = adam.m[i]
                v[name] = adam.v[i]
            }
            return OptimizerState(kind: "adam", step: adam.stepCount, m: m, v: v)
        }
        if let sgd = optimizer as? SGD {
            // SGD's momentum buffers are private to Layers; without momentum it has no state.
            guard sgd.momentum == 0 else { throw TrainingError.unsupportedOptimizer("SGD with momentum cannot be resumed exactly") }
            return OptimizerState(kind: "sgd", step: 0, m: [:], v: [:])
        }
        throw TrainingError.unsupportedOptimizer("\(type(of: optimizer)) has no checkpoint support")
    }

    /// Throws unless `optimizers` can be checkpointed (checked before training starts, not at the first save).
    public static func checkSupported(_ optimizers: [any Optimizer], model: any Module) throws {
        let names = Dictionary(uniqueKeysWithValues: model.namedParameters.map { (ObjectIdentifier($0.tensor), $0.name) })
        for o in optimizers { _ = try state(of: o, names: names) }
    }

    // MARK: - Writing

    /// Writes the checkpoint atomically to `url`. With `keep` > 1 the previous file stays as
    /// `checkpoint-<step>.safetensors` and only the newest `keep` checkpoints are left.
    public func write(to url: URL, keep: Int = 1) throws {
        let fm = FileManager.default
        let directory = url.deletingLastPathComponent()
        if keep > 1, fm.fileExists(atPath: url.path), let previous = try? Self.metadataStep(url) {
            let stamped = directory.appendingPathComponent(Self.stampedName(previous))
            try? fm.removeItem(at: stamped)
            try? fm.linkItem(at: url, to: stamped)  // a second name for the same file: the old one survives the rename below
        }
        var tensors: [(String, Tensor)] = weights.map { ("model.\($0.key)", $0.value) }
        var metadata: [String: String] = [
            "format": Self.format,
            "step": String(step),
            "total_steps": String(totalSteps),
            "tokens": String(tokens),
            "elapsed_s": String(elapsedSeconds),
            "resumed_at": resumedAt.map(String.init).joined(separator: ","),
            "data_rng": Self.encode(dataRandomState),
            "model_rng": modelRandomStates.map(Self.encode).joined(separator: ";"),
            "optimizers": String(optimizers.count),
        ]
        for (i, o) in optimizers.enumerated() {
            metadata["optimizer.\(i).kind"] = o.kind
            metadata["optimizer.\(i).step"] = String(o.step)
            tensors += o.m.map { ("optimizer.\(i).m.\($0.key)", $0.value) }
            tensors += o.v.map { ("optimizer.\(i).v.\($0.key)", $0.value) }
        }
        for (key, value) in taskState { metadata["task.\(key)"] = value }
        do {
            try SafetensorsFile.write(tensors, to: url.path, metadata: metadata)
        } catch {
            throw TrainingError.cannotWrite(path: url.path, reason: "\(error)")
        }
        if keep > 1 { Self.prune(directory: directory, count: keep - 1) }
    }

    static func stampedName(_ step: Int) -> String { String(format: "checkpoint-%07d.safetensors", step) }

    /// Removes all but the newest `count` step-stamped checkpoints.
    private static func prune(directory: URL, count: Int) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory.path) else { return }
        let stamped = names.filter { $0.hasPrefix("checkpoint-") && $0.hasSuffix(".safetensors") }.sorted()
        for name in stamped.dropLast(count) { try? fm.removeItem(at: directory.appendingPathComponent(name)) }
    }

    private static func metadataStep(_ url: URL) throws -> Int? {
        Int(try SafetensorsFile(path: url.path).metadata["step"] ?? "")
    }

    /// The checkpoints a run keeps in `directory` (the latest and the step-stamped ones `keep`
    /// leaves), newest first, with their steps; files whose step cannot be read are left out.
    public static func kept(in directory: URL) -> [(step: Int, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let files = names.filter { $0 == fileName || ($0.hasPrefix("checkpoint-") && $0.hasSuffix(".safetensors")) }
        let found = files.compactMap { name -> (step: Int, url: URL)? in
            let url = directory.appendingPathComponent(name)
            return (try? metadataStep(url)).flatMap { $0 }.map { ($0, url) }
        }
        // The latest is also linked under its stamp once the next save renames it: count each step once.
        var seen = Set<Int>()
        return found.sorted { $0.step > $1.step }.filter { seen.insert($0.step).inserted }
    }

    // MARK: - Reading

    /// Reads a checkpoint written by `write(to:)`.
    public init(contentsOf url: URL) throws {
        let path = url.path
        func bad(_ reason: String) -> TrainingError { .badCheckpoint(path: path, reason: reason) }
        let file: SafetensorsFile
        do { file = try SafetensorsFile(path: path) } catch { throw bad("\(error)") }
        let meta = file.metadata
        guard meta["format"] == Self.format else {
            throw bad("no \(Self.format) metadata (found \(meta["format"].map { "\"\($0)\"" } ?? "none"))")
        }
        func int(_ key: String) throws -> Int {
            guard let s = meta[key], let n = Int(s) else { throw bad("metadata \(key) is not an integer") }
            return n
        }
        step = try int("step")
        totalSteps = try int("total_steps")
        tokens = try int("tokens")
        guard let elapsed = Double(meta["elapsed_s"] ?? "") else { throw bad("metadata elapsed_s is not a number") }
        elapsedSeconds = elapsed
        // Absent from checkpoints older than the key: their earlier sittings are unknown.
        let resumed = (meta["resumed_at"] ?? "").split(separator: ",").map { Int($0) }
        guard !resumed.contains(nil) else { throw bad("metadata resumed_at is not a list of steps") }
        resumedAt = resumed.compactMap { $0 }
        guard let data = Self.decode(meta["data_rng"] ?? "") else { throw bad("metadata data_rng is not a generator state") }
        dataRandomState = data
        let modelRNG = meta["model_rng"] ?? ""
        var states: [[UInt64]] = []
        for part in modelRNG.split(separator: ";", omittingEmptySubsequences: true) {
            guard let s = Self.decode(String(part)) else { throw bad("metadata model_rng is not a list of generator states") }
            states.append(s)
        }
        modelRandomStates = states
        for (key, value) in meta where key.hasPrefix("task.") { taskState[String(key.dropFirst(5))] = value }

        var weights: [String: Tensor] = [:]
        let count = try int("optimizers")
        var optimizers = (0..<count).map { _ in OptimizerState(kind: "", step: 0, m: [:], v: [:]) }
        for i in 0..<count {
            guard let kind = meta["optimizer.\(i).kind"] else { throw bad("metadata optimizer.\(i).kind is missing") }
            optimizers[i].kind = kind
            optimizers[i].step = try int("optimizer.\(i).step")
        }
        do {
            for name in file.names {
                let t = try file.tensor(name)
                if name.hasPrefix("model.") {
                    weights[String(name.dropFirst(6))] = t
                } else if name.hasPrefix("optimizer.") {
                    let parts = name.split(separator: ".", maxSplits: 3).map(String.init)
                    guard parts.count == 4, let i = Int(parts[1]), i < count, parts[2] == "m" || parts[2] == "v" else {
                        throw bad("unexpected tensor \(name)")
                    }
                    if parts[2] == "m" { optimizers[i].m[parts[3]] = t } else { optimizers[i].v[parts[3]] = t }
                } else {
                    throw bad("unexpected tensor \(name)")
                }
            }
        } catch let error as TrainingError {
            throw error
        } catch {
            throw bad("\(error)")
        }
        self.weights = weights
        self.optimizers = optimizers
    }

    /// Puts the weights and optimizer states back into `model` and `optimizers` (built the same
    /// way as when the checkpoint was written), and the model's generators into `modelRandom`.
    public func restore(model: any Module, optimizers targets: [any Optimizer], modelRandom: [RandomSource], path: String) throws {
        func bad(_ reason: String) -> TrainingError { .badCheckpoint(path: path, reason: reason) }
        do { try model.load(weights) } catch { throw bad("it does not fit the model: \(error)") }
        guard targets.count == optimizers.count else {
            throw bad("it holds \(optimizers.count) optimizer group(s), the recipe makes \(targets.count)")
        }
        let names = Dictionary(uniqueKeysWithValues: model.namedParameters.map { (ObjectIdentifier($0.tensor), $0.name) })
        for (i, (target, saved)) in zip(targets, optimizers).enumerated() {
            if let adam = target as? Adam {
                guard saved.kind == "adam" else { throw bad("optimizer \(i) is \(saved.kind), the recipe makes adam") }
                var m: [Tensor] = [], v: [Tensor] = []
                for p in adam.parameters {
                    guard let name = names[ObjectIdentifier(p)], let mi = saved.m[name], let vi = saved.v[name],
                          mi.shape == p.shape, vi.shape == p.shape else {
                        throw bad("optimizer \(i) has no moments of the right shape for \(names[ObjectIdentifier(p)] ?? "a parameter")")
                    }
                    m.append(mi)
                    v.append(vi)
                }
                guard saved.m.count == adam.parameters.count else {
                    throw bad("optimizer \(i) holds \(saved.m.count) parameters, the recipe's has \(adam.parameters.count)")
                }
                adam.restore(m: m, v: v, step: saved.step)
            } else if target is SGD {
                guard saved.kind == "sgd" else { throw bad("optimizer \(i) is \(saved.kind), the recipe makes sgd") }
            } else {
                throw TrainingError.unsupportedOptimizer("\(type(of: target)) has no checkpoint support")
            }
        }
        guard modelRandom.count == modelRandomStates.count else {
            throw bad("it holds \(modelRandomStates.count) model generator(s), the task has \(modelRandom.count)")
        }
        for (source, state) in zip(modelRandom, modelRandomStates) { source.generator = RandomGenerator(state: state) }
    }

    // MARK: - Generator states as text

    static func encode(_ state: [UInt64]) -> String { state.map(String.init).joined(separator: ",") }

    static func decode(_ text: String) -> [UInt64]? {
        let parts = text.split(separator: ",").compactMap { UInt64($0) }
        return parts.count == 4 ? parts : nil
    }
}
