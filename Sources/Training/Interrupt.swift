import Foundation

/// SIGINT while training: the first asks the loop to checkpoint and stop after the current step;
/// the handler then steps aside so a second Ctrl-C ends the process at once.
enum Interrupt {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0
    static var requested: Bool { flag != 0 }

    static func install() {
        flag = 0
        signal(SIGINT) { _ in
            Interrupt.flag = 1
            signal(SIGINT, SIG_DFL)
        }
    }

    static func uninstall() { signal(SIGINT, SIG_DFL) }
}
