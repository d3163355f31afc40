import ArgumentParser
import Foundation
import Tasks

/// `zoo parse`: constituency trees of sentences with a zoo parser.
struct Parse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse sentences into constituency trees (Penn Treebank brackets) with a zoo parser.",
        discussion: """
        Raw text is split into Penn Treebank tokens first (punctuation, clitics such as n't, \
        quotes as `` and '', brackets as -LRB- -RRB-); --tokenized takes space-separated tokens \
        as they are (what EVALB compares). With no TEXT, sentences are read from standard input, \
        one a line, and a blank line gives a blank line. Prints one tree a line; --format svg \
        --out DIR draws each tree as DIR/tree-N.svg instead. A sentence longer than the \
        parser's context is an error naming it, before anything is parsed: split it first. \
        Input must be UTF-8: invalid UTF-8 is an error naming "stdin" (or the argument) and the \
        line. Progress goes to stderr every 10 seconds when a run takes longer. With --json, \
        prints one object per line: input (the sentence), tokens (its words) and output (the \
        tree in brackets).

        Examples:
          zoo parse --model parse-craft "The striatum plays a pivotal role."
          zoo parse --model parse-craft --tokenized < sentences.tok
          zoo parse --model parse-craft --format svg --out trees "Mice were analyzed."
          zoo parse --model parse-craft --json "Mice were analyzed." | jq -r .output
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case brackets, svg }

    @Option(help: "A zoo model name (see `zoo list`) or a model directory.")
    var model: String

    @OptionGroup var zoo: ZooOption

    @Flag(help: "The input is already tokenized: tokens separated by spaces.")
    var tokenized = false

    @Option(help: "brackets (one tree a line) or svg (a picture per tree, needs --out).")
    var format: Format = .brackets

    @Option(help: "The directory the SVG pictures go to.")
    var out: String?

    @Option(name: .customLong("batch-size"), help: "Sentences parsed together.")
    var batchSize: Int = 32

    @Flag(help: "One JSON object per line (input, tokens, output) instead of the tree alone.")
    var json = false

    @Argument(help: "Sentences to parse (default: standard input, one a line).")
    var text: [String] = []

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, not \(batchSize)") }
        if format == .svg && out == nil { throw ValidationError("--format svg needs --out DIR") }
        if format == .svg && json { throw ValidationError("--json prints trees in brackets; leave out --format svg") }
    }

    func run() throws {
        let parser = try zoo.resolve(model).loadParser()
        let tokenizer = PTBTokenizer()
        func words(_ line: String) -> [String] {
            tokenized ? line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) : tokenizer.tokenize(line)
        }
        var input = TextInput.StandardInput()
        let lines = try text.isEmpty ? input.readAll() : text
        let sentences = lines.map(words)
        for (i, sentence) in sentences.enumerated() where !parser.fits(sentence) {
            let place = text.isEmpty ? "\(TextInput.standardInputName):\(i + 1)" : "sentence \(i + 1)"
            throw CommandError("\(place) (\(sentence.count) words) is longer than the parser's context of \(parser.context) pieces; split it")
        }
        if let out {
            do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
                throw CommandError("cannot write \(out): \(FileProblem.reason(error, path: out, directory: true))")
            }
        }
        let progress = ProgressBar(total: sentences.count, style: .lines(every: 0))
        progress.unit = "sent"
        progress.maxSilence = 10
        let begin = Date()
        var written = 0
        for start in stride(from: 0, to: sentences.count, by: batchSize) {
            let chunk = Array(sentences[start..<min(sentences.count, start + batchSize)])
            let trees = try parser.parse(chunk, batchSize: batchSize)
            for (offset, (sentence, tree)) in zip(chunk, trees).enumerated() {
                switch format {
                case .brackets:
                    let bracketed = sentence.isEmpty ? "" : tree.bracketed
                    if json { JSONLine(input: lines[start + offset], output: bracketed, tokens: sentence).print() } else { print(bracketed) }
                case .svg:
                    guard !sentence.isEmpty, let out else { continue }
                    let path = URL(fileURLWithPath: out).appendingPathComponent("tree-\(start + offset + 1).svg")
                    do { try Data(TreeSVG().render(tree).utf8).write(to: path, options: .atomic) } catch {
                        throw CommandError("cannot write \(path.path): \(FileProblem.reason(error, path: path.path))")
                    }
                    written += 1
                }
            }
            fflush(stdout)
            let done = start + chunk.count
            progress.update(step: done, tokensPerSecond: Double(done) / max(Date().timeIntervalSince(begin), 1e-9))
        }
        if format == .svg { fputs("wrote \(written) tree picture(s) to \(out!)/\n", stderr) }
    }
}
