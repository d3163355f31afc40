import FuzzEntry

// libFuzzer's entry point for FuzzTarget.idx (Sources/FuzzEntry); libFuzzer provides main.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTarget.idx.fuzz(data, size)
}
