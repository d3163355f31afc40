import Foundation

/// A `card.md` read back (`ModelCard.markdown` writes it): the facts table as pairs, and the
/// whole card as text for a terminal, with tables as aligned columns, quotes and code indented.
public struct CardText: Sendable {
    public let markdown: String

    public init(_ markdown: String) { self.markdown = markdown }

    /// The rows of the card's first two-column table (the facts), in order.
    public var facts: [(String, String)] {
        var rows: [(String, String)] = []
        for block in tables() {
            let pairs = block.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
            if !pairs.isEmpty { rows = pairs; break }
        }
        return rows
    }

    /// The value of the fact named `what`, if the card has one.
    public func fact(_ what: String) -> String? { facts.first { $0.0 == what }?.1 }

    /// The card with every heading one level deeper, to nest it under another card's heading.
    /// Lines inside fenced code are left as they are: a recipe's `#` comments are not headings.
    public var demoted: String {
        var inCode = false
        return markdown.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            if line.hasPrefix("```") { inCode.toggle() }
            return !inCode && line.hasPrefix("#") ? "#" + line : String(line)
        }.joined(separator: "\n")
    }

    /// The card for a terminal: headings underlined, tables aligned, `>` quotes and fenced code
    /// indented, an image as `[alt: file]`.
    public var terminalText: String {
        var out: [String] = []
        var table: [[String]] = []
        var inCode = false
        func flushTable() {
            guard !table.isEmpty else { return }
            let width = table.map(\.count).max() ?? 0
            let widths = (0..<width).map { c in table.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
            for row in table {
                let cells = row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                out.append("  " + cells.joined(separator: "  "))
            }
            table = []
        }
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") {
                inCode.toggle()
                continue
            }
            if inCode { out.append("    " + line); continue }
            if let row = Self.row(line) {
                if !row.allSatisfy({ $0.isEmpty }) && !Self.isRule(row) { table.append(row) }
                continue
            }
            flushTable()
            if line.hasPrefix("#") {
                let level = line.prefix { $0 == "#" }.count
                let title = line.dropFirst(level).trimmingCharacters(in: .whitespaces)
                out.append(title)
                out.append(String(repeating: level == 1 ? "=" : "-", count: title.count))
            } else if line.hasPrefix(">") {
                out.append("  " + line.dropFirst().drop { $0 == " " })
            } else if line.hasPrefix("!["), let close = line.firstIndex(of: "]"), let open = line.firstIndex(of: "("), line.hasSuffix(")") {
                out.append("[\(line[line.index(line.startIndex, offsetBy: 2)..<close]): \(line[line.index(after: open)..<line.index(before: line.endIndex)])]")
            } else {
                out.append(line)
            }
        }
        flushTable()
        while out.last?.isEmpty == true { out.removeLast() }
        return out.joined(separator: "\n")
    }

    /// The cells of a table line `| a | b |` (an escaped `\|` stays in its cell), nil for other lines.
    static func row(_ line: String) -> [String]? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("|") && trimmed.hasSuffix("|") && trimmed.count > 1 else { return nil }
        var cells: [String] = [], cell = "", escaped = false
        for c in trimmed.dropFirst().dropLast() {
            if escaped {
                if c != "|" { cell.append("\\") }
                cell.append(c)
                escaped = false
                continue
            }
            if c == "\\" { escaped = true; continue }
            if c == "|" { cells.append(cell.trimmingCharacters(in: .whitespaces)); cell = ""; continue }
            cell.append(c)
        }
        cells.append(cell.trimmingCharacters(in: .whitespaces))
        return cells
    }

    /// `|---|---|`, the line under a table's header.
    static func isRule(_ row: [String]) -> Bool { row.allSatisfy { !$0.isEmpty && $0.allSatisfy { "-: ".contains($0) } } }

    /// The card's tables, each as its rows (header rule and empty header left out).
    func tables() -> [[[String]]] {
        var tables: [[[String]]] = [], current: [[String]] = []
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if let row = Self.row(String(line)) {
                if !row.allSatisfy({ $0.isEmpty }) && !Self.isRule(row) { current.append(row) }
            } else if !current.isEmpty {
                tables.append(current)
                current = []
            }
        }
        if !current.isEmpty { tables.append(current) }
        return tables
    }
}
