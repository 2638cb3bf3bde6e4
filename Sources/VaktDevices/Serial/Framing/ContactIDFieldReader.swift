/// Reads the fields every Contact ID format shares, with one wording of faults for all of them.
enum ContactIDFieldReader {
    /// `count` Contact ID digits named `name` ("account", "event code"), in canonical spelling.
    static func digits(_ bytes: ArraySlice<UInt8>, count: Int, name: String) throws(FrameRejection) -> String {
        guard let text = ContactIDDigit.read(bytes, count: count) else {
            throw FrameRejection("bad \(name) \(FrameText.quoted(bytes)) (expected \(count) digits 0-9, B-F)")
        }
        return text
    }

    /// Checks the message type: `18`, or `98`, which some panels send for the same format.
    static func identifier(_ bytes: ArraySlice<UInt8>) throws(FrameRejection) {
        guard bytes.elementsEqual("18".utf8) || bytes.elementsEqual("98".utf8) else {
            throw FrameRejection("bad Contact ID identifier \(FrameText.quoted(bytes)) (expected 18 or 98)")
        }
    }

    /// A qualifier digit `1`/`3`/`6`, or with `letters` also the printed `E`/`R`/`P`.
    static func qualifier(_ byte: UInt8?, letters: Bool) throws(FrameRejection) -> ContactIDQualifier {
        guard let byte, let qualifier = ContactIDQualifier(byte: byte, letters: letters) else {
            let expected = letters ? "E, R or P (or 1, 3 or 6)" : "1, 3 or 6"
            throw FrameRejection(
                "bad Contact ID qualifier \(byte.map(FrameText.character) ?? "(none)") (expected \(expected))")
        }
        return qualifier
    }
}
