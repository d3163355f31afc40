import Foundation
import Testing

/// The error `body` throws, if it is an `E`.
func thrown<E: Error>(_ type: E.Type, _ body: () throws -> Void) -> E? {
    do {
        try body()
        return nil
    } catch let e as E {
        return e
    } catch {
        Issue.record("threw \(Swift.type(of: error)) \(error), expected \(E.self)")
        return nil
    }
}

/// The message of the error `body` throws ("" when it does not throw).
func errorMessage(_ body: () throws -> Any) -> String {
    do { _ = try body(); return "" } catch { return "\(error)" }
}

/// A fresh temporary directory that outlives the test (for files a test reads back later).
func scratchDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
