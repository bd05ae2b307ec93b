//! Per-step analytics: how far employees get through a tour, and which steps send them to the help desk.

use actix_web::{get, web};
use cairn_shared::api::{StepStats, TourStepAnalytics};
use cairn_shared::content::{ContentKind, Tour};

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::roles::Permission;
use crate::startup::AppState;
use crate::store;

/// Views, advances, completions, dismissals, elements not found and tickets for each step of a tour.
#[utoipa::path(tag = "analytics", responses((status = 200, body = TourStepAnalytics), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/analytics/tours/{id}/steps")]
pub async fn tour_steps(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
) -> Result<web::Json<TourStepAnalytics>, ApiError> {
    user.require(Permission::ReadAnalytics)?;
    let row = store::content::get(&state.db, &user.org_id, ContentKind::Tour, &id)
        .await?
        .ok_or(ApiError::NotFound("tour"))?;
    // Steps as employees last saw them: the latest published version, else the draft.
    let document = match row.published_version {
        Some(v) => store::content::version_document(&state.db, &user.org_id, &id, v)
            .await?
            .unwrap_or(row.draft),
        None => row.draft,
    };
    let tour: Tour = serde_json::from_str(&document)?;
    // From the rollups (not the raw events): the cost does not grow with the event count, and the
    // figures survive the raw events' retention.
    let sums = store::reports::tour_all_time(&state.db, &user.org_id, &id).await?;
    let tickets = store::tickets::counts_by_step(&state.db, &user.org_id, &id).await?;
    let steps = tour
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let sum = sums.get(&s.id).cloned().unwrap_or_default();
            let tickets = tickets
                .iter()
                .find(|(step, _)| *step == s.id)
                .map(|(_, n)| *n)
                .unwrap_or(0);
            StepStats {
                step_id: s.id.clone(),
                step_index: u32::try_from(i).unwrap_or(u32::MAX),
                title: s.title.clone(),
                views: sum.views,
                advances: sum.advances,
                completions: sum.completions,
                dismissals: sum.dismissals,
                not_found: sum.not_found,
                stuck_opened: sum.stuck_opened,
                tickets,
                tickets_per_1000_views: per_thousand(tickets, sum.views),
            }
        })
        .collect();
    Ok(web::Json(TourStepAnalytics {
        tour_id: row.id,
        title: tour.title,
        steps,
    }))
}

fn per_thousand(n: i64, views: i64) -> Option<f64> {
    (views > 0).then(|| (n as f64) * 1000.0 / (views as f64))
}

#[cfg(test)]
mod tests {
    use super::per_thousand;

    #[test]
    fn rate_per_thousand_views() {
        assert_eq!(per_thousand(1, 0), None);
        assert_eq!(per_thousand(1, 4), Some(250.0));
        assert_eq!(per_thousand(0, 10), Some(0.0));
    }
}
