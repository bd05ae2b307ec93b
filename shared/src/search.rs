//! Ranking help content for what an employee typed: the launcher's search and the "Still stuck?"
//! form's suggestions (deflection). Word and prefix matches, weighted by where they occur.

/// Words too common to mean anything in a help request.
const STOP_WORDS: [&str; 32] = [
    "a", "an", "and", "are", "at", "be", "can", "do", "for", "how", "i", "in", "is", "it", "my",
    "not", "of", "on", "or", "the", "to", "what", "where", "with", "cannot", "can't", "dont",
    "don't", "does", "this", "that", "me",
];

/// Lower-cased words of two letters or more, without stop words.
pub fn words(text: &str) -> Vec<String> {
    folded_words(&text.to_lowercase())
}

/// [`words`] of a text that is already lower-cased. Words split at ASCII punctuation and at white
/// space; other characters belong to words, so that this needs no Unicode tables (the overlay
/// lower-cases with the browser's and calls [`rank_folded`], which keeps its wasm small).
fn folded_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in text.split(|c: char| {
        (c.is_ascii() && !c.is_ascii_alphanumeric() && c != '\'') || c.is_whitespace()
    }) {
        let w = trim_quotes(w);
        if w.chars().nth(1).is_some() && !STOP_WORDS.contains(&w) {
            out.push(w.to_string());
        }
    }
    out
}

/// `w` without leading and trailing `'`, by byte (`trim_matches(char)` costs the overlay's wasm).
fn trim_quotes(w: &str) -> &str {
    let start = w.bytes().position(|b| b != b'\'').unwrap_or(w.len());
    let end = w.bytes().rposition(|b| b != b'\'').map_or(start, |i| i + 1);
    w.get(start..end).unwrap_or("")
}

/// A searchable document: its id, its title, and the rest of its text.
pub struct Candidate<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub text: &'a str,
}

/// Ids with a score above zero, best first (ties keep the input order).
pub fn rank<'a>(query: &str, candidates: &[Candidate<'a>]) -> Vec<(&'a str, u32)> {
    let lower: Vec<(String, String)> = candidates
        .iter()
        .map(|c| (c.title.to_lowercase(), c.text.to_lowercase()))
        .collect();
    let folded: Vec<Candidate<'_>> = candidates
        .iter()
        .zip(&lower)
        .map(|(c, (title, text))| Candidate {
            id: c.id,
            title,
            text,
        })
        .collect();
    rank_folded(&query.to_lowercase(), &folded)
        .into_iter()
        .map(|(i, s)| (candidates[i].id, s))
        .collect()
}

/// Like [`rank`] for a query and candidates already lower-cased, returning candidate indexes and
/// scores: what the "Still stuck?" form uses to suggest tours (deflection).
pub fn rank_folded(query: &str, candidates: &[Candidate<'_>]) -> Vec<(usize, u32)> {
    let q = folded_words(query);
    if q.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, u32)> = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        let title = folded_words(c.title);
        let text = folded_words(c.text);
        let mut score = 0;
        for w in &q {
            score += match_score(w, &title) * 3 + match_score(w, &text);
        }
        if score > 0 {
            // Insertion keeps it sorted, best first, ties in input order: a handful of candidates
            // need no general sort (whose code the overlay would carry).
            let at = scored
                .iter()
                .position(|&(_, s)| s < score)
                .unwrap_or(scored.len());
            scored.insert(at, (i, score));
        }
    }
    scored
}

/// 2 for an exact word, 1 for the same stem (a shared prefix of 4+ letters missing at most two
/// letters of the shorter word: "purchase" ~ "purchasing", "supplier" ~ "suppliers"), 0 otherwise.
fn match_score(word: &str, haystack: &[String]) -> u32 {
    let mut best = 0;
    for h in haystack {
        if h == word {
            return 2;
        }
        let common = word
            .chars()
            .zip(h.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let shorter = word.chars().count().min(h.chars().count());
        if common >= 4 && common + 2 >= shorter {
            best = 1;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_quotes_is_trim_matches() {
        for w in ["", "'", "'''", "a", "'a'", "''é'", "don't", "x''"] {
            assert_eq!(trim_quotes(w), w.trim_matches('\''), "{w}");
        }
    }

    fn c<'a>(id: &'a str, title: &'a str, text: &'a str) -> Candidate<'a> {
        Candidate { id, title, text }
    }

    #[test]
    fn stop_words_and_short_words_are_ignored() {
        assert_eq!(words("How do I find the Supplier?"), ["find", "supplier"]);
    }

    #[test]
    fn titles_weigh_more_and_prefixes_count() {
        let docs = [
            c(
                "po",
                "Create your first purchase request",
                "Pick the supplier, enter the amount",
            ),
            c("exp", "Submit an expense report", "Receipts and mileage"),
            c("sup", "Suppliers", "Ask the help desk to add one"),
        ];
        let ranked = rank("where do I choose a supplier", &docs);
        assert_eq!(
            ranked.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            ["sup", "po"]
        );
        assert_eq!(rank("purchasing", &docs)[0].0, "po");
        assert!(rank("the", &docs).is_empty());
        assert!(rank("vacation", &docs).is_empty());
    }

    #[test]
    fn punctuation_splits_words_and_accents_stay_in_them() {
        assert_eq!(
            words("Fournisseur: créer (l'achat), don't-care"),
            ["fournisseur", "créer", "l'achat", "care"]
        );
        assert_eq!(words("'supplier'"), ["supplier"]);
    }

    #[test]
    fn folded_ranking_returns_indexes_best_first() {
        let docs = [
            c("a", "approve an invoice", "the manager approves"),
            c("b", "add a supplier", "suppliers are checked by purchasing"),
        ];
        assert_eq!(rank_folded("cannot find the supplier", &docs), [(1, 7)]);
        assert_eq!(rank_folded("approve supplier", &docs), [(0, 7), (1, 7)]);
        assert!(rank_folded("", &docs).is_empty());
    }
}
