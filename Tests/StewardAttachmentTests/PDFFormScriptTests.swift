import Foundation
import StewardCore
import Testing

/// Fillable PDF forms (an expenses claim, a membership form): Acrobat and LibreOffice give each
/// number, date and total field a script that only calls Acrobat's own form functions. Such a
/// form is no program and passes; a script that does anything more is still held.
@Suite struct PDFFormScriptTests {
    let judge = Judge()

    /// A catalog with an AcroForm whose fields carry `actions` (each an `/AA` dictionary).
    static func form(_ actions: [String]) -> [UInt8] {
        let fields = actions.enumerated().map { index, action in
            "<< /FT /Tx /T (Field\(index)) /Rect [0 0 100 20] /AA << \(action) >> >>"
        }
        return Files.pdf("/AcroForm << /Fields [ \(fields.joined(separator: " ")) ] /DA (/Helv 0 Tf 0 g) >>")
    }

    static let expensesClaim = [
        #"/F << /S /JavaScript /JS (AFNumber_Format\(2, 0, 0, 0, "\\342\\202\\254", true\);) >> /K << /S /JavaScript /JS (AFNumber_Keystroke\(2, 0, 0, 0, "", true\);) >>"#,
        #"/F << /S/JavaScript/JS(AFDate_FormatEx\("dd/mm/yyyy"\);) >> /K << /S /JavaScript /JS (AFDate_KeystrokeEx\("dd/mm/yyyy"\);) >>"#,
        #"/C << /S /JavaScript /JS (AFSimple_Calculate\("SUM", new Array \("Hours", "Overtime"\)\);) >> /V << /S /JavaScript /JS (AFRange_Validate\(true, 0, true, 100\);) >>"#,
        // Written as a hex string in UTF-16 with its byte order mark: AFSpecial_Format(0);
        "/F << /S /JavaScript /JS <FEFF00410046005300700065006300690061006C005F0046006F0072006D00610074002800300029003B> >>",
        #"/F << /S /JavaScript /JS (AFPercent_Format\(1, 0\)\n) >>"#,
    ]

    @Test func aFillableFormWhoseFieldsOnlyFormatAndAddUpPasses() throws {
        #expect(try judge.findings(Mail.attached("expenses-claim.pdf", Self.form(Self.expensesClaim), type: "application/pdf")) == [])
    }

    @Test func aFormPackedInACompressedObjectStreamPassesToo() throws {
        let bytes = try PDFObjectStreamTests.pdf(objects: [
            "<< /Type /Action /S /JavaScript /JS (AFNumber_Format\\\\(2, 0, 0, 0, \"\", true\\\\);) >>", "<< /Length 0 >>",
        ])
        #expect(try judge.findings(Mail.attached("membership-form.pdf", bytes, type: "application/pdf")) == [])
    }

    @Test("a script that does more than format a field is held", arguments: [
        #"/F << /S /JavaScript /JS (AFNumber_Format\(2, 0, 0, 0, "", true\); app.launchURL\("https://evil.example/"\);) >>"#,
        #"/F << /S /JavaScript /JS (AFNumber_Format\(eval\("1"\)\);) >>"#,
        #"/C << /S /JavaScript /JS (AFSimple_Calculate\("SUM", new Array \(this.getField\("x"\).value\)\);) >>"#,
        #"/F << /S /JavaScript /JS (AFNumber_Format\(2\) // note) >>"#,
        #"/F << /S /JavaScript /JS (AFUnknown_Thing\(2\);) >>"#,
        #"/F << /S /JavaScript /JS (AFNumber_Format\(2\) + 1) >>"#,
        "/F << /S /JavaScript /JS 12 0 R >>",
        "/F << /S /JavaScript /JS <414641> >>",
        "/F << /S /JavaScript /JS (AFSpecial_KeystrokeEx\\(\"\(String(repeating: "9", count: 300))\"\\);) >>",
    ])
    func formScriptsThatDoMoreAreHeld(action: String) throws {
        let findings = try judge.findings(Mail.attached("form.pdf", Self.form(Self.expensesClaim + [action]), type: "application/pdf"))
        #expect(findings == [#"pdf-active-content: part 2 "form.pdf": PDF with JavaScript"#], "\(action)")
    }

    @Test func documentScriptsAreHeldWhateverTheyCall() throws {
        let names = Files.pdf("/Names << /JavaScript << /Names [(init) << /S /JavaScript /JS (AFNumber_Format\\(2\\);) >>] >> >>")
        #expect(try judge.rules(Mail.attached("form.pdf", names, type: "application/pdf")) == ["pdf-active-content"])
    }
}
