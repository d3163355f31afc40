import CFuzzDriver
import FuzzEntry
#if canImport(Glibc)
import Glibc
#endif

// libFuzzer's entry point for FuzzTarget.netpbm (Sources/FuzzEntry).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    return FuzzTarget.netpbm.fuzz(data, size)
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzz))
