import ArgumentParser
import Foundation
import Tasks

/// How `zoo` fails: exactly one line `Error: …` on stderr. A command line the command does not
/// accept (an unknown option, a missing or out-of-range value) exits 64 (EX_USAGE) and the line
/// ends with where the options are listed; any other failure exits 1.
enum ErrorLine {
    /// The text of the line (without "Error: ") and the exit status for `error`; nil for
    /// what is not a failure (--help, --version) or was already reported (`ExitCode`).
    static func report(_ error: Error, arguments: [String]) -> (line: String, status: Int32)? {
        let status = Zoo.exitCode(for: error)
        if status == .success || error is ExitCode { return nil }
        var message = Zoo.message(for: error)
        if let words = foundationWords(error) { message = words }
        // ArgumentParser's messages can span lines (a list of missing values): one line each.
        message = message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
        if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
        if status == .validationFailure { message += "; see '\((["zoo"] + commandPath(arguments)).joined(separator: " ")) --help'" }
        return (message, status.rawValue)
    }

    /// Prints the line and exits, or lets ArgumentParser print help or the version.
    static func exit(_ error: Error, arguments: [String]) -> Never {
        guard let (line, status) = report(error, arguments: arguments) else { Zoo.exit(withError: error) }
        fputs("Error: \(line)\n", stderr)
        Foundation.exit(status)
    }

    /// `exit` for a rank of a data-parallel job. What every rank meets alike at the same step (a
    /// non-finite loss, Ctrl-C) rank 0 reports, and the job ends cleanly; anything else is this
    /// rank's own failure: its line names the rank, and every rank of the job ends (MPI_Abort)
    /// rather than wait for it in the next step.
    static func exitJob(_ error: Error, arguments: [String]) -> Never {
        guard let (line, status) = report(error, arguments: arguments) else {
            DataParallel.leave()
            Zoo.exit(withError: error)
        }
        switch error as? TrainingError {
        case .nonFiniteLoss?, .nonFiniteGradient?, .interrupted?:
            if DataParallel.world.isPrimary { fputs("Error: \(line)\n", stderr) }
            DataParallel.leave()
        default:
            fputs("Error: \(DataParallel.rankPrefix)\(line)\n", stderr)
            DataParallel.abortJob(code: status)
        }
        Foundation.exit(status)
    }

    /// `arguments` with a negative number after an option joined to it (`--max-tokens=-1`):
    /// ArgumentParser reads "-1" as a short option and reports the value as missing, so the
    /// command's own range check never sees it.
    static func negativeValuesJoined(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            let word = arguments[i]
            if word.hasPrefix("--"), word.count > 2, !word.contains("="), i + 1 < arguments.count,
               arguments[i + 1].hasPrefix("-"), Double(arguments[i + 1]) != nil {
                out.append(word + "=" + arguments[i + 1])
                i += 2
            } else {
                out.append(word)
                i += 1
            }
        }
        return out
    }

    /// The subcommand the arguments name (`["tokenizer", "encode"]`), as far as they name one.
    static func commandPath(_ arguments: [String]) -> [String] {
        var command: ParsableCommand.Type = Zoo.self
        var path: [String] = []
        for word in arguments {
            guard let sub = command.configuration.subcommands.first(where: { $0._commandName == word }) else { break }
            command = sub
            path.append(word)
        }
        return path
    }

    /// Foundation's own errors (a file that could not be read or written) in words, with the
    /// path: "NSCocoaErrorDomain error 512" tells a user nothing.
    static func foundationWords(_ error: Error) -> String? {
        guard error is CocoaError || error is POSIXError || type(of: error) == NSError.self else { return nil }
        let ns = error as NSError
        guard let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path else {
            return FileProblem.reason(error, path: "")
        }
        return "\(path): \(FileProblem.reason(error, path: path))"
    }

    /// Every command-line argument checked as UTF-8 (Swift would repair `caf\xE9` silently).
    static func checkArgumentsAreUTF8() throws {
        for i in 1..<Int(CommandLine.argc) {
            guard let argument = CommandLine.unsafeArgv[i] else { continue }
            try argument.withMemoryRebound(to: UInt8.self, capacity: strlen(argument)) {
                _ = try TextInput.text(UnsafeBufferPointer(start: $0, count: strlen(argument)), source: "argument \(i)")
            }
        }
    }
}
