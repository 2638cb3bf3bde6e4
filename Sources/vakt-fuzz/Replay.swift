import Foundation
import VaktFuzzTargets

#if !FUZZING
    /// `vakt-fuzz TARGET FILE...`: feeds each file to the target, to reproduce what the fuzzer
    /// reported.
    @main
    enum Replay {
        static func main() {
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
                let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
                FileHandle.standardError.write(Data("usage: vakt-fuzz \(names) FILE...\n".utf8))
                exit(2)
            }
            FuzzTarget.prepare()
            for file in arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("cannot read \(file)\n".utf8))
                    exit(1)
                }
                target.run(Array(data))
                print("\(file): ok")
            }
        }
    }
#endif
