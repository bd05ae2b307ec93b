//! Tooltips: list, create, read, edit the draft, publish, versions, diff, rollback. The handlers
//! are [`crate::document_routes!`]'s; picking a tooltip's element in the app is in `author.rs`.

crate::document_routes! {
    doc: Tooltip, new: NewTooltip, detail: TooltipDetail, version: TooltipVersion,
    tag: "tooltips", list: "/tooltips", one: "/tooltips/{id}", publish: "/tooltips/{id}/publish",
    versions: "/tooltips/{id}/versions", version_path: "/tooltips/{id}/versions/{version}",
    diff: "/tooltips/{id}/diff", rollback: "/tooltips/{id}/rollback"
}
