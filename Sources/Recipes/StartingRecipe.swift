import Foundation
import Training

/// The recipe text a run began with, kept in its work directory so that a resume and the export
/// can say whether the recipe has changed since (`RecipeChanges`): a card then tells a run of its
/// recipe from one whose settings moved under it.
public enum StartingRecipe {
    public static let fileName = "recipe.yaml"

    /// A fresh run keeps its recipe file's text; a resumed one notes how the file now differs from
    /// the text its run began with. Recipes built in code have no text and are not kept.
    public static func record(_ recipe: Recipe, workDirectory: URL, resume: Bool, note: (String) -> Void) throws {
        guard DataParallel.world.isPrimary, let text = text(of: recipe) else { return }
        let url = workDirectory.appendingPathComponent(fileName)
        if resume {
            if let changes = changes(since: workDirectory, now: text), !changes.isEmpty {
                note("note: the recipe differs from the one this run began with (\(url.path)): " + changes.joined(separator: "; "))
            }
            return
        }
        do {
            try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw TrainingError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }

    /// How the recipe text `now` (`text(of:)`) differs in its settings from the text the run in
    /// `workDirectory` began with; nil when either is unknown (a recipe built in code, a run begun
    /// before runs kept it).
    public static func changes(since workDirectory: URL, now: String?) -> [String]? {
        let url = workDirectory.appendingPathComponent(fileName)
        guard let now, let data = FileManager.default.contents(atPath: url.path),
              let began = String(data: data, encoding: .utf8) else { return nil }
        return RecipeChanges.between(began, now)
    }

    /// The recipe file's text now; nil for a recipe built in code or a file that cannot be read.
    public static func text(of recipe: Recipe) -> String? {
        recipe.file.isEmpty ? nil : try? String(contentsOfFile: recipe.file, encoding: .utf8)
    }
}
