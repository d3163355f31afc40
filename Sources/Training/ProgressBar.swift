import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Training progress on standard error: on a terminal one line redrawn in place with `\r`
/// (step, bar, loss, tokens/s, learning rate, ETA); otherwise a plain line every few steps (and,
/// with `maxSilence`, every few seconds), so logs piped to a file stay readable.
public final class ProgressBar {
    /// How progress is shown: redrawn in place or as plain lines.
    public enum Style: Sendable {
        /// A bar redrawn in place (for terminals).
        case bar
        /// One line every `every` steps and at the last (for pipes and files); with `every` 0,
        /// lines come only when `maxSilence` has passed.
        case lines(every: Int)
        /// Nothing (tests).
        case silent

        /// `.bar` when standard error is a terminal, else `.lines(every:)`.
        public static func automatic(every: Int) -> Style {
            isatty(STDERR_FILENO) != 0 ? .bar : .lines(every: every)
        }
    }

    /// The steps to take; 0 when unknown (lines then give the step without total and ETA).
    public let total: Int
    public let style: Style
    /// What the rate counts: "tok" (training text), "img" (images), "sent" (sentences).
    public var unit = "tok"
    /// In `.lines` style, also a line when this many seconds have passed since the last one (or
    /// the start): a slow phase in a log is never silent for longer.
    public var maxSilence: TimeInterval?
    private let firstStep: Int
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var lastLine = Date()
    private var barVisible = false

    /// Progress over a data set (evaluating, translating a test set): on a terminal the bar; in a
    /// log a line every tenth of `total` and at least every 10 seconds.
    public static func pass(total: Int, unit: String) -> ProgressBar {
        let bar = ProgressBar(total: total, style: .automatic(every: max(1, total / 10)))
        bar.unit = unit
        bar.maxSilence = 10
        return bar
    }

    /// Progress towards `total` steps, starting after `completed` (a resumed run).
    public init(total: Int, completed: Int = 0, style: Style) {
        self.total = total
        self.firstStep = completed
        self.style = style
    }

    /// Reports the step just taken; `rate` is in `unit`s per second. Loss and learning rate are
    /// shown when given (training), left out otherwise (translating, classifying).
    public func update(step: Int, loss: Double? = nil, tokensPerSecond rate: Double, learningRate: Double? = nil) {
        switch style {
        case .silent:
            return
        case .lines(let every):
            let now = Date()
            let silentTooLong = maxSilence.map { now.timeIntervalSince(lastLine) >= $0 } ?? false
            guard (every > 0 && (step % every == 0 || step == total)) || silentTooLong else { return }
            lastLine = now
            var line = total > 0 ? "step \(step)/\(total)" : "step \(step)"
            if let loss { line += "  loss \(fixed(loss, 4))" }
            if let learningRate { line += "  lr \(scientific(learningRate))" }
            line += "  \(format(rate)) \(unit)/s  elapsed \(Self.duration(now.timeIntervalSince(start)))"
            emit(line + (total > 0 ? "  ETA \(eta(step: step))\n" : "\n"))
        case .bar:
            let now = Date()
            guard now.timeIntervalSince(lastDraw) >= 0.1 || step == total else { return }
            lastDraw = now
            let fraction = min(1, Double(step) / Double(max(total, 1)))
            let head = "\(String(repeating: " ", count: max(0, String(total).count - String(step).count)))\(step)/\(total) "
            var tail = " \(Int(fraction * 100))%"
            if let loss { tail += " loss \(fixed(loss, 3)) |" }
            tail += " \(format(rate)) \(unit)/s"
            if let learningRate { tail += " | lr \(scientific(learningRate))" }
            tail += " | ETA \(eta(step: step))"
            let width = max(10, min(40, Self.terminalWidth() - head.count - 72))  // a fixed estimate of the tail, so the bar does not jitter
            let filled = Int(fraction * Double(width))
            let bar = "[" + String(repeating: "#", count: filled) + String(repeating: "·", count: width - filled) + "]"
            emit("\r" + head + bar + tail + "\u{1B}[K")
            barVisible = true
        }
    }

    /// A line of its own (an evaluation result, a note), printed above the bar.
    public func note(_ line: String) {
        if case .silent = style { return }
        if barVisible { emit("\r\u{1B}[K"); barVisible = false; lastDraw = .distantPast }
        emit(line + "\n")
    }

    /// Ends the bar's line.
    public func finish() {
        if barVisible { emit("\n"); barVisible = false }
    }

    // MARK: - Formatting

    private func eta(step: Int) -> String {
        let done = step - firstStep
        guard done > 0 else { return "?" }
        let perStep = Date().timeIntervalSince(start) / Double(done)
        return Self.duration(perStep * Double(total - step))
    }

    /// `42s`, `12m05s`, `3h07m`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }

    private func format(_ x: Double) -> String {
        x >= 1000 ? String(format: "%.1fk", x / 1000) : String(format: "%.0f", x)
    }

    private func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
    private func scientific(_ x: Double) -> String { String(format: "%.2e", x) }

    private func emit(_ s: String) {
        fputs(s, stderr)
        fflush(stderr)
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
