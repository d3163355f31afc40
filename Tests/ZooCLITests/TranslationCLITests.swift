import Foundation
import Testing

/// `zoo run` on a tiny translation recipe, then `zoo translate`, `zoo eval` and `zoo bleu` on its
/// entry, as a user would.
@Suite struct TranslationCLITests {
    /// A toy language pair: word-for-word, same order.
    static let lexicon = [("the", "el"), ("cat", "gato"), ("dog", "perro"), ("eats", "come"), ("bread", "pan"), ("big", "grande")]

    static func corpus(_ count: Int, seed: Int) -> (en: String, es: String) {
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> Int { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return Int(state % 1_000_003) }
        var en = "", es = ""
        for _ in 0..<count {
            let words = (0..<(2 + next() % 4)).map { _ in lexicon[next() % lexicon.count] }
            en += words.map(\.0).joined(separator: " ") + "\n"
            es += words.map(\.1).joined(separator: " ") + "\n"
        }
        return (en, es)
    }

    @Test func runTranslateEvalAndBleuAgree() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-mt-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (split, count, seed) in [("train", 300, 1), ("valid", 20, 2), ("test", 12, 3)] {
            let (en, es) = Self.corpus(count, seed: seed)
            try Data(en.utf8).write(to: dir.appendingPathComponent("\(split).en"))
            try Data(es.utf8).write(to: dir.appendingPathComponent("\(split).es"))
        }
        let yaml = """
            name: tiny-mt
            task: translation
            data: {train: \(dir.path)/train, validation: \(dir.path)/valid, test: \(dir.path)/test, languages: [en, es]}
            tokenizer: {path: \(dir.path)/joint.model, vocab_size: 30, character_coverage: 1.0}
            model: {stack: encoder-decoder, d_model: 32, heads: 2, layers: 1, ffn: 64, context: 32, dropout: 0.0}
            training: {optimizer: adam, betas: [0.9, 0.98], schedule: inverse-sqrt, warmup: 10, learning_rate: 3e-3,
                       label_smoothing: 0.1, steps: 60, batch_tokens: 300, seed: 4}
            evaluation: {every: 0, batches: 0, bleu: false, beam: 2}
            """
        let recipe = dir.appendingPathComponent("tiny-mt.yaml")
        try Data(yaml.utf8).write(to: recipe)
        let model = dir.appendingPathComponent("Zoo/tiny-mt").path
        let cli = ZooCLITests()
        let run = try cli.run(["run", recipe.path, "--out", model, "--work", dir.appendingPathComponent("work").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("test: BLEU = "))

        // translate: one line out per line in, stdin or arguments alike.
        let testEn = dir.appendingPathComponent("test.en").path, testEs = dir.appendingPathComponent("test.es").path
        let sources = try String(contentsOfFile: testEn, encoding: .utf8)
        let piped = try cli.run(["translate", "--model", model, "--beam", "2"], input: sources)
        #expect(piped.status == 0, "\(piped.stderr)")
        let lines = piped.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 12)
        let first = String(sources.split(separator: "\n")[0])
        let single = try cli.run(["translate", "--model", model, "--beam", "2", first])
        #expect(single.stdout == String(lines[0]) + "\n")

        // eval prints what sacreBLEU (zoo bleu) prints for the same translations.
        let hyp = dir.appendingPathComponent("hyp.txt").path
        let eval = try cli.run(["eval", "--model", model, "--src", testEn, "--ref", testEs, "--beam", "2", "--hyp-out", hyp])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.trimmingCharacters(in: .whitespaces).hasPrefix("BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:") && eval.stdout.contains("\nchrF2|"))
        #expect(try String(contentsOfFile: hyp, encoding: .utf8) == piped.stdout)
        let bleu = try cli.run(["bleu", "--ref", testEs, "--hyp", hyp, "--chrf"])
        #expect(bleu.status == 0 && bleu.stdout == eval.stdout)

        // A reference with the wrong number of lines: one clear line and a non-zero exit.
        let short = dir.appendingPathComponent("short.es").path
        try Data("el gato\n".utf8).write(to: URL(fileURLWithPath: short))
        let bad = try cli.run(["eval", "--model", model, "--src", testEn, "--ref", short])
        #expect(bad.status != 0)
        #expect(bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("short.es has 1;"))
    }
}
