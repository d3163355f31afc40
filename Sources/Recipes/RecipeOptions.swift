/// A task family's own recipe keys (e.g. translation's `data.languages` and `evaluation.beam`),
/// read by the family and stored in `Recipe.options`. The initial values are the defaults.
public protocol RecipeOptions: Sendable, Equatable {
    init()
}

/// The recipe's family options, one value per type; a type never stored reads as its defaults.
public struct RecipeOptionsStore: Sendable, Equatable {
    private var values: [ObjectIdentifier: any RecipeOptions] = [:]

    public init() {}

    public subscript<Options: RecipeOptions>(_ type: Options.Type) -> Options {
        get { values[ObjectIdentifier(type)] as? Options ?? Options() }
        set { values[ObjectIdentifier(type)] = newValue }
    }

    public static func == (a: RecipeOptionsStore, b: RecipeOptionsStore) -> Bool {
        func same<T: RecipeOptions>(_ x: T, _ y: (any RecipeOptions)?) -> Bool { (y as? T) == x }
        return a.values.count == b.values.count && a.values.allSatisfy { key, value in same(value, b.values[key]) }
    }
}
