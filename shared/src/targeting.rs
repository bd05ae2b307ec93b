//! Who sees a piece of content, and where: URL patterns evaluated against the page the overlay runs on.

use serde::{Deserialize, Serialize};

/// Where (and, as it grows, to whom) content is shown. Empty patterns mean every page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Targeting {
    /// Glob patterns over the page path (`/orders/*`) or the full URL (`https://erp.example.com/*`).
    /// `*` matches any run of characters, including `/`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub url_patterns: Vec<String>,
}

impl Targeting {
    /// Whether content with this targeting is shown on `url` (an absolute URL).
    pub fn matches_url(&self, url: &str) -> bool {
        if self.url_patterns.is_empty() {
            return true;
        }
        let path = path_of(url);
        self.url_patterns.iter().any(|p| {
            if p.contains("://") {
                glob_match(p, url)
            } else {
                glob_match(p, path)
            }
        })
    }
}

/// The path of an absolute URL, without query or fragment; `url` itself when it has no scheme.
pub fn path_of(url: &str) -> &str {
    let rest = match url.find("://") {
        Some(i) => {
            let after = &url[i + 3..];
            match after.find('/') {
                Some(j) => &after[j..],
                None => "/",
            }
        }
        None => url,
    };
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    &rest[..end]
}

/// Glob matching with `*` (any run of characters). Iterative, linear in practice, no recursion.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_basics() {
        assert!(glob_match("/demo/*", "/demo/"));
        assert!(glob_match("/demo/*", "/demo/orders/7"));
        assert!(!glob_match("/demo/*", "/admin/"));
        assert!(glob_match("*", ""));
        assert!(glob_match("/a*c", "/abbbc"));
        assert!(!glob_match("/a*c", "/abbbd"));
        assert!(glob_match("/exact", "/exact"));
        assert!(!glob_match("/exact", "/exact/more"));
    }

    #[test]
    fn path_of_strips_origin_query_and_fragment() {
        assert_eq!(path_of("https://x.test/demo/?a=1#b"), "/demo/");
        assert_eq!(path_of("http://x.test"), "/");
        assert_eq!(path_of("/orders?id=2"), "/orders");
    }

    #[test]
    fn empty_targeting_matches_everywhere() {
        assert!(Targeting::default().matches_url("https://erp.test/anything"));
    }

    #[test]
    fn path_and_full_url_patterns() {
        let t = Targeting {
            url_patterns: vec!["/demo/*".into()],
        };
        assert!(t.matches_url("http://127.0.0.1:8080/demo/index.html?x"));
        assert!(!t.matches_url("http://127.0.0.1:8080/editor/"));
        let full = Targeting {
            url_patterns: vec!["https://erp.test/*".into()],
        };
        assert!(full.matches_url("https://erp.test/po/1"));
        assert!(!full.matches_url("https://other.test/po/1"));
    }

    #[test]
    fn pathological_pattern_is_fast() {
        let pattern = "*a".repeat(50);
        let text = "a".repeat(5000) + "b";
        assert!(!glob_match(&pattern, &text));
    }
}
