import Foundation

/// A check of the verse pairs `exportParallel` would write, against the modules' own headings and
/// against the files already in the output directory: how many pairs would change, and which
/// verses end with a heading diatheke printed between verses (text that belongs at the start of
/// the next verse, and would teach a translator to append it to ordinary sentences).
public struct BibleParallelCheck: Sendable {
    /// Pairs over the three splits.
    public var pairs: Int
    /// Pairs not among those in the directory's files (nil when it holds none).
    public var changed: Int?
    /// "Psalms 3:8 (es)": verses, by reference and side, that end with a heading.
    public var endingWithHeading: [String]

    /// Reads both modules and compares with `directory`'s `train|valid|test.SRC|TGT`; writes nothing.
    public static func run(source: String, target: String, sourceLanguage: String, targetLanguage: String,
                           directory: String) throws -> BibleParallelCheck {
        let (sourceVerses, sourceHeadings) = BibleCorpus.parseWithHeadings(try BibleCorpus.output(module: source), module: source)
        let (targetVerses, targetHeadings) = BibleCorpus.parseWithHeadings(try BibleCorpus.output(module: target), module: target)
        let pairs = BibleCorpus.align(sourceVerses, targetVerses)
        // Short headings ("ALEPH") could end a verse by chance; a superscription is a sentence.
        let headings = (sourceHeadings.union(targetHeadings)).filter { $0.count >= 12 }
        var ending: [String] = []
        for pair in pairs {
            for (verse, language) in [(pair.source, sourceLanguage), (pair.target, targetLanguage)]
            where headings.contains(where: { verse.text.hasSuffix($0) && verse.text != $0 }) {
                ending.append("\(verse.reference) (\(language))")
            }
        }
        var old: Set<String> = []
        for name in ["train", "valid", "test"] {
            let url = URL(fileURLWithPath: directory)
            guard let s = try? String(contentsOf: url.appendingPathComponent("\(name).\(sourceLanguage)"), encoding: .utf8),
                  let t = try? String(contentsOf: url.appendingPathComponent("\(name).\(targetLanguage)"), encoding: .utf8) else { continue }
            for (a, b) in zip(s.split(separator: "\n"), t.split(separator: "\n")) { old.insert("\(a)\t\(b)") }
        }
        let changed = old.isEmpty ? nil : pairs.filter { !old.contains("\($0.source.text)\t\($0.target.text)") }.count
        return BibleParallelCheck(pairs: pairs.count, changed: changed, endingWithHeading: ending)
    }
}
