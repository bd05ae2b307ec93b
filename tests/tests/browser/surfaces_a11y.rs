//! axe-core on every surface of the overlay open at once on the demo page: a tour step, a
//! tooltip, the launcher with its checklist, and the "Still stuck?" form.

use cairn_server::testing::TestServer;

use crate::harness::{Browser, in_overlay};

#[tokio::test]
async fn step_tooltip_launcher_checklist_and_stuck_form_have_no_axe_violations() {
    let server = TestServer::spawn().await.expect("server");
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/demo/", server.url))
        .await
        .expect("open /demo/");
    browser
        .wait_for("a step", &in_overlay("[data-cairn=step]"))
        .await;
    // The tooltip: its beacon, then the bubble.
    browser
        .wait_for("the beacon", &in_overlay("[data-cairn=beacon]"))
        .await;
    browser.click_overlay("[data-cairn=beacon]").await;
    browser
        .wait_for(
            "the tooltip",
            &format!(
                "{} && !{}.hidden",
                in_overlay("[data-cairn=tooltip]"),
                in_overlay("[data-cairn=tooltip]")
            ),
        )
        .await;
    browser
        .assert_accessible("a step and a tooltip open", None)
        .await;
    // The stuck form in the step.
    browser.click_overlay("[data-cairn=stuck]").await;
    browser
        .wait_for("the stuck form", &in_overlay("[data-cairn=stuck-form]"))
        .await;
    browser.assert_accessible("the stuck form open", None).await;
    // The launcher, with the checklist.
    browser.js("cairn.openLauncher(); return true;").await;
    browser
        .wait_for("the checklist", &in_overlay("[data-cairn=checklist]"))
        .await;
    browser
        .assert_accessible("the launcher and its checklist open", None)
        .await;
    browser.close().await;
}

#[tokio::test]
async fn reduced_motion_turns_the_animations_off() {
    let server = TestServer::spawn().await.expect("server");
    let animation = format!(
        "getComputedStyle({}).animationName",
        in_overlay("[data-cairn=step]")
    );
    for (args, expected) in [
        (&[][..], "cairn-in"),
        (&["--force-prefers-reduced-motion"][..], "none"),
    ] {
        let browser = Browser::start_with(args).await;
        browser
            .client
            .goto(&format!("{}/demo/", server.url))
            .await
            .expect("open /demo/");
        browser
            .wait_for("a step", &in_overlay("[data-cairn=step]"))
            .await;
        assert_eq!(
            browser.js(&format!("return {animation};")).await,
            expected,
            "with {args:?}"
        );
        browser.close().await;
    }
}
