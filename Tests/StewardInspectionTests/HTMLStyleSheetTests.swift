@testable import StewardInspection
import Testing

/// The reader of an HTML body's style sheets (`HTMLStyleSheet`) on hostile style text: it
/// ends, and reads what follows the trap.
@Suite struct HTMLStyleSheetTests {
    static func hides(_ css: String, _ element: String = "<span class=\"h\">x</span>") -> Bool {
        guard let tree = XMLTree(html: Array("<html><body><p>\(element)</p></body></html>".utf8)),
              let span = tree.root?.children.first?.children.first?.children.first else { return false }
        let sheet = HTMLStyleSheet(css: css)
        return HTMLText.isHidden(span, sheet: sheet)
    }

    @Test func aStyleSheetPastItsBoundsEndsAndHidesEveryElement() {
        // 200,000 nested groups: read to a depth of 16, without exhausting the stack; past it,
        // every element is taken as hidden, so nothing is left out of the shown reading.
        #expect(Self.hides(String(repeating: "@media screen{", count: 200_000) + ".h{display:none}"))
        #expect(Self.hides(String(repeating: "@media screen{", count: 3) + ".h{display:none}"))
        #expect(!Self.hides(String(repeating: "@media screen{", count: 3) + ".h{color:red}"))
        // A hiding rule after a megabyte of padding, or after 300 rules under its own class.
        #expect(Self.hides(String(repeating: ".a{margin:0} ", count: 100_000) + ".h{display:none}"))
        #expect(Self.hides((0..<300).map { ".h[data-\($0)]{display:none}" }.joined() + ".h{display:none}"))
        #expect(Self.hides((0..<25_000).map { ".j\($0){display:none}" }.joined() + "span{display:none}", "<span>x</span>"))
        // Under the bounds, other classes' rules hide nothing of this element.
        #expect(!Self.hides((0..<250).map { ".j\($0){display:none}" }.joined(), "<span class=\"h\">x</span>"))
        // Unclosed comments, strings and blocks end the sheet; what came before still counts.
        #expect(Self.hides(".h{display:none} /* never closed"))
        #expect(Self.hides(".h{display:none} .a{content:'never closed"))
        #expect(Self.hides(".h{display:none} .a{color:red"))
        // Rules that hide nothing are not kept.
        #expect(HTMLStyleSheet(css: String(repeating: ".a{margin:0;color:#333;width:600px} ", count: 10_000)).isEmpty)
    }

    @Test func selectorsAreMatchedByTheirSubject() {
        #expect(Self.hides("div > p span.h { display: none }"))
        #expect(Self.hides("#i{display:none}", "<span id=\"I\">x</span>"))
        #expect(Self.hides("[class~=h]{display:none}"))
        #expect(Self.hides("*{visibility:hidden}"))
        #expect(Self.hides("<!--.h{display:none}-->"))
        #expect(!Self.hides("span.other{display:none}"))
        #expect(!Self.hides(".h::before{display:none}"))
        #expect(!Self.hides("p{display:none}"), "the paragraph is hidden, not this span by itself")
        #expect(!Self.hides(".h{position:absolute;clip:rect(auto auto auto auto)}"), "rect(auto…) clips nothing")
        #expect(!Self.hides("@font-face{font-family:x} @keyframes k{from{opacity:0}} .h{color:red}"))
    }
}
