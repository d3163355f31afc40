import Data
import Foundation
import Layers
import Metrics
import Models
import ModelZoo
import Recipes
import Tokenization
import Training

extension TaskName {
    /// Constituency parsers, trained on a Penn-Treebank-style treebank.
    public static let parsing: TaskName = "parsing"
}

/// The parsing family: recipes of `task: parsing`, chart parsers of the zoo.
public struct ParsingFamily: TaskFamily {
    public init() {}
    public var name: TaskName { .parsing }
    public var summary: String { "constituency parsing (chart parser over the shared encoder, or sequence to sequence)" }
    public var stacks: [Recipe.ModelSection.Stack] { [.encoder, .encoderDecoder] }
    public var builtInSources: [String: BuiltInSource] {
        ["craft": BuiltInSource(train: "data/craft/train.txt", validation: "data/craft/dev.txt", test: "data/craft/test.txt",
                                credit: "the CRAFT corpus (Bada et al. 2012, \"Concept annotation in the CRAFT corpus\", BMC Bioinformatics; "
                                    + "treebank: Verspoor et al. 2012), annotations CC BY 3.0"),
         "wsj": BuiltInSource(train: "data/wsj/train.txt", validation: "data/wsj/dev.txt", test: "data/wsj/test.txt",
                              credit: "the Penn Treebank-3 (Marcus et al. 1993; LDC99T42), Wall Street Journal sections 02–21 / 22 / 23, "
                                  + "licensed from the Linguistic Data Consortium")]
    }
    public var recipeKeys: [String: [String]] { ParsingOptions.keys }

    public func readRecipe(_ sections: RecipeSections, into recipe: inout Recipe) throws {
        recipe.parsing = try ParsingOptions.read(sections)
        let wanted: Recipe.ModelSection.Stack = recipe.parsing.parser == .chart ? .encoder : .encoderDecoder
        if recipe.model.stack != wanted {
            throw sections.model.error(sections.model.has("stack") ? "stack" : "parser",
                                       "the \(recipe.parsing.parser.rawValue) parser needs stack \(wanted.rawValue), found \(recipe.model.stack.rawValue)")
        }
        if recipe.parsing.parser == .chart && recipe.model.dModel % 2 != 0 {
            throw sections.model.error("d_model", "a chart parser splits d_model into two halves; \(recipe.model.dModel) is odd")
        }
    }

    public func run(_ recipe: Recipe, options: RecipeRun.Options) throws -> RecipeRun.Result {
        try ParsingRun.run(recipe, options: options)
    }

    /// Parses the gold trees' words of `request.data` and prints EVALB's summary (COLLINS.prm).
    public func loadModel(_ entry: ZooEntry) throws -> any Module {
        switch try entry.loadParser().model {
        case .chart(let parser): return parser
        case .seq2seq(let parser): return parser.model
        }
    }

    public func evaluate(_ entry: ZooEntry, _ request: EvaluationRequest) throws -> Evaluation {
        guard let data = request.data else { throw EvaluationError("a parser needs --data FILE (gold trees in Penn Treebank brackets)") }
        let gold = try Treebank.read(path: data).compactMap(Treebank.normalized)
        let parser = try entry.loadParser()
        let bar = ParsingRun.PassProgress(silent: false)
        let score = try ParsingRun.evalb(gold: gold, parser: parser, batchSize: request.batchSize, progress: bar.update)
        bar.finish()
        let report = score.evalb.report
        let summary = report.range(of: "=== Summary ===").map { String(report[$0.lowerBound...]) } ?? report
        let all = score.evalb.all
        var lines = [summary.hasSuffix("\n") ? String(summary.dropLast()) : summary]
        lines.append("Brackets scored with the gold part-of-speech tags; the parser's own tags: "
            + (score.tagAccuracy.map { EVALBReport.number($0) + " % of words right" } ?? "no words"))
        return Evaluation(lines: lines,
                          metrics: ["precision": all.precision, "recall": all.recall, "f1": all.fMeasure,
                                    "complete_match": all.completeMatch, "tagging_accuracy": score.tagAccuracy ?? .nan,
                                    "sentences": Double(all.sentences)])
    }
}

/// A trained parser as used after training, either kind: the model in evaluation mode and its tokenizer.
public struct Parser {
    /// The trained network, by kind of parser.
    public enum Model {
        case chart(ChartParser)
        case seq2seq(Seq2SeqParser)
    }

    public let model: Model
    public let tokenizer: any TextTokenizer

    public init(chart: ChartParser, tokenizer: any TextTokenizer) {
        model = .chart(chart)
        self.tokenizer = tokenizer
    }

    public init(seq2seq: Seq2SeqParser) {
        model = .seq2seq(seq2seq)
        tokenizer = seq2seq.tokenizer
    }

    /// How it parses, in a few words ("chart parser, CKY").
    public var kindDescription: String {
        switch model {
        case .chart: return "chart parser, CKY"
        case .seq2seq: return "sequence to sequence, constrained beam search"
        }
    }

    /// The longest input, in pieces.
    public var context: Int {
        switch model {
        case .chart(let p): return p.config.encoder.maxLength
        case .seq2seq(let p): return p.model.config.maxLength
        }
    }

    /// Whether a sentence fits the model (its pieces, and for a sequence-to-sequence parser its tree).
    public func fits(_ words: [String]) -> Bool {
        switch model {
        case .chart(let p): return p.fits(words, tokenizer: tokenizer)
        case .seq2seq(let p): return p.fits(words)
        }
    }

    /// The most likely tree of each tokenized sentence; a sentence longer than the model's context
    /// is an error naming it (split it first).
    public func parse(_ sentences: [[String]], batchSize: Int = 32) throws -> [ParseTree] {
        for (i, words) in sentences.enumerated() where !fits(words) {
            throw EvaluationError("sentence \(i + 1) (\(words.count) words) is longer than the parser's context of \(context) pieces; split it")
        }
        switch model {
        case .chart(let p): return p.parse(sentences, tokenizer: tokenizer, batchSize: batchSize)
        case .seq2seq(let p): return p.parse(sentences, batchSize: batchSize)
        }
    }
}

extension ZooEntry {
    /// A parsing entry's parser (weights loaded, evaluation mode) and tokenizer.
    public func loadParser() throws -> Parser {
        try require(.parsing)
        let tokenizer = try loadTokenizer()
        if let seq2seq = config.seq2seqParser {
            let model = makeModel { EncoderDecoder(config.model) }
            try loadWeights(into: model)
            model.setTraining(false)
            return Parser(seq2seq: Seq2SeqParser(model: model, config: seq2seq, tokenizer: tokenizer))
        }
        guard let config = config.parser else {
            throw ZooError.badEntry(path: directory.appendingPathComponent(Self.configFile).path, reason: "missing key 'parser' (or 'seq2seq_parser')")
        }
        let model = makeModel { ChartParser(config) }
        try loadWeights(into: model)
        model.setTraining(false)
        return Parser(chart: model, tokenizer: tokenizer)
    }
}
