/// A command's failure at run time (a bad file, mismatched inputs): one line `Error: …` and exit
/// status 1, where a `ValidationError` (the command line is wrong) exits 64 (`ErrorLine`).
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
