/// A small deterministic mutator (SplitMix64): flips, interesting bytes, inserts, deletes,
/// duplications, splices between seeds, and MIME tokens that open new paths in the walker.
struct Mutator {
    var state: UInt64
    let seeds: [[UInt8]]

    static let tokens: [[UInt8]] = [
        "\r\n\r\n", "--b1\r\n", "--b1--", "Content-Type: message/rfc822\r\n\r\n", "Content-Type: multipart/mixed; boundary=\"b1\"\r\n",
        "Content-Transfer-Encoding: base64\r\n", "=?utf-8?b?", "?=", "filename*0*=utf-8''%E2%80%AE", "; name=\"x.exe\"",
        "begin 644 x\r\n", "(This file must be converted with BinHex 4.0)\r\n:", "{\\rtf1{\\*\\objdata 0105", "PK\u{3}\u{4}",
        "From: a@b\r\nSubject: x\r\n\r\n", "%PDF-1.4 /JavaScript",
    ].map { Array($0.utf8) } + [
        [0x53, 0x5A, 0x44, 0x44, 0x88, 0xF0, 0x27, 0x33],  // SZDD
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],  // PNG
        [0xFF, 0xD8, 0xFF, 0xE0], [0xFF, 0xD9],  // JPEG start and end
    ]

    init(seed: UInt64, seeds: [[UInt8]]) {
        state = seed
        self.seeds = seeds
    }

    mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(random() % UInt64(bound)) }

    mutating func next() -> [UInt8] {
        var bytes = seeds[below(seeds.count)]
        for _ in 0...below(8) {
            let at = below(bytes.count + 1)
            switch below(7) {
            case 0 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] ^= UInt8(1 << below(8))
            case 1 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] = [0, 0xFF, 0x7F, 0x80, 0x0A, 0x0D, 0x3A, 0x3D][below(8)]
            case 2: bytes.insert(contentsOf: (0..<below(16)).map { _ in UInt8(truncatingIfNeeded: random()) }, at: at)
            case 3: bytes.removeSubrange(at..<min(bytes.count, at + below(64)))
            case 4 where at < bytes.count:
                let piece = bytes[at..<min(bytes.count, at + below(256))]
                bytes.insert(contentsOf: piece, at: below(bytes.count + 1))
            case 5:
                let other = seeds[below(seeds.count)]
                let start = below(other.count)
                bytes.insert(contentsOf: other[start..<min(other.count, start + below(512))], at: at)
            default: bytes.insert(contentsOf: Self.tokens[below(Self.tokens.count)], at: at)
            }
            if bytes.count > 256 * 1024 { bytes.removeSubrange((256 * 1024)...) }
        }
        return bytes
    }
}
