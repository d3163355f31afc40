import FuzzEntry

// libFuzzer's entry point for FuzzTarget.recipeYAML (Sources/FuzzEntry); libFuzzer provides main.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTarget.recipeYAML.fuzz(data, size)
}
