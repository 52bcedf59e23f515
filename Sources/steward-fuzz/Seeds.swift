/// Seed messages for fuzzing: one of each structure inspection walks, so mutations start from
/// inputs that reach deep into the code (multipart, attached and hidden messages, every name
/// form, uuencode and yEnc, BinHex, RTF objects, S/MIME and image headers, a zip in a picture's
/// chunk or behind text, UTF-16 text, a calendar invite with a file, winmail.dat, a OneNote section, a small zip).
enum Seeds {
    static let head = "From: Carol <carol@partner.example>\r\nTo: bob@london.union.example\r\nSubject: =?utf-8?q?seed?=\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <seed@partner.example>\r\nMIME-Version: 1.0\r\n"

    /// A zip holding "a.txt" with "hello" (stored), as Python's zipfile writes it.
    static let zipBase64 = "UEsDBAoAAAAAAAAAIQCGphA2BQAAAAUAAAAFAAAAYS50eHRoZWxsb1BLAQIUAwoAAAAAAAAAIQCGphA2BQAAAAUAAAAFAAAAAAAAAAAAAACAAQAAAABhLnR4dFBLBQYAAAAAAQABADMAAAAoAAAAAAA="

    static func multipart(_ parts: [String]) -> String {
        head + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" + parts.map { "--b1\r\n" + $0 + "\r\n" }.joined() + "--b1--\r\n"
    }

    static let all: [String] = [
        head + "Content-Type: text/plain; charset=utf-8\r\n\r\nCONFIDENTIAL: pay offer\r\nEmbargoed until Monday\r\n",
        multipart([
            "Content-Type: text/plain\r\n\r\nHello",
            "Content-Type: application/zip; name=\"a.zip\"\r\nContent-Disposition: attachment; filename=\"a.zip\"; filename*=utf-8''b%2Ejs\r\nContent-Transfer-Encoding: base64\r\n\r\n" + zipBase64,
        ]),
        multipart([
            "Content-Type: message/rfc822\r\n\r\n" + head + "Subject: inner\r\n\r\nInner body",
            "Content-Type: application/octet-stream; name*0=\"fwd\"; name*1=\".eml\"\r\nContent-Disposition: attachment\r\n\r\n" + head + "\r\nHidden message",
        ]),
        multipart([
            "Content-Type: text/plain\r\n\r\nbegin 644 a.exe\r\n#34UH\r\n`\r\nend\r\n",
            "Content-Type: application/mac-binhex40\r\nContent-Disposition: attachment; filename=\"a.hqx\"\r\n\r\n(This file must be converted with BinHex 4.0)\r\n:#'0XB@dZCAKP!%9B43\"$E'&Y!!!!!!)J!!!!!EY969T3!!)!!!!%!!m!rrm!!,J:\r\n",
        ]),
        multipart([
            "Content-Type: application/rtf; name=\"l.rtf\"\r\n\r\n{\\rtf1{\\object{\\*\\objdata 01050000020000000800000050616b6167650000000000000000001000000002004100420000000300010000000000}}}",
            "Content-Type: application/pkcs7-mime; smime-type=signed-data; name=\"smime.p7m\"\r\nContent-Transfer-Encoding: base64\r\n\r\nMIIBAgYJKoZIhvcNAQcCoIH0MIHxAgEBMQAwCwYJKoZIhvcNAQcBoA8EDUNvbnRlbnQ6IHRlc3Q=",
        ]),
        multipart([
            "Content-Type: image/png; name=\"p.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYGAAAAAEAAH2FzhVAAAAAElFTkSuQmCCUEsDBA==",
            "Content-Type: message/partial; id=\"x\"; number=1; total=2\r\n\r\n" + head,
            "Content-Type: text/html\r\n\r\n<html><script>alert(1)</script><form action=\"https://evil.example/\"></form></html>",
        ]),
        multipart([
            "Content-Type: text/plain\r\n\r\n=ybegin line=128 size=5 name=a.js\r\nKKKKK\r\n=yend size=5\r\n",
            "Content-Type: application/zip; name=\"y.zip\"\r\nContent-Transfer-Encoding: x-yencode\r\n\r\n=ybegin line=128 size=5 name=y.zip\r\nK=}KKK\r\n=yend size=5",
            "Content-Type: application/zip; name=\"u.zip\"\r\nContent-Transfer-Encoding: uue\r\n\r\nbegin 644 u.zip\r\n#34UH\r\n`\r\nend",
            // A PNG with a zip in a chunk after IEND.
            "Content-Type: image/png; name=\"z.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYGAAAAAEAAH2FzhVAAAAAElFTkSuQmCCAAAAcXp6WnpQSwMECgAAAAAAAAAhAIamEDYFAAAABQAAAAUAAABhLnR4dGhlbGxvUEsBAhQDCgAAAAAAAAAhAIamEDYFAAAABQAAAAUAAAAAAAAAAAAAAIABAAAAAGEudHh0UEsFBgAAAAABAAEAMwAAACgAAAAAACrgalw=",
            "Content-Type: text/plain; name=\"u.txt\"\r\nContent-Transfer-Encoding: base64\r\n\r\n//5DAE8ATgBGAEkARABFAE4AVABJAEEATAANAAoA",
        ]),
        multipart([
            "Content-Type: text/calendar; method=REQUEST\r\n\r\nBEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY;LANGUAGE=en-GB:C O N F I D E N T I A L\r\nDESCRIPTION:a\\nb\\, c\r\n d\r\nATTACH;ENCODING=BASE64;VALUE=BINARY;X-FILENAME=a.zip:" + zipBase64 + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "Content-Type: application/ms-tnef; name=\"winmail.dat\"\r\nContent-Transfer-Encoding: base64\r\n\r\neJ8+IjQSAgKQBgAOAAAAAQD/////AAAAAAAAAAD9AwIQgAEACwAAAFJFQURNRS5UWFQA3AICD4AGAAUAAABoZWxsbxQCAgWQBgA0AAAAAgAAAB4ABzcBAAAACgAAAHJlYWRtZS5qcwAAAB4ABDcBAAAACwAAAFJFQURNRS5UWFQAACMH",
            // A OneNote section holding one file.
            "Content-Type: application/onenote; name=\"n.one\"\r\nContent-Transfer-Encoding: base64\r\n\r\n5FJce4zYp02usVN40CmW0wAAAAAAAAAAAAAAAAAAAADnFuO9ZSYRRaTEjU0Lep6sBQAAAAAAAAAAAAAAAAAAAAAAAABoZWxsbwAAACKn+3F5DwtKuxOJklZCayQ=",
            // A zip behind a line of text.
            "Content-Type: application/zip; name=\"p.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\nUGFwZXJzLg0K" + zipBase64,
        ]),
    ]
}
