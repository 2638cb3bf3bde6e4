/// How a serial line frames its messages: which receiver output, or Vakt's own protocol.
///
/// The raw values are the names used in device profiles (`format: surgard-mlr2`). See
/// docs/devices/contact-id.md and docs/devices/dispenser.md for the bytes of each.
public enum LineFormat: String, Sendable, Equatable, CaseIterable {
    /// Ademco 685 Contact ID computer output: `<LF>RG AAAA 18 QXYZ GG FCCC<CR>`. No acknowledgement.
    case ademco685 = "ademco-685"
    /// Sur-Gard MLR2 Contact ID (`5RRL 18AAAAQXYZGGCCC<DC4>`) and heartbeats, each acknowledged with ACK.
    case surgardMLR2 = "surgard-mlr2"
    /// The raw 16-digit Contact ID DTMF message with its checksum digit, one per line.
    case contactIDDTMF = "contact-id-dtmf"
    /// Vakt's own `$VAKT,key=value,...*HH` lines, acknowledged with `$VAKT,ack` or `$VAKT,nak`.
    case vaktLine = "vakt-line"
}
