//! Charts drawn as SVG on the server, by hand (no chart library, no script): horizontal bars, a
//! bar of shares, a box plot and stacked bars for a crosstab. Each is a whole SVG document with a
//! `<title>` and a `<desc>` for screen readers (`role="img"`), readable at 360 px (labels above
//! their bars, not beside them), its n and base written in it, and the same file whether it is
//! shown in the page or downloaded to paste into a report.

/// One bar: its label, its value, and what a share is of (the base), if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub base: Option<u64>,
}

/// A chart's words: title, description, and the note under it (n, base, filters).
#[derive(Debug, Clone)]
pub struct Caption {
    pub title: String,
    pub desc: String,
    pub note: String,
}

// Narrow, so that at 360 px (the chart about 280 px wide) the text stays about 13 px.
const WIDTH: f64 = 320.0;
const PAD: f64 = 8.0;
/// Characters per line of the title, of a bar's label and of the note (at their font sizes).
const TITLE_CHARS: usize = 32;
const LABEL_CHARS: usize = 38;
const NOTE_CHARS: usize = 42;
const INK: &str = "#1a1a1a";
const BAR: &str = "#0b4f9c";
/// Segment colours of stacked bars: distinguishable, each at least 3:1 against white.
const SEGMENTS: &[&str] = &[
    "#0b4f9c", "#b35900", "#2e7d32", "#8e24aa", "#c62828", "#00695c", "#5d4037", "#455a64",
];

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number as the chart writes it: whole numbers plain, shares as percentages.
pub fn number(value: f64, percent: bool) -> String {
    if percent {
        format!("{:.1} %", value * 100.0)
    } else if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// Splits a long label into lines of about `width` characters.
fn lines(text: &str, width: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    for word in text.split_whitespace() {
        let last = out.last_mut().expect("a line");
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > width {
            out.push(word.to_owned());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    out
}

fn document(id: &str, caption: &Caption, height: f64, body: &str) -> String {
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" \
         role=\"img\" aria-labelledby=\"{id}-t {id}-d\" font-family=\"system-ui, sans-serif\" \
         font-size=\"15\">\n<title id=\"{id}-t\">{}</title>\n<desc id=\"{id}-d\">{}</desc>\n\
         <rect width=\"{WIDTH}\" height=\"{height}\" fill=\"#ffffff\"/>\n",
        escape(&caption.title),
        escape(&caption.desc)
    );
    let mut y = 20.0;
    for line in lines(&caption.title, TITLE_CHARS) {
        out.push_str(&format!(
            "<text x=\"{PAD}\" y=\"{y}\" font-size=\"16\" font-weight=\"700\" fill=\"{INK}\">{}</text>\n",
            escape(&line)
        ));
        y += 20.0;
    }
    out.push_str(body);
    let mut y = height - 8.0 - 16.0 * (lines(&caption.note, NOTE_CHARS).len() as f64 - 1.0);
    for line in lines(&caption.note, NOTE_CHARS) {
        out.push_str(&format!(
            "<text x=\"{PAD}\" y=\"{y}\" font-size=\"13\" fill=\"#4a4a4a\">{}</text>\n",
            escape(&line)
        ));
        y += 16.0;
    }
    out.push_str("</svg>\n");
    out
}

fn title_height(caption: &Caption) -> f64 {
    20.0 + 20.0 * lines(&caption.title, TITLE_CHARS).len() as f64
}

fn note_height(caption: &Caption) -> f64 {
    12.0 + 16.0 * lines(&caption.note, NOTE_CHARS).len() as f64
}

/// Horizontal bars, one per value, each labelled above; `percent` writes values as shares.
pub fn bars(id: &str, caption: &Caption, bars: &[Bar], percent: bool) -> String {
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let top = title_height(caption);
    let mut body = String::new();
    let mut y = top;
    let span = WIDTH - 2.0 * PAD - 70.0;
    for bar in bars {
        for line in lines(&bar.label, LABEL_CHARS) {
            body.push_str(&format!(
                "<text x=\"{PAD}\" y=\"{:.1}\" fill=\"{INK}\">{}</text>\n",
                y + 12.0,
                escape(&line)
            ));
            y += 18.0;
        }
        let full = if percent { 1.0 } else { max };
        let width = if full > 0.0 {
            (bar.value / full * span).max(1.0)
        } else {
            1.0
        };
        body.push_str(&format!(
            "<rect x=\"{PAD}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"14\" fill=\"{BAR}\"/>\n\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{INK}\">{}</text>\n",
            y + 2.0,
            PAD + width + 6.0,
            y + 13.0,
            escape(&number(bar.value, percent))
        ));
        y += 24.0;
    }
    let height = y + note_height(caption);
    document(id, caption, height, &body)
}

/// The five numbers of a box plot (minimum, quartiles, median, maximum), on one axis in `unit`.
pub fn box_plot(id: &str, caption: &Caption, five: [f64; 5], unit: &str) -> String {
    let top = title_height(caption) + 10.0;
    let [min, q1, median, q3, max] = five;
    let span = WIDTH - 2.0 * PAD - 20.0;
    let x = |v: f64| {
        if max > min {
            PAD + 10.0 + (v - min) / (max - min) * span
        } else {
            PAD + 10.0 + span / 2.0
        }
    };
    let mid = top + 20.0;
    let mut body = format!(
        "<line x1=\"{:.1}\" y1=\"{mid}\" x2=\"{:.1}\" y2=\"{mid}\" stroke=\"{INK}\" stroke-width=\"2\"/>\n\
         <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"28\" fill=\"#dbe6f4\" stroke=\"{BAR}\" stroke-width=\"2\"/>\n\
         <line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{INK}\" stroke-width=\"3\"/>\n",
        x(min),
        x(max),
        x(q1),
        mid - 14.0,
        (x(q3) - x(q1)).max(1.0),
        x(median),
        mid - 14.0,
        x(median),
        mid + 14.0
    );
    for v in [min, max] {
        body.push_str(&format!(
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{INK}\" stroke-width=\"2\"/>\n",
            x(v),
            mid - 9.0,
            x(v),
            mid + 9.0
        ));
    }
    let mut y = mid + 36.0;
    for (label, v) in [
        ("min", min),
        ("Q1", q1),
        ("median", median),
        ("Q3", q3),
        ("max", max),
    ] {
        body.push_str(&format!(
            "<text x=\"{PAD}\" y=\"{y:.1}\" fill=\"{INK}\">{label}: {} {}</text>\n",
            escape(&number(v, false)),
            escape(unit)
        ));
        y += 18.0;
    }
    let height = y + note_height(caption);
    document(id, caption, height, &body)
}

/// Stacked bars of shares: one bar per row, one segment per answer, with a legend.
pub fn stacked(
    id: &str,
    caption: &Caption,
    answers: &[String],
    rows: &[(String, Vec<u64>, u64)],
) -> String {
    let top = title_height(caption);
    let mut body = String::new();
    let mut y = top;
    // The legend: each answer's colour.
    for (i, answer) in answers.iter().enumerate() {
        let colour = SEGMENTS[i % SEGMENTS.len()];
        body.push_str(&format!(
            "<rect x=\"{PAD}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\n\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{INK}\">{}</text>\n",
            y + 2.0,
            PAD + 18.0,
            y + 12.0,
            escape(answer)
        ));
        y += 19.0;
    }
    y += 8.0;
    let span = WIDTH - 2.0 * PAD;
    for (label, counts, total) in rows {
        for line in lines(&format!("{label} (n = {total})"), LABEL_CHARS) {
            body.push_str(&format!(
                "<text x=\"{PAD}\" y=\"{:.1}\" fill=\"{INK}\">{}</text>\n",
                y + 12.0,
                escape(&line)
            ));
            y += 18.0;
        }
        let sum: u64 = counts.iter().sum();
        let mut x = PAD;
        for (i, count) in counts.iter().enumerate() {
            if sum == 0 || *count == 0 {
                continue;
            }
            let width = *count as f64 / sum as f64 * span;
            body.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"16\" fill=\"{}\"><title>{}: {count}</title></rect>\n",
                y + 2.0,
                SEGMENTS[i % SEGMENTS.len()],
                escape(answers.get(i).map(String::as_str).unwrap_or_default())
            ));
            x += width;
        }
        y += 26.0;
    }
    let height = y + note_height(caption);
    document(id, caption, height, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caption() -> Caption {
        Caption {
            title: "Hearings adjourned <all>".into(),
            desc: "Share of observed hearings".into(),
            note: "n = 3 of 4 hearings".into(),
        }
    }

    #[test]
    fn a_chart_is_one_escaped_svg_document_with_its_words() {
        let svg = bars(
            "f",
            &caption(),
            &[
                Bar {
                    label: "Roma & Egyptians".into(),
                    value: 3.0,
                    base: None,
                },
                Bar {
                    label: "Disability".into(),
                    value: 1.0,
                    base: None,
                },
            ],
            false,
        );
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("<title id=\"f-t\">Hearings adjourned &lt;all&gt;</title>"));
        assert!(svg.contains("Roma &amp; Egyptians"));
        assert!(svg.contains("n = 3 of 4 hearings"));
        assert_eq!(svg.matches("<rect x=").count(), 2, "one bar per value");
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn shares_are_drawn_against_the_whole_and_written_as_percentages() {
        let svg = bars(
            "s",
            &caption(),
            &[Bar {
                label: "Adjourned".into(),
                value: 0.25,
                base: Some(4),
            }],
            true,
        );
        assert!(svg.contains(">25.0 %</text>"), "{svg}");
        let span = WIDTH - 2.0 * PAD - 70.0;
        assert!(
            svg.contains(&format!("width=\"{:.1}\"", span / 4.0)),
            "{svg}"
        );
    }
}
