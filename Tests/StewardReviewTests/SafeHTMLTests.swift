import Foundation
import StewardReview
import StewardTestSupport
import Testing

/// Hostile HTML bodies through `SafeHTML.sanitize`: whatever goes in, what comes out has only
/// allowed tags and attributes, nothing that runs, nothing that loads, and the text still reads.
@Suite struct SafeHTMLTests {
    // MARK: scripts and handlers

    @Test func scriptElementsAndTheirTextAreGone() throws {
        let out = SafeHTML.sanitize("<p>Hello</p><script>alert('x')</script><SCRIPT src=//evil.example/a.js></SCRIPT>")
        #expect(out == "<p>Hello</p>")
    }

    @Test func eventHandlersAreDropped() throws {
        let out = SafeHTML.sanitize(#"<p onclick="alert(1)" onmouseover=steal()>Hi</p><body onload=go()><div ONFOCUS=x>t</div>"#)
        #expect(out == "<p>Hi</p><div>t</div>")
        try assertClean(out)
    }

    @Test func imageWithOnerrorAndRemoteSourceBecomesANote() throws {
        let out = SafeHTML.sanitize(#"<img src=x onerror="alert(1)" alt="Logo">"#)
        #expect(out == "[image not loaded: Logo]")
    }

    @Test func remoteImagesAreNeverReferenced() throws {
        let html = #"""
            <img src="https://evil.example/pixel.gif?u=sam">
            <img src="//evil.example/p.png" srcset="https://evil.example/2x.png 2x">
            <img src="cid:part1@mail" lowsrc="http://evil.example/l.gif">
            <table background="https://evil.example/bg.png"><tr><td background="http://evil.example/td.png">x</td></tr></table>
            <video poster="https://evil.example/v.png"></video><input type=image src="https://evil.example/i.png">
            <body background="https://evil.example/body.png"><image src="https://evil.example/image.png">
            """#
        let out = SafeHTML.sanitize(html)
        #expect(!out.contains("evil.example"), "remote address survived: \(out)")
        #expect(!out.contains("cid:"))
        #expect(out.contains("[image not loaded]"))
        try assertClean(out)
    }

    @Test func inlineRasterImagesAreKept() throws {
        let png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
        let out = SafeHTML.sanitize(#"<img src="\#(png)" alt="dot" width="10" height="10">"#)
        #expect(out == #"<img src="\#(png)" alt="dot" width="10" height="10">"#)
    }

    @Test func svgAndHtmlDataURLsAreNotImages() throws {
        let out = SafeHTML.sanitize(#"""
            <img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">
            <img src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">
            <img src="data:image/png,notbase64">
            """#)
        #expect(!out.contains("data:"))
        #expect(!out.contains("<img"))
    }

    // MARK: CSS

    @Test func styleSheetsAreDropped() throws {
        let out = SafeHTML.sanitize(#"<style>body { background: url(https://evil.example/s.png) }</style><p>x</p><link rel=stylesheet href="https://evil.example/s.css">"#)
        #expect(out == "<p>x</p>")
    }

    @Test func cssURLsInStyleAttributesAreDropped() throws {
        let cases = [
            #"<div style="background: url(https://evil.example/a.png)">x</div>"#,
            #"<div style="background-image:URL('https://evil.example/a.png')">x</div>"#,
            #"<div style="background-image: u\72l(https://evil.example/a.png)">x</div>"#,
            #"<div style="background-image: /**/url(https://evil.example/a.png)">x</div>"#,
            #"<div style="color: red; background-image: image-set('https://evil.example/a.png' 1x)">x</div>"#,
            #"<div style="width: expression(alert(1))">x</div>"#,
            #"<div style="-moz-binding: url(https://evil.example/x.xml#x)">x</div>"#,
            #"<div style="list-style-image: url(https://evil.example/b.png)">x</div>"#,
            #"<div style="font-family: 'a'; src: url(https://evil.example/f.woff)">x</div>"#,
            #"<div style="color: var(--x); border-image: url(https://evil.example/b.png) 30">x</div>"#,
            #"<div style="background:&#117;rl(https://evil.example/a.png)">x</div>"#,
        ]
        for html in cases {
            let out = SafeHTML.sanitize(html)
            #expect(!out.lowercased().contains("url"), "\(html) → \(out)")
            #expect(!out.contains("evil.example"), "\(html) → \(out)")
            #expect(!out.contains("expression"), "\(html) → \(out)")
            #expect(out.hasSuffix(">x</div>"), "text lost: \(out)")
        }
    }

    @Test func harmlessStylesAreKept() throws {
        let out = SafeHTML.sanitize(#"<p style="COLOR: #c00; font: 12px/1.5 'Open Sans', sans-serif; background-color: rgb(255, 250, 240) !important; position: fixed">x</p>"#)
        #expect(out == #"<p style="color: #c00; font: 12px/1.5 &#39;Open Sans&#39;, sans-serif; background-color: rgb(255, 250, 240)">x</p>"#)
    }

    // MARK: links, frames, forms, head

    @Test func linksAreNotClickableButShowWhereTheyGo() throws {
        let out = SafeHTML.sanitize(#"<a href="https://phish.example/login" title="Your bank">Log in</a> <a href="&#106;avascript:alert(1)">x</a> <a href=" JaVaScRiPt:alert(1)">y</a>"#)
        // The destination is also written beside each link as plain text, so it is seen without hovering.
        let note = #"<bdi dir="ltr"><small style="\#(SafeHTML.linkTargetStyle)">"#
        #expect(out == #"<a title="Link to: https://phish.example/login">Log in</a>\#(note) [https://phish.example/login]</small></bdi> <a title="Link to a non-web address (not shown)">x</a>\#(note) [a non-web address, not shown]</small></bdi> <a title="Link to a non-web address (not shown)">y</a>\#(note) [a non-web address, not shown]</small></bdi>"#)
        #expect(!out.contains("href"))
    }

    @Test func theLinkTargetCannotBeHiddenOrTurnedAroundByTheMail() throws {
        // The mail sets the size to 0 around the link (and back on the link itself), turns the
        // text right to left, and hides a right-to-left override in the address.
        let out = SafeHTML.sanitize(#"<span style="font-size: 0; color: #fff"><bdo dir="rtl"><a style="font-size: 16px; color: #000" href="https://evil.example/\#u{202E}lanigiro.knab">Log in</a></bdo></span>"#)
        let note = try #require(out.range(of: "<small style=\"").map { String(out[$0.lowerBound...].prefix { $0 != ">" }) }, "\(out)")
        #expect(out.contains(#"<bdi dir="ltr"><small style=""#), "isolated left to right: \(out)")
        for property in ["font-size: 12px", "color: #222", "background-color: #ffd"] {
            #expect(note.contains(property), "\(property) in \(note)")
        }
        #expect(out.contains("[https://evil.example/lanigiro.knab]"), "\(out)")
        #expect(!out.unicodeScalars.contains { $0.value == 0x202E })
    }

    @Test func framesObjectsFormsAndHeadAreDropped() throws {
        let html = #"""
            <html><head><title>Secret title</title><meta http-equiv="refresh" content="0;url=https://evil.example/">
            <base href="https://evil.example/"></head><body>
            <iframe src="https://evil.example/f"></iframe><frameset><frame src="https://evil.example/fr"></frameset>
            <object data="https://evil.example/o.swf"></object><embed src="https://evil.example/e.swf">
            <form action="https://evil.example/post"><input name=password><button formaction="https://evil.example/b">Send</button><textarea>typed</textarea></form>
            <svg onload="alert(1)"><a xlink:href="javascript:alert(1)"><text>svg text</text></a></svg>
            <math><maction actiontype="statusline" xlink:href="javascript:alert(1)">m</maction></math>
            <p>Body text</p></body></html>
            """#
        let out = SafeHTML.sanitize(html)
        for forbidden in ["evil.example", "Secret title", "iframe", "object", "embed", "form", "input", "button", "textarea", "typed", "svg", "math", "javascript"] {
            #expect(!out.contains(forbidden), "\(forbidden) survived: \(out)")
        }
        #expect(out.contains("<p>Body text</p>"))
        try assertClean(out)
    }

    @Test func voidElementsTheParserDoesNotKnowDoNotSwallowWhatFollows() throws {
        // libxml2 nests what follows <embed>, <source>, <track> inside them; that text is the mail's.
        let out = SafeHTML.sanitize(#"<embed src="https://evil.example/e.swf"><p>after embed</p><source src=x>after source<track src=y>a<wbr>b"#)
        #expect(out == "<p>after embed</p>after sourcea<wbr>b")
    }

    @Test func commentsAndConditionalCommentsAreDropped() throws {
        let out = SafeHTML.sanitize("<p>a<!-- <script>alert(1)</script> -->b</p><!--[if IE]><script>alert(2)</script><![endif]-->")
        #expect(out == "<p>ab</p>")
    }

    @Test func idsNamesAndClassesAreDroppedSoAMailCannotAimAtThePage() throws {
        let out = SafeHTML.sanitize(#"<div id="flash" class="x" name="csrf"><form id="release-form"><p id="state">released</p></form></div>"#)
        #expect(out == "<div><p>released</p></div>")
    }

    // MARK: broken and tricky markup

    @Test func brokenAndNestedTagTricksComeOutAsTextOrNothing() throws {
        let cases = [
            "<scr<script>ipt>alert(1)</script>",
            "<<script>script>alert(1)<</script>/script>",
            "<img src=x onerror=alert(1)//",
            "<p title=\"</p><script>alert(1)</script>\">t</p>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
            "<textarea><img src=x onerror=alert(1)></textarea>",
            "<title><img src=x onerror=alert(1)></title>",
            "<xmp><img src=x onerror=alert(1)></xmp>",
            "<a href=\"java\u{0}script:alert(1)\">z</a>",
            "<div style=\"x:expression\\28 alert(1)\\29\">e</div>",
            "<table><tr><td><div>unclosed",
            "</p></div></body></html><p>after end",
            "<p>Tom &amp; Jerry &lt;script&gt; &#60;img&#62;</p>",
        ]
        for html in cases {
            let out = SafeHTML.sanitize(html)
            try assertClean(out, input: html)
            #expect(SafeHTML.sanitize(out) == out, "not stable: \(html) → \(out)")
        }
    }

    @Test func escapedTextStaysText() throws {
        let out = SafeHTML.sanitize("<p>Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt; &#60;b&#62;</p>")
        #expect(out == "<p>Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;</p>")
    }

    @Test func unicodeTextSurvivesEvenWithAForeignCharsetDeclared() throws {
        let out = SafeHTML.sanitize(#"<meta charset="iso-8859-1"><p lang="de">Grüße aus Kraków — 東京 😀</p>"#)
        #expect(out == #"<p lang="de">Grüße aus Kraków — 東京 😀</p>"#)
    }

    @Test func structureOfAnOrdinaryNewsletterIsKept() throws {
        let html = #"""
            <table width="100%" cellpadding="4" border="0"><tr><td align="center" bgcolor="#eeeeee">
            <h1>Branch news</h1><ul><li><b>Meeting</b> on <i>Tuesday</i></li><li>Ballot</li></ul>
            <blockquote cite="x">Quoted</blockquote><font color="red" size="2">small print</font><br>
            </td></tr></table>
            """#
        let out = SafeHTML.sanitize(html)
        #expect(out.contains(#"<table width="100%" cellpadding="4" border="0">"#))
        #expect(out.contains(##"<td align="center" bgcolor="#eeeeee">"##))
        #expect(out.contains("<h1>Branch news</h1><ul><li><b>Meeting</b> on <i>Tuesday</i></li><li>Ballot</li></ul>"))
        #expect(out.contains(#"<font color="red" size="2">small print</font><br>"#))
        try assertClean(out)
    }

    @Test func presentationalAttributesWithOddValuesAreDropped() throws {
        let out = SafeHTML.sanitize(#"<td width="javascript:alert(1)" bgcolor="red;background:url(x)" height="20">x</td>"#)
        #expect(!out.contains("javascript"))
        #expect(!out.contains("url"))
        #expect(out.contains(#"height="20""#))
    }

    @Test func deepNestingDoesNotOverflow() throws {
        // libxml2 stops building the tree at its depth limit (256): what is deeper is left
        // out, never passed through unchecked; what is shallower reads as before.
        let shallow = String(repeating: "<div>", count: 200) + "deep" + String(repeating: "</div>", count: 200)
        #expect(SafeHTML.sanitize(shallow) == shallow)
        let depth = 20_000
        let html = String(repeating: "<div>", count: depth) + "deeper" + String(repeating: "</div>", count: depth)
        let out = SafeHTML.sanitize(html)
        try assertClean(out)
        #expect(out.components(separatedBy: "<div>").count == out.components(separatedBy: "</div>").count)
    }

    @Test func emptyAndTextOnlyInput() throws {
        #expect(SafeHTML.sanitize("") == "")
        #expect(SafeHTML.sanitize("plain words") == "plain words")
    }

    /// Random soup built from hostile pieces: every output must pass the same checks, and
    /// sanitizing twice changes nothing (what comes out parses back to itself).
    @Test func randomHostileSoupAlwaysComesOutClean() throws {
        let pieces = [
            "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<img src='https://evil.example/p.gif'>",
            "<div style=\"background:url(https://evil.example/a)\">", "</div>", "<p>", "</p>", "<a href=javascript:alert(1)>",
            "</a>", "<svg onload=alert(1)>", "<style>@import 'https://evil.example/s.css';</style>", "<iframe srcdoc='<script>x</script>'>",
            "<!--", "-->", "<![CDATA[", "]]>", "<", ">", "\"", "'", "&lt;", "&#x3C;", "<table>", "<td background=https://evil.example/b>",
            "<b title='\"><script>alert(1)</script>'>", "text", " ", "<math>", "<noscript>", "</noscript>", "<textarea>", "<form>",
            "<input autofocus onfocus=alert(1)>", "<object data=x>", "<base href=https://evil.example/>", "<meta http-equiv=refresh content='0;url=https://evil.example'>",
            "<font color=red face=\"x\" size=3>", "<span style='color:red;width:expression(1)'>", "&amp;", "ü", "\u{0}",
        ]
        var random = SplitMix64(seed: 7)
        for _ in 0..<400 {
            let count = Int.random(in: 1...30, using: &random)
            let html = (0..<count).map { _ in pieces.randomElement(using: &random)! }.joined()
            let out = SafeHTML.sanitize(html)
            try assertClean(out, input: html)
            #expect(!out.contains("evil.example"), "\(html) → \(out)")
            #expect(SafeHTML.sanitize(out) == out, "not stable: \(html) → \(out)")
        }
    }
}

// MARK: the checks every output must pass

/// Reads the sanitizer's output as a browser's tokenizer would see it. Every `<` that is not
/// escaped starts a tag, so listing tags and attributes this way sees everything that is markup.
private func assertClean(_ out: String, input: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws {
    // Written out here on purpose rather than read from SafeHTML: an element added to the
    // sanitizer's list by mistake must fail this test. None of these can run or fetch anything.
    let allowedTags = Set("""
        p div span br hr pre blockquote address center h1 h2 h3 h4 h5 h6
        b i u s em strong small big tt code kbd samp var sub sup mark del ins strike q cite dfn abbr bdi bdo font time wbr
        ul ol li dl dt dd table caption colgroup col thead tbody tfoot tr td th
        a img article aside footer header main nav section figure figcaption details summary
        """.split(whereSeparator: \.isWhitespace).map(String.init))
    let allowedAttributes: Set<String> = [
        "title", "lang", "dir", "align", "valign", "width", "height", "colspan", "rowspan", "span", "border",
        "cellpadding", "cellspacing", "bgcolor", "color", "face", "size", "alt", "style", "start", "type",
        "reversed", "nowrap", "datetime", "cite", "abbr", "scope", "open", "src",
    ]
    let context = "input: \(input)\noutput: \(out)"
    let scalars = Array(out.unicodeScalars)
    var index = 0
    while index < scalars.count {
        guard scalars[index] == "<" else { index += 1; continue }
        guard let end = scalars[index...].firstIndex(of: ">") else {
            Issue.record("unterminated tag\n\(context)", sourceLocation: sourceLocation)
            return
        }
        let tag = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
        index = end + 1
        let closing = tag.hasPrefix("/")
        let body = closing ? String(tag.dropFirst()) : tag
        let name = String(body.prefix { $0.isLetter || $0.isNumber })
        #expect(allowedTags.contains(name), "tag <\(tag)>\n\(context)", sourceLocation: sourceLocation)
        if closing {
            #expect(body == name, "closing tag with more in it <\(tag)>\n\(context)", sourceLocation: sourceLocation)
            continue
        }
        // Attributes: name="value" pairs, values escaped (so no raw quote or angle bracket).
        var rest = Substring(body.dropFirst(name.count))
        while !rest.isEmpty {
            guard rest.hasPrefix(" ") else {
                Issue.record("unexpected text in tag <\(tag)>\n\(context)", sourceLocation: sourceLocation)
                break
            }
            rest = rest.dropFirst()
            let attribute = rest.prefix { $0 != "=" }
            rest = rest.dropFirst(attribute.count)
            guard rest.hasPrefix("=\""), let close = rest.dropFirst(2).firstIndex(of: "\"") else {
                Issue.record("attribute without a quoted value in <\(tag)>\n\(context)", sourceLocation: sourceLocation)
                break
            }
            let value = String(rest[rest.index(rest.startIndex, offsetBy: 2)..<close])
            rest = rest[rest.index(after: close)...]
            #expect(allowedAttributes.contains(String(attribute)), "attribute \(attribute) in <\(tag)>\n\(context)", sourceLocation: sourceLocation)
            #expect(!attribute.hasPrefix("on"), sourceLocation: sourceLocation)
            if attribute == "src" {
                #expect(name == "img" && value.hasPrefix("data:image/") && !value.hasPrefix("data:image/svg"), "src \(value)\n\(context)", sourceLocation: sourceLocation)
            }
            if attribute == "style" {
                let lowered = value.lowercased()
                for bad in ["url", "expression", "import", "\\", "/*", "image", "binding"] {
                    #expect(!lowered.contains(bad), "style \(value)\n\(context)", sourceLocation: sourceLocation)
                }
            }
            if attribute != "title" && attribute != "alt" {
                #expect(!value.lowercased().contains("javascript"), "\(attribute)=\(value)\n\(context)", sourceLocation: sourceLocation)
            }
        }
    }
}
