//! Who sees a piece of content, and where: URL patterns evaluated against the page the overlay runs on.

use serde::{Deserialize, Serialize};

/// Where, to whom and when content is shown. Every rule that is set must hold; an empty targeting shows
/// the content everywhere, to everyone, until dismissed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Targeting {
    /// Glob patterns over the page path (`/orders/*`) or the full URL (`https://erp.example.com/*`).
    /// `*` matches any run of characters, including `/`. Empty: every page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub url_patterns: Vec<String>,
    /// Rules over the identified user's attributes (`role`, `department`, `locale`, …); all must hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeRule>,
    /// Proficiency levels shown the content; empty: every level. A user without a `proficiency`
    /// attribute counts as a beginner.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proficiency: Vec<Proficiency>,
    /// How often a tour starts by itself.
    #[serde(default, skip_serializing_if = "Frequency::is_default")]
    pub frequency: Frequency,
    /// When the content is live; outside the window it is not shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
}

/// A rule over one user attribute: its value is (or, negated, is not) one of `one_of`. Comparison
/// ignores ASCII case. A missing attribute never matches a positive rule.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AttributeRule {
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub attribute: String,
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub one_of: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub negate: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// How well a user knows the application, from the `proficiency` attribute.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Proficiency {
    #[default]
    Beginner,
    Intermediate,
    Expert,
}

impl Proficiency {
    pub const ALL: [Proficiency; 3] = [Self::Beginner, Self::Intermediate, Self::Expert];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Beginner => "beginner",
            Self::Intermediate => "intermediate",
            Self::Expert => "expert",
        }
    }

    /// Parses an attribute value; unknown values are `None`.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(value.trim()))
    }
}

/// How often a tour starts by itself on a matching page (the launcher can always start it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Frequency {
    /// Until the user completes or dismisses it.
    #[default]
    Once,
    /// On every visit (page load), whatever happened before.
    EveryVisit,
    /// Until the user completes it; dismissing it shows it again next visit.
    UntilCompleted,
    /// Never by itself: from the launcher, a checklist or `cairn.start()` only.
    Manual,
}

impl Frequency {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// Whether a tour starts by itself, given what this user did with it before.
    pub fn auto_starts(self, history: Option<Outcome>) -> bool {
        match (self, history) {
            (Self::Manual, _) => false,
            (Self::EveryVisit, _) => true,
            (Self::Once, h) => h.is_none(),
            (Self::UntilCompleted, h) => h != Some(Outcome::Completed),
        }
    }
}

/// How a user's last run of a tour ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Completed,
    Dismissed,
}

/// A live window in milliseconds since the Unix epoch; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Schedule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<i64>,
}

/// Who is looking, where and when: what targeting is evaluated against.
#[derive(Debug, Clone, Copy)]
pub struct Audience<'a> {
    /// The page's absolute URL.
    pub url: &'a str,
    /// The identified user's attributes, as (name, value) pairs.
    pub attributes: &'a [(String, String)],
    /// Milliseconds since the Unix epoch.
    pub now_ms: i64,
}

impl Audience<'_> {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The user's proficiency; beginners when unknown, so new users get the most help.
    pub fn proficiency(&self) -> Proficiency {
        self.attribute("proficiency")
            .and_then(Proficiency::parse)
            .unwrap_or_default()
    }

    /// The user's locale (`locale` attribute), if any.
    pub fn locale(&self) -> Option<&str> {
        self.attribute("locale").filter(|l| !l.is_empty())
    }
}

impl Targeting {
    /// Whether content with this targeting is shown on `url` (an absolute URL).
    pub fn matches_url(&self, url: &str) -> bool {
        if self.url_patterns.is_empty() {
            return true;
        }
        let path = path_of(url);
        self.url_patterns.iter().any(|p| {
            if crate::find_str(p, "://").is_some() {
                glob_match(p, url)
            } else {
                glob_match(p, path)
            }
        })
    }

    /// Whether this audience sees the content at all (page, attributes, proficiency, schedule).
    /// Frequency is applied separately, with the user's history: see [`Frequency::auto_starts`].
    pub fn matches(&self, audience: &Audience<'_>) -> bool {
        self.matches_url(audience.url)
            && self.attributes.iter().all(|rule| rule.matches(audience))
            && (self.proficiency.is_empty() || self.proficiency.contains(&audience.proficiency()))
            && self.schedule.is_none_or(|s| s.is_live(audience.now_ms))
    }
}

impl AttributeRule {
    pub fn matches(&self, audience: &Audience<'_>) -> bool {
        let found = audience.attribute(&self.attribute).is_some_and(|v| {
            self.one_of
                .iter()
                .any(|want| want.trim().eq_ignore_ascii_case(v.trim()))
        });
        found != self.negate
    }
}

impl Schedule {
    pub fn is_live(&self, now_ms: i64) -> bool {
        self.starts_at.is_none_or(|s| now_ms >= s) && self.ends_at.is_none_or(|e| now_ms < e)
    }
}

/// The path of an absolute URL, without query or fragment; `url` itself when it has no scheme.
pub fn path_of(url: &str) -> &str {
    let rest = match crate::find_str(url, "://") {
        Some(i) => {
            let after = &url[i + 3..];
            // By byte, like the rest of this function: `find(char)` costs the overlay wasm.
            match after.bytes().position(|b| b == b'/') {
                Some(j) => &after[j..],
                None => "/",
            }
        }
        None => url,
    };
    let end = rest
        .bytes()
        .position(|b| b == b'?' || b == b'#')
        .unwrap_or(rest.len());
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
            ..Targeting::default()
        };
        assert!(t.matches_url("http://127.0.0.1:8080/demo/index.html?x"));
        assert!(!t.matches_url("http://127.0.0.1:8080/editor/"));
        let full = Targeting {
            url_patterns: vec!["https://erp.test/*".into()],
            ..Targeting::default()
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

    fn attrs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn attribute_rules_all_must_hold() {
        let t = Targeting {
            attributes: vec![
                AttributeRule {
                    attribute: "role".into(),
                    one_of: vec!["Buyer".into(), "approver".into()],
                    negate: false,
                },
                AttributeRule {
                    attribute: "department".into(),
                    one_of: vec!["IT".into()],
                    negate: true,
                },
            ],
            ..Targeting::default()
        };
        let a = attrs(&[("role", "buyer"), ("department", "Finance")]);
        fn at(a: &[(String, String)]) -> Audience<'_> {
            Audience {
                url: "https://erp.test/",
                attributes: a,
                now_ms: 0,
            }
        }
        assert!(t.matches(&at(&a)));
        assert!(!t.matches(&at(&attrs(&[("role", "buyer"), ("department", "it")]))));
        assert!(!t.matches(&at(&attrs(&[("department", "Finance")]))));
        assert!(
            !t.matches(&at(&[])),
            "a missing attribute fails a positive rule"
        );
    }

    #[test]
    fn proficiency_defaults_to_beginner() {
        let t = Targeting {
            proficiency: vec![Proficiency::Beginner],
            ..Targeting::default()
        };
        let none = Audience {
            url: "/",
            attributes: &[],
            now_ms: 0,
        };
        assert!(t.matches(&none));
        let expert = attrs(&[("proficiency", "Expert")]);
        assert!(!t.matches(&Audience {
            attributes: &expert,
            ..none
        }));
    }

    #[test]
    fn schedule_window_is_half_open() {
        let s = Schedule {
            starts_at: Some(100),
            ends_at: Some(200),
        };
        assert!(!s.is_live(99));
        assert!(s.is_live(100));
        assert!(s.is_live(199));
        assert!(!s.is_live(200));
        assert!(Schedule::default().is_live(i64::MIN));
    }

    #[test]
    fn frequency_against_history() {
        use Outcome::*;
        assert!(Frequency::Once.auto_starts(None));
        assert!(!Frequency::Once.auto_starts(Some(Dismissed)));
        assert!(Frequency::UntilCompleted.auto_starts(Some(Dismissed)));
        assert!(!Frequency::UntilCompleted.auto_starts(Some(Completed)));
        assert!(Frequency::EveryVisit.auto_starts(Some(Completed)));
        assert!(!Frequency::Manual.auto_starts(None));
    }

    #[test]
    fn empty_targeting_serialises_to_empty_object() {
        let json = serde_json::to_string(&Targeting::default()).expect("serialises");
        assert_eq!(json, "{}");
    }
}
