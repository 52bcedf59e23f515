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

    @Test func aStyleSheetPastItsBoundsEndsAndStillHidesWhatItsRulesCouldReach() {
        // 200,000 nested groups: read to a depth of 16, without exhausting the stack; past it,
        // every element with a class or an id is taken as hidden.
        #expect(Self.hides(String(repeating: "@media screen{", count: 200_000) + ".h{display:none}"))
        #expect(Self.hides(String(repeating: "@media screen{", count: 3) + ".h{display:none}"))
        #expect(!Self.hides(String(repeating: "@media screen{", count: 3) + ".h{color:red}"))
        // A hiding rule after a megabyte of padding, after 300 rules under its own class, after
        // 25,000 other hiding rules.
        #expect(Self.hides(String(repeating: ".a{margin:0} ", count: 100_000) + ".h{display:none}"))
        #expect(Self.hides((0..<300).map { ".h[data-\($0)]{display:none}" }.joined() + ".h{display:none}"))
        #expect(Self.hides((0..<25_000).map { ".j\($0){display:none}" }.joined() + ".k{display:none}", "<span class=\"k\">x</span>"))
        #expect(Self.hides((0..<300).map { "span[data-\($0)]{display:none}" }.joined() + "span{display:none}", "<span>x</span>"))
        // Under the bounds, other classes' rules hide nothing of this element.
        #expect(!Self.hides((0..<250).map { ".j\($0){display:none}" }.joined(), "<span class=\"h\">x</span>"))
        // More rules to try for one element than the bound (an element of 5,000 classes): hidden.
        let classes = (0..<5000).map { "c\($0)" }
        #expect(Self.hides(classes.map { ".\($0)[data-q]{display:none}" }.joined(), "<span class=\"\(classes.joined(separator: " "))\">x</span>"))
        // Rules that hide nothing are not kept.
        #expect(HTMLStyleSheet(css: String(repeating: ".a{margin:0;color:#333;width:600px} ", count: 10_000)).isEmpty)
    }

    @Test func escapedNamesAndKeywordsAreReadAsBrowsersReadThem() {
        #expect(Self.hides("sp\\61n{display:none}"))
        #expect(Self.hides(".h{disp\\6c ay:none}"))
        #expect(Self.hides(".h{display:n\\6f ne}"))
        #expect(Self.hides(".\\68 {display:none}"))
        // An escaped brace stays part of a name: the sheet keeps its shape.
        #expect(Self.hides(".a\\7b {color:red} .h{display:none}"))
    }

    @Test func shorthandsAndTransformsThatMoveOrShrinkTextHideIt() {
        #expect(HTMLText.styleHides("position:absolute;margin:0 0 0 -9999px"))
        #expect(HTMLText.styleHides("inset: -5000px auto auto auto"))
        #expect(HTMLText.styleHides("transform:translateX(-9999px)"))
        #expect(HTMLText.styleHides("transform: rotate(2deg) translate(-3000px, 0)"))
        #expect(HTMLText.styleHides("transform:scale(0.01)"))
        #expect(HTMLText.styleHides("scale: 0"))
        #expect(!HTMLText.styleHides("margin:0 auto;transform:translateX(-20px) scale(0.9)"))
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
