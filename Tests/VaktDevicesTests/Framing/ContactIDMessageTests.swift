import Testing
import VaktTesting

@testable import VaktDevices

private typealias F = FramingFixtures

@Suite struct ContactIDMessageTests {
    @Test func checksumDigitOfTheStandardExample() {
        #expect(ContactIDMessage.checksumDigit(for: "123418113101015") == "8")
    }

    /// When the fifteen digits already sum to a multiple of 15 the checksum is F, never 0
    /// (which would count 10).
    @Test func checksumDigitIsFWhenTheSumIsAlreadyAMultiple() {
        // 1+2+3+4 + 1+8 + 1 + 1+3+1 + 10+1 + 10+1+5 = 52 (checksum 8); with zone 012 the sum is 49: B.
        #expect(ContactIDMessage.checksumDigit(for: "123418113101012") == "B")
        #expect(ContactIDMessage.checksumDigit(for: "111111111111111") == "F")
        #expect(ContactIDMessage.checksumDigit(for: "111111111111112") == "E")
        #expect(ContactIDMessage.checksumDigit(for: "111111111111116") == "0")
    }

    @Test func everyChecksumDigitCompletesAMultipleOfFifteen() {
        var random = SplitMix64(seed: 15)
        let digits = Array("0123456789BCDEF")
        for _ in 0..<2000 {
            let fifteen = String((0..<15).map { _ in digits[Int.random(in: 0..<digits.count, using: &random)] })
            guard let checksum = ContactIDMessage.checksumDigit(for: fifteen) else {
                Issue.record("no checksum for \(fifteen)")
                continue
            }
            let sum = ContactIDDigit.weightSum(Array((fifteen + String(checksum)).utf8)[...])
            #expect(sum.map { $0 % 15 == 0 } == true, "\(fifteen)\(checksum)")
        }
    }

    @Test(arguments: ["", "12341811310101", "1234181131010150", "12341811310101G", "12341811310101 "])
    func checksumDigitNeedsFifteenDigits(input: String) {
        #expect(ContactIDMessage.checksumDigit(for: input) == nil)
    }

    @Test func validation() {
        #expect(F.message().invalidReason == nil)
        #expect(F.message(account: "BCDF", code: "E0F", group: "00", zone: "0B0").invalidReason == nil)
        #expect(F.message(account: "12A4").invalidReason == "account \"12A4\" is not 4 Contact ID digits (0-9, B-F)")
        #expect(F.message(account: "123").invalidReason == "account \"123\" is not 4 Contact ID digits (0-9, B-F)")
        #expect(F.message(code: "1b1").invalidReason == "event code \"1b1\" is not 3 Contact ID digits (0-9, B-F)")
        #expect(F.message(group: "1").invalidReason == "group \"1\" is not 2 Contact ID digits (0-9, B-F)")
        #expect(F.message(zone: "0001").invalidReason == "zone \"0001\" is not 3 Contact ID digits (0-9, B-F)")
    }

    @Test func usersAreOpeningsClosingsAndDuress() {
        #expect(ContactIDMessage.reportsUser(code: "401"))
        #expect(ContactIDMessage.reportsUser(code: "441"))
        #expect(ContactIDMessage.reportsUser(code: "121"))
        #expect(!ContactIDMessage.reportsUser(code: "101"))
        #expect(!ContactIDMessage.reportsUser(code: "602"))
    }

    @Test func qualifierNames() {
        #expect(ContactIDQualifier.newEvent.rawValue == "new")
        #expect(ContactIDQualifier.restore.rawValue == "restore")
        #expect(ContactIDQualifier.previous.rawValue == "previous")
    }

    @Test func formatNames() {
        #expect(LineFormat.allCases.map(\.rawValue) == ["ademco-685", "surgard-mlr2", "contact-id-dtmf", "vakt-line"])
        #expect(LineFormat(rawValue: "surgard-mlr2") == .surgardMLR2)
    }
}
