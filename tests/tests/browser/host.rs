//! A host application for the overlay: a small HTTP server on its own port (so a different origin
//! from Cairn's) serving fixed pages, each with its own headers (a Content-Security-Policy…).

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One resource. A `path` ending in `*` serves every path that starts with what comes before it
/// (a single-page app's routes).
pub struct Page {
    pub path: &'static str,
    pub content_type: &'static str,
    pub body: String,
    pub csp: Option<String>,
}

impl Page {
    pub fn html(path: &'static str, body: String) -> Page {
        Page {
            path,
            content_type: "text/html; charset=utf-8",
            body,
            csp: None,
        }
    }

    pub fn js(path: &'static str, body: &str) -> Page {
        Page {
            path,
            content_type: "text/javascript",
            body: body.to_string(),
            csp: None,
        }
    }

    pub fn css(path: &'static str, body: &str) -> Page {
        Page {
            path,
            content_type: "text/css",
            body: body.to_string(),
            csp: None,
        }
    }

    fn serves(&self, path: &str) -> bool {
        match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.path,
        }
    }
}

pub struct Host {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub origin: String,
    task: tokio::task::JoinHandle<()>,
}

impl Host {
    pub async fn serve(pages: Vec<Page>) -> Host {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let origin = format!("http://{}", listener.local_addr().expect("addr"));
        let pages = Arc::new(pages);
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let pages = pages.clone();
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&request);
                    let target = text.split_whitespace().nth(1).unwrap_or("/");
                    let path = target.split(['?', '#']).next().unwrap_or("/");
                    // Exact paths before prefixes, so `/spa/app.js` is not the app's HTML.
                    let page = pages
                        .iter()
                        .find(|p| p.path == path)
                        .or_else(|| pages.iter().find(|p| p.serves(path)));
                    let response = match page {
                        Some(p) => {
                            let csp = p
                                .csp
                                .as_ref()
                                .map(|c| format!("Content-Security-Policy: {c}\r\n"))
                                .unwrap_or_default();
                            format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n{csp}Connection: close\r\n\r\n{}",
                                p.content_type,
                                p.body.len(),
                                p.body
                            )
                        }
                        None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_string(),
                    };
                    let _ = stream.write_all(response.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Host { origin, task }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.task.abort();
    }
}
