import Foundation
import VaktFuzzTargets

// Two programs in one target.
//
// Built by scripts/fuzz with `-sanitize=fuzzer -D FUZZING`, it is a libFuzzer target: the
// target comes from VAKT_FUZZ_TARGET (payload, frames, command, contactid) and libFuzzer's
// own options from the command line. SwiftPM links an executable's entry point under the
// target's name (`vakt_fuzz_main`), so that function hands over to libFuzzer's driver.
//
// Built normally, it replays inputs: `vakt-fuzz TARGET FILE...` feeds each file to the
// target, to reproduce a crash the fuzzer reported.

#if FUZZING
    let fuzzTarget: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["VAKT_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("set VAKT_FUZZ_TARGET to one of: \(names)\n".utf8))
            exit(2)
        }
        let loaded = FuzzTarget.prepare()
        if loaded.payloadProfiles == 0 {
            FileHandle.standardError.write(
                Data("no device profiles found: set VAKT_DEVICES to the Devices directory\n".utf8))
            exit(2)
        }
        return target
    }()

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        fuzzTarget.run(bytes)
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    @_cdecl("vakt_fuzz_main")
    public func fuzzMain(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    ) -> CInt {
        _ = fuzzTarget
        var count = argc
        var arguments = argv
        return runFuzzerDriver(&count, &arguments) { data, size in fuzzOne(data, size) }
    }
#endif
