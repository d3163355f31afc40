import Foundation

/// The rule of every command that writes a zoo entry or a file (`zoo run`, `zoo finetune`,
/// `zoo average`, `zoo import`): what is there already is replaced only when the user says so
/// (`--force`), and never by a model read from it. Commands check it before any work starts, so
/// a shipped entry is not silently replaced and an hour of training never ends in a refusal.
public enum ProtectedOutput {
    /// Throws `ZooError.outputExists` when something is at `output` and `force` is false, and
    /// `ZooError.outputIsSource` when `output` is `source`, the entry named `sourceName` that the
    /// command reads, whatever `force` says. Messages show `output` as the user gave it.
    public static func check(_ output: URL, force: Bool, source: URL? = nil, sourceName: String? = nil) throws {
        if let source, same(output, source) {
            throw ZooError.outputIsSource(path: output.relativePath, model: sourceName ?? source.lastPathComponent)
        }
        if !force && FileManager.default.fileExists(atPath: output.path) {
            throw ZooError.outputExists(path: output.relativePath)
        }
    }

    /// Whether two paths name one place (`Zoo/gpt-kjv`, `./Zoo/gpt-kjv/`, a link to it).
    static func same(_ a: URL, _ b: URL) -> Bool {
        func canonical(_ url: URL) -> String { url.standardizedFileURL.resolvingSymlinksInPath().path }
        return canonical(a) == canonical(b)
    }
}
