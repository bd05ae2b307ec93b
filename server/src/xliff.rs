//! A tour's texts as XLIFF 1.2, for translators: one `trans-unit` per text with a stable id
//! (`tour.title`, `tour.description`, `step.<id>.title`, `step.<id>.body`), the base text as `source`
//! and the locale's variant, when there is one, as `target`. Importing writes the targets back as
//! that locale's variants (locale only, every proficiency level), all or nothing.
//!
//! Parsing uses quick-xml, which expands only the predefined and numeric references: no DTDs, no
//! external entities.

use cairn_shared::content::{TextVariant, Tour, is_language_tag};
use quick_xml::Reader;
use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::Event;
use serde::Serialize;

/// One problem of an XLIFF file: where (a unit id, or a line for syntax errors) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct XliffError {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub message: String,
}

impl XliffError {
    fn unit(id: &str, message: impl Into<String>) -> Self {
        XliffError {
            unit: Some(id.to_string()),
            line: None,
            message: message.into(),
        }
    }

    fn file(message: impl Into<String>) -> Self {
        XliffError {
            unit: None,
            line: None,
            message: message.into(),
        }
    }
}

/// Which text of the tour a unit id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Body,
}

/// Where a translatable text sits: the tour itself or one of its steps (by index), and which field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot {
    step: Option<usize>,
    field: Field,
}

/// The units of a tour, in document order: (id, slot, source text).
fn units(tour: &Tour) -> Vec<(String, Slot, &str)> {
    let mut out = vec![(
        "tour.title".to_string(),
        Slot {
            step: None,
            field: Field::Title,
        },
        tour.title.as_str(),
    )];
    out.push((
        "tour.description".into(),
        Slot {
            step: None,
            field: Field::Body,
        },
        tour.description.as_str(),
    ));
    for (i, step) in tour.steps.iter().enumerate() {
        for (field, name, text) in [
            (Field::Title, "title", &step.title),
            (Field::Body, "body", &step.body),
        ] {
            out.push((
                format!("step.{}.{name}", step.id),
                Slot {
                    step: Some(i),
                    field,
                },
                text.as_str(),
            ));
        }
    }
    out
}

/// The locale-only variant of `locale` in a list, if any.
fn variant<'a>(variants: &'a [TextVariant], locale: &str) -> Option<&'a TextVariant> {
    variants.iter().find(|v| {
        v.proficiency.is_none()
            && v.locale
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(locale))
    })
}

fn variants_of(tour: &Tour, step: Option<usize>) -> &[TextVariant] {
    match step {
        None => &tour.variants,
        Some(i) => &tour.steps[i].variants,
    }
}

/// The tour's base locale as XLIFF's `source-language` (`en` when the tour names none).
pub fn source_language(tour: &Tour) -> &str {
    tour.locale.as_deref().unwrap_or("en")
}

/// The XLIFF 1.2 file of `tour`'s texts with `locale`'s translations as targets.
pub fn export(tour_id: &str, tour: &Tour, locale: &str) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">\n");
    out.push_str(&format!(
        "  <file original=\"tour/{}\" source-language=\"{}\" target-language=\"{}\" datatype=\"plaintext\">\n    <body>\n",
        escape(tour_id),
        escape(source_language(tour)),
        escape(locale)
    ));
    for (id, slot, source) in units(tour) {
        let target = variant(variants_of(tour, slot.step), locale).and_then(|v| match slot.field {
            Field::Title => v.title.as_deref(),
            Field::Body => v.body.as_deref(),
        });
        out.push_str(&format!(
            "      <trans-unit id=\"{}\" xml:space=\"preserve\">\n        <source>{}</source>\n",
            escape(&id),
            escape(source)
        ));
        if let Some(t) = target {
            out.push_str(&format!("        <target>{}</target>\n", escape(t)));
        }
        out.push_str("      </trans-unit>\n");
    }
    out.push_str("    </body>\n  </file>\n</xliff>\n");
    out
}

/// What an XLIFF file says: its target language and each unit's target (`None`: not translated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    pub locale: String,
    pub units: Vec<(String, Option<String>)>,
}

fn line_of(xml: &str, offset: u64) -> usize {
    let end = usize::try_from(offset).unwrap_or(usize::MAX).min(xml.len());
    xml.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Reads an XLIFF 1.2 file: one `<file>` with a `target-language`, `trans-unit`s with ids.
pub fn parse(xml: &str) -> Result<Translation, Vec<XliffError>> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let syntax = |reader: &Reader<&[u8]>, message: String| {
        vec![XliffError {
            unit: None,
            line: Some(line_of(xml, reader.buffer_position())),
            message,
        }]
    };
    let mut locale = None;
    let mut files = 0;
    let mut units = Vec::new();
    let mut unit: Option<(String, Option<String>)> = None;
    // The element whose text is being collected (`target`), and its text so far.
    let mut in_target: Option<String> = None;
    let mut saw_root = false;
    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => return Err(syntax(&reader, format!("malformed XML: {e}"))),
        };
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        match (start, &event) {
            (Some(e), _) => {
                let name = e.local_name().as_ref().to_string();
                let attr = |key: &str| -> Result<Option<String>, String> {
                    match e.try_get_attribute(key) {
                        Ok(Some(a)) => a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map(|v| Some(v.into_owned()))
                            .map_err(|err| format!("attribute {key}: {err}")),
                        Ok(None) => Ok(None),
                        Err(err) => Err(format!("attributes of <{name}>: {err}")),
                    }
                };
                match name.as_str() {
                    "xliff" => {
                        saw_root = true;
                        if let Ok(Some(v)) = attr("version")
                            && v != "1.2"
                        {
                            return Err(vec![XliffError::file(format!(
                                "XLIFF version {v} is not supported; use 1.2"
                            ))]);
                        }
                    }
                    "file" => {
                        files += 1;
                        locale = attr("target-language").map_err(|m| syntax(&reader, m))?;
                    }
                    "trans-unit" => {
                        let id = attr("id").map_err(|m| syntax(&reader, m))?.ok_or_else(|| {
                            syntax(&reader, "a <trans-unit> without an id".into())
                        })?;
                        unit = Some((id, None));
                        if empty {
                            units.extend(unit.take());
                        }
                    }
                    "target" if unit.is_some() && !empty => in_target = Some(String::new()),
                    _ if in_target.is_some() => {
                        return Err(syntax(
                            &reader,
                            format!("<{name}> inside a <target>: targets are plain text"),
                        ));
                    }
                    _ => {}
                }
            }
            (_, Event::Text(t)) => {
                if let Some(text) = in_target.as_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            (_, Event::CData(t)) => {
                if let Some(text) = in_target.as_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            (_, Event::GeneralRef(r)) => {
                let Some(text) = in_target.as_mut() else {
                    continue;
                };
                match r.resolve_char_ref() {
                    Ok(Some(c)) => text.push(c),
                    Ok(None) => match resolve_predefined_entity(&r.xml10_content()) {
                        Some(s) => text.push_str(s),
                        None => {
                            return Err(syntax(
                                &reader,
                                format!("unknown entity &{};", r.xml10_content()),
                            ));
                        }
                    },
                    Err(e) => return Err(syntax(&reader, format!("bad character reference: {e}"))),
                }
            }
            (_, Event::End(e)) => match e.local_name().as_ref() {
                "target" => {
                    if let (Some(text), Some(u)) = (in_target.take(), unit.as_mut()) {
                        u.1 = Some(text);
                    }
                }
                "trans-unit" => units.extend(unit.take()),
                _ => {}
            },
            (_, Event::DocType(_)) => {
                return Err(syntax(
                    &reader,
                    "DOCTYPE declarations are not accepted".into(),
                ));
            }
            (_, Event::Eof) => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(vec![XliffError::file(
            "not an XLIFF file (no <xliff> element)",
        )]);
    }
    if files != 1 {
        return Err(vec![XliffError::file(format!(
            "expected one <file> element, found {files}"
        ))]);
    }
    let locale = locale.ok_or_else(|| {
        vec![XliffError::file(
            "the <file> element needs a target-language",
        )]
    })?;
    if !is_language_tag(&locale) {
        return Err(vec![XliffError::file(format!(
            "target-language {locale:?} is not a language tag such as de or fr-CA"
        ))]);
    }
    Ok(Translation { locale, units })
}

/// Writes `translation` into `tour` as locale-only variants: every unit must name a text of this
/// tour, at most once. A unit without a target clears that text's translation. Nothing changes when
/// any unit is wrong.
pub fn apply(tour: &Tour, translation: &Translation) -> Result<Tour, Vec<XliffError>> {
    let locale = &translation.locale;
    if tour
        .locale
        .as_deref()
        .is_some_and(|base| base.eq_ignore_ascii_case(locale))
    {
        return Err(vec![XliffError::file(format!(
            "{locale} is the tour's own locale: edit the tour itself"
        ))]);
    }
    let known = units(tour);
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut writes = Vec::new();
    for (id, target) in &translation.units {
        if !seen.insert(id.as_str()) {
            errors.push(XliffError::unit(id, "this unit appears twice"));
            continue;
        }
        match known.iter().find(|(k, _, _)| k == id) {
            Some((_, slot, _)) => writes.push((*slot, target.clone())),
            None => errors.push(XliffError::unit(
                id,
                "unknown unit: not a text of this tour (expected tour.title, tour.description, step.<id>.title or step.<id>.body)",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = tour.clone();
    for (slot, target) in writes {
        let variants = match slot.step {
            None => &mut out.variants,
            Some(i) => &mut out.steps[i].variants,
        };
        let index = match variants.iter().position(|v| {
            v.proficiency.is_none()
                && v.locale
                    .as_deref()
                    .is_some_and(|l| l.eq_ignore_ascii_case(locale))
        }) {
            Some(i) => i,
            None if target.is_none() => continue,
            None => {
                variants.push(TextVariant {
                    locale: Some(locale.clone()),
                    ..TextVariant::default()
                });
                variants.len() - 1
            }
        };
        let v = &mut variants[index];
        match slot.field {
            Field::Title => v.title = target,
            Field::Body => v.body = target,
        }
        if v.title.is_none() && v.body.is_none() {
            variants.remove(index);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tour() -> Tour {
        let mut t = crate::seed::demo_tour();
        t.steps[0].variants.push(TextVariant {
            locale: Some("de".into()),
            title: Some("Neue Anfrage <starten> & \"los\"".into()),
            ..TextVariant::default()
        });
        t
    }

    #[test]
    fn export_then_parse_and_apply_changes_nothing() {
        let t = tour();
        let xml = export("t1", &t, "de");
        assert!(
            xml.contains("&lt;starten&gt; &amp; &quot;los&quot;"),
            "{xml}"
        );
        let parsed = parse(&xml).expect("parses");
        assert_eq!(parsed.locale, "de");
        assert_eq!(parsed.units.len(), 2 + 2 * t.steps.len());
        assert_eq!(apply(&t, &parsed).expect("applies"), t);
    }

    #[test]
    fn targets_become_locale_variants_and_empty_ones_clear_them() {
        let t = tour();
        let id = &t.steps[1].id;
        let xml = format!(
            r#"<xliff version="1.2"><file target-language="de"><body>
            <trans-unit id="tour.title"><source>x</source><target>Erste &#x42;estellung</target></trans-unit>
            <trans-unit id="step.{id}.body"><target><![CDATA[Wählen Sie **einen** <Lieferanten>]]></target></trans-unit>
            <trans-unit id="step.new-request.title"><source>x</source></trans-unit>
            </body></file></xliff>"#
        );
        let out = apply(&t, &parse(&xml).expect("parses")).expect("applies");
        assert_eq!(out.variants[0].title.as_deref(), Some("Erste Bestellung"));
        assert_eq!(
            out.steps[1].variants[0].body.as_deref(),
            Some("Wählen Sie **einen** <Lieferanten>")
        );
        assert!(out.steps[0].variants.is_empty(), "cleared");
    }

    #[test]
    fn unknown_and_repeated_units_are_all_reported() {
        let xml = r#"<xliff version="1.2"><file target-language="fr"><body>
            <trans-unit id="step.nope.title"><target>a</target></trans-unit>
            <trans-unit id="tour.title"><target>a</target></trans-unit>
            <trans-unit id="tour.title"><target>b</target></trans-unit>
            </body></file></xliff>"#;
        let errors = apply(&tour(), &parse(xml).expect("parses")).expect_err("refused");
        let units: Vec<_> = errors.iter().filter_map(|e| e.unit.as_deref()).collect();
        assert_eq!(units, ["step.nope.title", "tour.title"]);
    }

    #[test]
    fn malformed_files_say_where() {
        let e = parse("<xliff version=\"1.2\">\n<file target-language=\"de\">\n<body></file>")
            .expect_err("bad");
        assert_eq!(e[0].line, Some(3), "{e:?}");
        assert!(parse("<xliff version=\"1.2\"><file><body/></file></xliff>").is_err());
        assert!(parse("<xliff version=\"1.2\"><file target-language=\"d e\"/></xliff>").is_err());
        assert!(parse("<other/>").is_err());
        let doctype = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xliff version=\"1.2\"><file target-language=\"de\"><body><trans-unit id=\"tour.title\"><target>&e;</target></trans-unit></body></file></xliff>";
        assert!(parse(doctype).is_err());
        let unknown_entity = "<xliff version=\"1.2\"><file target-language=\"de\"><body><trans-unit id=\"tour.title\"><target>&e;</target></trans-unit></body></file></xliff>";
        assert!(parse(unknown_entity).is_err());
    }
}
