/// What the hub answers each decoded frame, so a sender that resends unanswered messages
/// knows which arrived.
extension LineFormat {
    /// The bytes to write back for `decoded`, or `nil` when nothing is sent.
    ///
    /// - `surgard-mlr2`: ACK (0x06) for every Contact ID message and heartbeat. Rejections get
    ///   nothing, so the receiver sends the message again (it retries three times, then keeps
    ///   it in its buffer until the computer answers again).
    /// - `vakt-line`: `$VAKT,ack*HH` CR LF for an accepted frame, and
    ///   `$VAKT,nak,reason=...*HH` CR LF for a rejected one, so a dispenser can resend at once.
    ///   Only rejections whose bytes begin with `$` are answered (garbage between frames is no
    ///   frame anyone waits on), and frames that are themselves `ack` or `nak` never are, so
    ///   a line that echoes cannot loop.
    /// - `ademco-685`, `contact-id-dtmf`: nothing; these outputs have no acknowledgement.
    public func acknowledgement(for decoded: DecodedFrame) -> [UInt8]? {
        switch (self, decoded) {
        case (.surgardMLR2, .frame(.contactID, _)), (.surgardMLR2, .frame(.heartbeat, _)):
            return [0x06]
        case (.vaktLine, .frame(.fields(let fields), _)):
            return fields["ack"] == nil && fields["nak"] == nil ? VaktLineSentence.sentence([("ack", "")]) : nil
        case (.vaktLine, .rejected(let reason, let raw)):
            guard raw.first == UInt8(ascii: "$"), !Self.isAcknowledgement(raw) else { return nil }
            return VaktLineSentence.sentence([("nak", ""), ("reason", Self.nakReason(reason))])
        default:
            return nil
        }
    }

    /// The longest reason a `nak` carries; a reason is cut to fit.
    static let maximumNakReasonBytes = 120

    /// `reason` made fit for a `vakt-line` value: `,` becomes `;`, `=` becomes `:`, other
    /// forbidden or non-printable bytes become `_`, and it is cut to `maximumNakReasonBytes`.
    static func nakReason(_ reason: String) -> String {
        let bytes = reason.utf8.prefix(maximumNakReasonBytes).map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: ","): UInt8(ascii: ";")
            case UInt8(ascii: "="): UInt8(ascii: ":")
            case _ where VaktLineSentence.isValueByte(byte): byte
            default: UInt8(ascii: "_")
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether rejected bytes were an `ack` or `nak` sentence (corrupted on the way).
    private static func isAcknowledgement(_ raw: [UInt8]) -> Bool {
        raw.starts(with: "$VAKT,ack".utf8) || raw.starts(with: "$VAKT,nak".utf8)
    }
}
