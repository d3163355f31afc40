import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be read or written, in words a user acts on ("no such file", "not a
/// directory: out/a is a file"), never Foundation's "NSCocoaErrorDomain error 512".
public enum FileProblem {
    /// The reason `error` (thrown while reading or writing `path`, or making the directory `path`
    /// when `directory`) happened. The path is looked at first: on Linux Foundation reports a file
    /// where a directory should be only as an unknown write error.
    public static func reason(_ error: Error, path: String, directory: Bool = false) -> String {
        if let blocked = fileInTheWay(of: path, itself: directory) { return "\(blocked) is a file, not a directory" }
        let ns = error as NSError
        if let posix = posixCode(ns) { return String(cString: strerror(posix)) }
        switch ns.domain == NSCocoaErrorDomain ? CocoaError.Code(rawValue: ns.code) : nil {
        case CocoaError.fileNoSuchFile?, CocoaError.fileReadNoSuchFile?: return "no such file or directory"
        case CocoaError.fileReadNoPermission?, CocoaError.fileWriteNoPermission?: return "permission denied"
        case CocoaError.fileWriteFileExists?: return "the file exists"
        case CocoaError.fileWriteOutOfSpace?: return "no space left on the device"
        case CocoaError.fileWriteVolumeReadOnly?: return "read-only file system"
        case CocoaError.fileReadCorruptFile?, CocoaError.fileReadInapplicableStringEncoding?: return "the file cannot be decoded"
        default: break
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return "it is a directory" }
        let words = ns.localizedFailureReason ?? ns.localizedDescription
        return words.contains("Domain") || words.contains("error \(ns.code)") ? "the system refused it" : words
    }

    /// The nearest existing ancestor of `path` (or `path` itself) that is not a directory.
    static func fileInTheWay(of path: String, itself: Bool) -> String? {
        var url = URL(fileURLWithPath: path)
        if !itself { url.deleteLastPathComponent() }
        while url.path != "/" && !url.path.isEmpty {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
                return isDirectory.boolValue ? nil : url.path
            }
            url.deleteLastPathComponent()
        }
        return nil
    }

    /// The errno behind a Foundation error, when there is one.
    private static func posixCode(_ error: NSError) -> Int32? {
        if error.domain == NSPOSIXErrorDomain { return Int32(error.code) }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError { return posixCode(underlying) }
        return nil
    }
}
