//! How each product wants an incident: method, URL, auth header and JSON body, and where its answer
//! keeps the ticket id and URL. Pure functions of the payload and configuration, tested against each
//! product's documented API shape.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::{IncidentPayload, Kind};

/// An HTTP request to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// The help desk's reference for the incident it created.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct External {
    pub id: Option<String>,
    pub url: Option<String>,
}

fn cfg<'a>(config: &'a Value, key: &str) -> &'a str {
    config.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn base(config: &Value, key: &str) -> String {
    cfg(config, key).trim_end_matches('/').to_string()
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64(&format!("{user}:{password}")))
}

/// Standard base64 (RFC 4648) for Basic auth; a dependency for a dozen lines is not worth it.
fn base64(input: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: receivers recompute it with the shared
/// secret and refuse old timestamps, so a captured delivery cannot be replayed later.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// ITIL impact/urgency (1 high – 3 low) from Cairn's priority (1–4).
fn itil_level(priority: u8) -> u8 {
    match priority {
        1 => 1,
        2 | 3 => 2,
        _ => 3,
    }
}

/// The request that opens the incident. `now_secs` signs webhooks; `delivery_id` lets receivers
/// de-duplicate.
pub fn build(
    kind: Kind,
    config: &Value,
    secret: &str,
    p: &IncidentPayload,
    delivery_id: &str,
    now_secs: i64,
) -> Outgoing {
    let json_ct = ("content-type".to_string(), "application/json".to_string());
    match kind {
        Kind::Webhook => {
            let body = json!({ "event": "ticket.created", "delivery_id": delivery_id, "ticket": p }).to_string();
            Outgoing {
                url: cfg(config, "url").to_string(),
                headers: vec![
                    json_ct,
                    ("x-cairn-event".into(), "ticket.created".into()),
                    ("x-cairn-delivery".into(), delivery_id.into()),
                    ("x-cairn-signature".into(), signature(secret, now_secs, &body)),
                ],
                body,
            }
        }
        Kind::Servicenow => Outgoing {
            url: format!("{}/api/now/table/incident", base(config, "instance_url")),
            headers: vec![
                json_ct,
                ("accept".into(), "application/json".into()),
                ("authorization".into(), basic(cfg(config, "username"), cfg(config, "password"))),
            ],
            body: json!({
                "short_description": p.summary(),
                "description": p.description(),
                "impact": itil_level(p.priority).to_string(),
                "urgency": itil_level(p.priority).to_string(),
                "category": p.category.clone().unwrap_or_else(|| "inquiry".into()),
                "correlation_id": delivery_id,
                "correlation_display": "Cairn",
            })
            .to_string(),
        },
        Kind::Jira => Outgoing {
            url: format!("{}/rest/servicedeskapi/request", base(config, "base_url")),
            headers: vec![
                json_ct,
                ("accept".into(), "application/json".into()),
                ("authorization".into(), basic(cfg(config, "email"), cfg(config, "api_token"))),
            ],
            body: json!({
                "serviceDeskId": cfg(config, "service_desk_id"),
                "requestTypeId": cfg(config, "request_type_id"),
                "requestFieldValues": { "summary": p.summary(), "description": p.description() },
            })
            .to_string(),
        },
        Kind::Zendesk => Outgoing {
            url: format!("{}/api/v2/tickets.json", base(config, "base_url")),
            headers: vec![json_ct, ("authorization".into(), basic(&format!("{}/token", cfg(config, "email")), cfg(config, "api_token")))],
            body: json!({ "ticket": {
                "subject": p.summary(),
                "comment": { "body": p.description() },
                "priority": match p.priority { 1 => "urgent", 2 => "high", 3 => "normal", _ => "low" },
                "external_id": delivery_id,
                "tags": ["cairn"],
            }})
            .to_string(),
        },
        Kind::Zammad => Outgoing {
            url: format!("{}/api/v1/tickets", base(config, "base_url")),
            headers: vec![json_ct, ("authorization".into(), format!("Token token={}", cfg(config, "token")))],
            body: json!({
                "title": p.summary(),
                "group": cfg(config, "group"),
                "customer": cfg(config, "customer"),
                "article": { "subject": p.summary(), "body": p.description(), "type": "note", "internal": false },
            })
            .to_string(),
        },
        Kind::Freshservice => Outgoing {
            url: format!("{}/api/v2/tickets", base(config, "base_url")),
            headers: vec![json_ct, ("authorization".into(), basic(cfg(config, "api_key"), "X"))],
            body: json!({
                "subject": p.summary(),
                "description": p.description(),
                "email": cfg(config, "requester_email"),
                "priority": 5 - p.priority.clamp(1, 4),
                "status": 2,
                "source": 2,
            })
            .to_string(),
        },
    }
}

/// Reads the help desk's id and link for the incident from its answer.
pub fn external(kind: Kind, config: &Value, answer: &Value) -> External {
    let s = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match kind {
        Kind::Webhook => External {
            id: answer.get("id").and_then(s),
            url: answer.get("url").and_then(s),
        },
        Kind::Servicenow => {
            let r = &answer["result"];
            External {
                id: s(&r["number"]),
                url: s(&r["sys_id"]).map(|sys| {
                    format!(
                        "{}/nav_to.do?uri=incident.do?sys_id={sys}",
                        base(config, "instance_url")
                    )
                }),
            }
        }
        Kind::Jira => External {
            id: s(&answer["issueKey"]),
            url: s(&answer["_links"]["web"]),
        },
        Kind::Zendesk => External {
            id: s(&answer["ticket"]["id"]),
            url: s(&answer["ticket"]["id"])
                .map(|id| format!("{}/agent/tickets/{id}", base(config, "base_url"))),
        },
        Kind::Zammad => External {
            id: s(&answer["number"]).or_else(|| s(&answer["id"])),
            url: s(&answer["id"])
                .map(|id| format!("{}/#ticket/zoom/{id}", base(config, "base_url"))),
        },
        Kind::Freshservice => External {
            id: s(&answer["ticket"]["id"]),
            url: s(&answer["ticket"]["id"])
                .map(|id| format!("{}/a/tickets/{id}", base(config, "base_url"))),
        },
    }
}

#[cfg(test)]
mod tests {
    use cairn_shared::tickets::StepContext;

    use super::*;

    fn payload() -> IncidentPayload {
        IncidentPayload {
            ticket_id: "t1".into(),
            number: 7,
            message: "Cannot pick a supplier".into(),
            priority: 2,
            category: None,
            app_name: "Purchasing".into(),
            context: StepContext {
                page_url: "https://erp.test/po".into(),
                tour_id: Some("tour1".into()),
                tour_title: Some("New PO".into()),
                step_id: Some("supplier".into()),
                step_index: Some(1),
                step_title: Some("Pick the supplier".into()),
                version: Some(3),
                element_found: Some(false),
                steps_seen: vec!["start".into(), "supplier".into()],
                user_agent: "Chrome".into(),
                ..StepContext::default()
            },
            link: "https://cairn.test/editor/#/tickets/t1".into(),
        }
    }

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(""), "");
        assert_eq!(base64("f"), "Zg==");
        assert_eq!(base64("fo"), "Zm8=");
        assert_eq!(base64("foo"), "Zm9v");
        assert_eq!(base64("user:pass"), "dXNlcjpwYXNz");
    }

    #[test]
    fn description_carries_the_step_context() {
        let d = payload().description();
        for part in [
            "Cannot pick a supplier",
            "Page: https://erp.test/po",
            "Step 2: Pick the supplier (supplier), version 3",
            "Element found: NO",
            "start → supplier",
        ] {
            assert!(d.contains(part), "{part} missing in {d}");
        }
        assert_eq!(payload().summary(), "Cairn #7: Cannot pick a supplier");
    }

    #[test]
    fn webhook_signature_is_verifiable() {
        let out = build(
            Kind::Webhook,
            &json!({ "url": "https://hooks.test/x" }),
            "s3cret",
            &payload(),
            "d1",
            1_700_000_000,
        );
        let sig = out
            .headers
            .iter()
            .find(|(k, _)| k == "x-cairn-signature")
            .map(|(_, v)| v.clone())
            .expect("signed");
        assert_eq!(sig, signature("s3cret", 1_700_000_000, &out.body));
        assert!(sig.starts_with("t=1700000000,v1="));
        assert_ne!(sig, signature("other", 1_700_000_000, &out.body));
    }

    #[test]
    fn servicenow_shape() {
        let cfg = json!({ "instance_url": "https://acme.service-now.com/", "username": "u", "password": "p" });
        let out = build(Kind::Servicenow, &cfg, "", &payload(), "d1", 0);
        assert_eq!(
            out.url,
            "https://acme.service-now.com/api/now/table/incident"
        );
        let body: Value = serde_json::from_str(&out.body).expect("json");
        assert_eq!(
            body["short_description"],
            "Cairn #7: Cannot pick a supplier"
        );
        assert_eq!(body["impact"], "2");
        let ext = external(
            Kind::Servicenow,
            &cfg,
            &json!({ "result": { "number": "INC0010001", "sys_id": "abc" } }),
        );
        assert_eq!(ext.id.as_deref(), Some("INC0010001"));
        assert_eq!(
            ext.url.as_deref(),
            Some("https://acme.service-now.com/nav_to.do?uri=incident.do?sys_id=abc")
        );
    }
}
