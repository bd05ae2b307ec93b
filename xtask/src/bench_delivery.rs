//! `cargo xtask bench delivery`: how fast a release `cairn serve` answers the overlay's content
//! request from its in-memory cache. Builds the release binary, starts it on a temporary SQLite
//! database (the demo seeded) on a free loopback port, then loads `GET /api/v1/overlay/content` with
//! the demo application's key: with `wrk` when it is installed, otherwise with the small keep-alive
//! HTTP/1.1 client below. Prints requests per second and latency; asserts nothing about them.
//!
//! Options: `--seconds N` (default 10), `--connections N` (default 32), `--client rust|wrk`.
//! Traffic goes to 127.0.0.1 only, and the run stops by itself.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::{cargo, project_root, run_cmd};

struct Options {
    seconds: u64,
    connections: usize,
    client: Option<String>,
}

fn options(args: &[String]) -> Result<Options> {
    let mut o = Options {
        seconds: 10,
        connections: 32,
        client: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().context(format!("{a} needs a value"));
        match a.as_str() {
            "--seconds" => o.seconds = value()?.parse().context("--seconds")?,
            "--connections" => o.connections = value()?.parse().context("--connections")?,
            "--client" => o.client = Some(value()?.clone()),
            other => bail!("unknown option {other}"),
        }
    }
    if !(1..=300).contains(&o.seconds) || !(1..=512).contains(&o.connections) {
        bail!("use 1–300 seconds and 1–512 connections");
    }
    Ok(o)
}

/// Stops the server when the bench ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn delivery(args: &[String]) -> Result<()> {
    let opts = options(args)?;
    // The bundles in `target/web/` are embedded as they are: this bench does not load them.
    eprintln!("▸ building the release server");
    run_cmd(cargo().args([
        "build",
        "--release",
        "--quiet",
        "--package",
        "cairn-server",
        "--bin",
        "cairn",
    ]))?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| project_root().join("target"));
    let binary = target.join("release").join("cairn");

    let dir = target
        .join("tmp")
        .join(format!("bench-delivery-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let db_url = format!("sqlite://{}", dir.join("cairn.db").display());
    let mut child = Command::new(&binary)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("CAIRN_DATABASE_URL", &db_url)
        .env("CAIRN_ADMIN_PASSWORD", "bench password 1")
        .env("RUST_LOG", "warn")
        .env_remove("CAIRN_PUBLIC_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let server = Server(child);
    let mut url = None;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if let Some(rest) = line.split("Demo app with a live tour").nth(1) {
            url = Some(rest.trim().trim_end_matches("/demo/").to_string());
            break;
        }
    }
    let url = url.context("cairn serve did not print its URL")?;
    let addr = url.trim_start_matches("http://").to_string();
    let key = demo_key(&addr)?;
    let path = "/api/v1/overlay/content";
    let (status, body_len) = get_once(&addr, path, &key)?;
    if status != 200 {
        bail!("the content request answered {status}");
    }
    eprintln!(
        "▸ {url}{path}: {body_len} bytes of JSON (the demo's tour, tooltip and checklist), served from the cache"
    );

    let use_wrk = match opts.client.as_deref() {
        Some("wrk") => true,
        Some("rust") => false,
        Some(other) => bail!("unknown client {other} (rust or wrk)"),
        None => Command::new("wrk")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok(),
    };
    eprintln!(
        "▸ loading it for {} s over {} keep-alive connections with {}",
        opts.seconds,
        opts.connections,
        if use_wrk { "wrk" } else { "the Rust client" }
    );
    if use_wrk {
        run_cmd(Command::new("wrk").args([
            "--latency",
            "-t2",
            &format!("-c{}", opts.connections),
            &format!("-d{}s", opts.seconds),
            "-H",
            &format!("x-cairn-app-key: {key}"),
            &format!("{url}{path}"),
        ]))?;
    } else {
        let r = load(&addr, path, &key, &opts)?;
        r.print();
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The demo application's public key, as the demo page embeds it.
fn demo_key(addr: &str) -> Result<String> {
    let page = raw_get(addr, "/demo/", &[])?;
    let at = page
        .find("data-app-key=\"")
        .context("the demo page has no data-app-key")?;
    let rest = &page[at + "data-app-key=\"".len()..];
    Ok(rest.split('"').next().unwrap_or_default().to_string())
}

fn raw_get(addr: &str, path: &str, headers: &[(&str, &str)]) -> Result<String> {
    let mut s = TcpStream::connect(addr)?;
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

fn get_once(addr: &str, path: &str, key: &str) -> Result<(u16, usize)> {
    let mut conn = Conn::open(addr)?;
    conn.get(path, key)
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    stream: BufReader<TcpStream>,
    request: Vec<u8>,
    body: Vec<u8>,
}

impl Conn {
    fn open(addr: &str) -> Result<Conn> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(Conn {
            stream: BufReader::new(stream),
            request: Vec::new(),
            body: Vec::new(),
        })
    }

    /// Sends the request and reads the whole response; returns status and body length.
    fn get(&mut self, path: &str, key: &str) -> Result<(u16, usize)> {
        if self.request.is_empty() {
            self.request =
                format!("GET {path} HTTP/1.1\r\nHost: bench\r\nx-cairn-app-key: {key}\r\n\r\n")
                    .into_bytes();
        }
        self.stream.get_mut().write_all(&self.request)?;
        let mut line = String::new();
        self.stream.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("bad status line")?;
        let mut length = 0usize;
        loop {
            line.clear();
            if self.stream.read_line(&mut line)? == 0 {
                bail!("connection closed");
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().context("content-length")?;
            }
        }
        self.body.resize(length, 0);
        self.stream.read_exact(&mut self.body)?;
        Ok((status, length))
    }
}

struct Report {
    requests: u64,
    errors: u64,
    elapsed: Duration,
    latencies_us: Vec<u32>,
    bytes: u64,
}

impl Report {
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        f64::from(self.latencies_us[i]) / 1000.0
    }

    fn print(&self) {
        let secs = self.elapsed.as_secs_f64();
        println!(
            "delivery: {:.0} req/s  ({} requests in {:.1} s, {} errors, {:.1} MB/s)",
            self.requests as f64 / secs,
            self.requests,
            secs,
            self.errors,
            self.bytes as f64 / secs / 1e6
        );
        let mean = if self.latencies_us.is_empty() {
            0.0
        } else {
            self.latencies_us.iter().map(|&l| f64::from(l)).sum::<f64>()
                / self.latencies_us.len() as f64
                / 1000.0
        };
        println!(
            "latency ms: mean {mean:.2}  p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
            self.percentile(0.5),
            self.percentile(0.9),
            self.percentile(0.99),
            self.percentile(1.0)
        );
    }
}

/// `connections` threads, each a keep-alive connection sending requests back to back until the
/// deadline; every response is read in full and its status checked.
fn load(addr: &str, path: &str, key: &str, opts: &Options) -> Result<Report> {
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..opts.connections {
        let (addr, path, key, stop) = (
            addr.to_string(),
            path.to_string(),
            key.to_string(),
            stop.clone(),
        );
        workers.push(std::thread::spawn(move || -> (u64, u64, u64, Vec<u32>) {
            let (mut ok, mut errors, mut bytes, mut lat) = (0u64, 0u64, 0u64, Vec::new());
            let Ok(mut conn) = Conn::open(&addr) else {
                return (0, 1, 0, lat);
            };
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                match conn.get(&path, &key) {
                    Ok((200, n)) => {
                        ok += 1;
                        bytes += n as u64;
                        lat.push(u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX));
                    }
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        match Conn::open(&addr) {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                    }
                }
            }
            (ok, errors, bytes, lat)
        }));
    }
    std::thread::sleep(Duration::from_secs(opts.seconds));
    stop.store(true, Ordering::Relaxed);
    let mut report = Report {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies_us: Vec::new(),
        bytes: 0,
    };
    for w in workers {
        let (ok, errors, bytes, lat) = w
            .join()
            .map_err(|_| anyhow::anyhow!("a load thread panicked"))?;
        report.requests += ok;
        report.errors += errors;
        report.bytes += bytes;
        report.latencies_us.extend(lat);
    }
    report.elapsed = start.elapsed();
    report.latencies_us.sort_unstable();
    Ok(report)
}
