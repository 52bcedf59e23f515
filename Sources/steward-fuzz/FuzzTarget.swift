import StewardCore
import StewardInspection

/// The one entry point every fuzzing run calls: inspect the bytes as a message, the way the
/// milter does (MIME walk, true types, archives, carried files, document text), under limits
/// small enough that one input cannot take long. An input may fail inspection (that is an
/// answer, tempfail); it may never crash, hang or leak.
enum FuzzTarget {
    static let inspector = Inspector(limits: InspectionLimits(
        maxDepth: 30, maxParts: 300, maxDecodedBytes: 8 * 1024 * 1024, timeoutSeconds: 10,
        maxArchiveDepth: 32, maxArchiveMembers: 300, maxExpandedBytes: 8 * 1024 * 1024))

    static func run(_ bytes: [UInt8]) {
        guard let message = try? inspector.inspect(bytes: bytes) else { return }
        // Touch what policy reads, so lazily built values are built too.
        var total = message.linkHosts.count + message.headers.count
        for part in message.allParts {
            total &+= part.allNames.count &+ (part.documentText?.segments.count ?? 0) &+ part.messageHeaders.count
            total &+= part.content.head.count
        }
        sink = total
    }

    nonisolated(unsafe) static var sink = 0
}

#if STEWARD_LIBFUZZER
/// libFuzzer's entry point (built by scripts/fuzz with -sanitize=fuzzer,address).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    FuzzTarget.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's entry point as `<module>_main` (`--defsym main=…`), so the
/// program's main hands over to libFuzzer's driver itself.
@_cdecl("steward_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzOne(data, size) }
}
#endif
