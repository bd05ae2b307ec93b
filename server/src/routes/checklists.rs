//! Checklists: list, create, read, edit the draft, publish, versions, diff, rollback. The handlers
//! are [`crate::document_routes!`]'s; an item's tour must be a tour of the same application.

crate::document_routes! {
    doc: Checklist, new: NewChecklist, detail: ChecklistDetail, version: ChecklistVersion,
    tag: "checklists", list: "/checklists", one: "/checklists/{id}",
    publish: "/checklists/{id}/publish", versions: "/checklists/{id}/versions",
    version_path: "/checklists/{id}/versions/{version}", diff: "/checklists/{id}/diff",
    rollback: "/checklists/{id}/rollback"
}
