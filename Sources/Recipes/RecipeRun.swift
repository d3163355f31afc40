import Data
import Foundation
import ModelZoo
import Training

/// `zoo run RECIPE`: data → tokenizer → model → trainer → evaluation → export to the zoo, for
/// whichever task the recipe names.
public enum RecipeRun {
    /// What the command line may override or ask of a run.
    public struct Options {
        /// Overrides the recipe's `training.steps` (the schedule's length too).
        public var steps: Int?
        /// The zoo entry to write; default `Zoo/<export name>` (`ZooRegistry.defaultRoot`).
        public var output: URL?
        /// Where the log, plot and checkpoints go; default `.runs/<recipe name>`.
        public var workDirectory: URL?
        /// Continue from the work directory's checkpoint.
        public var resume = false
        /// Default: a bar on a terminal, lines otherwise.
        public var progress: ProgressBar.Style?
        /// Stop (with a checkpoint, without exporting) after this many steps.
        public var stopAfter: Int?
        /// Ctrl-C checkpoints and stops cleanly (see `TrainingSettings.checkpointOnInterrupt`).
        public var checkpointOnInterrupt = true
        /// Replace the entry at the output if there is one (`--force`); otherwise the run refuses
        /// to start (`ProtectedOutput`).
        public var force = false

        public init(steps: Int? = nil, output: URL? = nil, workDirectory: URL? = nil, resume: Bool = false, force: Bool = false) {
            self.steps = steps
            self.output = output
            self.workDirectory = workDirectory
            self.resume = resume
            self.force = force
        }
    }

    /// What a run produced.
    public struct Result {
        public init(entry: ZooEntry?, summary: TrainingSummary, workDirectory: URL) {
            self.entry = entry
            self.summary = summary
            self.workDirectory = workDirectory
        }
        /// The exported entry (nil when the run stopped early at `stopAfter`).
        public var entry: ZooEntry?
        public var summary: TrainingSummary
        public var workDirectory: URL
    }

    /// The default work directory of a run named `name`.
    public static func defaultWorkDirectory(_ name: String) -> URL {
        URL(fileURLWithPath: ".runs").appendingPathComponent(name)
    }

    /// Runs `recipe` end to end, by its task family. An entry already at the output is an error
    /// before anything is read or trained, unless `options.force` says to replace it.
    public static func run(_ recipe: Recipe, options: Options = Options()) throws -> Result {
        guard let family = TaskCatalog.family(recipe.task) else {
            throw RecipeError(file: recipe.file, key: "task", message: "unknown task '\(recipe.task)' (known: \(TaskCatalog.names.map(\.rawValue).joined(separator: ", ")))")
        }
        try ProtectedOutput.check(RunExport.destination(recipe: recipe, options: options), force: options.force)
        try StartingRecipe.record(recipe, workDirectory: options.workDirectory ?? defaultWorkDirectory(recipe.name),
                                  resume: options.resume, note: noteFunction(options.progress))
        return try family.run(recipe, options: options)
    }

    /// Where a run's notes go: stderr, unless the progress style is silent or this process is
    /// not rank 0 of a data-parallel run.
    public static func noteFunction(_ style: ProgressBar.Style?) -> (String) -> Void {
        if case .silent? = style { return { _ in } }
        if !DataParallel.world.isPrimary { return { _ in } }
        return { fputs($0 + "\n", stderr) }
    }

    /// Reads a UTF-8 text file, with a hint for the built-in corpora `make data` extracts; invalid
    /// UTF-8 is an error naming the line (`TextInput`), not text a model would learn repaired.
    public static func readText(_ path: String, builtIn: String?) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            let hint = builtIn.map { " (the built-in '\($0)' corpus: run `make data` to extract it)" } ?? ""
            throw TrainingError.badData(path: path, reason: "no such file\(hint)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainingError.cannotRead(path: path, reason: "permission denied or not a file")
        }
        return try TextInput.text(data, source: path)
    }
}

extension TrainingSettings {
    /// A recipe run's settings: the recipe's, in the run's work directory, with its step override,
    /// progress style and Ctrl-C handling.
    public init(recipe: Recipe, options: RecipeRun.Options) {
        self.init(recipe: recipe, directory: options.workDirectory ?? RecipeRun.defaultWorkDirectory(recipe.name), steps: options.steps)
        progress = options.progress
        checkpointOnInterrupt = options.checkpointOnInterrupt
        title = "\(recipe.exportName): loss"
    }
}
