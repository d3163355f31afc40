import ArgumentParser
import Foundation
import Tasks

/// `zoo attention --model M INPUT --out DIR`: a model's attention maps on one input, as a page,
/// pictures and JSON.
struct AttentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "Draw a zoo model's attention maps on one input: a page, SVG heat maps, JSON.",
        discussion: """
        INPUT is a sentence (translation, parsing), a prompt (language model) or a PPM/PGM \
        image file (image classification). Translation shows the encoder's self-attention over \
        the sentence, and the decoder's masked self-attention and cross-attention over the \
        model's own translation (beam search; --target TEXT is read instead, teacher-forced). A \
        language model shows its causal self-attention over the prompt, with --generate N tokens \
        appended greedily first. An image classifier shows each layer's and head's attention \
        from the class token over the patches, drawn over the image, and the attention rollout \
        of Abnar & Zuidema 2020. A chart parser shows its encoder's self-attention over the \
        sentence's pieces; a sequence-to-sequence parser, as a translator, over the pieces and \
        the bracketed tree it writes. Layers and heads count from 1.

        DIR receives index.html (one page, no network: a model view of every layer × head and a \
        head view of lines between tokens, as bertviz's), attention.json (every weight: for \
        each layer and type, heads × queries × keys, with the tokens), layer-L-TYPE.svg (a heat \
        map per layer and type: self, encoder-self, decoder-self, cross) and, for an image, \
        image.png, layer-L-head-H.png, layer-L-mean.png and rollout.png. DIR is written whole \
        or not at all; an existing DIR is replaced only when it is empty or an earlier output. \
        An input longer than the model's context is an error: nothing is cut. With --json, \
        prints one object: input, output (what the model made of it), directory and files.

        Examples:
          zoo attention --model bible-en-es "The Lord is my shepherd." --out att
          zoo attention --model bible-en-es "In the beginning." \\
            --target "En el principio." --out att-forced
          zoo attention --model gpt-kjv "In the beginning God" --generate 8 \\
            --out att-gpt
          zoo data fashion-mnist --split test --out /tmp/fm --limit 10
          zoo attention --model vit-fashion-mnist /tmp/fm/Coat/6.pgm --out att-vit
          zoo attention --model parse-craft "Mice were analyzed." --out att-parse
          zoo attention --model gpt-kjv "And God said" --out att --json \\
            | jq -r .files[]
        """
    )

    @Option(help: "A zoo model name (see `zoo list`) or a model directory.")
    var model: String

    @OptionGroup var zoo: ZooOption

    @Argument(help: "The sentence, prompt or PPM/PGM image file.")
    var input: String

    @Option(help: ArgumentHelp("The directory the page, pictures and JSON go to.", valueName: "dir"))
    var out: String

    @Option(help: "Translation: the target, teacher-forced, instead of the model's own translation.")
    var target: String?

    @Option(help: "Language model: tokens appended greedily to the prompt first.")
    var generate = 0

    @Option(help: "Translation: beam size K of the model's own translation (1 is greedy).")
    var beam = 4

    @Flag(help: "Parsing: the sentence is already tokenized (tokens separated by spaces).")
    var tokenized = false

    @Flag(help: "One JSON object (input, output, directory, files) instead of a line on stderr.")
    var json = false

    func validate() throws {
        if generate < 0 { throw ValidationError("--generate must be 0 or more, not \(generate)") }
        if beam < 1 { throw ValidationError("--beam must be at least 1, not \(beam)") }
    }

    func run() throws {
        let entry = try zoo.resolve(model)
        var request = AttentionRequest(input: input)
        request.target = target
        request.generate = generate
        request.beam = beam
        request.tokenized = tokenized
        let maps = try TaskCatalog.family(of: entry).attention(entry, request)
        let files = try AttentionExport.write(maps, input: input, to: URL(fileURLWithPath: out))
        if json {
            JSONLine(input: input, output: maps.output, directory: out, files: files).print()
        } else {
            if let output = maps.output { print(output) }
            fputs("wrote \(files.count) files to \(out)/: open \(out)/index.html\n", stderr)
        }
    }
}
