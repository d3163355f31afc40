/// A parallel corpus file that cannot be read, with the file, the line and what is wrong:
/// one line such as `newstest.en.sgm:12: <seg id="4"> is not closed on its line`.
public enum ParallelCorpusError: Error, CustomStringConvertible, Equatable, Sendable {
    case unreadable(file: String, reason: String)
    case invalidUTF8(file: String, line: Int)
    /// The two sides of a plain-text corpus have different numbers of lines.
    case lineCountMismatch(source: String, sourceLines: Int, target: String, targetLines: Int)
    /// A tab-separated line without a tab.
    case missingTab(file: String, line: Int)
    case malformedSGML(file: String, line: Int, message: String)
    /// Two SGML files whose segments do not pair up.
    case sgmlMismatch(source: String, target: String, message: String)

    public var description: String {
        switch self {
        case .unreadable(let f, let reason): "\(f): cannot read the file (\(reason))"
        case .invalidUTF8(let f, let line): "\(f):\(line): not valid UTF-8"
        case .lineCountMismatch(let s, let sn, let t, let tn):
            "\(s) has \(sn) line\(sn == 1 ? "" : "s") but \(t) has \(tn); a parallel corpus needs one sentence a line on both sides"
        case .missingTab(let f, let line): "\(f):\(line): no tab between source and target"
        case .malformedSGML(let f, let line, let message): "\(f):\(line): malformed SGML: \(message)"
        case .sgmlMismatch(let s, let t, let message): "\(s) and \(t) do not pair up: \(message)"
        }
    }
}
