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
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 2 && !STOP_WORDS.contains(&w.as_str()))
        .collect()
}

/// A searchable document: its id, its title, and the rest of its text.
pub struct Candidate<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub text: &'a str,
}

/// Ids with a score above zero, best first (ties keep the input order).
pub fn rank<'a>(query: &str, candidates: &[Candidate<'a>]) -> Vec<(&'a str, u32)> {
    let q = words(query);
    if q.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, &'a str, u32)> = candidates
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let title = words(c.title);
            let text = words(c.text);
            let mut score = 0;
            for w in &q {
                score += match_score(w, &title) * 3 + match_score(w, &text);
            }
            (score > 0).then_some((i, c.id, score))
        })
        .collect();
    scored.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    scored.into_iter().map(|(_, id, s)| (id, s)).collect()
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
}
