/// The figures page's chart: holds, releases and refusals per week as grouped bars, drawn on
/// the server as SVG (no script, no remote font, no inline style: colours are presentation
/// attributes, which the pages' CSP allows). Every text in it is escaped; the numbers are
/// also in the table beside it, and the whole chart is summed up in its `aria-label`.
public enum FiguresChart {
    /// Series colours, distinguishable with the common colour-vision deficiencies and dark
    /// enough on white (contrast above 4.5:1).
    static let series: [(name: String, one: String, colour: String, value: @Sendable (DecisionCounts) -> Int)] = [
        ("Holds", "hold", "#1f4e8c", { $0.holds }),
        ("Releases", "release", "#a34700", { $0.releases }),
        ("Refusals", "refusal", "#5b2a86", { $0.refusals }),
    ]

    // Layout in viewBox units. The plot is as wide for 4 weeks as for 52, so text and bars
    // keep one size on the page whatever the period; the SVG scales to the page's width.
    static let plotLeft = 40.0
    static let plotTop = 30.0
    static let plotWidth = 560.0
    static let plotHeight = 160.0
    /// At most this many week labels, so they never overlap.
    static let maximumLabels = 13

    public static func svg(_ figures: BranchFigures) -> String {
        let maximum = max(1, figures.perWeek.map { max($0.holds, $0.releases, $0.refusals) }.max() ?? 0)
        let scaleTop = niceCeiling(maximum)
        let width = plotLeft + plotWidth + 10
        let groupWidth = plotWidth / Double(max(1, figures.weeks.count))
        // Three bars and a gap of one bar per week, never wider than 24 units each.
        let barWidth = min(groupWidth / 4, 24)
        let labelEvery = (figures.weeks.count + maximumLabels - 1) / maximumLabels
        let height = plotTop + plotHeight + 40
        let label = summary(figures)
        var out = ##"<svg id="figures-chart" role="img" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \##(format(width)) \##(format(height))" aria-label="\##(HTMLEscape.attribute(label))">"##
        out += "<title>\(HTMLEscape.text(label))</title>"

        // Legend along the top.
        for (index, entry) in series.enumerated() {
            let x = plotLeft + Double(index) * 90
            out += ##"<rect x="\##(format(x))" y="6" width="10" height="10" fill="\##(entry.colour)"/>"##
            out += ##"<text x="\##(format(x + 14))" y="15" font-size="13" fill="#222">\##(entry.name)</text>"##
        }

        // Axis with a gridline at zero, half and the top of the scale.
        let bottom = plotTop + plotHeight
        for step in Set([0, scaleTop / 2, scaleTop]).sorted() {
            let y = bottom - plotHeight * Double(step) / Double(scaleTop)
            out += ##"<line x1="\##(format(plotLeft))" y1="\##(format(y))" x2="\##(format(width - 10))" y2="\##(format(y))" stroke="#bbb" stroke-width="0.5"/>"##
            out += ##"<text x="\##(format(plotLeft - 4))" y="\##(format(y + 4))" font-size="12" text-anchor="end" fill="#222">\##(step)</text>"##
        }

        // One group of three bars per week, labelled with its week number.
        for (column, week) in figures.weeks.enumerated() {
            let counts = figures.perWeek[column]
            let groupX = plotLeft + groupWidth * Double(column) + (groupWidth - 3 * barWidth) / 2
            for (index, entry) in series.enumerated() {
                let value = entry.value(counts)
                guard value > 0 else { continue }
                let barHeight = plotHeight * Double(value) / Double(scaleTop)
                let x = groupX + barWidth * Double(index)
                out += ##"<rect x="\##(format(x))" y="\##(format(bottom - barHeight))" width="\##(format(barWidth * 0.9))" height="\##(format(barHeight))" fill="\##(entry.colour)">"##
                out += "<title>\(HTMLEscape.text("\(week): \(value) " + (value == 1 ? entry.one : entry.name.lowercased())))</title></rect>"
            }
            // The latest week is always labelled; the others every `labelEvery` back from it.
            guard (figures.weeks.count - 1 - column) % labelEvery == 0 else { continue }
            let labelX = groupX + barWidth * 1.5
            out += ##"<text x="\##(format(labelX))" y="\##(format(bottom + 14))" font-size="12" text-anchor="middle" fill="#222">W\##(week.week)</text>"##
        }
        out += ##"<text x="\##(format(plotLeft))" y="\##(format(bottom + 32))" font-size="12" fill="#222">\##(HTMLEscape.text(axisCaption(figures)))</text>"##
        out += "</svg>"
        return out
    }

    /// What the chart shows, in one sentence, for screen readers.
    static func summary(_ figures: BranchFigures) -> String {
        let total = figures.total
        let range = axisCaption(figures)
        guard total.holds > 0 else { return "Branch \(figures.branch): no messages held \(range)." }
        var text = "Branch \(figures.branch), \(range): \(total.holds) held, \(total.releases) released, \(total.refusals) refused"
        if let busiest = figures.weeks.indices.max(by: { figures.perWeek[$0].holds < figures.perWeek[$1].holds }) {
            text += "; most holds in \(figures.weeks[busiest]) (\(figures.perWeek[busiest].holds))"
        }
        return text + "."
    }

    static func axisCaption(_ figures: BranchFigures) -> String {
        guard let first = figures.weeks.first, let last = figures.weeks.last else { return "" }
        return first == last ? "week \(first)" : "weeks \(first) to \(last)"
    }

    /// The top of the scale: 1, 2 or 5 times a power of ten, at least `value`, so gridline
    /// labels are round numbers.
    static func niceCeiling(_ value: Int) -> Int {
        var power = 1
        for _ in 0..<18 {
            for factor in [1, 2, 5] where factor * power >= value { return factor * power }
            power *= 10
        }
        return value
    }

    /// Coordinates with at most one decimal, so the markup is short and stable.
    static func format(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }
}
