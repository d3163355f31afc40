import Testing
@testable import Recipes

@Suite struct RecipeChangesTests {
    static let recipe = """
        # a comment
        name: tiny
        training:
          steps: 3600            # why this many
          betas: [0.9, 0.98]
        export: {name: tiny, average: 5}
        """

    /// Comments, flow or block style, quoting and key order are not settings.
    @Test func layoutAndCommentsAreNoChange() {
        let relaid = """
            export:
              average: 5
              name: "tiny"
            name: tiny   # renamed comment
            training: {betas: [0.9, 0.98], steps: 3600}
            """
        #expect(RecipeChanges.between(Self.recipe, relaid) == [])
        #expect(RecipeChanges.between(Self.recipe, Self.recipe) == [])
    }

    /// Each changed, added or removed key once, by its dotted name, sorted; a sequence is one value.
    @Test func changedAddedAndRemovedKeysAreListed() {
        let changed = """
            name: tiny
            training:
              steps: 5200
              betas: [0.9, 0.999]
              label_smoothing: 0.1
            export: {name: tiny}
            """
        #expect(RecipeChanges.between(Self.recipe, changed) == [
            "export.average 5 → (absent)",
            "training.betas [0.9, 0.98] → [0.9, 0.999]",
            "training.label_smoothing (absent) → 0.1",
            "training.steps 3600 → 5200",
        ])
    }

    /// Text that is not YAML is compared whole rather than read as no settings at all.
    @Test func textThatIsNotYAMLIsItsOwnValue() {
        #expect(RecipeChanges.between(Self.recipe, "name: [unclosed").contains("(text) (absent) → name: [unclosed"))
        #expect(RecipeChanges.between("name: [unclosed", "name: [unclosed") == [])
    }
}
