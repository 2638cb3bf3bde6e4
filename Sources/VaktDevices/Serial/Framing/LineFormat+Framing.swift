/// The bytes that delimit each format's frames, and which parser reads them.
extension LineFormat {
    /// The byte every frame begins with, for formats that have one: resynchronisation
    /// after garbage waits for it.
    var startByte: UInt8? {
        switch self {
        case .ademco685: 0x0A
        case .vaktLine: UInt8(ascii: "$")
        case .surgardMLR2, .contactIDDTMF: nil
        }
    }

    /// Whether `byte` ends a frame.
    func isTerminator(_ byte: UInt8) -> Bool {
        switch self {
        case .ademco685: byte == 0x0D
        case .surgardMLR2: byte == 0x14
        case .contactIDDTMF: byte == 0x0D || byte == 0x0A
        case .vaktLine: byte == 0x0A
        }
    }

    /// Idle line noise, never reported as garbage: NUL, tab, LF, CR and space.
    static func isNoise(_ byte: UInt8) -> Bool {
        byte == 0x00 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x20
    }

    /// Reads one frame: for start-byte formats from the start byte, for the others the line
    /// from its first byte after idle noise; the terminator is not included.
    func parse(_ frame: ArraySlice<UInt8>) -> Result<SerialFrame, FrameRejection> {
        switch self {
        case .ademco685: Ademco685Parser.parse(frame.dropFirst())
        case .surgardMLR2: SurGardParser.parse(frame)
        case .contactIDDTMF: ContactIDDTMFParser.parse(frame)
        case .vaktLine: VaktLineParser.parse(frame)
        }
    }

    /// Whether a frame of a format without start byte may begin at `index` of `line`: where
    /// to look for a frame behind garbage on the same line.
    func mayStartFrame(_ line: ArraySlice<UInt8>, at index: Int) -> Bool {
        switch self {
        case .surgardMLR2: SurGardParser.mayStart(line[index])
        case .contactIDDTMF: ContactIDDTMFParser.mayStart(line[index...])
        case .ademco685, .vaktLine: false
        }
    }

    /// The frame's `raw`: without Ademco's start LF, and without the CR before a `vakt-line` LF.
    func raw(_ frame: ArraySlice<UInt8>) -> [UInt8] {
        switch self {
        case .ademco685: Array(frame.dropFirst())
        case .vaktLine where frame.last == 0x0D: Array(frame.dropLast())
        default: Array(frame)
        }
    }
}
