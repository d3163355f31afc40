import Yams

/// How two texts of a recipe differ in what they set: each key whose value changed, as
/// "training.steps 3600 → 5200". Comments, layout and key order are not changes; a value written
/// differently ("1.0e-3" and "0.001") is.
public enum RecipeChanges {
    /// The changed, added and removed keys, sorted; empty when the settings are the same.
    public static func between(_ old: String, _ new: String) -> [String] {
        let before = settings(old), after = settings(new)
        return Set(before.keys).union(after.keys).sorted().compactMap { key in
            before[key] == after[key] ? nil : "\(key) \(before[key] ?? "(absent)") → \(after[key] ?? "(absent)")"
        }
    }

    /// The text's values by dotted key ("training.steps": "3600"); a sequence is one value
    /// ("[0.9, 0.98]"). Text that is not YAML is one value under "(text)".
    static func settings(_ yaml: String) -> [String: String] {
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch { return ["(text)": yaml] }
        var out: [String: String] = [:]
        if let root { flatten(root, path: "", into: &out) }
        return out
    }

    private static func flatten(_ node: Node, path: String, into out: inout [String: String]) {
        guard case .mapping(let mapping) = node else {
            out[path] = render(node)
            return
        }
        for (key, value) in mapping {
            let name = render(key)
            flatten(value, path: path.isEmpty ? name : "\(path).\(name)", into: &out)
        }
    }

    private static func render(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): scalar.string
        case .sequence(let sequence): "[" + sequence.map(render).joined(separator: ", ") + "]"
        case .mapping(let mapping): "{" + mapping.map { "\(render($0.key)): \(render($0.value))" }.joined(separator: ", ") + "}"
        case .alias(let alias): "*\(alias.anchor.rawValue)"
        }
    }
}
