import FuzzEntry

// libFuzzer's entry point for FuzzTarget.gpt2BPE (Sources/FuzzEntry); libFuzzer provides main.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTarget.gpt2BPE.fuzz(data, size)
}
