/// The commit `zoo --version` names. `make build` (and so `make install`) writes `git describe`
/// here for its build and puts the file back afterwards, so git never sees it changed; a plain
/// `swift build` says "unknown". No build plugin: the package builds with nothing but SwiftPM.
enum BuildCommit {
    static let commit = "unknown"
}
