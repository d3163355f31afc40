import Tensors

/// A part of a network. Its parameters are found by reflection over stored properties, and named
/// by the path of property names converted to snake_case (`selfAttn.inProjWeight` becomes
/// `self_attn.in_proj_weight`), so names map one-to-one onto PyTorch state dicts.
///
/// A stored property is a parameter when it is a `Tensor` with `requiresGrad`; a buffer when its
/// name is in `bufferNames`; a submodule when it is a `Module`, an optional module, or an array of
/// modules (named by index, as `nn.ModuleList`).
public protocol Module: AnyObject {
    /// Renames of stored properties in parameter names; an empty name flattens the child's
    /// parameters into this module (e.g. a FeedForward whose linear1/linear2 sit directly in
    /// PyTorch's TransformerEncoderLayer).
    static var parameterNameOverrides: [String: String] { get }
    /// Stored `Tensor` properties (Swift names) that are PyTorch buffers: state that is saved and
    /// loaded with the parameters but never trained (BatchNorm's running statistics).
    static var bufferNames: Set<String> { get }
}

extension Module {
    public static var parameterNameOverrides: [String: String] { [:] }
    public static var bufferNames: Set<String> { [] }

    /// Every parameter with its dotted name, each tensor once (a tied weight keeps its first name).
    public var namedParameters: [(name: String, tensor: Tensor)] {
        var seen = Set<ObjectIdentifier>()
        var out: [(String, Tensor)] = []
        visitParameters(prefix: "") { name, t in
            if seen.insert(ObjectIdentifier(t)).inserted { out.append((name, t)) }
        }
        return out
    }

    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// Every buffer with its dotted name (see `bufferNames`); optimizers never see these.
    public var namedBuffers: [(name: String, tensor: Tensor)] {
        var out: [(String, Tensor)] = []
        visitParameters(prefix: "", buffers: true) { name, t in out.append((name, t)) }
        return out
    }

    /// The state dict in order: parameters, then buffers. What a checkpoint must save.
    public var namedTensors: [(name: String, tensor: Tensor)] { namedParameters + namedBuffers }

    /// Total number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Every submodule, depth first, this one included.
    public var modules: [any Module] {
        var out: [any Module] = [self]
        for child in childModules() { out += child.module.modules }
        return out
    }

    /// Training or evaluation mode in every submodule: dropout on or off, batch norm with batch
    /// or running statistics.
    public func setTraining(_ on: Bool) {
        for module in modules {
            if let d = module as? Dropout { d.isTraining = on }
            if let bn = module as? BatchNorm2d { bn.isTraining = on }
        }
    }

    /// Runs `body` in evaluation mode (dropout off, batch norm on its running statistics), then puts
    /// every dropout and batch norm back in the mode it was in.
    public func evaluating<R>(_ body: () throws -> R) rethrows -> R {
        let all = modules
        let dropouts = all.compactMap { $0 as? Dropout }, norms = all.compactMap { $0 as? BatchNorm2d }
        let dropoutModes = dropouts.map(\.isTraining), normModes = norms.map(\.isTraining)
        setTraining(false)
        defer {
            for (d, on) in zip(dropouts, dropoutModes) { d.isTraining = on }
            for (n, on) in zip(norms, normModes) { n.isTraining = on }
        }
        return try body()
    }

    /// Forgets every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.grad = nil } }

    /// Calls `body` with each parameter (or, with `buffers`, each buffer) under this module.
    func visitParameters(prefix: String, buffers: Bool = false, _ body: (String, Tensor) -> Void) {
        let overrides = Self.parameterNameOverrides, bufferNames = Self.bufferNames
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror {
            for child in m.children {
                guard let label = child.label else { continue }
                let name = overrides[label] ?? snakeCase(label)
                let full = name.isEmpty ? String(prefix.dropLast()) : prefix + name
                if let t = child.value as? Tensor {
                    let isBuffer = bufferNames.contains(label)
                    if buffers ? isBuffer : t.requiresGrad && !isBuffer { body(full, t) }
                } else {
                    visit(child.value, name: full, buffers: buffers, body)
                }
            }
            mirror = m.superclassMirror
        }
    }

    func childModules() -> [(name: String, module: any Module)] {
        var out: [(String, any Module)] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror {
            for child in m.children {
                if let sub = child.value as? any Module {
                    out.append((child.label ?? "", sub))
                } else if let list = child.value as? [any Module] {
                    for (i, sub) in list.enumerated() { out.append(("\(child.label ?? "").\(i)", sub)) }
                }
            }
            mirror = m.superclassMirror
        }
        return out
    }
}

private func visit(_ value: Any, name: String, buffers: Bool, _ body: (String, Tensor) -> Void) {
    let prefix = name.isEmpty ? "" : name + "."
    if let m = value as? any Module {
        m.visitParameters(prefix: prefix, buffers: buffers, body)
    } else if let list = value as? [any Module] {
        for (i, m) in list.enumerated() { m.visitParameters(prefix: prefix + "\(i).", buffers: buffers, body) }
    }
}

/// `inProjWeight` → `in_proj_weight`, `linear1` → `linear1`.
func snakeCase(_ s: String) -> String {
    var out = ""
    for ch in s {
        if ch.isUppercase {
            if !out.isEmpty { out.append("_") }
            out.append(Character(ch.lowercased()))
        } else {
            out.append(ch)
        }
    }
    return out
}

/// Errors loading weights into a module.
public enum StateDictError: Error, CustomStringConvertible {
    case missing([String])
    case unexpected([String])
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A quantized model's matrix stored in full precision.
    case notQuantized(String)

    public var description: String {
        switch self {
        case .missing(let names): "missing weights: \(names.prefix(8).joined(separator: ", "))\(names.count > 8 ? ", …" : "")"
        case .unexpected(let names): "unexpected weights: \(names.prefix(8).joined(separator: ", "))\(names.count > 8 ? ", …" : "")"
        case .shapeMismatch(let n, let e, let f): "weight \(n) has shape \(f), expected \(e)"
        case .notQuantized(let n): "weight \(n) is not quantized, as every matrix of a quantized model is"
        }
    }
}

extension Module {
    /// Copies weights by name into this module's parameters and buffers, all but the names in
    /// `except` (loaded otherwise). `strict` also refuses names the module does not have. Every
    /// name and shape is checked before a value is written.
    public func load(_ weights: [String: Tensor], strict: Bool = true, except: Set<String> = []) throws {
        let named = namedTensors.filter { !except.contains($0.name) }
        let missing = named.map(\.name).filter { weights[$0] == nil }
        if !missing.isEmpty { throw StateDictError.missing(missing) }
        if strict {
            let known = Set(named.map(\.name))
            let extra = weights.keys.filter { !known.contains($0) }.sorted()
            if !extra.isEmpty { throw StateDictError.unexpected(extra) }
        }
        for (name, p) in named where weights[name]!.shape != p.shape {
            throw StateDictError.shapeMismatch(name: name, expected: p.shape, found: weights[name]!.shape)
        }
        for (name, p) in named { p.assign(weights[name]!) }
    }

    /// Reads weights by name from `file` straight into this module's parameters and buffers, as
    /// `load(_:strict:except:)` would from `file.tensors()` but holding no second copy of the
    /// model. Every name, shape and dtype is checked against the header before a value is written.
    public func load(_ file: SafetensorsFile, strict: Bool = true, except: Set<String> = []) throws {
        let named = namedTensors.filter { !except.contains($0.name) }
        let missing = named.map(\.name).filter { !file.contains($0) }
        if !missing.isEmpty { throw StateDictError.missing(missing) }
        if strict {
            let known = Set(named.map(\.name))
            let extra = file.names.filter { !known.contains($0) }
            if !extra.isEmpty { throw StateDictError.unexpected(extra) }
        }
        for (name, p) in named {
            let info = try file.info(name)
            guard info.shape == p.shape else { throw StateDictError.shapeMismatch(name: name, expected: p.shape, found: info.shape) }
            guard info.dtype.convertsToFloat else {
                throw SafetensorsError.unsupportedDType(path: file.path, name: name, dtype: info.dtype)
            }
        }
        for (name, p) in named { try p.assign { try file.read(name, into: $0) } }
    }

    /// The parameters and buffers by name (sharing storage with the module).
    public var stateDict: [String: Tensor] {
        Dictionary(uniqueKeysWithValues: namedTensors.map { ($0.name, $0.tensor) })
    }
}
