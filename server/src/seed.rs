//! The first run: on an empty database, create the first admin, and (unless disabled) a demo
//! organisation with the demo purchasing application and a published tour, tooltip and checklist, so
//! a newcomer sees Cairn working in the first minute.

use cairn_shared::content::{
    Checklist, ChecklistAction, ChecklistItem, ContentKind, Placement, Step, Strategy, Target,
    Tooltip, TooltipTrigger, Tour,
};
use cairn_shared::targeting::Targeting;

use crate::auth;
use crate::config::Settings;
use crate::db::Db;
use crate::error::ApiError;
use crate::roles::Role;
use crate::store;

/// What the first run created, to print once.
#[derive(Debug, Clone)]
pub struct FirstRun {
    pub admin_email: String,
    /// Set when the password was generated (not given in `CAIRN_ADMIN_PASSWORD`).
    pub generated_password: Option<String>,
    pub demo_tour_id: Option<String>,
    pub demo_app_key: Option<String>,
}

pub async fn first_run(
    db: &Db,
    settings: &Settings,
    public_url: &str,
) -> Result<Option<FirstRun>, ApiError> {
    if store::users::org_count(db).await? > 0 {
        return Ok(None);
    }
    let org_id = store::users::create_org(db, "Demo Company").await?;
    let (password, generated) = match &settings.admin_password {
        Some(p) => (p.expose().to_string(), None),
        None => {
            let p = auth::random_token(9);
            (p.clone(), Some(p))
        }
    };
    let admin_id = store::users::create_user(
        db,
        &org_id,
        &settings.admin_email,
        &auth::hash_password(&password)?,
        Role::Admin,
    )
    .await?;
    let (demo_tour_id, demo_app_key) = if settings.seed_demo {
        let (tour, key) = seed_demo(db, &org_id, &admin_id, public_url).await?;
        (Some(tour), Some(key))
    } else {
        (None, None)
    };
    Ok(Some(FirstRun {
        admin_email: settings.admin_email.clone(),
        generated_password: generated,
        demo_tour_id,
        demo_app_key,
    }))
}

/// Origins a browser may show the demo under: the public URL, and its localhost twin.
fn demo_origins(public_url: &str) -> Vec<String> {
    let mut origins = vec![public_url.to_string()];
    for (a, b) in [("127.0.0.1", "localhost"), ("localhost", "127.0.0.1")] {
        if public_url.contains(a) {
            origins.push(public_url.replace(a, b));
        }
    }
    origins
}

/// Returns the demo tour's id and the demo application's public key.
async fn seed_demo(
    db: &Db,
    org_id: &str,
    admin_id: &str,
    public_url: &str,
) -> Result<(String, String), ApiError> {
    let app = store::apps::create(
        db,
        org_id,
        "Acme Purchasing (demo)",
        &demo_origins(public_url),
    )
    .await?;
    store::settings::set(db, store::settings::DEMO_APP_KEY, &app.public_key).await?;

    let tour = demo_tour();
    let tour_id = publish_new(
        db,
        org_id,
        &app.id,
        admin_id,
        ContentKind::Tour,
        &tour.title,
        &serde_json::to_string(&tour)?,
    )
    .await?;
    let tooltip = demo_tooltip();
    publish_new(
        db,
        org_id,
        &app.id,
        admin_id,
        ContentKind::Tooltip,
        &tooltip.title,
        &serde_json::to_string(&tooltip)?,
    )
    .await?;
    let checklist = demo_checklist(&tour_id);
    publish_new(
        db,
        org_id,
        &app.id,
        admin_id,
        ContentKind::Checklist,
        &checklist.title,
        &serde_json::to_string(&checklist)?,
    )
    .await?;
    Ok((tour_id, app.public_key))
}

async fn publish_new(
    db: &Db,
    org_id: &str,
    app_id: &str,
    admin_id: &str,
    kind: ContentKind,
    title: &str,
    json: &str,
) -> Result<String, ApiError> {
    let id = store::content::create(db, org_id, app_id, kind, title, json).await?;
    store::content::publish(db, org_id, kind, &id, Some(admin_id), "Demo content").await?;
    Ok(id)
}

fn attr(name: &str, value: &str) -> Strategy {
    Strategy::Attr {
        name: name.into(),
        value: value.into(),
    }
}

fn demo_step(
    id: &str,
    title: &str,
    body: &str,
    strategies: Vec<Strategy>,
    placement: Placement,
) -> Step {
    Step::new(
        id.into(),
        title.into(),
        body.into(),
        Some(Target { strategies }),
        placement,
    )
}

pub fn demo_tour() -> Tour {
    Tour {
        title: "Create your first purchase request".into(),
        description: "Four steps from an empty form to a request waiting for approval.".into(),
        targeting: Targeting {
            url_patterns: vec!["/demo/*".into()],
            ..Targeting::default()
        },
        locale: None,
        variants: Vec::new(),
        steps: vec![
            demo_step(
                "new-request",
                "Start a new request",
                "Click **New purchase request** whenever you need to buy something for work.",
                vec![
                    attr("data-test", "new-request"),
                    Strategy::Id {
                        value: "new-request".into(),
                    },
                    Strategy::Role {
                        role: "button".into(),
                        name: "New purchase request".into(),
                    },
                ],
                Placement::Bottom,
            ),
            demo_step(
                "supplier",
                "Pick the supplier",
                "Choose one of the *approved* suppliers.\nNot in the list? Read the [purchasing policy](/demo/#policy).",
                vec![
                    attr("name", "supplier"),
                    Strategy::Id {
                        value: "supplier".into(),
                    },
                ],
                Placement::Right,
            ),
            demo_step(
                "amount",
                "Enter the amount",
                "Amounts over **€5,000** need a second approval:\n- attach the supplier's quote\n- pick your cost center",
                vec![
                    attr("name", "amount"),
                    Strategy::Id {
                        value: "amount".into(),
                    },
                ],
                Placement::Bottom,
            ),
            demo_step(
                "submit",
                "Submit for approval",
                "Your manager is notified at once. Follow the request under *Recent requests*.",
                vec![
                    attr("data-test", "submit-request"),
                    Strategy::Text {
                        tag: "button".into(),
                        value: "Submit for approval".into(),
                    },
                ],
                Placement::Top,
            ),
        ],
    }
}

fn demo_tooltip() -> Tooltip {
    Tooltip {
        title: "What is a cost center?".into(),
        body: "The 4-digit code of your team's budget, for example `4410` for IT.".into(),
        target: Target {
            strategies: vec![
                attr("name", "cost_center"),
                Strategy::Id {
                    value: "cost-center".into(),
                },
            ],
        },
        trigger: TooltipTrigger::Beacon,
        targeting: Targeting {
            url_patterns: vec!["/demo/*".into()],
            ..Targeting::default()
        },
    }
}

/// The event the demo page reports (`cairn.track`, in `assets/demo/demo.js`) on a submitted request.
pub const DEMO_EVENT: &str = "purchase_request.submitted";

fn demo_checklist(tour_id: &str) -> Checklist {
    Checklist {
        title: "Get started with purchasing".into(),
        items: vec![
            ChecklistItem {
                id: "tour".into(),
                title: "Take the purchase request tour".into(),
                action: ChecklistAction::StartTour {
                    tour_id: tour_id.into(),
                },
                done_on_event: None,
            },
            ChecklistItem {
                id: "policy".into(),
                title: "Read the purchasing policy".into(),
                action: ChecklistAction::Link {
                    url: "/demo/#policy".into(),
                },
                done_on_event: None,
            },
            // Done by the app itself: the demo page calls `cairn.track` when a request is submitted.
            ChecklistItem {
                id: "request".into(),
                title: "Submit your first purchase request".into(),
                action: ChecklistAction::Link {
                    url: "/demo/#request-form".into(),
                },
                done_on_event: Some(DEMO_EVENT.into()),
            },
        ],
        targeting: Targeting {
            url_patterns: vec!["/demo/*".into()],
            ..Targeting::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_content_is_valid() {
        assert!(demo_tour().validate().is_empty());
        assert!(demo_tour().steps.len() >= 3);
    }

    #[test]
    fn demo_checklist_has_an_item_done_by_the_demo_pages_event() {
        let list = demo_checklist("t");
        assert!(list.validate().is_empty());
        assert!(
            list.items
                .iter()
                .any(|i| i.done_on_event.as_deref() == Some(DEMO_EVENT))
        );
        let page = include_str!("../assets/demo/demo.js");
        assert!(page.contains(&format!("track(\"{DEMO_EVENT}\")")));
    }

    #[test]
    fn demo_origins_cover_localhost() {
        assert_eq!(
            demo_origins("http://127.0.0.1:8080"),
            ["http://127.0.0.1:8080", "http://localhost:8080"]
        );
    }
}
