/// A command's failure at run time (a bad file, mismatched inputs): printed as one line, without
/// the usage text ArgumentParser adds to a `ValidationError`.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
