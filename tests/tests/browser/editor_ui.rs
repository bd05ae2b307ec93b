//! Driving the editor like a person: sign in through the form, type, click. Real key presses and
//! pointer clicks through WebDriver, so the editor's own event handlers run.

use std::time::Duration;

use fantoccini::Locator;
use fantoccini::elements::Element;

use crate::harness::Browser;

/// The element matching `selector` in the page, waited for up to 15 s.
pub async fn element(browser: &Browser, selector: &str) -> Element {
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("no element {selector}: {e}"))
}

/// Clicks `selector`, finding it again if the page redrew it in between.
pub async fn click(browser: &Browser, selector: &str) {
    for attempt in 0.. {
        match element(browser, selector).await.click().await {
            Ok(()) => return,
            Err(e) if attempt < 3 && e.to_string().contains("stale element") => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("click {selector}: {e}"),
        }
    }
}

pub async fn fill(browser: &Browser, selector: &str, text: &str) {
    let input = element(browser, selector).await;
    input.clear().await.expect("clear");
    input
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {selector}: {e}"));
}

/// Opens the editor on `server_url` and signs in through its form.
pub async fn sign_in(browser: &Browser, server_url: &str, email: &str, password: &str) {
    browser
        .client
        .goto(&format!("{server_url}/editor/"))
        .await
        .expect("open the editor");
    fill(browser, "[data-test=login-email]", email).await;
    fill(browser, "[data-test=login-password]", password).await;
    click(browser, "[data-test=login-submit]").await;
    element(browser, "[data-test=nav-tours]").await;
}
