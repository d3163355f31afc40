import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Exchanges two directories in one step, so that no moment, not even a kill between two renames,
/// leaves the entry's name missing. Linux's `renameat2(RENAME_EXCHANGE)` (ext4, xfs, btrfs, tmpfs),
/// looked up at run time because Swift's Glibc module does not declare it.
public enum DirectorySwap {
    #if canImport(Glibc)
    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    private static let renameat2: RenameAt2? = dlsym(nil, "renameat2").map { unsafeBitCast($0, to: RenameAt2.self) }
    private static let exchangeFlag: UInt32 = 1 << 1  // RENAME_EXCHANGE
    #endif

    /// Swaps `a` and `b` (both must exist); false, with nothing changed, where the system or the
    /// file system cannot.
    public static func exchange(_ a: URL, _ b: URL) -> Bool {
        #if canImport(Glibc)
        guard let renameat2 else { return false }
        return renameat2(AT_FDCWD, a.path, AT_FDCWD, b.path, exchangeFlag) == 0
        #else
        return false
        #endif
    }

    /// Removes what writers of `name` killed outright left beside it (`.NAME.MARKER-PID…`, for
    /// each of `markers`) once their process is gone; a live writer's files are left alone.
    public static func removeLeftovers(of name: String, in parent: URL, markers: [String]) {
        let fm = FileManager.default
        for file in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] {
            guard let prefix = markers.map({ ".\(name).\($0)-" }).first(where: file.hasPrefix),
                  let pid = Int32(file.dropFirst(prefix.count).prefix { $0 != "-" }), pid > 0,
                  kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            try? fm.removeItem(at: parent.appendingPathComponent(file))
        }
    }
}
