//! Highlighted passages: one pass over a hit's text finds the words that match the query (after
//! the same folding and stemming as the index), then the two best windows are cut and marked.
//!
//! tantivy's own snippet generator analyses the whole text again for every passage; judgments run
//! to 2 MB, so this module analyses each text once and stems only words that could match.

use std::collections::HashMap;

use tantivy::{
    Searcher, Term,
    tokenizer::{TextAnalyzer, TokenStream},
};

use crate::analysis::{self, Language};

/// Characters per passage (about).
pub(crate) const PASSAGE_BYTES: usize = 240;
/// Passages per hit.
pub(crate) const PASSAGES: usize = 2;
/// Words per passage window when passages are chosen from the matches' positions (about
/// [`PASSAGE_BYTES`] of text).
const PASSAGE_WORDS: usize = 36;
/// Matches considered per text (a very common word in a long judgment matches thousands of times;
/// the best passages are found well before this).
const MAX_MATCHES: usize = 20_000;

/// Finds and marks the passages of texts that match one query.
pub(crate) struct Highlighter {
    /// Words the query looks for as written (folded), with an index and a weight (rarer terms
    /// weigh more).
    words: HashMap<String, (usize, f32)>,
    /// Stems the query looks for (its marked stem terms, without the mark).
    stems: HashMap<String, (usize, f32)>,
    /// First bytes of the words and stems: only text words starting with one of them are looked
    /// up (and stemmed).
    first_bytes: [bool; 256],
    folded: TextAnalyzer,
}

impl std::fmt::Debug for Highlighter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Highlighter")
            .field("words", &self.words)
            .field("stems", &self.stems)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy)]
struct Match {
    from: usize,
    to: usize,
    term: usize,
    weight: f32,
}

impl Highlighter {
    /// Highlights the indexed `terms` (plain words and marked stems, as the query looks for them;
    /// see [`analysis`]), weighted by rarity. A text word matches a plain term if it is that word
    /// once folded, and a marked stem if its stem is that stem: what the index matched.
    pub(crate) fn new(searcher: &Searcher, terms: Vec<Term>) -> Self {
        let total = searcher.num_docs().max(1) as f32;
        let mut words = HashMap::new();
        let mut stems = HashMap::new();
        let mut first_bytes = [false; 256];
        for term in &terms {
            let value = term.value();
            let Some(text) = value.as_str() else {
                continue;
            };
            let (is_stem, key) = match text.strip_prefix(analysis::STEM_MARK) {
                Some(stem) => (true, stem),
                None => (false, text),
            };
            let index = words.len() + stems.len();
            let map = if is_stem { &mut stems } else { &mut words };
            if map.contains_key(key) {
                continue;
            }
            let df = searcher.doc_freq(term).unwrap_or(0) as f32;
            let weight = 1.0 + ((total + 1.0) / (df + 1.0)).ln();
            // A marked stem's key is `sr:presud`: the word's first byte is the stem's.
            let word = key.split_once(':').map_or(key, |(_, stem)| stem);
            if let Some(b) = word.bytes().next() {
                first_bytes[usize::from(b)] = true;
            }
            map.insert(key.to_string(), (index, weight));
        }
        Self {
            words,
            stems,
            first_bytes,
            folded: analysis::folded(),
        }
    }

    /// The index and weight of an indexed term the query looks for (a plain word or a marked
    /// stem), for reading its positions in a hit.
    pub(crate) fn term_weight(&self, term: &Term) -> Option<(usize, f32)> {
        let value = term.value();
        let text = value.as_str()?;
        match text.strip_prefix(analysis::STEM_MARK) {
            Some(stem) => self.stems.get(stem).copied(),
            None => self.words.get(text).copied(),
        }
    }

    /// Up to [`PASSAGES`] passages of `text`, chosen from where the index says the terms are
    /// (`at`: word position, term index, weight): the windows are picked from the positions
    /// alone, and the text is analysed only up to the last word they need, not to its end (a
    /// common word is near the start of a long judgment; the whole of it is 2 MB).
    pub(crate) fn passages_at(
        &mut self,
        text: &str,
        marks: &[u8],
        mut at: Vec<(u32, usize, f32)>,
    ) -> Vec<String> {
        if at.is_empty() {
            return Vec::new();
        }
        // A word and its stem match at the same position: one match.
        at.sort_by_key(|a| a.0);
        at.dedup_by_key(|a| a.0);
        at.truncate(MAX_MATCHES);
        let matches: Vec<Match> = at
            .iter()
            .map(|&(position, term, weight)| Match {
                from: position as usize,
                to: position as usize,
                term,
                weight,
            })
            .collect();
        let mut chosen: Vec<(usize, usize)> = Vec::new();
        for _ in 0..PASSAGES {
            match window_within(&matches, &chosen, PASSAGE_WORDS) {
                Some(window) => chosen.push(window),
                None => break,
            }
        }
        let Some(last) = chosen.iter().map(|&(_, l)| matches[l].from).max() else {
            return Vec::new();
        };
        let mut wanted: Vec<usize> = chosen
            .iter()
            .flat_map(|&(f, l)| matches[f..=l].iter().map(|m| m.from))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        debug_assert_eq!(wanted.last(), Some(&last));
        // Only the words' boundaries are needed, not their analysis.
        let offsets: HashMap<usize, (usize, usize)> = wanted
            .iter()
            .copied()
            .zip(analysis::word_offsets(text, marks, &wanted))
            .collect();
        chosen
            .into_iter()
            .filter_map(|(first, last)| {
                let found: Vec<Match> = matches[first..=last]
                    .iter()
                    .filter_map(|m| {
                        offsets.get(&m.from).map(|&(from, to)| Match {
                            from,
                            to,
                            term: m.term,
                            weight: m.weight,
                        })
                    })
                    .collect();
                (!found.is_empty()).then(|| render(text, &found))
            })
            .collect()
    }

    /// Up to [`PASSAGES`] passages of `text`, best first, HTML-escaped with matches in `<mark>`,
    /// from an analysis of the whole text: the reference [`Highlighter::passages_at`] is tested
    /// against.
    #[cfg(test)]
    pub(crate) fn passages(&mut self, text: &str) -> Vec<String> {
        if self.words.is_empty() && self.stems.is_empty() {
            return Vec::new();
        }
        let matches = self.matches(text, Language::English);
        let mut chosen: Vec<(usize, usize)> = Vec::new();
        for _ in 0..PASSAGES {
            match best_window(&matches, &chosen) {
                Some(window) => chosen.push(window),
                None => break,
            }
        }
        chosen
            .into_iter()
            .map(|(first, last)| render(text, &matches[first..=last]))
            .collect()
    }

    /// Byte ranges of every match in `text`, a text in `language`, in order.
    pub(crate) fn ranges(&mut self, text: &str, language: Language) -> Vec<(usize, usize)> {
        if self.words.is_empty() && self.stems.is_empty() {
            return Vec::new();
        }
        self.matches(text, language)
            .iter()
            .map(|m| (m.from, m.to))
            .collect()
    }

    /// The matches of the terms in `text`: a word matches a marked stem of `language` if its
    /// stem in that language is that stem (what the index matched in a document of `language`).
    fn matches(&mut self, text: &str, language: Language) -> Vec<Match> {
        let mut stem = String::new();
        let mut key = String::new();
        let mut out = Vec::new();
        let mut stream = self.folded.token_stream(text);
        while let Some(token) = stream.next() {
            let Some(&b) = token.text.as_bytes().first() else {
                continue;
            };
            if !self.first_bytes[usize::from(b)] {
                continue;
            }
            let mut found = self.words.get(token.text.as_str()).copied();
            if found.is_none() && !self.stems.is_empty() {
                language.stem(&token.text, &mut stem);
                key.clear();
                key.push_str(language.code());
                key.push(':');
                key.push_str(&stem);
                found = self.stems.get(key.as_str()).copied();
            }
            if let Some((term, weight)) = found {
                out.push(Match {
                    from: token.offset_from,
                    to: token.offset_to,
                    term,
                    weight,
                });
                if out.len() >= MAX_MATCHES {
                    break;
                }
            }
        }
        out
    }
}

/// The window of consecutive matches spanning at most [`PASSAGE_BYTES`] with the highest score
/// (each distinct term counts its weight once, repeats a little), not overlapping `taken`.
#[cfg(test)]
fn best_window(matches: &[Match], taken: &[(usize, usize)]) -> Option<(usize, usize)> {
    window_within(matches, taken, PASSAGE_BYTES)
}

/// [`best_window`] for windows of at most `span` (bytes, or word positions).
fn window_within(
    matches: &[Match],
    taken: &[(usize, usize)],
    span: usize,
) -> Option<(usize, usize)> {
    let overlaps = |from: usize, to: usize| {
        taken.iter().any(|&(a, b)| {
            let (ta, tb) = (matches[a].from, matches[b].to);
            from < tb + span / 2 && ta < to + span / 2
        })
    };
    let mut best: Option<((usize, usize), f32)> = None;
    let mut seen: Vec<usize> = Vec::new();
    for i in 0..matches.len() {
        seen.clear();
        let mut score = 0.0;
        let mut j = i;
        while j < matches.len() && matches[j].to - matches[i].from <= span {
            if seen.contains(&matches[j].term) {
                score += 0.1 * matches[j].weight;
            } else {
                seen.push(matches[j].term);
                score += matches[j].weight;
            }
            j += 1;
        }
        let last = j.max(i + 1) - 1;
        if overlaps(matches[i].from, matches[last].to) {
            continue;
        }
        if best.is_none_or(|(_, s)| score > s) {
            best = Some(((i, last), score));
        }
    }
    best.map(|(window, _)| window)
}

/// Cuts about [`PASSAGE_BYTES`] around the matches, at word boundaries, and marks them.
fn render(text: &str, matches: &[Match]) -> String {
    let (from, to) = (matches[0].from, matches[matches.len() - 1].to);
    let pad = PASSAGE_BYTES.saturating_sub(to - from) / 2;
    let mut start = floor_boundary(text, from.saturating_sub(pad));
    let mut end = ceil_boundary(text, (to + pad).min(text.len()));
    if start > 0 {
        // Start after the first space, so no word is cut.
        if let Some(space) = text[start..from].find(char::is_whitespace) {
            start += space + 1;
        }
    }
    if end < text.len()
        && let Some(space) = text[to..end].rfind(char::is_whitespace)
    {
        end = to + space;
    }
    let mut out = String::with_capacity(end - start + 32);
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    for m in matches {
        escape(&text[at..m.from], &mut out);
        out.push_str("<mark>");
        escape(&text[m.from..m.to], &mut out);
        out.push_str("</mark>");
        at = m.to;
    }
    escape(&text[at..end], &mut out);
    if end < text.len() {
        out.push('…');
    }
    out
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(from: usize, to: usize, term: usize) -> Match {
        Match {
            from,
            to,
            term,
            weight: 1.0,
        }
    }

    #[test]
    fn passages_are_cut_at_words_marked_and_escaped() {
        let text = format!(
            "{}the <judge> said hate speech is not tolerated {}",
            "word ".repeat(100),
            "tail ".repeat(100)
        );
        let hate = text.find("hate").unwrap_or(0);
        let speech = text.find("speech").unwrap_or(0);
        let out = render(&text, &[m(hate, hate + 4, 0), m(speech, speech + 6, 1)]);
        assert!(out.starts_with('…') && out.ends_with('…'), "{out}");
        assert!(
            out.contains("&lt;judge&gt; said <mark>hate</mark> <mark>speech</mark>"),
            "{out}"
        );
        assert!(!out.contains("wor…") && !out.contains(" ord "), "{out}");
        assert!(out.len() <= PASSAGE_BYTES + 80, "{}", out.len());
    }

    #[test]
    fn passages_from_positions_equal_passages_from_the_whole_text_and_stop_early() {
        let text = format!(
            "Hate is a word. {} the judge heard hate speech in court {}",
            "filler words here ".repeat(50),
            "end ".repeat(20_000)
        );
        let mut h = Highlighter {
            words: HashMap::from([
                ("hate".to_owned(), (0, 2.0)),
                ("speech".to_owned(), (1, 2.0)),
            ]),
            stems: HashMap::new(),
            first_bytes: {
                let mut b = [false; 256];
                b[usize::from(b'h')] = true;
                b[usize::from(b's')] = true;
                b
            },
            folded: analysis::folded(),
        };
        let mut at = Vec::new();
        let mut analyzer = analysis::folded();
        let mut stream = analyzer.token_stream(&text);
        while let Some(t) = stream.next() {
            match t.text.as_str() {
                "hate" => at.push((t.position as u32, 0, 2.0)),
                "speech" => at.push((t.position as u32, 1, 2.0)),
                _ => {}
            }
        }
        let whole = h.passages(&text);
        let early = h.passages_at(&text, &analysis::word_marks(&text), at);
        assert_eq!(early[0], whole[0], "the best passage is the same");
        assert!(
            early[0].contains("<mark>hate</mark> <mark>speech</mark>"),
            "{early:?}"
        );
        assert_eq!(early.len(), 2);
    }

    #[test]
    fn the_window_with_more_distinct_terms_wins_and_windows_do_not_overlap() {
        // "a" alone at 0; "a" and "b" together at 1000; "b" alone at 5000.
        let matches = vec![
            m(0, 1, 0),
            m(1000, 1001, 0),
            m(1005, 1006, 1),
            m(5000, 5001, 1),
        ];
        let first = best_window(&matches, &[]);
        assert_eq!(first, Some((1, 2)));
        let second = best_window(&matches, &[(1, 2)]);
        assert!(matches!(second, Some((0, 0)) | Some((3, 3))), "{second:?}");
    }
}
